package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/curia/curia/internal/testdb"
)

// fakeReplay answers CheckReplay with ok/err and keeps what it was shown.
type fakeReplay struct {
	mu   sync.Mutex
	ok   bool
	err  error
	seen [][]Replayed
}

func (f *fakeReplay) CheckReplay(_ context.Context, v Viewer, meetingID string, events []Replayed) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, events)
	return f.ok, f.err
}

func (f *fakeReplay) shown() [][]Replayed {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen
}

// snapReplay is a Snapshotter that is its own ReplayChecker.
type snapReplay struct {
	fakeSnap
	fakeReplay
}

// A resume is shown to Options.Replay first, with only the events the
// viewer receives in full: a yes replays, a no or an error resyncs with a
// full snapshot. A Snapshotter that implements ReplayChecker is used when
// Options.Replay is nil.
func TestReplayCheck(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		for _, tc := range []struct {
			name   string
			ok     bool
			err    error
			viaSn  bool
			resume bool
		}{
			{"allowed", true, nil, false, true},
			{"refused", false, nil, false, false},
			{"failed", true, errors.New("database down"), false, false},
			{"snapshotter refuses", false, nil, true, false},
			{"snapshotter allows", true, nil, true, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				auth := newFakeAuth()
				auth.add("m1", "alice", "delegate")
				auth.add("m1", "bob", "delegate")
				rc := &fakeReplay{ok: tc.ok, err: tc.err}
				sr := &snapReplay{fakeReplay: fakeReplay{ok: tc.ok, err: tc.err}}
				n := startNode(t, openDB(t, b), auth, func(o *Options) {
					if tc.viaSn {
						o.Snapshotter = sr
					} else {
						o.Replay = rc
					}
				})
				c := dial(t, n, "m1", "alice", "")
				epoch := decodeSnap(t, c.next()).Epoch
				n.publish("m1", "page", map[string]any{"page": 1})
				n.publish("m1", "secret", map[string]any{"for": "bob"}, "bob")
				n.publish("m1", "note", map[string]any{"for": "alice"}, "alice")
				c.events(3)
				_ = c.ws.Close()

				c = dial(t, n, "m1", "alice", "since=0&epoch="+epoch)
				first := c.next()
				if tc.resume {
					if s := decodeSnap(t, first); !s.Resumed {
						t.Fatalf("allowed resume: not resumed")
					}
					got := c.events(3)
					checkContiguous(t, got, 1)
					if got[1].Type != "skip" {
						t.Fatalf("replay %v: want page, skip, note", got)
					}
				} else {
					if first.Type != "resync" {
						t.Fatalf("refused resume: first message %s, want resync", first.Type)
					}
					if s := decodeSnap(t, c.next()); s.Resumed || s.State == nil {
						t.Fatalf("refused resume: resumed %v state %v, want a full snapshot", s.Resumed, s.State)
					}
				}
				calls := rc.shown()
				if tc.viaSn {
					calls = sr.shown()
				}
				if len(calls) != 1 {
					t.Fatalf("checker asked %d times, want once", len(calls))
				}
				evs := calls[0]
				if len(evs) != 2 || evs[0].Type != "page" || evs[0].Restricted || evs[1].Type != "note" || !evs[1].Restricted ||
					evs[0].Seq != 1 || evs[1].Seq != 3 {
					t.Fatalf("checker shown %+v; want page (1, open) and note (3, restricted), not bob's event", evs)
				}
				var d map[string]any
				if err := json.Unmarshal(evs[1].Data, &d); err != nil || d["for"] != "alice" {
					t.Fatalf("checker shown data %s (%v)", evs[1].Data, err)
				}
			})
		}
	})
}

// A resume with nothing to replay in full (only skips, or nothing at all)
// does not ask the checker.
func TestReplayCheckNotAskedForNothing(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	rc := &fakeReplay{ok: false}
	n := startNode(t, openDB(t, testdb.Backends()[0]), auth, func(o *Options) { o.Replay = rc })
	c := dial(t, n, "m1", "alice", "")
	epoch := decodeSnap(t, c.next()).Epoch
	n.publish("m1", "secret", map[string]any{"for": "bob"}, "bob")
	c.events(1)
	_ = c.ws.Close()
	c = dial(t, n, "m1", "alice", "since=0&epoch="+epoch)
	if s := decodeSnap(t, c.next()); !s.Resumed {
		t.Fatal("a replay of skips only was not resumed")
	}
	if got := c.events(1); got[0].Type != "skip" {
		t.Fatalf("replay %v, want a skip", got)
	}
	if n := len(rc.shown()); n != 0 {
		t.Fatalf("checker asked %d times for a replay of skips", n)
	}
}
