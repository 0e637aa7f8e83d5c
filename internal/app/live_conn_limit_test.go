package app_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// One signed-in participant must not be able to hold an unbounded number
// of live connections: each costs the server goroutines, buffers, a
// snapshot and a copy of every event of the room, so a script could
// multiply the room's fan-out at will. A few per user (tabs, a laptop
// and a tablet, a reconnect racing the old socket) are normal: 8 per
// user and meeting are accepted; while they are all alive, the next is
// refused before the upgrade with 429 rate_limited and a Retry-After.
// Other users are not affected, and closing one makes room again.
func TestLiveConnectionsPerUserAreBounded(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("lfl")
	m := c.Meeting("Flood")
	const n, bound = 200, 8
	deadline := time.Now().Add(60 * time.Second)
	var open []*apptest.LiveConn
	refused := 0
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		lc, status, err := c.Observer.DialLive(m, "")
		if err != nil {
			if status != http.StatusTooManyRequests {
				t.Fatalf("connection %d: %d %v, want 429 beyond the bound", i, status, err)
			}
			refused++
			if refused == 20 {
				break // the point is made
			}
			continue
		}
		open = append(open, lc)
	}
	if len(open) != bound {
		t.Fatalf("one observer's session holds %d live connections to one meeting; want %d", len(open), bound)
	}

	// The refusal is the house error, with a Retry-After.
	h := http.Header{"Authorization": {"Bearer " + c.Observer.Token}}
	ws, res, err := (&websocket.Dialer{HandshakeTimeout: 5 * time.Second}).Dial(
		"ws"+strings.TrimPrefix(s.URL, "http")+"/api/v1/meetings/"+m+"/live", h)
	if err == nil {
		ws.Close()
		t.Fatal("a ninth connection was accepted")
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), `"code":"rate_limited"`) ||
		!strings.Contains(string(body), "8 live connections") {
		t.Fatalf("refusal %d %s", res.StatusCode, body)
	}
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
	}

	c.Delegate.Live(m, "").NextOf("snapshot") // another user is not bounded by the observer's

	open[0].Conn.Close() // a tab closed: room for another
	for {
		lc, status, err := c.Observer.DialLive(m, "")
		if err == nil {
			lc.NextOf("snapshot")
			break
		}
		if status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("after closing one: %d %v", status, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
