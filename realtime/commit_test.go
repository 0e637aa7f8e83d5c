package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curia/curia/internal/testdb"
)

// slowCommits wraps a node's group commit so that every transaction takes
// at least d and is counted: concurrent publishers then queue behind it.
func slowCommits(n *node, d time.Duration) *atomic.Int64 {
	var g *groupCommit
	switch b := n.hub.broker.(type) {
	case *localBroker:
		g = &b.commit
	case *pgBroker:
		g = &b.commit
	}
	var count atomic.Int64
	write := g.write
	g.write = func(ctx context.Context, groups []appendGroup) error {
		count.Add(1)
		time.Sleep(d)
		return write(ctx, groups)
	}
	return &count
}

// Many publishers at once, on two meetings: their events are written in
// far fewer transactions than publishes, every client gets a contiguous
// sequence, and each publisher's events arrive in the order it published.
func TestGroupCommit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m2", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		commits := slowCommits(n, 5*time.Millisecond)
		c1, c2 := dial(t, n, "m1", "alice", ""), dial(t, n, "m2", "bob", "")
		decodeSnap(t, c1.next())
		decodeSnap(t, c2.next())

		const publishers, each = 40, 10
		var wg sync.WaitGroup
		for p := range publishers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					n.publish([]string{"m1", "m2"}[p%2], "stroke", fmt.Sprintf("%d/%d", p, i))
				}
			}()
		}
		wg.Wait()
		if got := commits.Load(); got >= publishers*each/2 {
			t.Errorf("%d publishes took %d transactions: no group commit", publishers*each, got)
		}
		for _, c := range []*client{c1, c2} {
			got := c.events(publishers * each / 2)
			checkContiguous(t, got, 1)
			last := map[int]int{}
			for _, m := range got {
				var s string
				var p, i int
				if json.Unmarshal(m.Data, &s) != nil {
					t.Fatalf("data %s", m.Data)
				}
				_, _ = fmt.Sscanf(s, "%d/%d", &p, &i)
				if prev, ok := last[p]; ok && i != prev+1 {
					t.Fatalf("publisher %d: event %d after %d", p, i, prev)
				}
				last[p] = i
			}
		}
	})
}

// A caller whose deadline has passed fails alone; the others in its group
// are stored and delivered.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	n := startNode(t, openDB(t, testdb.Backends()[0]), auth, nil)
	c := dial(t, n, "m1", "alice", "")
	decodeSnap(t, c.next())
	g := &n.hub.broker.(*localBroker).commit
	write := g.write
	var calls atomic.Int64
	g.write = func(ctx context.Context, groups []appendGroup) error {
		if calls.Add(1) == 2 { // the first group of several fails as a whole
			return context.DeadlineExceeded
		}
		time.Sleep(5 * time.Millisecond)
		return write(ctx, groups)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() { defer wg.Done(); n.publish("m1", "page", i) }()
	}
	wg.Wait()
	got := c.events(20)
	checkContiguous(t, got, 1)
}
