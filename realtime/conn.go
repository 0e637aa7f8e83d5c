package realtime

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// closeGrace is how long a closing connection waits for the client to
// answer its close frame before the socket is closed. Closing at once
// could reset the connection before the client has read the close code.
const closeGrace = time.Second

// conn is one websocket connection. The reader goroutine reads and
// handles client messages. Messages are written by whoever holds wmu:
// the goroutine that fanned an event out (see flushNow), or the
// connection's writer goroutine, which writes what the fan-out could
// not, pings, and closes. done is closed exactly once, through close. The
// queue is a slice that grows only while messages wait (an idle
// connection holds none), bounded by Options.QueueSize and QueueBytes.
type conn struct {
	hub    *Hub
	room   *room
	viewer Viewer
	ws     *websocket.Conn // set after the upgrade, before the goroutines start; for reading
	nc     net.Conn        // the socket under ws, set with it; every message is written to it

	// wmu is held by whoever writes to the socket. newConn takes it and
	// the writer lets go once the opening frames are out: a connection is
	// a member (and may be given events) before it is upgraded. Whoever
	// lets go of wmu looks at the queue again, as a fan-out that found
	// it held has left its frames there.
	wmu    sync.Mutex
	raw    syscall.RawConn // the socket, for writes that must not block; nil: none
	rest   net.Buffers     // the unwritten end of a write that could not finish at once; goes before anything else
	restOf []*frame        // the frames whose last bytes are in rest
	iov    [][]byte        // flushNow's scratch: the frames of one writev
	batch  []*frame        // flushNow's scratch: the frames taken from the queue
	// deadline: a blocking write left a deadline on the socket, which
	// fails every later write once past, the non-blocking ones included.
	deadline bool
	// gorillaClosed: gorilla wrote (or began to write) a close frame of
	// its own (gorillaConn), after which nothing may be sent.
	gorillaClosed bool

	qmu    sync.Mutex
	queue  []*frame      // waiting to be written, oldest first
	queued int64         // bytes in queue
	wake   chan struct{} // capacity 1: wakes the writer (enqueue, or a fan-out that could not finish)
	done   chan struct{}
	once   sync.Once
	code   int // close code and reason, written once before done closes
	reason string

	readerDone chan struct{}
	// heard is when the client was last heard from (a message, a ping or
	// a pong; at first when the connection was made), in Unix nanoseconds:
	// the per-user bound replaces the one silent longest (limit.go).
	heard atomic.Int64

	// Guarded by room.mu.
	slot      int    // index in room.members; -1 when not a member
	mark      uint64 // room.holds when last put in room.dirty
	following bool

	// Owned by the reader goroutine.
	limiter  *rate.Limiter
	strikes  int // messages over the rate limit, less those within it
	lastWarn time.Time
}

func (h *Hub) newConn(v Viewer, r *room) *conn {
	c := &conn{hub: h, room: r, viewer: v, slot: -1,
		wake: make(chan struct{}, 1), done: make(chan struct{}), readerDone: make(chan struct{}),
		limiter: rate.NewLimiter(rate.Limit(h.opt.RateLimit), h.opt.RateBurst)}
	c.heard.Store(time.Now().UnixNano())
	c.wmu.Lock() // until the opening frames are written (writeLoop)
	return c
}

// enqueue queues f for the writer goroutine without blocking; false means
// the client is too slow (see push).
func (c *conn) enqueue(f *frame) bool {
	if !c.push(f) {
		return false
	}
	c.signal()
	return true
}

// signal wakes the writer goroutine.
func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// push queues f; false means the client is too slow (its queue is full by
// count or by bytes). A single frame bigger than the byte bound still
// goes to a client whose queue is empty. Nobody is told: the caller
// writes the queue out (flushNow) or wakes the writer (signal).
func (c *conn) push(f *frame) bool {
	size := int64(f.size)
	c.qmu.Lock()
	if len(c.queue) >= c.hub.opt.QueueSize || c.queued+size > int64(c.hub.opt.QueueBytes) && len(c.queue) > 0 {
		c.qmu.Unlock()
		return false
	}
	c.queue = append(c.queue, f)
	c.queued += size
	c.qmu.Unlock()
	return true
}

// waiting reports whether frames are queued.
func (c *conn) waiting() bool {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return len(c.queue) > 0
}

// close asks the writer to close the connection with code; the first call wins.
func (c *conn) close(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
}

func (c *conn) closing() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// run serves the upgraded connection: initial frames (snapshot, replay)
// first, then the queue. It runs on its own goroutine and ends the
// connection's membership when done.
func (c *conn) run(initial []*frame) {
	defer c.hub.conns.Done()
	c.hub.metrics.connections.Inc()
	defer c.hub.metrics.connections.Dec()
	c.hub.track(c)
	defer c.hub.untrack(c)
	go c.readLoop()
	c.writeLoop(initial)
	select {
	case <-c.readerDone:
	case <-time.After(closeGrace):
	}
	_ = c.ws.Close()
	<-c.readerDone
	if c.room.leave(c) {
		c.hub.release(c.room)
	}
}

func (c *conn) writeLoop(initial []*frame) {
	c.raw = rawConn(c.nc)
	ok := c.writeAll(initial)
	c.wmu.Unlock()
	if !ok || !c.drain() {
		return
	}
	ping := time.NewTicker(c.hub.opt.PingInterval)
	defer ping.Stop()
	for {
		select { // once closed, stop taking from the queue at once
		case <-c.done:
			c.finishWrites()
			return
		default:
		}
		select {
		case <-c.done:
			c.finishWrites()
			return
		case <-c.wake:
			if !c.drain() {
				return
			}
		case <-ping.C:
			if !c.ping() || !c.drain() {
				return
			}
		}
	}
}

// writeAll writes frames with wmu held, blocking, maxWriteBatch at a time.
func (c *conn) writeAll(frames []*frame) bool {
	for len(frames) > 0 {
		n := min(len(frames), maxWriteBatch)
		if !c.write(frames[:n]) {
			return false
		}
		frames = frames[n:]
	}
	return true
}

// drain writes what is queued, waiting for wmu and for the socket: the
// writer goroutine's way, for a client a fan-out could not finish.
func (c *conn) drain() bool {
	var batch []*frame
	defer func() { clear(batch[:cap(batch)]) }() // keep no frames alive while idle
	for {
		c.wmu.Lock()
		ok := c.writeRest(time.Now().Add(c.hub.opt.WriteWait))
		for ok && !c.closing() { // closed: what is left is finishWrites' to judge
			if batch = c.take(batch[:0]); len(batch) == 0 {
				break
			}
			ok = c.write(batch)
		}
		c.wmu.Unlock()
		if !ok {
			return false
		}
		if c.closing() || !c.waiting() {
			return true
		}
	}
}

// flushNow writes what is queued without waiting, from the goroutine
// that queued it (a fan-out): it takes wmu only if free and writes only
// what the socket takes at once. What is left waits for the writer
// goroutine, which it wakes. Fifty delegates drawing queue a message to
// every tablet many times a second; woken one by one, the tablets' writer
// goroutines filled the scheduler's queues, and a page turn waited
// behind them.
func (c *conn) flushNow() {
	for !c.closing() && c.wmu.TryLock() { // held: the holder looks again after it
		if c.raw == nil || len(c.rest) > 0 {
			c.wmu.Unlock()
			c.signal() // no socket of our own, or a slow one: the writer's job
			return
		}
		more := true
		for more && !c.closing() {
			if c.batch = c.take(c.batch[:0]); len(c.batch) == 0 {
				break
			}
			more = c.writeNow(c.batch)
		}
		clear(c.batch[:cap(c.batch)]) // keep no frames alive while idle
		c.wmu.Unlock()
		if !more || c.closing() {
			c.signal() // what is left, or the close, is the writer's
			return
		}
		if !c.waiting() {
			return
		}
	}
}

// setDeadline sets the deadline of a blocking write, with wmu held.
func (c *conn) setDeadline(t time.Time) {
	_ = c.nc.SetWriteDeadline(t)
	c.deadline = !t.IsZero()
}

// writeNow writes frames, with wmu held, as far as the socket takes them
// at once, and leaves the rest in c.rest. It reports whether every frame
// went out; a broken socket closes the connection.
func (c *conn) writeNow(frames []*frame) bool {
	if c.deadline { // the poller fails every write on a socket past its deadline
		c.setDeadline(time.Time{})
	}
	bufs := c.iov[:0]
	for _, f := range frames {
		bufs = append(bufs, f.wire)
	}
	n, err := writeNonBlocking(c.raw, bufs)
	left := bufs
	for err == nil && len(frames) > 0 && n >= len(frames[0].wire) {
		n -= len(frames[0].wire)
		c.hub.metrics.wrote(frames[0])
		frames, left = frames[1:], left[1:]
	}
	if err == nil && len(frames) > 0 {
		c.rest = append(net.Buffers(nil), left...)
		c.rest[0] = c.rest[0][n:]
		c.restOf = append(c.restOf[:0], frames...)
		c.hub.metrics.deferred.Inc()
	}
	clear(bufs)
	c.iov = bufs[:0]
	if err != nil {
		c.close(websocket.CloseAbnormalClosure, "")
		return false
	}
	return len(frames) == 0
}

// writeRest finishes, with wmu held, a write flushNow could not.
func (c *conn) writeRest(deadline time.Time) bool {
	if len(c.rest) == 0 {
		return true
	}
	ok := c.send(c.rest, c.restOf, deadline)
	c.rest = nil
	clear(c.restOf)
	c.restOf = c.restOf[:0]
	return ok
}

// ping sends a ping, after whatever a fan-out left half written.
func (c *conn) ping() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	deadline := time.Now().Add(c.hub.opt.WriteWait)
	if !c.writeRest(deadline) {
		return false
	}
	return c.writeBy([]*frame{pingFrame}, deadline)
}

// maxWriteBatch and maxWriteBytes bound what one write call sends.
const (
	maxWriteBatch = 64
	maxWriteBytes = 64 << 10
)

// take moves the oldest queued frames into batch, within the bounds of
// one write; an empty result means the queue is empty.
func (c *conn) take(batch []*frame) []*frame {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	bytes := 0
	n := 0
	for n < len(c.queue) && n < maxWriteBatch && bytes < maxWriteBytes {
		f := c.queue[n]
		batch = append(batch, f)
		bytes += len(f.wire)
		c.queued -= int64(f.size)
		n++
	}
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	if rest == 0 && cap(c.queue) > maxWriteBatch {
		c.queue = nil // after a burst: an idle connection keeps no big buffer
	}
	return batch
}

// write sends frames in one system call: when fan-out outpaces a socket
// (fifty delegates drawing), queued messages leave together instead of one
// write each. The frames are framed already. Every write holds wmu,
// gorilla's own included (gorillaConn).
func (c *conn) write(frames []*frame) bool {
	return c.writeBy(frames, time.Now().Add(c.hub.opt.WriteWait))
}

func (c *conn) writeBy(frames []*frame, deadline time.Time) bool {
	bufs := make(net.Buffers, len(frames))
	for i, f := range frames {
		bufs[i] = f.wire
	}
	return c.send(bufs, frames, deadline)
}

// send writes bufs, with wmu held, waiting for the socket until deadline,
// and counts frames as written; a failed write closes the connection.
func (c *conn) send(bufs net.Buffers, frames []*frame, deadline time.Time) bool {
	c.setDeadline(deadline)
	if _, err := bufs.WriteTo(c.nc); err != nil {
		c.close(websocket.CloseAbnormalClosure, "")
		return false
	}
	for _, f := range frames {
		c.hub.metrics.wrote(f)
	}
	return true
}

// finishWrites flushes what is queued (say, the error explaining a 1008)
// within closeGrace, then sends the close frame. A client dropped for
// being slow gets no flush: it would not take it.
func (c *conn) finishWrites() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.gorillaClosed {
		return // gorilla has sent the close frame (1002, 1009): nothing may follow it
	}
	if c.code != websocket.CloseTryAgainLater && c.code != websocket.CloseAbnormalClosure {
		deadline := time.Now().Add(closeGrace)
		if !c.writeRest(deadline) {
			return
		}
		var batch []*frame
		for time.Now().Before(deadline) {
			if batch = c.take(batch[:0]); len(batch) == 0 {
				break
			}
			if !c.writeBy(batch, deadline) {
				return
			}
		}
	}
	c.writeClose()
}

// writeClose sends the close frame; a full socket (a slow client) gets
// closeGrace to take it.
func (c *conn) writeClose() {
	if c.code == websocket.CloseAbnormalClosure {
		return // the connection is already broken
	}
	if !c.writeRest(time.Now().Add(closeGrace)) {
		return // a close frame cannot go in the middle of a message
	}
	msg := websocket.FormatCloseMessage(c.code, c.reason)
	c.writeBy([]*frame{newControlFrame(websocket.CloseMessage, msg)}, time.Now().Add(closeGrace))
}

// pingFrame is the hub's ping: no payload.
var pingFrame = newControlFrame(websocket.PingMessage, nil)

// gorillaConn is the socket as gorilla sees it. Besides the handshake,
// gorilla writes to it only from the reader goroutine: the close frame it
// sends itself when a client breaks the protocol or the read limit. That
// write waits for wmu and for the end of a message a fan-out left half
// written, so that it never lands inside one, and is noted
// (conn.gorillaClosed) so that finishWrites sends nothing after it.
type gorillaConn struct {
	net.Conn
	c *conn
}

func (g gorillaConn) Write(b []byte) (int, error) {
	c := g.c
	if c.ws == nil { // the handshake, before the connection runs
		return g.Conn.Write(b)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.writeRest(time.Now().Add(closeGrace)) {
		return 0, net.ErrClosed
	}
	if len(b) > 0 && b[0]&0x0f == websocket.CloseMessage { // one Write per control frame (WriteControl)
		c.gorillaClosed = true
	}
	c.setDeadline(time.Now().Add(closeGrace))
	return g.Conn.Write(b)
}

// SetWriteDeadline passes gorilla's deadline on for the handshake only:
// afterwards the deadline is set under wmu by whoever writes.
func (g gorillaConn) SetWriteDeadline(t time.Time) error {
	if g.c.ws == nil {
		return g.Conn.SetWriteDeadline(t)
	}
	return nil
}

// upgradeVia hands gorilla the hijacked socket as a gorillaConn and keeps
// the socket itself as c.nc.
type upgradeVia struct {
	http.ResponseWriter
	c *conn
}

func (u upgradeVia) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := u.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("realtime: the response cannot be taken over")
	}
	nc, brw, err := h.Hijack()
	if err != nil {
		return nil, nil, err
	}
	u.c.nc = nc
	return gorillaConn{Conn: nc, c: u.c}, brw, nil
}

func (c *conn) readLoop() {
	defer close(c.readerDone)
	ws := c.ws
	wait := c.hub.opt.PongWait
	ws.SetReadLimit(c.hub.opt.ReadLimit)
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	// A pong keeps the connection alive; one the client sends unasked
	// counts against the rate limit as a ping does, so a flood of them is
	// closed with 1008 too (the answers to our pings, one per PingEvery,
	// are far within it).
	ws.SetPongHandler(func(string) error {
		c.heard.Store(time.Now().UnixNano())
		if !c.closing() {
			c.allow()
		}
		return ws.SetReadDeadline(time.Now().Add(wait))
	})
	// gorilla would answer pings and close frames from this goroutine.
	// The answer to a ping goes through the queue; the close frame is the
	// writer's (writeClose). What gorilla still writes itself (the close
	// after a broken rule: 1002, 1009) waits for wmu (gorillaConn).
	// A ping counts against the rate limit like any message: answering a
	// flood of them would let one client make the server write at will.
	ws.SetPingHandler(func(data string) error {
		c.heard.Store(time.Now().UnixNano())
		if c.closing() || !c.allow() {
			return nil
		}
		c.enqueue(newControlFrame(websocket.PongMessage, []byte(data)))
		return nil
	})
	ws.SetCloseHandler(func(int, string) error { return nil })
	for {
		mt, data, err := ws.ReadMessage()
		if err != nil {
			c.close(readCloseCode(err))
			return
		}
		now := time.Now()
		c.heard.Store(now.UnixNano())
		_ = ws.SetReadDeadline(now.Add(wait))
		if c.closing() {
			continue // drain until the client answers our close frame
		}
		c.handle(mt, data)
	}
}

// readCloseCode maps the error that ended reading to the close code to
// send. Besides the read limit, gorilla sends a close frame itself only
// for a protocol error (1002, mapped to 1006 here: the writer sends
// nothing after gorilla's close, see gorillaConn).
func readCloseCode(err error) (int, string) {
	var ce *websocket.CloseError
	switch {
	case errors.Is(err, websocket.ErrReadLimit):
		// gorilla sends the 1009 itself for a length over the limit, not
		// for one it cannot represent (the 64-bit length's top bit set, a
		// message's total overflowing): finishWrites sends it then.
		return websocket.CloseMessageTooBig, "" // as gorilla sends it (api/live.md §4: no reason)
	case errors.As(err, &ce) && ce.Code == websocket.CloseAbnormalClosure:
		return websocket.CloseAbnormalClosure, "" // the stream ended inside a frame: nobody to tell
	case errors.As(err, &ce) && (ce.Code == websocket.CloseGoingAway || ce.Code >= 3000 && ce.Code <= 4999):
		return ce.Code, "" // echoed, as RFC 6455 §5.5.1 has it
	case errors.As(err, &ce):
		return websocket.CloseNormalClosure, ""
	default:
		return websocket.CloseAbnormalClosure, ""
	}
}
