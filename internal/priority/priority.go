// Package priority lets urgent work go first on a node: while any is in
// flight (a page turn, which every tablet of the room waits for), work
// that can wait a little (a batch of strokes being written and announced)
// waits for it, a bounded time. Go has no goroutine priorities, and on a
// node of two cores a page turn's write and fan-out otherwise share the
// CPU and the database writer with the strokes of fifty delegates
// (realtime/BENCHMARKS.md).
package priority

import (
	"sync"
	"time"
)

// Gate counts the urgent work in flight. A nil *Gate has none: Begin
// returns a no-op and Wait returns at once.
type Gate struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0; nil before the first Begin
}

// Begin marks urgent work in flight; the release it returns ends it and
// may be called more than once.
func (g *Gate) Begin() (end func()) {
	if g == nil {
		return func() {}
	}
	g.mu.Lock()
	if g.n == 0 {
		g.idle = make(chan struct{})
	}
	g.n++
	g.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			if g.n--; g.n == 0 {
				close(g.idle)
			}
			g.mu.Unlock()
		})
	}
}

// Wait returns once no urgent work is in flight, or after max.
func (g *Gate) Wait(max time.Duration) {
	if g == nil {
		return
	}
	g.mu.Lock()
	busy, idle := g.n > 0, g.idle
	g.mu.Unlock()
	if !busy {
		return
	}
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}
