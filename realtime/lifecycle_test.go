package realtime

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/curia/curia/internal/testdb"
)

// TestClose: shutdown closes clients with 1001 and leaves no goroutine behind.
func TestClose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m2", "bob", "chair")
		db := openDB(t, b)
		before := runtime.NumGoroutine()
		n := startNode(t, db, auth, func(o *Options) { o.Linger = time.Minute })
		var clients []*client
		for _, mu := range [][2]string{{"m1", "alice"}, {"m1", "alice"}, {"m2", "bob"}} {
			c := dial(t, n, mu[0], mu[1], "")
			decodeSnap(t, c.next())
			clients = append(clients, c)
		}
		n.publish("m1", "page", 1)
		n.stop(t)
		for _, c := range clients {
			if code := c.closeCode(); code != 1001 {
				t.Fatalf("close code %d, want 1001", code)
			}
			_ = c.ws.Close()
		}
		eventually(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
		if _, _, err := dialRaw(n, "m1", "", nil); err == nil {
			t.Fatal("dial after Close succeeded")
		}
	})
}

// TestRoomLifecycle: a room is dropped when its last client leaves, and a
// new one picks up the sequence from the store.
func TestRoomLifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, nil) // Linger < 0: drop at once
		c := dial(t, n, "m1", "alice", "")
		decodeSnap(t, c.next())
		if got := metricValue(t, n, "curia_live_rooms"); got != 1 {
			t.Fatalf("rooms %v, want 1", got)
		}
		n.publish("m1", "page", 1)
		c.events(1)
		_ = c.ws.Close()
		eventually(t, "the empty room to go", func() bool { return n.hub.lookup("m1") == nil })
		if got := metricValue(t, n, "curia_live_rooms"); got != 0 {
			t.Fatalf("rooms %v, want 0", got)
		}
		n.publish("m1", "page", 2) // nobody here: stored only
		c = dial(t, n, "m1", "alice", "since=1")
		decodeSnap(t, c.next())
		checkContiguous(t, c.events(1), 2)
	})
}

// TestPublishFailure: an event that cannot be stored makes the room's
// clients start over (4001) rather than silently miss it.
func TestPublishFailure(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		db := openDB(t, b)
		n := startNode(t, db, auth, nil)
		c := dial(t, n, "m1", "alice", "")
		decodeSnap(t, c.next())
		if err := db.Gorm.Exec("DROP TABLE live_events").Error; err != nil {
			t.Fatal(err)
		}
		n.publish("m1", "page", 1)
		if code := c.closeCode(); code != closeResync {
			t.Fatalf("close code %d, want %d", code, closeResync)
		}
		if got := metricValue(t, n, "curia_live_publish_failures_total"); got != 1 {
			t.Fatalf("publish failures %v, want 1", got)
		}
	})
}

func TestDisconnect(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m1", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())
		bob := dial(t, n, "m1", "bob", "")
		decodeSnap(t, bob.next())
		if err := n.hub.Disconnect(context.Background(), "m1", "alice"); err != nil {
			t.Fatal(err)
		}
		if code := alice.closeCode(); code != closeAccessChanged {
			t.Fatalf("close code %d, want %d", code, closeAccessChanged)
		}
		n.publish("m1", "page", 1)
		if e := bob.events(1)[0]; e.Seq != 1 {
			t.Fatalf("bob got seq %d, want 1", e.Seq)
		}
	})
}
