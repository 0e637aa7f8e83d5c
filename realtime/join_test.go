package realtime

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/testdb"
)

// TestJoinWhilePublishing: clients that connect, or resume, while events
// are being published get every event after their snapshot's seq exactly
// once, in order: joining and fan-out do not race.
func TestJoinWhilePublishing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		n := startNode(t, openDB(t, b), auth, nil)
		const total, joiners = 120, 6
		for i := range joiners {
			auth.add("m1", fmt.Sprintf("u%d", i), "delegate")
		}
		published := make(chan int, total)
		go func() {
			for i := 1; i <= total; i++ {
				n.publish("m1", "page", i)
				published <- i
			}
		}()
		var wg sync.WaitGroup
		seen := 0
		for i := range joiners {
			// Join after about i/joiners of the first half of the events;
			// every other joiner drops halfway through and resumes.
			for ; seen < total*i/joiners/2; seen++ {
				<-published
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := joinAndFollow(n, fmt.Sprintf("u%d", i), total, i%2 == 1); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	})
}

// joinAndFollow connects user, checks that events run contiguously from
// the snapshot's seq to total, and with resume reconnects halfway. It runs
// on its own goroutine, so it reports instead of failing the test.
func joinAndFollow(n *node, user string, total int64, resume bool) error {
	ws, err := rawDial(n, user, "")
	if err != nil {
		return err
	}
	defer func() { _ = ws.Close() }()
	snap, err := rawNext(ws)
	if err != nil || snap.Type != "snapshot" {
		return fmt.Errorf("%s: first message %+v, %v", user, snap, err)
	}
	next := snap.Seq + 1
	for next <= total {
		if resume && next == (snap.Seq+total)/2 {
			_ = ws.Close()
			var s snapData
			_ = json.Unmarshal(snap.Data, &s)
			if ws, err = rawDial(n, user, fmt.Sprintf("since=%d&epoch=%s", next-1, s.Epoch)); err != nil {
				return err
			}
			if m, err := rawNext(ws); err != nil || !strings.Contains(string(m.Data), `"resumed":true`) {
				return fmt.Errorf("%s: reconnect did not resume: %+v, %v", user, m, err)
			}
			resume = false
		}
		m, err := rawNext(ws)
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", user, err)
		case m.Seq == 0:
			continue // presence
		case m.Seq != next:
			return fmt.Errorf("%s: got seq %d, want %d (snapshot at %d)", user, m.Seq, next, snap.Seq)
		}
		next++
	}
	return nil
}

func rawDial(n *node, user, query string) (*websocket.Conn, error) {
	ws, _, err := dialRaw(n, "m1", query, http.Header{"X-User": {user}})
	return ws, err
}

func rawNext(ws *websocket.Conn) (msg, error) {
	var m msg
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	err := ws.ReadJSON(&m)
	return m, err
}
