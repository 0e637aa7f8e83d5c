package realtime

import (
	"errors"
	"sync"
	"sync/atomic"
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
// messages. done is closed exactly once, through close; send is never
// closed, so a late enqueue cannot panic.
type conn struct {
	hub    *Hub
	room   *room
	viewer Viewer
	ws     *websocket.Conn // set after the upgrade, before the goroutines start

	send   chan *frame
	queued atomic.Int64 // bytes in send
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
		send: make(chan *frame, h.opt.QueueSize), done: make(chan struct{}), readerDone: make(chan struct{}),
		limiter: rate.NewLimiter(rate.Limit(h.opt.RateLimit), h.opt.RateBurst)}
}

// enqueue queues f without blocking; false means the client is too slow
// (its queue is full by count or by bytes). A single frame bigger than
// the byte bound still goes to a client whose queue is empty.
func (c *conn) enqueue(f *frame) bool {
	size := int64(f.size)
	if n := c.queued.Add(size); n > int64(c.hub.opt.QueueBytes) && n != size {
		c.queued.Add(-size)
		return false
	}
	select {
	case c.send <- f:
		return true
	default:
		c.queued.Add(-size)
		return false
	}
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
	for _, f := range initial {
		if !c.write(f) {
			return
		}
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
		case f := <-c.send:
			c.queued.Add(-int64(f.size))
			if !c.write(f) {
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.hub.opt.WriteWait)); err != nil {
				c.close(websocket.CloseAbnormalClosure, "")
				return
			}
		}
	}
}

func (c *conn) write(f *frame) bool {
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.hub.opt.WriteWait))
	if err := c.ws.WritePreparedMessage(f.msg); err != nil {
		c.close(websocket.CloseAbnormalClosure, "")
		return false
	}
	c.hub.metrics.wrote(f)
	return true
}

// finishWrites flushes what is queued (say, the error explaining a 1008)
// within closeGrace, then sends the close frame. A client dropped for
// being slow gets no flush: it would not take it.
func (c *conn) finishWrites() {
	if c.code != websocket.CloseTryAgainLater && c.code != websocket.CloseAbnormalClosure {
		deadline := time.Now().Add(closeGrace)
		for time.Now().Before(deadline) && len(c.send) > 0 {
			f := <-c.send
			c.queued.Add(-int64(f.size))
			_ = c.ws.SetWriteDeadline(deadline)
			if c.ws.WritePreparedMessage(f.msg) != nil {
				return
			}
			c.hub.metrics.wrote(f)
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
