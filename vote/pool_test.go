package vote_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// CURIA_DATABASE_MAX_CONNS accepts 2, but on PostgreSQL two connections
// are held for good once used: the live broker's LISTEN and the vote
// writer's pinned connection (taken by the first poll created). With the
// smallest pool the configuration allows, the server must still answer.
func TestSmallestAllowedPoolStillAnswers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b, func(c *app.Config) { c.DatabaseConns = 2 })
		c := srv.NewCast("pool")
		m := c.Meeting("Kỳ họp thứ nhất")
		c.SetStatus(m, "scheduled", "live")
		c.Delegate.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"state": "remote"})

		// Requests with a deadline: a stalled server fails the test instead of hanging it.
		do := func(cl *apptest.Client, method, path string, body, out any) (int, error) {
			var buf []byte
			if body != nil {
				buf, _ = json.Marshal(body)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, bytes.NewReader(buf))
			if err != nil {
				return 0, err
			}
			req.Header.Set("Authorization", "Bearer "+cl.Token)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return 0, err
			}
			defer res.Body.Close()
			if out != nil {
				_ = json.NewDecoder(res.Body).Decode(out)
			}
			return res.StatusCode, nil
		}
		var p poll
		if st, err := do(c.Secretary, "POST", "/api/v1/meetings/"+m+"/polls",
			map[string]any{"title": "Thông qua nghị quyết", "secret": true}, &p); err != nil || st != created {
			t.Fatalf("create a poll with a pool of 2: %d %v (every connection held elsewhere)", st, err)
		}
		if st, err := do(c.Chair, "POST", "/api/v1/polls/"+p.ID+"/open", nil, nil); err != nil || st != ok {
			t.Fatalf("open: %d %v", st, err)
		}
		if st, err := do(c.Delegate, "POST", "/api/v1/polls/"+p.ID+"/votes", map[string]any{"option": "agree"}, nil); err != nil || st != created {
			t.Fatalf("vote: %d %v", st, err)
		}
		if st, err := do(c.Chair, "GET", "/api/v1/polls/"+p.ID, nil, nil); err != nil || st != ok {
			t.Fatalf("read the poll after a vote: %d %v", st, err)
		}
	})
}
