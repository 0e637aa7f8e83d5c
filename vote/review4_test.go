package vote_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestReview4AbsoluteBaseKeepsVotersWhoLeft: a vote stays counted when its
// voter leaves the meeting (or loses the vote) before the close, but the
// base of the "of all members" rules (absolute, two_thirds_members) is
// Electorate.MembersWeight, read from the roll at the close, which no
// longer has them. So their yes counts above the line and not below it:
// four members, two yes, one no is a tie (yes is exactly half of the
// members); remove one of the yes voters before the close and the same
// two yes votes become "more than half of all members" (base 3, required
// 2): adopted. Whichever way a vote of someone who left is treated, the
// motion has not won more than half of the members who voted or could.
func TestReview4AbsoluteBaseKeepsVotersWhoLeft(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("r4a")
		m, p := livePoll(c, map[string]any{"title": "Miễn nhiệm", "secret": true, "majority": "absolute"})
		extra := crowd(t, srv, c.Secretary, m, 2, true) // members with a vote: chair, delegate, 2 more
		step(c.Chair, p, "open", ok)
		voteAs(c.Chair, p, "agree").Check(t, "the chair votes", created)
		voteAs(c.Delegate, p, "agree").Check(t, "the delegate votes", created)
		voteAs(extra[0], p, "disagree").Check(t, "a delegate votes no", created)

		c.Secretary.Must(204, "DELETE", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, nil)
		got := step(c.Chair, p, "close", ok)

		yes := got.weights()["agree"]
		if got.Decision == nil || got.Electorate == nil {
			t.Fatalf("closed poll without decision or electorate: %+v", got)
		}
		if got.Decision.Base < yes || got.Outcome == "adopted" {
			t.Errorf("2 yes of 4 members who voted or could (one of the yes voters left before the close): "+
				"outcome %q, base %d, required %d, yes %d; electorate members %d, voted %d",
				got.Outcome, got.Decision.Base, got.Decision.Required, yes, got.Electorate.Members, got.Electorate.Voted)
		}
	})
}

// TestReview4AbsoluteBaseUsesVotedWeight: the same base, from a weight
// change instead of a removal. A vote counts with the weight its voter had
// when it was stored (Electorate.EligibleWeight says so too), but
// MembersWeight adds up the weights at the close. Members' weight 6
// (chair 1, delegate 3, two more 1 each): the delegate's 3 for and the
// chair's 1 against is exactly half, a tie. Lower the delegate's weight to
// 1 after they voted and the close measures the same 3 against a base of
// 4: adopted.
func TestReview4AbsoluteBaseUsesVotedWeight(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("r4w")
		m, p := livePoll(c, map[string]any{"title": "Dự toán", "secret": true, "majority": "absolute"})
		crowd(t, srv, c.Secretary, m, 2, true)
		participant := "/api/v1/meetings/" + m + "/participants/" + c.Delegate.UserID
		c.Secretary.Must(ok, "PUT", participant, map[string]any{"role": "delegate", "weight": 3})
		c.Delegate.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"state": "remote"})
		step(c.Chair, p, "open", ok)
		voteAs(c.Delegate, p, "agree").Check(t, "the delegate votes with weight 3", created)
		voteAs(c.Chair, p, "disagree").Check(t, "the chair votes", created)

		c.Secretary.Must(ok, "PUT", participant, map[string]any{"role": "delegate", "weight": 1})
		got := step(c.Chair, p, "close", ok)
		if got.Decision == nil || got.Electorate == nil {
			t.Fatalf("closed poll without decision or electorate: %+v", got)
		}
		if yes := got.weights()["agree"]; yes != 3 || got.Outcome == "adopted" {
			t.Errorf("3 for of 6 members' weight when the votes were cast: outcome %q, base %d, required %d, yes %d; "+
				"electorate members_weight %d, eligible_weight %d, voted_weight %d", got.Outcome, got.Decision.Base,
				got.Decision.Required, yes, got.Electorate.MembersWeight, got.Electorate.EligibleWeight, got.Electorate.VotedWeight)
		}
	})
}

// TestReview4MotionRefusesBadMaxChoices: openapi gives max_choices
// "minimum: 1" and answers 400 for "max_choices out of range or given to
// a motion", but choices() refuses only max_choices > 1 on a motion: -5
// makes a motion (201) and stores the draft. Bad input must be a 400 that
// stores nothing.
func TestReview4MotionRefusesBadMaxChoices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("r4m")
		m := c.Meeting("Max choices")
		c.Secretary.Do("POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Thông qua", "max_choices": -5}).
			Check(t, "a motion with max_choices -5", invalid)
		var list struct{ Polls []poll }
		c.Secretary.Get("/api/v1/meetings/"+m+"/polls", &list)
		if len(list.Polls) != 0 {
			t.Errorf("a refused poll was stored: %+v", list.Polls)
		}
	})
}
