package presentation

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// slowAudience is tenPages whose Audience blocks for one document while
// the test holds it: a publish that is slow for a moment (the audience
// read, or the hub's append of the event, waiting for a busy database).
type slowAudience struct {
	tenPages
	slowDoc string
	mu      sync.Mutex
	blocked chan struct{} // closed when the slow read has started
	release chan struct{} // closed to let it finish
}

func (s *slowAudience) Audience(_ context.Context, docID string) ([]string, error) {
	if docID == s.slowDoc {
		s.mu.Lock()
		b := s.blocked
		s.blocked = nil
		s.mu.Unlock()
		if b != nil {
			close(b)
			<-s.release
		}
	}
	return nil, nil
}

// TestSlowSendIsNotOvertaken proves that one meeting's presentation
// states go out one at a time, in the order they were stored, so the room
// ends on the stored state: a send that is slow for longer than an
// interval (the audience read, the hub's append of the event to a busy
// database) is not overtaken by the turn stored after it, which waits for
// it and goes out last. (Found by review: the next interval's timer was
// armed before the send, so a later turn could be published before an
// earlier one.)
func TestSlowSendIsNotOvertaken(t *testing.T) {
	b := testdb.Backends()[0]
	db := b.Open(t, audit.Migration(), meeting.Migration(), Migration())
	ms := meeting.NewService(db, meeting.Config{Users: noUsers{}})
	ctx := context.Background()
	sec := web.Actor{UserID: "secretary"}
	m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Phiên họp"})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"scheduled", "live"} {
		if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	docs := &slowAudience{slowDoc: m.ID + "/phu-luc", blocked: make(chan struct{}), release: make(chan struct{})}
	blocked := docs.blocked
	rec := event.NewRecorder(1000)
	svc := NewService(db, Config{Meetings: staleMeetings{}, Agenda: noAgenda{}, Documents: docs, Publisher: rec,
		Coalesce: 20 * time.Millisecond})
	chair := web.Actor{UserID: "chair"}
	show := func(doc string, page int) {
		t.Helper()
		id := m.ID + "/" + doc
		if _, err := svc.Set(ctx, chair, m.ID, Input{DocumentID: &id, Page: page}); err != nil {
			t.Fatal(err)
		}
	}
	show("to-trinh", 1) // sent at once; an interval starts
	show("phu-luc", 1)  // waits for the interval's end, then is sent (slowly)
	select {
	case <-blocked:
	case <-time.After(5 * time.Second):
		close(docs.release)
		t.Fatal("the second state was never sent")
	}
	show("to-trinh", 3) // the chair turns on meanwhile: the state stored last
	// Give the coalescer time to send it (a correct one holds it back
	// until the slow send is out).
	deadline := time.Now().Add(500 * time.Millisecond)
	var evs []event.Event
	for time.Now().Before(deadline) {
		evs = append(evs, drain(rec)...)
		if len(evs) >= 2 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(docs.release)
	svc.Close()
	for deadline := time.Now().Add(time.Second); len(evs) < 3 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		evs = append(evs, drain(rec)...) // the slow send, now let go
	}

	stored, err := svc.store.get(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.DocumentID == nil || !strings.HasSuffix(*stored.DocumentID, "/to-trinh") || stored.Page != 3 {
		t.Fatalf("stored %+v, want page 3 of to-trinh", stored)
	}
	var got []string
	for _, e := range evs {
		st := e.Data.(State)
		got = append(got, fmt.Sprintf("%s p%d", *st.DocumentID, st.Page))
	}
	last := evs[len(evs)-1].Data.(State)
	if *last.DocumentID != *stored.DocumentID || last.Page != stored.Page {
		t.Fatalf("events in order %v: the room ends on %s page %d, the stored state is %s page %d",
			got, *last.DocumentID, last.Page, *stored.DocumentID, stored.Page)
	}
}

// TestIdleTurnIsSentAtOnceByItsCaller proves the page-sync hot path is
// unchanged: a state offered while the meeting is idle is sent before
// offer returns, on the offering goroutine (no goroutine per turn), and
// the coalescer's lock is not held across the send (the send itself may
// offer, as a hub's hook could, without deadlocking).
func TestIdleTurnIsSentAtOnceByItsCaller(t *testing.T) {
	var c *coalescer
	var sent []int
	c = newCoalescer(time.Hour, func(id string, st State) {
		sent = append(sent, st.Page)
		if st.Page == 1 {
			c.offer(id, State{Page: 2}) // would deadlock if c.mu were held
		}
	})
	c.offer("m", State{Page: 1})
	if len(sent) != 1 || sent[0] != 1 {
		t.Fatalf("sent %v before offer returned, want [1]", sent)
	}
	c.close() // sends page 2, kept for the interval's end
	if len(sent) != 2 || sent[1] != 2 {
		t.Fatalf("sent %v after close, want [1 2]", sent)
	}
}

// TestCloseWaitsForARunningSend proves close does not return while a send
// is under way, and that the state kept behind it is sent, after it,
// before close returns: nothing goes out after Close.
func TestCloseWaitsForARunningSend(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var sent []int
	c := newCoalescer(time.Millisecond, func(_ string, st State) {
		if st.Page == 1 {
			close(started)
			<-release
		}
		mu.Lock()
		sent = append(sent, st.Page)
		mu.Unlock()
	})
	go c.offer("m", State{Page: 1})
	<-started
	c.offer("m", State{Page: 2}) // kept: a send is running
	c.offer("m", State{Page: 3}) // replaces it
	var closed atomic.Bool
	done := make(chan struct{})
	go func() {
		c.close()
		closed.Store(true)
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	if closed.Load() {
		t.Fatal("close returned while a send was running")
	}
	close(release)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("close did not return after the send ended")
	}
	c.offer("m", State{Page: 4}) // after close: dropped
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(sent) != "[1 3]" {
		t.Fatalf("sent %v, want [1 3]: the running send, then the latest state kept", sent)
	}
}
