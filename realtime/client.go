package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// handlerTimeout bounds one app-registered client message handler.
const handlerTimeout = 10 * time.Second

// clientMessage is what a client sends: {"type":…, "data":…}, and for
// follow {"type":"follow","following":bool}.
type clientMessage struct {
	Type      string          `json:"type"`
	Data      json.RawMessage `json:"data"`
	Following *bool           `json:"following"`
}

// handle answers one client message. Bad input gets an error message;
// nothing a client sends can panic the hub or affect other clients.
func (c *conn) handle(mt int, data []byte) {
	if !c.allow() {
		return
	}
	if mt != websocket.TextMessage {
		c.fail(apperr.Invalid, "send JSON in text messages")
		return
	}
	var m clientMessage
	if err := json.Unmarshal(data, &m); err != nil || m.Type == "" {
		c.fail(apperr.Invalid, `malformed message: expected {"type":…}`)
		return
	}
	if web.HasNULEscape(data) { // no database can store it: refused before any handler
		c.fail(apperr.Invalid, `text in a message must not contain the NUL character (\u0000)`)
		return
	}
	switch m.Type {
	case "ping":
		c.enqueue(c.hub.pong)
	case "follow":
		if m.Following == nil {
			c.fail(apperr.Invalid, `follow needs "following": true or false`)
			return
		}
		c.room.setFollow(c, *m.Following)
	default:
		c.dispatch(m)
	}
}

// dispatch runs the app's handler for m.Type.
func (c *conn) dispatch(m clientMessage) {
	fn := c.hub.handler(m.Type)
	if fn == nil {
		c.fail(apperr.Invalid, "unknown message type")
		return
	}
	ctx, cancel := context.WithTimeout(c.hub.ctx, handlerTimeout)
	defer cancel()
	if err := c.call(ctx, fn, m); err != nil {
		if apperr.KindOf(err) == apperr.Internal {
			c.hub.log.Error("realtime: client message failed", "type", m.Type, "meeting", c.room.id, "err", err)
		}
		c.fail(apperr.KindOf(err), apperr.Public(err))
	}
}

// call runs fn, turning a panic into an internal error.
func (c *conn) call(ctx context.Context, fn ClientHandler, m clientMessage) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = apperr.Internalf(fmt.Errorf("panic: %v", p), "handle %s", m.Type)
		}
	}()
	return fn(ctx, c.viewer, c.room.id, m.Data)
}

// allow applies the per-connection rate limit. Over it, a message is
// dropped with at most one error a second; a client that keeps flooding
// (strikes beyond twice the burst) is closed with 1008.
func (c *conn) allow() bool {
	if c.limiter.Allow() {
		c.strikes = max(0, c.strikes-1)
		return true
	}
	c.strikes++
	if c.strikes > 2*c.hub.opt.RateBurst {
		c.close(websocket.ClosePolicyViolation, "too many messages")
		return false
	}
	if now := time.Now(); now.Sub(c.lastWarn) >= time.Second {
		c.lastWarn = now
		c.fail(apperr.RateLimited, "too many messages: slow down")
	}
	return false
}

// fail queues an error message for the client; dropped if its queue is full.
func (c *conn) fail(kind apperr.Kind, msg string) {
	c.enqueue(ephemeral("error", errorData{Code: string(kind), Message: msg}))
}
