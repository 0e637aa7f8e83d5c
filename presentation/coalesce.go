package presentation

import (
	"sync"
	"time"
)

// coalescer sends the first change of a meeting at once and then at most
// one per interval: changes in between replace each other, and the last
// one is always sent when the interval ends. A chair flicking through ten
// pages sends a handful of events, and every tablet ends on the right page.
//
// One meeting's states go out one at a time, in the order they were
// offered (Set and DocumentChanged offer under the meeting's turn lock,
// so in the order they were stored): a send is never overtaken by a later
// one, so the last event is the state stored last even when a send is slow
// (the audience read and the hub's append wait for a busy database). The
// interval after a send starts when the send returns; a state offered while
// a send runs waits for it (a newer one replacing it) and goes out at the
// end of that interval.
//
// The common case, a turn when the meeting is idle, is sent at once by the
// offering goroutine: no goroutine is started for it, and c.mu is not held
// across the send (only taken once more, after it, to start the interval).
type coalescer struct {
	every time.Duration
	send  func(meetingID string, st State)

	mu      sync.Mutex
	pending map[string]*slot
	wg      sync.WaitGroup // one per slot: a slot goes when its last send has ended
	closed  bool
}

// slot is a meeting that has sent within the last interval or is sending
// (it is in pending for as long): a state offered meanwhile waits in next.
type slot struct {
	next  *State      // waiting for the running send or the interval's end
	armed bool        // timer runs: an interval after the last send
	timer *time.Timer // flushes at the interval's end; reused for the slot's life
}

func newCoalescer(every time.Duration, send func(string, State)) *coalescer {
	return &coalescer{every: every, send: send, pending: map[string]*slot{}}
}

// offer sends st at once if the meeting is idle, or keeps it (replacing
// any state kept before) for the end of the running send's interval.
func (c *coalescer) offer(meetingID string, st State) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	sl := c.pending[meetingID]
	if sl != nil { // sending or inside an interval: keep only the latest
		sl.next = &st
		c.mu.Unlock()
		return
	}
	sl = &slot{}
	c.pending[meetingID] = sl
	c.wg.Add(1)
	c.mu.Unlock()
	c.send(meetingID, st)
	c.sent(meetingID, sl)
}

// sent ends sl's send: it starts the interval after it, or, once the
// coalescer is closed, sends what is kept (one at a time, still in order)
// and lets the slot go.
func (c *coalescer) sent(meetingID string, sl *slot) {
	c.mu.Lock()
	for c.closed {
		next := sl.next
		sl.next = nil
		if next == nil {
			delete(c.pending, meetingID)
			c.mu.Unlock()
			c.wg.Done()
			return
		}
		c.mu.Unlock()
		c.send(meetingID, *next)
		c.mu.Lock()
	}
	sl.armed = true
	if sl.timer == nil {
		sl.timer = time.AfterFunc(c.every, func() { c.flush(meetingID, sl) })
	} else {
		sl.timer.Reset(c.every)
	}
	c.mu.Unlock()
}

// flush ends an interval: it sends what arrived during it (or during the
// send before it), if anything, and another interval follows that send;
// else the meeting is idle again.
func (c *coalescer) flush(meetingID string, sl *slot) {
	c.mu.Lock()
	sl.armed = false
	next := sl.next
	sl.next = nil
	if next == nil {
		delete(c.pending, meetingID)
		c.mu.Unlock()
		c.wg.Done()
		return
	}
	c.mu.Unlock()
	c.send(meetingID, *next)
	c.sent(meetingID, sl)
}

// close stops taking states, sends what is kept, and waits for the sends
// under way: when it returns, no send is running or will start.
func (c *coalescer) close() {
	c.mu.Lock()
	c.closed = true
	var kept []func()
	for id, sl := range c.pending {
		// A slot that is sending finishes in sent; one whose timer has
		// fired already finishes in flush (which sees closed in sent).
		if sl.armed && sl.timer.Stop() {
			sl.armed = false
			if sl.next == nil {
				delete(c.pending, id)
				c.wg.Done()
				continue
			}
			next := *sl.next
			sl.next = nil
			kept = append(kept, func() {
				c.send(id, next)
				c.sent(id, sl)
			})
		}
	}
	c.mu.Unlock()
	for _, f := range kept {
		f()
	}
	c.wg.Wait()
}
