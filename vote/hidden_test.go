package vote_test

import (
	"slices"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// A poll that never opened (a draft, or one cancelled before it opened)
// belongs to the meeting's managers: for everyone else it does not exist,
// whichever route they try.

// TestCancelledDraftStaysWithManagers: a poll cancelled before it ever
// opened stays the managers' draft over REST, as its poll.cancelled
// event does: GET /polls/{id} is 404 to a delegate and an observer, and
// GET /meetings/{id}/polls does not list it for them; the chair still
// sees it. A motion drafted and withdrawn is not readable by the room.
func TestCancelledDraftStaysWithManagers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, c := apptest.StartCast(t, b)
		m, p := livePoll(c, map[string]any{"title": "Miễn nhiệm giám đốc", "secret": false})
		step(c.Chair, p, "cancel", ok)

		c.Chair.Must(ok, "GET", "/api/v1/polls/"+p, nil)
		var mine struct{ Polls []poll }
		c.Chair.Get("/api/v1/meetings/"+m+"/polls", &mine)
		if !slices.ContainsFunc(mine.Polls, func(q poll) bool { return q.ID == p }) {
			t.Errorf("the chair's poll list lacks the cancelled draft %q", p)
		}
		for _, cl := range []*apptest.Client{c.Delegate, c.Observer} {
			cl.Do("GET", "/api/v1/polls/"+p, nil).Check(t, "a non-manager reads a poll cancelled before it opened", notFound)
			cl.Do("GET", "/api/v1/polls/"+p+"/results", nil).Check(t, "a non-manager exports it", notFound)
			var list struct{ Polls []poll }
			cl.Get("/api/v1/meetings/"+m+"/polls", &list)
			if slices.ContainsFunc(list.Polls, func(q poll) bool { return q.ID == p }) {
				t.Errorf("a non-manager's poll list shows the cancelled draft %q", p)
			}
		}
	})
}

// TestVoteInHiddenPollIsNotFound: voting in a poll one may not see
// answers 404 like GET does, whatever else is wrong with the vote (a
// draft is not open, an observer has no vote, an option is unknown), so
// the vote route does not tell a delegate that a draft exists. A poll
// the voter may see keeps its refusal (409, 403).
func TestVoteInHiddenPollIsNotFound(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, c := apptest.StartCast(t, b)
		m, draft := livePoll(c, nil)
		withdrawn := newPoll(c.Secretary, m, nil)
		step(c.Chair, withdrawn, "cancel", ok)
		for _, p := range []string{draft, withdrawn} {
			voteAs(c.Delegate, p, "agree").Check(t, "a delegate votes in a poll that never opened", notFound)
			voteAs(c.Delegate, p, "no-such-option").Check(t, "a delegate names an unknown option in it", notFound)
			voteAs(c.Observer, p, "agree").Check(t, "an observer votes in it", notFound)
			voteAs(c.Chair, p, "agree").Check(t, "the chair, who sees it, votes in it", conflict)
		}

		opened := newPoll(c.Secretary, m, nil)
		step(c.Chair, opened, "open", ok)
		voteAs(c.Observer, opened, "agree").Check(t, "an observer votes in an open poll", forbidden)
		step(c.Chair, opened, "cancel", ok)
		voteAs(c.Delegate, opened, "agree").Check(t, "a delegate votes in a poll cancelled after it opened", conflict)
	})
}
