package realtime

import "time"

// Pacing (Options.Paced). Go has no goroutine priorities, and its
// scheduler looks at the network only when a P runs out of goroutines
// to run (or every 10 ms, from sysmon). A fan-out of 50 delegates'
// strokes to 550 tablets keeps both cores of a small server busy for
// some 4 ms, 25 times a second; a page turn whose request arrives then
// waits, unread, until the fan-out is done. Written a few connections at
// a time with pauses between, the same fan-out leaves the cores idle
// most of the time: the poller runs, the page turn's request is read,
// and its own fan-out (flushAll, at once) writes each tablet's queue,
// strokes not yet written first, so nothing is reordered. The strokes
// arrive up to (flushChunk/PaceChunk − 1) × PaceGap later (14 ms at the
// defaults); realtime/BENCHMARKS.md has the figures.

// flushPaced writes out what is queued for conns like flushAll, from
// goroutines of flushChunk connections each, pausing after every
// PaceChunk of them. Once the hub closes it stops pausing.
func (h *Hub) flushPaced(conns []*conn) {
	chunk, gap := h.opt.PaceChunk, h.opt.PaceGap
	if chunk == 0 || gap <= 0 || len(conns) <= chunk {
		flushAll(conns)
		return
	}
	flushGroups(conns, func(part []*conn) {
		for i, c := range part {
			if i > 0 && i%chunk == 0 {
				h.pause(gap)
			}
			c.flushNow()
		}
	})
}

// pause sleeps for d, or until the hub closes.
func (h *Hub) pause(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-h.ctx.Done():
	}
}
