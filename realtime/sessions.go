package realtime

import (
	"context"
	"errors"
	"time"
)

// A live connection must not outlive the session it was opened with, and
// must keep that session in use while it is open: a tablet following a
// meeting for hours makes no request, and the idle timeout must not sign
// it out mid-meeting. The hub tracks its open connections by session
// (Viewer.Session), once per session however many connections share it:
//
//   - one timer per session (time.AfterFunc, no goroutine until it fires)
//     closes the session's connections at Viewer.SessionExpires;
//   - one loop per hub gives Options.Sessions the sessions every
//     SessionCheck, which counts them as in use and names those that ended
//     meanwhile (expired, idle, deleted, user disabled), whose connections
//     close too.
//
// Both close with 4003, like a logout: the client reconnects, is refused
// (401) and signs in again. Nothing here runs per message.

// SessionChecker keeps the sessions of open connections in use.
type SessionChecker interface {
	// CheckSessions is given the sessions of the hub's open connections
	// on this node, each once. It counts them as in use now and returns
	// those that are no longer valid; their connections are closed. An
	// error closes nothing. It may block on the database.
	CheckSessions(ctx context.Context, sessions []string) (ended []string, err error)
}

// closeSessionEnded is the reason of the 4003 sent when a session ends.
const closeSessionEnded = "session ended"

// sessionCheckTimeout bounds one round of CheckSessions.
const sessionCheckTimeout = time.Minute

// liveSession is one session with open connections on this node; it is
// guarded by Hub.smu.
type liveSession struct {
	conns   map[*conn]struct{}
	expires time.Time   // the earliest end its connections were given; zero: none
	timer   *time.Timer // fires at expires
}

// track registers c, once its connection runs, under its session.
func (h *Hub) track(c *conn) {
	id := c.viewer.Session
	if id == "" {
		return
	}
	h.smu.Lock()
	defer h.smu.Unlock()
	s := h.sessions[id]
	if s == nil {
		s = &liveSession{conns: map[*conn]struct{}{}}
		h.sessions[id] = s
	}
	s.conns[c] = struct{}{}
	exp := c.viewer.SessionExpires
	if exp.IsZero() || !s.expires.IsZero() && !exp.Before(s.expires) {
		return
	}
	s.expires = exp
	if s.timer != nil {
		s.timer.Stop()
	}
	// Already past (it expired while the connection opened): fires at once.
	s.timer = time.AfterFunc(exp.Sub(h.opt.Now()), func() { h.endSession(id, s) })
}

// untrack forgets c once its connection has ended.
func (h *Hub) untrack(c *conn) {
	id := c.viewer.Session
	if id == "" {
		return
	}
	h.smu.Lock()
	defer h.smu.Unlock()
	s := h.sessions[id]
	if s == nil {
		return
	}
	delete(s.conns, c) // a no-op when c belonged to an ended session's entry
	if len(s.conns) == 0 {
		h.forgetLocked(id, s)
	}
}

// forgetLocked drops the entry s of session id, with smu held.
func (h *Hub) forgetLocked(id string, s *liveSession) {
	if h.sessions[id] == s {
		delete(h.sessions, id)
	}
	if s.timer != nil {
		s.timer.Stop()
	}
}

// endSession closes the connections of the session id with 4003. Only
// entry s is closed (nil: the current one): a connection that arrives
// after it ended starts a new entry, and is judged on its own.
func (h *Hub) endSession(id string, s *liveSession) {
	h.smu.Lock()
	if s == nil {
		s = h.sessions[id]
	}
	if s == nil {
		h.smu.Unlock()
		return
	}
	h.forgetLocked(id, s)
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	h.smu.Unlock()
	for _, c := range conns {
		c.room.expel(c, closeAccessChanged, closeSessionEnded)
	}
	if len(conns) > 0 {
		h.log.Debug("realtime: session ended; its live connections closed", "connections", len(conns))
	}
}

// sessionLoop checks the sessions of open connections every SessionCheck.
func (h *Hub) sessionLoop(ctx context.Context) {
	t := time.NewTicker(h.opt.SessionCheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.checkSessions(ctx)
		}
	}
}

// checkSessions asks Options.Sessions about every tracked session once
// and closes the connections of those that ended.
func (h *Hub) checkSessions(ctx context.Context) {
	h.smu.Lock()
	ids := make([]string, 0, len(h.sessions))
	for id := range h.sessions {
		ids = append(ids, id)
	}
	h.smu.Unlock()
	if len(ids) == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, sessionCheckTimeout)
	ended, err := h.opt.Sessions.CheckSessions(cctx, ids)
	cancel()
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			h.log.Warn("realtime: check the sessions of live connections", "sessions", len(ids), "err", err)
		}
		return
	}
	for _, id := range ended {
		h.endSession(id, nil)
	}
}
