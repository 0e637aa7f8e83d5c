package realtime

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

func TestAudience(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m1", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())
		bob := dial(t, n, "m1", "bob", "")
		decodeSnap(t, bob.next())

		// A confidential document for alice, and its redacted twin for
		// everyone else.
		n.hub.Publish(context.Background(),
			event.Event{MeetingID: "m1", Type: "document.added", Data: map[string]any{"title": "secret budget"},
				Audience: []string{"alice"}},
			event.Event{MeetingID: "m1", Type: "document.added", Data: map[string]any{"title": "confidential"},
				Exclude: []string{"alice"}})

		want := map[string][2]string{"alice": {"document.added", "skip"}, "bob": {"skip", "document.added"}}
		for user, c := range map[string]*client{"alice": alice, "bob": bob} {
			for _, got := range [][]msg{c.events(2), replay(t, n, user)} {
				checkContiguous(t, got, 1)
				if got[0].Type != want[user][0] || got[1].Type != want[user][1] {
					t.Fatalf("%s got %s, %s; want %v", user, got[0].Type, got[1].Type, want[user])
				}
				for _, m := range got {
					if m.Type == "skip" && m.Data != nil {
						t.Fatalf("a skip carries data: %s", m.Data)
					}
					if user == "bob" && strings.Contains(string(m.Data), "secret") {
						t.Fatalf("bob saw %s", m.Data)
					}
				}
			}
		}
	})
}

// replay reconnects user with since=0 and returns the first two events.
func replay(t *testing.T, n *node, user string) []msg {
	t.Helper()
	c := dial(t, n, "m1", user, "since=0")
	decodeSnap(t, c.next())
	return c.events(2)
}

func TestBroadcast(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m1", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())
		bob := dial(t, n, "m1", "bob", "")
		decodeSnap(t, bob.next())

		ctx := context.Background()
		if err := n.hub.Broadcast(ctx, "m1", "pointer", map[string]any{"x": 0.5}, []string{"bob"}); err != nil {
			t.Fatal(err)
		}
		if err := n.hub.Broadcast(ctx, "m1", "pointer", map[string]any{"x": 0.7}, nil); err != nil {
			t.Fatal(err)
		}
		if m := alice.nextOf("pointer"); m.Seq != 0 || string(m.Data) != `{"x":0.7}` {
			t.Fatalf("alice got %+v, want only the pointer for everyone, without seq", m)
		}
		if m := bob.nextOf("pointer"); string(m.Data) != `{"x":0.5}` {
			t.Fatalf("bob got %+v first, want his own pointer", m)
		}
		if err := n.hub.Broadcast(ctx, "m1", "snapshot", nil, nil); err == nil {
			t.Fatal("broadcasting a reserved type succeeded")
		}
	})
}

// TestConcurrentPublish: many publishers, one meeting; every client sees
// every seq once, in order.
func TestConcurrentPublish(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		var clients []*client
		n := startNode(t, openDB(t, b), auth, nil)
		for i := range 5 {
			user := fmt.Sprintf("u%d", i)
			auth.add("m1", user, "delegate")
			c := dial(t, n, "m1", user, "")
			decodeSnap(t, c.next())
			clients = append(clients, c)
		}
		const publishers, each = 8, 10
		var wg sync.WaitGroup
		for p := range publishers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					// Two events per call: batches must stay contiguous too.
					n.hub.Publish(context.Background(),
						event.Event{MeetingID: "m1", Type: "page", Data: []int{p, i}},
						event.Event{MeetingID: "m2", Type: "page", Data: []int{p, i}})
				}
			}()
		}
		wg.Wait()
		for _, c := range clients {
			checkContiguous(t, c.events(publishers*each), 1)
		}
		if got := metricValue(t, n, "curia_live_events_published_total"); got != 2*publishers*each {
			t.Fatalf("published metric %v, want %d", got, 2*publishers*each)
		}
	})
}

// TestSlowClient: a client that never reads is dropped; the others get
// everything, promptly. The queue leaves a reader that keeps up some room
// (2 MiB, 64 messages): with the default's 1 MiB, alice, read by a test
// goroutine under the race detector on a loaded machine, fell that far
// behind once in CI and was dropped too.
func TestSlowClient(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "sleepy", "delegate")
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) { o.QueueSize, o.QueueBytes = 64, 2<<20 })
		sleepy := dial(t, n, "m1", "sleepy", "") // never reads
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())

		// 36 batches of 10 × 32 KB (11.5 MB): far beyond the queue and the
		// socket buffers of a client that does not read (a few MB).
		const batches, each = 36, 10
		page := strings.Repeat("x", 32<<10)
		took := make(chan time.Duration, batches)
		lastDone := make(chan time.Time, 1)
		go func() {
			for range batches {
				var batch []event.Event
				for range each {
					batch = append(batch, event.Event{MeetingID: "m1", Type: "page", Data: page})
				}
				start := time.Now()
				n.hub.Publish(context.Background(), batch...)
				took <- time.Since(start)
			}
			lastDone <- time.Now()
		}()
		checkContiguous(t, alice.events(batches*each), 1)
		if lag := time.Since(<-lastDone); lag > 2*time.Second {
			t.Errorf("alice got the last event %v after it was published", lag)
		}
		eventually(t, "the slow client to be dropped", func() bool {
			return metricValue(t, n, "curia_live_slow_client_drops_total") == 1
		})
		var worst time.Duration
		for range batches {
			worst = max(worst, <-took)
		}
		if worst > 2*time.Second {
			t.Errorf("a publish took %v: the sleeping client slowed the room", worst)
		}
		if code := sleepy.closeCode(); code != 1013 && code != -1 && code != websocket.CloseAbnormalClosure {
			t.Errorf("slow client closed with %d, want 1013 (or a reset: no close frame, 1006)", code)
		}
	})
}
