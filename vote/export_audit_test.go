package vote_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestResultsExportIsAudited: every export of a poll's results (its named
// votes, when the poll is not secret) is in the audit log with who took
// it and in which format; a refused export (bad format, poll still open)
// writes nothing.
func TestResultsExportIsAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("ex")
		m, p := livePoll(c, map[string]any{"title": "Kế hoạch năm"})
		step(c.Chair, p, "open", ok)
		voteAs(c.Delegate, p, "agree").Check(t, "delegate votes", created)

		type entry struct {
			Action string         `json:"action"`
			Actor  string         `json:"actor_id"`
			Detail map[string]any `json:"detail"`
		}
		exports := func() []entry {
			var out struct{ Entries []entry }
			c.Admin.Get("/api/v1/audit?limit=1000&action=poll.results_exported&meeting_id="+m, &out)
			return out.Entries
		}
		c.Delegate.Must(409, "GET", "/api/v1/polls/"+p+"/results.csv", nil)
		c.Delegate.Must(400, "GET", "/api/v1/polls/"+p+"/results?format=xml", nil)
		step(c.Chair, p, "close", ok)
		c.Delegate.Must(400, "GET", "/api/v1/polls/"+p+"/results?format=xml", nil)
		if got := exports(); len(got) != 0 {
			t.Fatalf("refused exports were audited: %+v", got)
		}

		c.Delegate.Must(ok, "GET", "/api/v1/polls/"+p+"/results.csv", nil)
		c.Chair.Must(ok, "GET", "/api/v1/polls/"+p+"/results", nil)
		got := exports()
		if len(got) != 2 {
			t.Fatalf("%d export entries, want 2: %+v", len(got), got)
		}
		// Newest first.
		if got[0].Actor != c.Chair.UserID || got[0].Detail["format"] != "json" ||
			got[1].Actor != c.Delegate.UserID || got[1].Detail["format"] != "csv" {
			t.Errorf("export entries %+v, want the chair's json after the delegate's csv", got)
		}
	})
}
