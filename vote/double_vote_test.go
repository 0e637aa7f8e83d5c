package vote_test

import (
	"net/http"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// One person votes once, however many sessions and requests race: the
// delegate's tablet and phone send 16 ballots at once, for different
// options; exactly one is accepted and the results count one vote.
func TestOneVoteAcrossSessionsAtOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("dbl")
		_, p := livePoll(c, map[string]any{"title": "Công khai", "secret": false})
		c.Secretary.Must(ok, "POST", "/api/v1/polls/"+p+"/open", nil)
		phone := srv.SignIn(c.Delegate.UserID)
		opts := []string{"agree", "disagree", "abstain"}
		statuses := apptest.AtOnce(16, func(i int) int {
			cl := c.Delegate
			if i%2 == 1 {
				cl = phone
			}
			return cl.Do("POST", "/api/v1/polls/"+p+"/votes", map[string]any{"option": opts[i%3]}).Status
		})
		accepted := 0
		for _, st := range statuses {
			switch st {
			case http.StatusCreated:
				accepted++
			case http.StatusConflict:
			default:
				t.Errorf("a racing ballot got %d", st)
			}
		}
		if accepted != 1 {
			t.Fatalf("%d ballots accepted from one delegate (statuses %v)", accepted, statuses)
		}
		c.Chair.Must(ok, "POST", "/api/v1/polls/"+p+"/close", nil)
		got := readPoll(c.Secretary, p)
		total := int64(0)
		for _, r := range got.Results {
			total += r.Votes
		}
		if total != 1 || got.Voted != 1 {
			t.Fatalf("results count %d ballots (voted %d), want 1: %+v", total, got.Voted, got.Results)
		}
	})
}
