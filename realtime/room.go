package realtime

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// errRoomClosed sends a joiner back to the hub for a fresh room.
var errRoomClosed = errors.New("realtime: room closed")

// Close codes of our own (4000–4999 is the application range).
const (
	closeResync        = 4001 // the server lost the stream: reconnect without since
	closeAccessChanged = 4003 // the user's access changed: reconnect, maybe refused
)

// room is one meeting's live state on this node. Everything under mu is
// changed only with mu held, and mu is let go through unlock. Fan-out
// queues a frame for every member under mu, which never blocks; unlock
// then writes them out (flushAll).
type room struct {
	id  string
	hub *Hub

	mu      sync.Mutex
	closed  bool
	known   bool // head and epoch have been read from the store
	head    int64
	epoch   string
	pending map[int64]record // arrived out of order or before head was known
	recent  ring
	members []*conn // conn.slot indexes this slice
	slow    []*conn // members that could not keep up, removed after a fan-out loop
	dirty   []*conn // members given frames since mu was taken, for unlock to write out
	holds   uint64  // how many times mu was let go (through unlock), from 1; conn.mark
	pres    presence
	// What the frames queued since mu was taken were (pace.go): pacing
	// while a paced event is queued; paced when one was, hurried when
	// anything else was. Only a fan-out of paced frames alone is paced.
	pacing, paced, hurried bool

	dropTimer *time.Timer
}

func newRoom(h *Hub, id string) *room {
	r := &room{id: id, hub: h, pending: map[int64]record{}, recent: newRing(h.opt.MemoryEvents), holds: 1}
	r.pres.init(r)
	return r
}

// accept takes records delivered by the broker, in seq order. It returns
// a non-empty range (after, upTo] when records before the ones it got are
// missing and must be read from the store.
func (r *room) accept(recs []record) (after, upTo int64) {
	r.mu.Lock()
	defer r.unlock()
	if r.closed {
		return 0, 0
	}
	for _, rec := range recs {
		switch {
		case r.known && rec.Seq <= r.head: // already delivered
		case r.known && rec.Seq == r.head+1 && len(r.pending) == 0:
			r.advanceLocked(rec)
		default:
			r.pending[rec.Seq] = rec
		}
	}
	if !r.known {
		if len(r.pending) > r.hub.opt.RetainEvents {
			// Nobody has read the head yet: whoever does will start from
			// the store, and a gap left by this is filled like any other.
			clear(r.pending)
		}
		return 0, 0
	}
	r.drainLocked()
	if len(r.pending) > r.hub.opt.RetainEvents {
		r.resetLocked() // hopelessly behind: clients start over
		return 0, 0
	}
	if len(r.pending) == 0 {
		return 0, 0
	}
	first := r.head + int64(len(r.pending)) + 1
	for seq := range r.pending {
		first = min(first, seq)
	}
	return r.head, first - 1
}

// drainLocked delivers pending records that are next in line.
func (r *room) drainLocked() {
	for seq := range r.pending {
		if seq <= r.head {
			delete(r.pending, seq)
		}
	}
	for {
		rec, ok := r.pending[r.head+1]
		if !ok {
			return
		}
		delete(r.pending, rec.Seq)
		r.advanceLocked(rec)
	}
}

// advanceLocked fans out the next event: one encoding, the same frame to
// every member the audience allows, a skip frame to the others.
func (r *room) advanceLocked(rec record) {
	r.head = rec.Seq
	e := newEntry(rec)
	r.recent.push(e)
	r.pacing = r.hub.paced[rec.Type]
	for _, c := range r.members {
		r.sendLocked(c, e.frameFor(c.viewer.UserID))
	}
	r.pacing = false
	r.flushSlowLocked()
}

// sendLocked queues f for c, noting c as slow when its queue is full.
// unlock writes it out.
func (r *room) sendLocked(c *conn, f *frame) {
	if !c.push(f) {
		r.slow = append(r.slow, c)
		return
	}
	if r.pacing {
		r.paced = true
	} else {
		r.hurried = true
	}
	if c.mark != r.holds {
		c.mark = r.holds
		r.dirty = append(r.dirty, c)
	}
}

// unlock lets go of mu and writes out the frames queued while it was held.
func (r *room) unlock() {
	dirty := r.dirty
	r.dirty = nil
	r.holds++
	paced := r.paced && !r.hurried
	r.paced, r.hurried = false, false
	r.mu.Unlock()
	if paced {
		r.hub.flushPaced(dirty)
		return
	}
	flushAll(dirty)
}

// flushChunk is how many connections one goroutine of a fan-out writes to.
const flushChunk = 128

// flushAll writes out what is queued for conns, from goroutines of
// flushChunk connections each, so that a fan-out to hundreds of tablets
// takes a few goroutines (both CPUs for a big room) instead of waking
// one writer per tablet; what a socket does not take at once is left to
// that connection's writer (conn.flushNow).
func flushAll(conns []*conn) {
	flushGroups(conns, func(part []*conn) {
		for _, c := range part {
			c.flushNow()
		}
	})
}

// flushGroups starts write on each flushChunk of conns, in a goroutine of its own.
func flushGroups(conns []*conn, write func(part []*conn)) {
	for len(conns) > 0 {
		part := conns[:min(len(conns), flushChunk)]
		conns = conns[len(part):]
		go write(part)
	}
}

// flushSlowLocked drops the members found slow. Removing one may queue a
// presence message that finds another slow member, hence the loop.
func (r *room) flushSlowLocked() {
	for len(r.slow) > 0 {
		c := r.slow[len(r.slow)-1]
		r.slow = r.slow[:len(r.slow)-1]
		leaving := c.closing() // its writer has stopped: not slow, just gone
		if r.removeLocked(c, websocket.CloseTryAgainLater, "too slow: reconnect") && !leaving {
			r.hub.metrics.slowDrops.Inc()
		}
	}
}

// broadcast sends an ephemeral frame to the members in audience (nil: all).
func (r *room) broadcast(f *frame, audience []string) {
	r.mu.Lock()
	defer r.unlock()
	var to func(*conn) bool
	if audience != nil {
		to = func(c *conn) bool { return slices.Contains(audience, c.viewer.UserID) }
	}
	r.sendAllLocked(f, to)
	r.flushSlowLocked()
}

// addLocked makes c a member.
func (r *room) addLocked(c *conn, following bool) {
	c.slot = len(r.members)
	r.members = append(r.members, c)
	c.following = following
	r.pres.add(c)
	if r.dropTimer != nil {
		r.dropTimer.Stop()
	}
}

// removeLocked ends c's membership and closes it with code; false when it
// was no longer a member.
func (r *room) removeLocked(c *conn, code int, reason string) bool {
	if c.slot < 0 {
		return false
	}
	last := len(r.members) - 1
	r.members[c.slot] = r.members[last]
	r.members[c.slot].slot = c.slot
	r.members[last] = nil
	r.members = r.members[:last]
	c.slot = -1
	r.pres.remove(c)
	c.close(code, reason)
	return true
}

// leave removes c after its connection ended, and reports whether the room
// is now empty.
func (r *room) leave(c *conn) (empty bool) {
	r.mu.Lock()
	defer r.unlock()
	r.removeLocked(c, websocket.CloseNormalClosure, "")
	return len(r.members) == 0 && !r.closed
}

// setFollow records whether c follows the presenter.
func (r *room) setFollow(c *conn, on bool) {
	r.mu.Lock()
	defer r.unlock()
	if c.slot >= 0 && c.following != on {
		r.pres.follow(c, on)
	}
}

// kick closes with 4003 the connections the disconnect m applies to.
func (r *room) kick(m message) {
	r.mu.Lock()
	defer r.unlock()
	for i := len(r.members) - 1; i >= 0; i-- {
		if c := r.members[i]; kicks(m, c.viewer) {
			r.removeLocked(c, closeAccessChanged, "access changed")
		}
	}
}

// expel closes c with code, if it is still a member.
func (r *room) expel(c *conn, code int, reason string) {
	r.mu.Lock()
	defer r.unlock()
	r.removeLocked(c, code, reason)
}

// reset closes every connection with 4001 and forgets the stream, after
// the room lost events it cannot recover.
func (r *room) reset() {
	r.mu.Lock()
	defer r.unlock()
	r.resetLocked()
}

func (r *room) resetLocked() {
	r.removeAllLocked(closeResync, "stream reset: reconnect without since")
	r.known = false
	r.pending = map[int64]record{}
	r.recent.clear()
}

func (r *room) removeAllLocked(code int, reason string) {
	for i := len(r.members) - 1; i >= 0; i-- {
		r.removeLocked(r.members[i], code, reason)
	}
}

// shutdown closes the room for good, with code for every connection.
func (r *room) shutdown(code int, reason string) {
	r.mu.Lock()
	defer r.unlock()
	r.closed = true
	r.removeAllLocked(code, reason)
	r.pres.stop()
	if r.dropTimer != nil {
		r.dropTimer.Stop()
	}
}

// closeIfEmpty closes the room when nobody is in it.
func (r *room) closeIfEmpty() bool {
	r.mu.Lock()
	defer r.unlock()
	if r.closed || len(r.members) > 0 {
		return false
	}
	r.queuePresenceLocked() // nobody here any more, tell the other nodes
	r.closed = true
	r.pres.stop()
	return true
}

// headNow returns the last seq delivered here.
func (r *room) headNow() (int64, bool) {
	r.mu.Lock()
	defer r.unlock()
	return r.head, r.known
}

// ring keeps the most recent entries of a room for replay from memory,
// bounded in count (its length) and in bytes, so that a room of big events
// does not hold megabytes.
type ring struct {
	buf             []*entry
	start, n        int
	bytes, maxBytes int
}

// ringBytes bounds the memory of one room's recent events.
const ringBytes = 1 << 20

func newRing(n int) ring { return ring{buf: make([]*entry, n), maxBytes: ringBytes} }

func (g *ring) push(e *entry) {
	if len(g.buf) == 0 {
		return
	}
	if g.n == len(g.buf) {
		g.popFront()
	}
	g.buf[(g.start+g.n)%len(g.buf)] = e
	g.n++
	g.bytes += e.size()
	for g.bytes > g.maxBytes && g.n > 1 {
		g.popFront()
	}
}

func (g *ring) popFront() {
	g.bytes -= g.buf[g.start].size()
	g.buf[g.start] = nil
	g.start = (g.start + 1) % len(g.buf)
	g.n--
}

// after returns the entries with seq > since, when the ring still holds
// all of them up to head and the first was published at or after
// notBefore: the ring of a room that stays open for days replays no more
// than the store would (events stay replayable for Retention; rights.go
// relies on it); older ones are the store's to judge.
func (g *ring) after(since, head int64, notBefore time.Time) ([]*entry, bool) {
	if since == head {
		return nil, true
	}
	if g.n == 0 || g.buf[g.start].seq > since+1 || g.buf[(g.start+g.n-1)%len(g.buf)].seq != head {
		return nil, false
	}
	skip := int(since + 1 - g.buf[g.start].seq)
	if at := g.buf[(g.start+skip)%len(g.buf)].full.at; !at.IsZero() && at.Before(notBefore) {
		return nil, false
	}
	out := make([]*entry, 0, g.n-skip)
	for i := skip; i < g.n; i++ {
		out = append(out, g.buf[(g.start+i)%len(g.buf)])
	}
	return out, true
}

func (g *ring) clear() {
	clear(g.buf)
	g.start, g.n, g.bytes = 0, 0, 0
}
