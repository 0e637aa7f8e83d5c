package presentation

import (
	"sync"
	"time"
)

// coalescer sends the first change of a meeting at once and then at most
// one per interval: changes in between replace each other, and the last
// one is always sent when the interval ends. A chair flicking through ten
// pages sends a handful of events, and every tablet ends on the right page.
type coalescer struct {
	every time.Duration
	send  func(meetingID string, st State)

	mu      sync.Mutex
	pending map[string]*slot
	wg      sync.WaitGroup
	closed  bool
}

type slot struct {
	next  *State // waiting to be sent at the end of the interval
	timer *time.Timer
}

func newCoalescer(every time.Duration, send func(string, State)) *coalescer {
	return &coalescer{every: every, send: send, pending: map[string]*slot{}}
}

func (c *coalescer) offer(meetingID string, st State) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	sl := c.pending[meetingID]
	if sl == nil {
		sl = &slot{}
		c.pending[meetingID] = sl
	}
	if sl.timer != nil { // inside an interval: keep only the latest
		sl.next = &st
		c.mu.Unlock()
		return
	}
	sl.timer = time.AfterFunc(c.every, func() { c.flush(meetingID) })
	c.wg.Add(1)
	c.mu.Unlock()
	c.send(meetingID, st)
}

// flush ends an interval: it sends what arrived during it, if anything,
// and starts another interval for it; else the meeting is idle again.
func (c *coalescer) flush(meetingID string) {
	c.mu.Lock()
	sl := c.pending[meetingID]
	next := sl.next
	sl.next = nil
	if next == nil || c.closed {
		delete(c.pending, meetingID)
		c.mu.Unlock()
		c.wg.Done()
		if next != nil {
			c.send(meetingID, *next)
		}
		return
	}
	sl.timer = time.AfterFunc(c.every, func() { c.flush(meetingID) })
	c.mu.Unlock()
	c.send(meetingID, *next)
}

// close sends what is pending and waits for in-flight sends.
func (c *coalescer) close() {
	c.mu.Lock()
	c.closed = true
	for id, sl := range c.pending {
		if sl.timer.Stop() {
			next := sl.next
			delete(c.pending, id)
			c.wg.Done()
			if next != nil {
				defer c.send(id, *next)
			}
		}
	}
	c.mu.Unlock()
	c.wg.Wait()
}
