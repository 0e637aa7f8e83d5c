package account

import (
	"context"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
)

// Credentials are the input of Login.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Client describes where a request comes from, for rate limits and audit.
type Client struct {
	IP        string
	UserAgent string
}

// Session is a signed-in session. Token is shown once, at login.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

// errBadLogin is the one answer for an unknown user, a wrong password and a
// disabled account, so a caller cannot probe which usernames exist.
func errBadLogin() error { return apperr.New(apperr.Unauthenticated, "wrong username or password") }

// Login checks credentials and opens a session. Failures are rate-limited
// per username and per client address, and audited.
func (s *Service) Login(ctx context.Context, cr Credentials, cl Client) (Session, error) {
	username := normalizeUsername(cr.Username)
	if username == "" || cr.Password == "" {
		return Session{}, apperr.Invalidf("username and password are required")
	}
	if len(username) > 64 || len(cr.Password) > 256 || !web.Storable(username) {
		return Session{}, errBadLogin()
	}
	if wait, ok := s.limiter.allow(username, cl.IP); !ok {
		s.auditLogin(ctx, "login.limited", "", username, cl)
		return Session{}, &apperr.Error{Kind: apperr.RateLimited, RetryAfter: wait,
			Message: "too many sign-in attempts; try again later"}
	}
	u, err := s.store.userByUsername(ctx, username)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Session{}, err
	}
	hash := s.dummy
	if err == nil {
		hash = u.PasswordHash
	}
	ok, herr := checkPassword(cr.Password, hash)
	if herr != nil {
		return Session{}, apperr.Internalf(herr, "check password")
	}
	if err != nil || !ok || u.Disabled {
		s.limiter.failed(username, cl.IP)
		s.auditLogin(ctx, "login.failed", u.ID, username, cl)
		return Session{}, errBadLogin()
	}
	s.limiter.succeeded(username)
	return s.openSession(ctx, u, cl)
}

func (s *Service) auditLogin(ctx context.Context, action, userID, username string, cl Client) {
	e := audit.Entry{At: s.cfg.Now(), ActorID: userID, Action: action, Object: "user:" + userID,
		Detail: map[string]any{"username": username}, ClientIP: cl.IP}
	if err := s.store.recordAudit(ctx, e); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "audit login", "err", err)
	}
}

func (s *Service) openSession(ctx context.Context, u userRow, cl Client) (Session, error) {
	token := ids.Secret()
	now := s.cfg.Now()
	r := sessionRow{ID: tokenHash(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
		LastSeenAt: now, ClientIP: cl.IP, UserAgent: truncate(cl.UserAgent, 255)}
	e := audit.Entry{At: now, ActorID: u.ID, Action: "login.succeeded", Object: "user:" + u.ID, ClientIP: cl.IP}
	if err := s.store.createSession(ctx, r, e); err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: r.ExpiresAt, User: u.user()}, nil
}

// IssueSession opens a session for a user without a password. It is for
// trusted callers only (the demo, load tests), never exposed over HTTP.
func (s *Service) IssueSession(ctx context.Context, userID string) (Session, error) {
	u, err := s.store.userByID(ctx, userID)
	if err != nil {
		return Session{}, err
	}
	return s.openSession(ctx, u, Client{})
}

// touchEvery limits how often a session's last-seen time is written: the
// idle timeout needs minutes, not a write per request.
const touchEvery = time.Minute

// Authenticate resolves a session token to its actor. An unknown, expired,
// idle or disabled session is Unauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (web.Actor, error) {
	if token == "" || len(token) > 128 {
		return web.Actor{}, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	id := tokenHash(token)
	if a, ok := s.cache.get(id); ok {
		return a, nil
	}
	gen := s.cache.generation()
	r, found, err := s.sessions.Load(ctx, id)
	if err != nil {
		return web.Actor{}, internal(err, "load session")
	}
	if !found {
		return web.Actor{}, apperr.New(apperr.Unauthenticated, "your session has ended; sign in again")
	}
	now := s.cfg.Now()
	if now.After(r.ExpiresAt) || now.Sub(r.LastSeenAt) > s.cfg.IdleTimeout || r.User.Disabled {
		_ = s.store.deleteSession(ctx, id, nil)
		return web.Actor{}, apperr.New(apperr.Unauthenticated, "your session has ended; sign in again")
	}
	if now.Sub(r.LastSeenAt) > touchEvery {
		if err := s.store.touchSession(ctx, id, now); err != nil {
			s.cfg.Logger.WarnContext(ctx, "touch session", "err", err)
		}
	}
	a := web.Actor{UserID: r.UserID, Username: r.User.Username, FullName: r.User.FullName,
		IsAdmin: r.User.IsAdmin, SessionID: id}
	s.cache.put(id, a, gen, r.ExpiresAt)
	return a, nil
}

// Logout ends the actor's current session.
func (s *Service) Logout(ctx context.Context, a web.Actor, cl Client) error {
	e := audit.Entry{At: s.cfg.Now(), ActorID: a.UserID, Action: "logout", Object: "user:" + a.UserID, ClientIP: cl.IP}
	s.cache.drop(a.SessionID) // this node stops answering from the cache at once
	err := s.store.deleteSession(ctx, a.SessionID, &e)
	// And again once the row is gone: a read that began during the delete
	// (after the first drop) must not leave the session in the cache.
	s.cache.drop(a.SessionID)
	if err == nil {
		s.cfg.SessionsChanged(ctx, a.UserID, a.SessionID)
	}
	return err
}

// Forget drops what this node caches about userID's sessions, so that the
// next request of theirs reads the database: for a change made on another
// node, which that node's cache dropped already.
func (s *Service) Forget(userID string) { s.cache.dropUser(userID) }

// PurgeSessions deletes expired and idle sessions; the server calls it now
// and then.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	return s.store.deleteExpiredSessions(ctx, s.cfg.Now(), s.cfg.IdleTimeout)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
