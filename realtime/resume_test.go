package realtime

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/curia/curia/internal/testdb"
)

func TestResume(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		for _, where := range []string{"memory", "store"} {
			t.Run(where, func(t *testing.T) {
				auth := newFakeAuth()
				auth.add("m1", "alice", "delegate")
				n := startNode(t, openDB(t, b), auth, func(o *Options) {
					if where == "store" {
						o.MemoryEvents = 10 // the 100 missed events must come from the table
					} else {
						o.Linger = time.Minute // the room and its recent events outlive the drop
					}
				})
				c := dial(t, n, "m1", "alice", "")
				snap := decodeSnap(t, c.next())
				n.publish("m1", "page", 0)
				last := c.events(1)[0].Seq
				_ = c.ws.Close() // the tablet's Wi-Fi drops

				for i := 1; i <= 100; i++ {
					n.publish("m1", "page", i)
				}
				c = dial(t, n, "m1", "alice", fmt.Sprintf("since=%d&epoch=%s", last, snap.Epoch))
				m := c.next()
				// On PostgreSQL the node may not have heard the last
				// NOTIFYs yet: those events then follow live.
				if s := decodeSnap(t, m); !s.Resumed || s.State != nil || m.Seq < last || m.Seq > last+100 {
					t.Fatalf("resume snapshot seq %d resumed %v state %v; want seq ≤ %d, resumed, no state",
						m.Seq, s.Resumed, s.State, last+100)
				}
				got := c.events(100)
				checkContiguous(t, got, last+1)
				n.publish("m1", "page", 101)
				if e := c.events(1)[0]; e.Seq != last+101 {
					t.Fatalf("live event after replay has seq %d, want %d", e.Seq, last+101)
				}
			})
		}
	})
}

func TestResync(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) { o.RetainEvents = 10 })
		for i := 1; i <= 30; i++ {
			n.publish("m1", "page", i)
		}
		if _, err := n.hub.st.prune(context.Background(), n.hub.opt.Retention, n.hub.opt.RetainEvents); err != nil {
			t.Fatal(err)
		}
		tests := []struct{ name, query string }{
			{"below retention", "since=5"},
			{"ahead of the server", "since=31"},
			{"other epoch", "since=29&epoch=nope"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := dial(t, n, "m1", "alice", tt.query)
				if m := c.next(); m.Type != "resync" {
					t.Fatalf("first message %s, want resync", m.Type)
				}
				m := c.next()
				if s := decodeSnap(t, m); s.Resumed || s.State == nil || m.Seq != 30 {
					t.Fatalf("after resync: seq %d resumed %v state %v; want a full snapshot at 30", m.Seq, s.Resumed, s.State)
				}
			})
		}
		t.Run("within retention", func(t *testing.T) {
			c := dial(t, n, "m1", "alice", "since=25")
			decodeSnap(t, c.next())
			checkContiguous(t, c.events(5), 26)
		})
	})
}

// TestRestart: after a hub restart on the same database, seqs continue
// and a client resumes across the restart without a gap.
func TestRestart(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		db := openDB(t, b)
		n1 := startNode(t, db, auth, nil)
		c := dial(t, n1, "m1", "alice", "")
		epoch := decodeSnap(t, c.next()).Epoch
		for i := 1; i <= 5; i++ {
			n1.publish("m1", "page", i)
		}
		checkContiguous(t, c.events(5), 1)
		n1.stop(t)
		if code := c.closeCode(); code != 1001 {
			t.Fatalf("close code on shutdown %d, want 1001", code)
		}

		n2 := startNode(t, db, auth, nil)
		n2.publish("m1", "page", 6)
		c = dial(t, n2, "m1", "alice", "since=5&epoch="+epoch)
		if s := decodeSnap(t, c.next()); !s.Resumed || s.Epoch != epoch {
			t.Fatalf("resume after restart: resumed %v epoch %q, want resumed in epoch %q", s.Resumed, s.Epoch, epoch)
		}
		if e := c.events(1)[0]; e.Seq != 6 {
			t.Fatalf("first event after restart has seq %d, want 6", e.Seq)
		}
	})
}
