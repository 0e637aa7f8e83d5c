package web

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
)

// errBodyStalled is what reading a request body returns once the client
// has sent nothing for the idle limit.
func errBodyStalled() error {
	return &apperr.Error{Kind: apperr.RequestTimeout,
		Message: "the request body stopped arriving before it was complete; please send the request again"}
}

// bodyIdle cuts a request whose body stops arriving: every read of the
// body may wait at most idle for the next bytes (a read deadline on the
// connection, moved on at each read), so a client that sends its headers
// and then part of a body and stalls no longer holds a connection, a
// goroutine and, on an upload, an open temporary file for ever. A slow
// upload that keeps sending is never cut, however long it takes; the
// time a handler spends between reads does not count. Such a request is
// answered 408 (when a response can still be written) and its connection
// closed. The server's ReadHeaderTimeout covers the headers; websocket
// upgrades (hijacked, with no body) are left alone.
func bodyIdle(idle time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Body == nil || req.Body == http.NoBody || req.Header.Get("Upgrade") != "" {
				return next(c)
			}
			rc := http.NewResponseController(c.Response())
			if err := rc.SetReadDeadline(time.Now().Add(idle)); err != nil {
				return next(c) // a writer without deadlines (a test recorder)
			}
			b := &idleBody{ReadCloser: req.Body, rc: rc, idle: idle}
			req.Body = b
			err := next(c)
			eof, stalled := b.state()
			switch {
			case stalled:
				// The connection cannot be read any more: say why, and close it.
				c.Response().Header().Set(echo.HeaderConnection, "close")
				return errBodyStalled()
			case !eof:
				// The server reads what is left of the body before the
				// next request: that too may not stall for longer.
				_ = rc.SetReadDeadline(time.Now().Add(idle))
			}
			return err
		}
	}
}

// idleBody is a request body whose every read must see bytes within idle.
type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration

	mu      sync.Mutex
	eof     bool
	stalled bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	if eof, stalled := b.state(); stalled {
		return 0, errBodyStalled()
	} else if !eof {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.idle))
	}
	n, err := b.ReadCloser.Read(p)
	switch {
	case errors.Is(err, io.EOF):
		b.mu.Lock()
		b.eof = true
		b.mu.Unlock()
		// No deadline once the body is in, while the handler works on
		// (net/http clears it too when it starts its background read).
		_ = b.rc.SetReadDeadline(time.Time{})
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.mu.Lock()
		b.stalled = true
		b.mu.Unlock()
		err = errBodyStalled()
	}
	return n, err
}

func (b *idleBody) state() (eof, stalled bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.eof, b.stalled
}
