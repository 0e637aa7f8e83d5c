package vote

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// rollSource is a meeting whose roll a test changes; a read takes its
// roll when it starts and, while gate is set, waits on it before
// answering.
type rollSource struct {
	mu      sync.Mutex
	entries []meeting.RollEntry
	reads   int
	gate    chan struct{}
	started chan struct{}
}

func (s *rollSource) set(users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = nil
	for _, u := range users {
		s.entries = append(s.entries, meeting.RollEntry{UserID: u, Role: meeting.Delegate, CanVote: true, Weight: 1})
	}
}

func (s *rollSource) Roll(context.Context, string) ([]meeting.RollEntry, error) {
	s.mu.Lock()
	s.reads++
	entries, gate, started := s.entries, s.gate, s.started
	s.mu.Unlock()
	if gate != nil {
		started <- struct{}{}
		<-gate
	}
	return entries, nil
}

func (s *rollSource) Participants(_ context.Context, _ string) ([]meeting.Participant, error) {
	return nil, nil
}

func (s *rollSource) Names(context.Context, []string) (map[string]string, error) { return nil, nil }

func (s *rollSource) Access(context.Context, web.Actor, string) (meeting.Access, error) {
	return meeting.Access{}, nil
}

func members(t *testing.T, rs *rolls) map[string]member {
	t.Helper()
	r, err := rs.get(context.Background(), "m", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return r.members
}

// TestRollDropped: once dropped, a meeting's roll is read again, and a
// read that began before the drop is never served afterwards.
func TestRollDropped(t *testing.T) {
	src := &rollSource{}
	src.set("a", "b")
	rs := newRolls(src)
	if m := members(t, rs); len(m) != 2 {
		t.Fatalf("roll %v", m)
	}
	members(t, rs)
	if src.reads != 1 {
		t.Fatalf("%d reads for two gets within rollMaxAge, want 1", src.reads)
	}
	src.set("a")
	if _, ok := members(t, rs)["b"]; !ok {
		t.Fatal("the cached roll was not used") // the test's premise
	}
	rs.drop("m")
	if _, ok := members(t, rs)["b"]; ok {
		t.Fatal("a dropped roll was served")
	}

	// A read under way when the roll is dropped: its roll is older than
	// the change, so the next get reads again.
	rs.drop("m")
	src.set("a", "b")
	src.mu.Lock()
	src.gate, src.started = make(chan struct{}), make(chan struct{})
	src.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = rs.get(context.Background(), "m", time.Time{})
	}()
	select {
	case <-src.started:
	case <-time.After(10 * time.Second):
		t.Fatal("no read after the drop")
	}
	src.mu.Lock()
	gate := src.gate
	src.gate = nil
	src.mu.Unlock()
	rs.drop("m")
	src.set("a")
	close(gate)
	<-done
	if _, ok := members(t, rs)["b"]; ok {
		t.Error("a roll read before the drop was served after it")
	}
	rs.drop("nobody") // a meeting never read: nothing to forget
}
