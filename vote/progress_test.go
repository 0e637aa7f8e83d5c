package vote_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/vote"
)

// TestProgress checks what the room sees while a poll runs: everyone gets
// the count, only the managers get who has not voted, and a burst of votes
// is coalesced into a few events that end on the true count.
func TestProgress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		pub := newSplitter()
		srv := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := srv.NewCast("vp")
		m, p := livePoll(c, nil)
		voters := crowd(t, srv, c.Secretary, m, 30, true)
		step(c.Chair, p, "open", ok)

		voteAs(c.Delegate, p, "agree").Check(t, "first vote", created)
		if e := pub.nextLive(t); e.Type != "poll.progress" || e.Audience != nil ||
			e.Data.(vote.Progress) != (vote.Progress{PollID: p, Voted: 1, Eligible: 32}) {
			t.Fatalf("first progress event: %+v", e)
		}
		e := pub.nextLive(t)
		w, _ := e.Data.(vote.Waiting)
		if e.Type != "poll.voters" || len(e.Audience) != 2 || !slices.Contains(e.Audience, c.Chair.UserID) || len(w.NotVoted) != 31 {
			t.Fatalf("who has not voted went to %v with %d names", e.Audience, len(w.NotVoted))
		}

		began := time.Now()
		var wg sync.WaitGroup
		for _, cl := range voters {
			wg.Go(func() { voteAs(cl, p, "disagree").Check(t, "crowd vote", created) })
		}
		wg.Wait()
		time.Sleep(400 * time.Millisecond) // past the trailing edge
		var last vote.Progress
		n := 0
		for _, e := range apptest.Drain(pub.live) {
			if e.Type == "poll.progress" {
				last, n = e.Data.(vote.Progress), n+1
			}
		}
		// At most one event per 250 ms, plus the leading and trailing edge.
		most := 2 + int(time.Since(began)/(250*time.Millisecond))
		if last.Voted != 31 || n < 1 || n > most {
			t.Errorf("after 30 votes in %v: %d progress events (at most %d), the last %+v", time.Since(began), n, most, last)
		}
	})
}

// TestRefusedStepKeepsProgress: a close or a cancel that is refused
// (here a delegate's, 403) changes nothing, so the trailing poll.progress
// of the votes that came in just before it still goes out; only a step
// that closed or cancelled the poll drops it.
func TestRefusedStepKeepsProgress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		pub := newSplitter()
		srv := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := srv.NewCast("rsp")
		m, p := livePoll(c, nil)
		extra := crowd(t, srv, c.Secretary, m, 2, true)
		step(c.Chair, p, "open", ok)

		// lastProgress waits past the trailing edge and returns the last
		// poll.progress that went out.
		lastProgress := func() *vote.Progress {
			time.Sleep(700 * time.Millisecond)
			var last *vote.Progress
			for _, e := range apptest.Drain(pub.live) {
				if pr, isProgress := e.Data.(vote.Progress); isProgress && e.Type == "poll.progress" {
					last = &pr
				}
			}
			return last
		}
		for i, try := range []struct {
			what   string
			first  *apptest.Client
			second *apptest.Client
		}{{"close", c.Delegate, c.Chair}, {"cancel", extra[0], extra[1]}} {
			voteAs(try.first, p, "agree").Check(t, "the first vote of a pair", created)
			if pr := pub.nextProgress(t); pr.Voted != 2*i+1 {
				t.Fatalf("progress after vote %d: %+v", 2*i+1, pr)
			}
			// Within the 250 ms interval: this one waits for the trailing edge.
			voteAs(try.second, p, "disagree").Check(t, "the second vote of a pair", created)
			c.Delegate.Do("POST", "/api/v1/polls/"+p+"/"+try.what, nil).Check(t, "a delegate tries to "+try.what, forbidden)
			if last := lastProgress(); last == nil || last.Voted != 2*i+2 {
				t.Errorf("after %d votes and a refused %s the room's last progress is %+v", 2*i+2, try.what, last)
			}
		}
		if got := readPoll(c.Chair, p); got.Status != "open" || got.Voted != 4 {
			t.Fatalf("the poll itself: status %s, voted %d", got.Status, got.Voted)
		}
	})
}

// orderedPublisher records every event's type in the order published,
// and can hold the next poll.progress inside Publish until released.
type orderedPublisher struct {
	mu      sync.Mutex
	types   []string
	hold    chan struct{} // when set, the next poll.progress closes held and waits for it
	held    chan struct{}
	release chan struct{}
}

func (o *orderedPublisher) Publish(_ context.Context, events ...event.Event) {
	for _, e := range events {
		o.mu.Lock()
		hold := o.hold
		if e.Type == "poll.progress" {
			o.hold = nil
		}
		o.mu.Unlock()
		if hold != nil && e.Type == "poll.progress" {
			close(o.held)
			<-o.release
		}
		o.mu.Lock()
		o.types = append(o.types, e.Type)
		o.mu.Unlock()
	}
}

func (o *orderedPublisher) seen() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.types)
}

// TestNoProgressAfterClose: a poll.progress whose send began before the
// close (it read the poll while still open) is published before the
// poll.closed, not after it, and none follows the close.
func TestNoProgressAfterClose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		pub := &orderedPublisher{}
		srv := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := srv.NewCast("npc")
		_, p := livePoll(c, nil)
		step(c.Chair, p, "open", ok)
		pub.mu.Lock()
		pub.hold, pub.held, pub.release = make(chan struct{}), make(chan struct{}), make(chan struct{})
		held, release := pub.held, pub.release
		pub.mu.Unlock()

		voteAs(c.Delegate, p, "agree").Check(t, "a vote", created) // its progress goes out at once: held
		select {
		case <-held:
		case <-time.After(5 * time.Second):
			t.Fatal("no poll.progress after the vote")
		}
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			c.Chair.Do("POST", "/api/v1/polls/"+p+"/close", nil).Check(t, "close", ok)
		}()
		time.Sleep(300 * time.Millisecond) // time enough for a close that does not wait
		close(release)
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatal("the close did not finish")
		}
		time.Sleep(400 * time.Millisecond) // past any trailing edge
		types := pub.seen()
		closedAt := slices.Index(types, "poll.closed")
		if closedAt < 0 {
			t.Fatalf("no poll.closed in %v", types)
		}
		if after := slices.Index(types[closedAt:], "poll.progress"); after >= 0 {
			t.Errorf("a poll.progress was published after the poll.closed: %v", types)
		}
		if !slices.Contains(types[:closedAt], "poll.progress") {
			t.Errorf("the held poll.progress was lost: %v", types)
		}
	})
}

// TestProgressOfOnePollWaitsForNoOther: the lock that keeps a poll's
// progress before its end is that poll's own, so a close still on its way
// (here held inside the publish of its poll.closed) delays no other poll's
// progress.
func TestProgressOfOnePollWaitsForNoOther(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		pub := &closeHolder{held: make(chan struct{}), release: make(chan struct{})}
		srv := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := srv.NewCast("pow")
		_, first := livePoll(c, nil)
		_, second := livePoll(c, nil)
		step(c.Chair, first, "open", ok)
		step(c.Chair, second, "open", ok)

		closed := make(chan struct{})
		go func() {
			defer close(closed)
			c.Chair.Do("POST", "/api/v1/polls/"+first+"/close", nil).Check(t, "close", ok)
		}()
		select {
		case <-pub.held:
		case <-time.After(5 * time.Second):
			t.Fatal("no poll.closed published")
		}
		voteAs(c.Delegate, second, "agree").Check(t, "a vote in the other poll", created)
		deadline := time.Now().Add(3 * time.Second)
		for !pub.sawProgress() {
			if time.Now().After(deadline) {
				t.Error("the other poll's progress waited for the close")
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		close(pub.release)
		<-closed
	})
}

// closeHolder holds the first poll.closed inside Publish until released,
// and notes whether a poll.progress was published.
type closeHolder struct {
	mu       sync.Mutex
	holding  bool
	progress bool
	held     chan struct{}
	release  chan struct{}
}

func (h *closeHolder) Publish(_ context.Context, events ...event.Event) {
	for _, e := range events {
		h.mu.Lock()
		first := e.Type == "poll.closed" && !h.holding
		h.holding = h.holding || first
		h.progress = h.progress || e.Type == "poll.progress"
		h.mu.Unlock()
		if first {
			close(h.held)
			<-h.release
		}
	}
}

func (h *closeHolder) sawProgress() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.progress
}
