package realtime

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/internal/testdb"
)

// keepReading reads c in the background, as a live client does (which
// also answers the server's pings), until the test ends.
func keepReading(t *testing.T, c *client) {
	t.Helper()
	go func() {
		for {
			if _, _, err := c.ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
}

// One user may hold MaxUserConns connections to a meeting. Beyond that a
// new one is refused with 429 while they are all alive, and takes the
// place of one that went silent (closed with 4029); other users are not
// affected.
func TestUserConnectionLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m1", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) {
			o.MaxUserConns = 3
			o.PingInterval = 2 * time.Second // silent for 2.4 s: replaceable
		})
		idle := dial(t, n, "m1", "alice", "") // will stop answering pings
		decodeSnap(t, idle.next())
		for range 2 {
			c := dial(t, n, "m1", "alice", "")
			decodeSnap(t, c.next())
			keepReading(t, c)
		}
		// At once the idle one is not silent long enough: refused.
		ws, resp, err := dialRaw(n, "m1", "", http.Header{"X-User": {"alice"}})
		if err == nil {
			_ = ws.Close()
			t.Fatal("a fourth connection was accepted at once; want 429")
		}
		if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("fourth connection: %v (response %v), want 429", err, resp)
		}
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), `"code":"rate_limited"`) || !strings.Contains(string(body), "3 live connections") {
			t.Fatalf("refusal body %s", body)
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Fatalf("Retry-After %q, want whole seconds ≥ 1", resp.Header.Get("Retry-After"))
		}
		dial(t, n, "m1", "bob", "") // others are not bounded by alice's

		// Once the idle connection has missed a ping, a new one replaces it.
		time.Sleep(n.hub.staleAfter() + 300*time.Millisecond)
		c := dial(t, n, "m1", "alice", "")
		decodeSnap(t, c.next())
		if code := idle.closeCode(); code != closeReplaced {
			t.Fatalf("silent connection closed with %d, want %d", code, closeReplaced)
		}
		if got := limitCounts(t, n); got["refused"] != 1 || got["replaced"] != 1 {
			t.Fatalf("limit metric %v, want one refused, one replaced", got)
		}
	})
}

// A negative MaxUserConns means no bound.
func TestUserConnectionLimitOff(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	n := startNode(t, openDB(t, testdb.Backends()[0]), auth, func(o *Options) { o.MaxUserConns = -1 })
	for range 12 {
		c := dial(t, n, "m1", "alice", "")
		decodeSnap(t, c.next())
	}
}

// limitCounts reads curia_live_user_connection_limit_total by outcome.
func limitCounts(t *testing.T, n *node) map[string]float64 {
	t.Helper()
	mfs, err := n.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "curia_live_user_connection_limit_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" {
					out[l.GetValue()] = m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}
