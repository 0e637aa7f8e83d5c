package realtime

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"
)

// closeGrace is how long a closing connection waits for the client to
// answer its close frame before the socket is closed. Closing at once
// could reset the connection before the client has read the close code.
const closeGrace = time.Second

// conn is one websocket connection. Its writer goroutine is the only one
// that writes messages; the reader goroutine reads and handles client
// messages. done is closed exactly once, through close. The queue is a
// slice that grows only while messages wait (an idle connection holds
// none), bounded by Options.QueueSize and QueueBytes.
type conn struct {
	hub    *Hub
	room   *room
	viewer Viewer
	ws     *websocket.Conn // set after the upgrade, before the goroutines start

	qmu    sync.Mutex
	queue  []*frame      // waiting to be written, oldest first
	queued int64         // bytes in queue
	wake   chan struct{} // signalled (capacity 1) when queue becomes non-empty
	done   chan struct{}
	once   sync.Once
	code   int // close code and reason, written once before done closes
	reason string

	readerDone chan struct{}

	// Guarded by room.mu.
	slot      int // index in room.members; -1 when not a member
	following bool

	// Owned by the reader goroutine.
	limiter  *rate.Limiter
	strikes  int // messages over the rate limit, less those within it
	lastWarn time.Time
}

func (h *Hub) newConn(v Viewer, r *room) *conn {
	return &conn{hub: h, room: r, viewer: v, slot: -1,
		wake: make(chan struct{}, 1), done: make(chan struct{}), readerDone: make(chan struct{}),
		limiter: rate.NewLimiter(rate.Limit(h.opt.RateLimit), h.opt.RateBurst)}
}

// enqueue queues f without blocking; false means the client is too slow
// (its queue is full by count or by bytes). A single frame bigger than
// the byte bound still goes to a client whose queue is empty.
func (c *conn) enqueue(f *frame) bool {
	size := int64(f.size)
	c.qmu.Lock()
	if len(c.queue) >= c.hub.opt.QueueSize || c.queued+size > int64(c.hub.opt.QueueBytes) && len(c.queue) > 0 {
		c.qmu.Unlock()
		return false
	}
	c.queue = append(c.queue, f)
	c.queued += size
	c.qmu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return true
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
	for len(initial) > 0 {
		n := min(len(initial), maxWriteBatch)
		if !c.write(initial[:n]) {
			return
		}
		initial = initial[n:]
	}
	var batch []*frame
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
			for {
				if batch = c.take(batch[:0]); len(batch) == 0 {
					break
				}
				if !c.write(batch) {
					return
				}
			}
			clear(batch[:cap(batch)]) // keep no frames alive while idle
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.hub.opt.WriteWait)); err != nil {
				c.close(websocket.CloseAbnormalClosure, "")
				return
			}
		}
	}
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
// write each. The frames are framed already; gorilla's own writes (control
// frames) are single Write calls too, which the net package never
// interleaves with ours.
func (c *conn) write(frames []*frame) bool {
	return c.writeBy(frames, time.Now().Add(c.hub.opt.WriteWait))
}

func (c *conn) writeBy(frames []*frame, deadline time.Time) bool {
	nc := c.ws.NetConn()
	_ = nc.SetWriteDeadline(deadline)
	var err error
	if len(frames) == 1 {
		_, err = nc.Write(frames[0].wire)
	} else {
		bufs := make(net.Buffers, len(frames))
		for i, f := range frames {
			bufs[i] = f.wire
		}
		_, err = bufs.WriteTo(nc)
	}
	if err != nil {
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
	if c.code != websocket.CloseTryAgainLater && c.code != websocket.CloseAbnormalClosure {
		deadline := time.Now().Add(closeGrace)
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
	msg := websocket.FormatCloseMessage(c.code, c.reason)
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace))
}

func (c *conn) readLoop() {
	defer close(c.readerDone)
	ws := c.ws
	wait := c.hub.opt.PongWait
	ws.SetReadLimit(c.hub.opt.ReadLimit)
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(wait)) })
	for {
		mt, data, err := ws.ReadMessage()
		if err != nil {
			c.close(readCloseCode(err))
			return
		}
		_ = ws.SetReadDeadline(time.Now().Add(wait))
		if c.closing() {
			continue // drain until the client answers our close frame
		}
		c.handle(mt, data)
	}
}

// readCloseCode maps the error that ended reading to the close code to send.
func readCloseCode(err error) (int, string) {
	var ce *websocket.CloseError
	switch {
	case errors.Is(err, websocket.ErrReadLimit):
		return websocket.CloseMessageTooBig, "message too big" // gorilla has sent it already
	case errors.As(err, &ce):
		return websocket.CloseNormalClosure, ""
	default:
		return websocket.CloseAbnormalClosure, ""
	}
}
