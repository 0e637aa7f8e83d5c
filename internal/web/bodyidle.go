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
		Message: "the request body stopped arriving (or arrived too slowly) before it was complete; please send the request again"}
}

// bodyIdle cuts a request whose body stops arriving: every read of the
// body may wait at most idle for the next bytes (a read deadline on the
// connection, moved on at each read), so a client that sends its headers
// and then part of a body and stalls no longer holds a connection, a
// goroutine and, on an upload, an open temporary file for ever. Nor may
// the body trickle: once it has had idle to start, it must average
// minRate bytes a second since the request came (when minRate > 0), so a
// byte sent every idle−1 seconds is cut too, while an upload over the
// slowest Wi-Fi, many times faster, is never cut, however long it takes.
// Within the rate, the time a handler spends between reads does not
// count against idle. Such a request is
// answered 408 (when a response can still be written) and its connection
// closed. The server's ReadHeaderTimeout covers the headers; websocket
// upgrades (hijacked, with no body) are left alone.
func bodyIdle(idle time.Duration, minRate int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Body == nil || req.Body == http.NoBody || req.Header.Get("Upgrade") != "" {
				return next(c)
			}
			rc := http.NewResponseController(c.Response())
			b := &idleBody{ReadCloser: req.Body, rc: rc, idle: idle, minRate: minRate, start: time.Now()}
			if err := rc.SetReadDeadline(b.deadline()); err != nil {
				return next(c) // a writer without deadlines (a test recorder)
			}
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
				_ = rc.SetReadDeadline(b.deadline())
			}
			return err
		}
	}
}

// idleBody is a request body whose every read must see bytes within idle.
type idleBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	idle    time.Duration
	minRate int64     // bytes a second, on average since start; 0: none
	start   time.Time // when the request came

	mu      sync.Mutex
	n       int64 // bytes read so far
	eof     bool
	stalled bool
}

// deadline is when the next read must have seen bytes: within idle, and
// no later than the moment the bytes so far fall below the minimum rate
// (counted from start, after a first idle to get going).
func (b *idleBody) deadline() time.Time {
	d := time.Now().Add(b.idle)
	if b.minRate > 0 {
		b.mu.Lock()
		n := b.n
		b.mu.Unlock()
		due := b.start.Add(b.idle + time.Duration(float64(n)/float64(b.minRate)*float64(time.Second)))
		if due.Before(d) {
			d = due
		}
	}
	return d
}

func (b *idleBody) Read(p []byte) (int, error) {
	if eof, stalled := b.state(); stalled {
		return 0, errBodyStalled()
	} else if !eof {
		_ = b.rc.SetReadDeadline(b.deadline())
	}
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.n += int64(n)
	b.mu.Unlock()
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
