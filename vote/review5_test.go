package vote

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/meeting"
)

// progressSeen records the polls whose poll.progress was published.
type progressSeen struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (p *progressSeen) Publish(_ context.Context, events ...event.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range events {
		if pr, ok := e.Data.(Progress); ok && e.Type == "poll.progress" {
			p.seen[pr.PollID] = true
		}
	}
}

func (p *progressSeen) saw(pollID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[pollID]
}

// TestReview5ProgressOfOnePollWaitsForNoOther: commit 48df2a7 gave each
// poll its own stops lock so that "a close waiting for the vote writer
// holds up no other poll's progress" (vote.go). But every poll's progress
// is sent by one goroutine (progress.flush, one poll after another). A
// close of poll A holds A's lock from before its write until its
// poll.closed is published; when A's trailing progress falls due in that
// time (the chair closes right after the last votes, the usual case),
// the sender takes A off the dirty list and blocks in sendProgress on
// A's lock, and with it the progress of every other poll, in every
// meeting on the node, until A's close is published. Here the close in
// flight is A's lock held, as step holds it.
func TestReview5ProgressOfOnePollWaitsForNoOther(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration(), meeting.Migration(), Migration())
		ctx := context.Background()
		meetings := meeting.NewService(db, meeting.Config{Users: everyone{}})
		m, err := meetings.Create(ctx, secretary, meeting.NewMeeting{Title: "Two polls"})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{"scheduled", "live"} {
			if _, err := meetings.SetStatus(ctx, secretary, m.ID, st); err != nil {
				t.Fatal(err)
			}
		}
		pub := &progressSeen{seen: map[string]bool{}}
		s := NewService(db, Config{Meetings: meetings, Publisher: pub, ProgressEvery: 10 * time.Millisecond})
		t.Cleanup(s.Close)
		f := &storeFixture{st: s.store, meetings: meetings, meetingID: m.ID}
		f.put(t, "u1", "delegate", true, 1)
		closing, other := f.poll(t, true), f.poll(t, true)

		release := s.stops.Lock(closing) // the close of the first poll, in flight
		released := false
		defer func() {
			if !released {
				release()
			}
		}()
		s.progress.offer(closing, m.ID) // its last votes' progress falls due meanwhile
		time.Sleep(100 * time.Millisecond)
		s.progress.offer(other, m.ID) // a vote in another poll
		deadline := time.Now().Add(3 * time.Second)
		for !pub.saw(other) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !pub.saw(other) {
			t.Error("the other poll's progress waited for the close of the first (one sender goroutine blocked on its lock)")
		}
		release()
		released = true
	})
}
