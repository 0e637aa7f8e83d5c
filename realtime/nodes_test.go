package realtime

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/testdb"
)

// twoNodes starts two hubs with their own connection pools on one
// PostgreSQL schema, as two Curia nodes would run.
func twoNodes(t *testing.T, auth Authorizer) (*node, *node, *database.DB) {
	t.Helper()
	return twoNodesWith(t, auth, nil)
}

// twoNodesWith is twoNodes with options adjusted by opt.
func twoNodesWith(t *testing.T, auth Authorizer, opt func(*Options)) (*node, *node, *database.DB) {
	t.Helper()
	if os.Getenv("CURIA_TEST_POSTGRES") == "" {
		t.Skip("CURIA_TEST_POSTGRES is not set")
	}
	var pg testdb.Backend
	for _, b := range testdb.Backends() {
		if b.Name == "postgres" {
			pg = b
		}
	}
	url, dir := pg.URL(t)
	var dbs []*database.DB
	for range 2 {
		db, err := database.Open(context.Background(), database.Options{URL: url, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := db.Migrate(context.Background(), Migration()); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
	}
	return startNode(t, dbs[0], auth, opt), startNode(t, dbs[1], auth, opt), dbs[0]
}

func TestTwoNodes(t *testing.T) {
	auth := newFakeAuth()
	for _, u := range []string{"alice", "bob", "carol"} {
		auth.add("m1", u, "delegate")
	}
	a, b, _ := twoNodes(t, auth)
	onA := dial(t, a, "m1", "alice", "")
	epoch := decodeSnap(t, onA.next()).Epoch
	onB := dial(t, b, "m1", "bob", "")
	if e := decodeSnap(t, onB.next()).Epoch; e != epoch {
		t.Fatalf("nodes disagree on the epoch: %q and %q", epoch, e)
	}

	a.publish("m1", "page", 1)
	b.publish("m1", "page", 2)
	for _, c := range []*client{onA, onB} {
		got := c.events(2)
		checkContiguous(t, got, 1)
		if string(got[0].Data) != "1" || string(got[1].Data) != "2" {
			t.Fatalf("events %s, %s; want 1, 2 on both nodes", got[0].Data, got[1].Data)
		}
	}

	t.Run("moving node resumes without a gap", func(t *testing.T) {
		_ = onA.ws.Close()
		for i := 3; i <= 12; i++ {
			a.publish("m1", "page", i)
		}
		moved := dial(t, b, "m1", "alice", "since=2&epoch="+epoch)
		if s := decodeSnap(t, moved.next()); !s.Resumed {
			t.Fatal("moving to node B did not resume")
		}
		a.publish("m1", "page", 13)
		checkContiguous(t, moved.events(11), 3)
	})

	t.Run("broadcast and disconnect cross nodes", func(t *testing.T) {
		if err := a.hub.Broadcast(context.Background(), "m1", "pointer", map[string]int{"x": 1}, nil); err != nil {
			t.Fatal(err)
		}
		if m := onB.nextOf("pointer"); string(m.Data) != `{"x":1}` {
			t.Fatalf("pointer on B: %s", m.Data)
		}
		if err := a.hub.Disconnect(context.Background(), "m1", "bob"); err != nil {
			t.Fatal(err)
		}
		if code := onB.closeCode(); code != closeAccessChanged {
			t.Fatalf("bob on B closed with %d, want %d", code, closeAccessChanged)
		}
	})
}

// TestTwoNodesConcurrent: both nodes publish at once; clients on both see
// the same contiguous sequence.
func TestTwoNodesConcurrent(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	a, b, _ := twoNodes(t, auth)
	onA := dial(t, a, "m1", "alice", "")
	decodeSnap(t, onA.next())
	onB := dial(t, b, "m1", "bob", "")
	decodeSnap(t, onB.next())
	const each = 50
	var wg sync.WaitGroup
	for _, n := range []*node{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n.publish("m1", "page", i)
			}
		}()
	}
	wg.Wait()
	gotA, gotB := onA.events(4*each), onB.events(4*each)
	checkContiguous(t, gotA, 1)
	checkContiguous(t, gotB, 1)
	for i := range gotA {
		if string(gotA[i].Data) != string(gotB[i].Data) {
			t.Fatalf("seq %d differs between nodes: %s vs %s", gotA[i].Seq, gotA[i].Data, gotB[i].Data)
		}
	}
}

// TestListenerReconnects: when node B's LISTEN connection dies, B
// reconnects and catches up from the table; its clients see no gap.
func TestListenerReconnects(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "bob", "delegate")
	a, b, db := twoNodes(t, auth)
	onB := dial(t, b, "m1", "bob", "")
	decodeSnap(t, onB.next())
	a.publish("m1", "page", 1)
	checkContiguous(t, onB.events(1), 1)

	pb := b.hub.broker.(*pgBroker)
	killed := db.Gorm.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query = ? AND datname = current_database()`, "LISTEN "+pb.channel)
	if killed.Error != nil || killed.RowsAffected < 1 {
		t.Fatalf("terminate the listeners: %v (%d killed)", killed.Error, killed.RowsAffected)
	}
	for i := 2; i <= 6; i++ { // some of these are published while B is deaf
		a.publish("m1", "page", i)
		time.Sleep(20 * time.Millisecond)
	}
	checkContiguous(t, onB.events(5), 2)
	a.publish("m1", "page", 7)
	if e := onB.events(1)[0]; e.Seq != 7 {
		t.Fatalf("after reconnecting: seq %d, want 7", e.Seq)
	}
}
