package vote

import (
	"context"
	"sync"
	"time"
)

// progress sends a poll's progress at most once per interval: the first
// new vote at once (leading edge), and what came after it when the
// interval ends (trailing edge), so the chair's counter is never stale by
// more than one interval and a storm of votes costs four events a second.
// One goroutine does the sending, so the vote writer never waits for it.
type progress struct {
	every time.Duration
	// send sends a poll's progress; false: not now (the poll is stopping),
	// to be tried again after an interval.
	send func(ctx context.Context, pollID, meetingID string) bool

	mu    sync.Mutex
	dirty map[string]string    // poll id → meeting id, waiting to be sent
	last  map[string]time.Time // poll id → when it was last sent
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

func newProgress(every time.Duration, send func(ctx context.Context, pollID, meetingID string) bool) *progress {
	p := &progress{every: every, send: send, dirty: map[string]string{}, last: map[string]time.Time{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// offer marks a poll as having new votes. It never blocks.
func (p *progress) offer(pollID, meetingID string) {
	p.mu.Lock()
	p.dirty[pollID] = meetingID
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// forget drops what is pending for a poll that has closed: its closing
// event says it all.
func (p *progress) forget(pollID string) {
	p.mu.Lock()
	delete(p.dirty, pollID)
	p.mu.Unlock()
}

func (p *progress) run() {
	defer close(p.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		case <-timer.C:
		}
		if wait := p.flush(time.Now()); wait > 0 {
			timer.Reset(wait)
		}
	}
}

// flush sends every dirty poll whose interval has passed and returns how
// long until the next one is due (0: none is waiting).
func (p *progress) flush(now time.Time) time.Duration {
	type due struct{ poll, meeting string }
	var send []due
	var wait time.Duration
	p.mu.Lock()
	for poll, m := range p.dirty {
		if left := p.last[poll].Add(p.every).Sub(now); left > 0 {
			if wait == 0 || left < wait {
				wait = left
			}
			continue
		}
		send = append(send, due{poll, m})
		delete(p.dirty, poll)
		p.last[poll] = now
	}
	for poll, at := range p.last { // keep the map to the polls still voting
		if now.Sub(at) > p.every && p.dirty[poll] == "" {
			delete(p.last, poll)
		}
	}
	p.mu.Unlock()
	for _, d := range send {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		sent := p.send(ctx, d.poll, d.meeting)
		cancel()
		if !sent { // the poll is stopping: again after an interval, unless its close forgets it
			p.mu.Lock()
			if _, newer := p.dirty[d.poll]; !newer {
				p.dirty[d.poll] = d.meeting
			}
			p.mu.Unlock()
			if wait == 0 || p.every < wait {
				wait = p.every
			}
		}
	}
	return wait
}

// close stops the sender; what is still pending is dropped (the server
// is stopping, and clients refetch when they reconnect).
func (p *progress) close() {
	p.once.Do(func() { close(p.stop) })
	<-p.done
}
