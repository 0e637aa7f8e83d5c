package realtime

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// pacedRoom starts a node whose "stroke" events are paced two connections
// at a time with gap between, and joins n delegates u0…u(n-1) to m1, in
// that order (the order the fan-out writes them).
func pacedRoom(t *testing.T, b testdb.Backend, n int, gap time.Duration) (*node, []*client) {
	t.Helper()
	auth := newFakeAuth()
	nd := startNode(t, openDB(t, b), auth, func(o *Options) {
		o.Paced, o.PaceChunk, o.PaceGap = []string{"stroke"}, 2, gap
	})
	var cs []*client
	for i := range n {
		user := fmt.Sprintf("u%d", i)
		auth.add("m1", user, "delegate")
		c := dial(t, nd, "m1", user, "")
		decodeSnap(t, c.next())
		cs = append(cs, c)
	}
	// The joins are announced (presence.joined) in a fan-out of their
	// own, which would write out the paced frames queued before it: wait
	// for the one that names the last to join.
	last := fmt.Sprintf(`"u%d"`, n-1)
	for {
		if m := cs[0].nextOf("presence.joined"); strings.Contains(string(m.Data), last) {
			break
		}
	}
	return nd, cs
}

// TestPacedFanOut: a paced event reaches the third pair of a room two
// pauses after it was published; an event of another type reaches
// everyone at once.
func TestPacedFanOut(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		const gap = 250 * time.Millisecond
		n, cs := pacedRoom(t, b, 6, gap)
		start := time.Now()
		n.publish("m1", "stroke", map[string]int{"n": 1})
		for i, c := range cs {
			if m := c.events(1)[0]; m.Type != "stroke" {
				t.Fatalf("u%d got %s, want the stroke", i, m.Type)
			}
			if took, least := time.Since(start), time.Duration(i/2)*gap; took < least {
				t.Fatalf("u%d got the stroke after %v, want at least %v (two connections, then a pause)", i, took, least)
			}
		}
	})
}

// TestPageTurnOvertakesPacedFanOut: a page turn published while a paced
// fan-out pauses reaches the last tablet at once, after the stroke the
// pause held back for it, never before; and a batch that mixes the two
// is not paced.
func TestPageTurnOvertakesPacedFanOut(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		const gap = 5 * time.Second // the last pair would wait 10 s
		n, cs := pacedRoom(t, b, 6, gap)
		start := time.Now()
		n.publish("m1", "stroke", map[string]int{"n": 1})
		n.publish("m1", "presentation.changed", map[string]int{"page": 2})
		n.hub.Publish(context.Background(),
			event.Event{MeetingID: "m1", Type: "stroke", Data: map[string]int{"n": 2}},
			event.Event{MeetingID: "m1", Type: "presentation.changed", Data: map[string]int{"page": 3}})
		for i, c := range cs {
			ms := c.events(4)
			checkContiguous(t, ms, 1)
			if got := []string{ms[0].Type, ms[1].Type, ms[2].Type, ms[3].Type}; got[0] != "stroke" || got[1] != "presentation.changed" || got[2] != "stroke" || got[3] != "presentation.changed" {
				t.Fatalf("u%d got %v, want stroke, page, stroke, page", i, got)
			}
		}
		if took := time.Since(start); took >= gap {
			t.Fatalf("the page turns took %v to reach every tablet: they waited for the strokes' pauses (%v each)", took, gap)
		}
	})
}

// TestPaceOptions: the defaults, and a negative chunk refused.
func TestPaceOptions(t *testing.T) {
	o := Options{DB: openDB(t, testdb.Backends()[0]), Authorizer: newFakeAuth(), PaceChunk: -1}
	if _, err := New(o); err == nil {
		t.Fatal("a negative PaceChunk was accepted")
	}
	o.PaceChunk = 0
	o.setDefaults()
	if o.PaceChunk != 16 || o.PaceGap != 2*time.Millisecond {
		t.Fatalf("defaults %d, %v; want 16, 2ms", o.PaceChunk, o.PaceGap)
	}
}
