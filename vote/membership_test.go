package vote_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// Who may vote follows the meeting's participants as they change while a
// poll is open: the cached roll is dropped when they change, and the vote
// writer checks every voter against the database when it stores the vote.

// TestRemovedParticipantCannotVote: a delegate taken out of the meeting
// while a poll is open does not take part any more: the vote is 404, as
// for anyone outside the meeting, and nothing is counted.
func TestRemovedParticipantCannotVote(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m, p := livePoll(cast, nil)
		step(cast.Chair, p, "open", ok)
		cast.Secretary.Must(204, "DELETE", "/api/v1/meetings/"+m+"/participants/"+cast.Delegate.UserID, nil)

		voteAs(cast.Delegate, p, "agree").Check(t, "vote after being removed", notFound)
		closed := step(cast.Chair, p, "close", ok)
		if w := closed.weights()["agree"]; w != 0 {
			t.Errorf("a removed participant's vote was counted: agree weight %d", w)
		}
		if el := closed.Electorate; el == nil || el.Voted != 0 || el.Eligible != 1 {
			t.Errorf("electorate %+v, want nobody voted of 1 eligible (the chair)", el)
		}
	})
}

// TestRightsChangedWhileOpen: a change of a participant's vote or weight
// while a poll is open applies to the next vote at once, not once the
// cached roll has aged: stripped of the vote is 403, a new weight is the
// weight counted.
func TestRightsChangedWhileOpen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m, p := livePoll(cast, nil)
		step(cast.Chair, p, "open", ok)
		participant := "/api/v1/meetings/" + m + "/participants/"

		cast.Secretary.Must(ok, "PUT", participant+cast.Delegate.UserID, map[string]any{"role": "delegate", "can_vote": false})
		if me := readPoll(cast.Delegate, p).Me; me.CanVote {
			t.Error("the poll still tells a delegate stripped of the vote that they may vote")
		}
		voteAs(cast.Delegate, p, "agree").Check(t, "vote without a vote", forbidden)

		cast.Secretary.Must(ok, "PUT", participant+cast.Chair.UserID, map[string]any{"role": "chair", "weight": 3})
		voteAs(cast.Chair, p, "agree").Check(t, "vote with weight 3", created)
		closed := step(cast.Chair, p, "close", ok)
		if w := closed.weights()["agree"]; w != 3 {
			t.Errorf("agree weight %d, want 3 (the chair's weight when voting)", w)
		}
		if el := closed.Electorate; el == nil || el.Voted != 1 || el.Eligible != 1 || el.EligibleWeight != 3 {
			t.Errorf("electorate %+v, want 1 voted of 1 eligible, weight 3", el)
		}
	})
}

// TestElectorateCountsVotersWhoLeft: a voter removed after voting still
// counts among the eligible at the close, with the weight they voted
// with, so a closed poll never reports more voters than eligible members
// and its eligible figure does not drop at the close.
func TestElectorateCountsVotersWhoLeft(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m, p := livePoll(cast, nil)
		participant := "/api/v1/meetings/" + m + "/participants/"
		cast.Secretary.Must(ok, "PUT", participant+cast.Delegate.UserID, map[string]any{"role": "delegate", "weight": 4})
		step(cast.Chair, p, "open", ok)
		voteAs(cast.Chair, p, "agree").Check(t, "chair votes", created)
		voteAs(cast.Delegate, p, "disagree").Check(t, "delegate votes", created)
		cast.Secretary.Must(204, "DELETE", participant+cast.Delegate.UserID, nil)
		running := readPoll(cast.Chair, p)

		closed := step(cast.Chair, p, "close", ok)
		el := closed.Electorate
		if el == nil {
			t.Fatal("closed poll without electorate")
		}
		if el.Voted != 2 || el.VotedWeight != 5 || el.Eligible != 2 || el.EligibleWeight != 5 {
			t.Errorf("electorate voted %d (weight %d), eligible %d (weight %d); want 2 (5) of 2 (5): the delegate voted with 4, then left",
				el.Voted, el.VotedWeight, el.Eligible, el.EligibleWeight)
		}
		// The delegate's vote counts, so the delegate counts in the base
		// of the rules "of all members" too (with the weight voted with).
		if el.Members != 2 || el.MembersWeight != 5 {
			t.Errorf("members %d (weight %d), want 2 (5): the chair, and the delegate whose vote counts", el.Members, el.MembersWeight)
		}
		if closed.Eligible != running.Eligible || running.Eligible != 2 {
			t.Errorf("eligible %d while running, %d once closed; want 2", running.Eligible, closed.Eligible)
		}
	})
}
