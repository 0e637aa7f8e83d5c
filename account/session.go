package account

import (
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	// Device is the device token the client sent (the curia_device
	// cookie), as sent; "" for none. See device.go.
	Device string
}

// Session is a signed-in session. Token is shown once, at login.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
	// Device is the device token to hand the client (the curia_device
	// cookie) after a sign-in with a password; never in the body.
	Device string `json:"-"`
}

// errBadLogin is the one answer for an unknown user, a wrong password and a
// disabled account, so a caller cannot probe which usernames exist.
func errBadLogin() error { return apperr.New(apperr.Unauthenticated, "wrong username or password") }

// errSessionEnded is the answer to a request whose session no longer
// works.
func errSessionEnded() error {
	return apperr.New(apperr.Unauthenticated, "your session has ended; sign in again")
}

// Login checks credentials and opens a session. Failures are rate-limited
// per username and per client address, and audited. An attempt that
// carries a device token of the username (cl.Device) is limited per
// device token instead of per username (device.go); a success hands the
// client a device token (Session.Device): the one it sent, when valid,
// else a new one.
func (s *Service) Login(ctx context.Context, cr Credentials, cl Client) (Session, error) {
	username := normalizeUsername(cr.Username)
	if username == "" || cr.Password == "" {
		return Session{}, apperr.Invalidf("username and password are required")
	}
	if len(username) > 64 || len(cr.Password) > 256 || !web.Storable(username) {
		return Session{}, errBadLogin()
	}
	// An address over its limit is refused before the device token is
	// looked up: a flood of sign-ins, made-up device cookies or not, must
	// not cost a database read each once its address is refused.
	if wait, ok, first, limit := s.limiter.spentClient(username, cl.IP, deviceID(cl.Device)); !ok {
		return Session{}, s.loginLimited(ctx, username, wait, first, limit, cl)
	}
	device := s.deviceOf(ctx, username, cl.Device)
	counted, wait, ok, first, limit := s.limiter.allowDevice(username, cl.IP, device)
	if !ok {
		return Session{}, s.loginLimited(ctx, username, wait, first, limit, cl)
	}
	// An attempt that tried no password (no hash slot came free, or the
	// database is away) is given back, so that a busy server does not use
	// up a user's tries.
	tried := false
	defer func() { s.limiter.settleAttempt(counted, tried) }()
	u, err := s.store.userByUsername(ctx, username)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Session{}, err
	}
	hash := s.dummy
	if err == nil {
		hash = u.PasswordHash
	}
	ok, herr := s.check(ctx, cr.Password, hash)
	if herr != nil {
		return Session{}, herr
	}
	tried = true
	if err != nil || !ok || u.Disabled {
		s.auditLogin(ctx, "login.failed", u.ID, map[string]any{"username": username}, cl)
		if device != "" {
			s.dropSpentDevice(ctx, device, username, cl)
		}
		return Session{}, errBadLogin()
	}
	token := cl.Device
	if device == "" {
		token = ids.Secret()
	}
	sess, err := s.openSession(ctx, u, cl, token)
	if apperr.Is(err, apperr.Unauthenticated) {
		// The password was reset, or the user disabled, while it was
		// checked: the old password opens no session.
		s.auditLogin(ctx, "login.failed", u.ID, map[string]any{"username": username, "reason": "changed_meanwhile"}, cl)
	}
	if err == nil {
		// A known device's success forgives its own failures only: those
		// in the username's window may be a stranger's.
		if device != "" {
			s.limiter.deviceSucceeded(device)
		}
		if counted.device == "" {
			s.limiter.succeeded(username)
		}
	}
	return sess, err
}

// loginLimited is the answer to a sign-in attempt the limiter refused
// (wait, first and limit as loginLimiter.allowDevice reports them); the
// first refusal of a window is audited.
func (s *Service) loginLimited(ctx context.Context, username string, wait time.Duration, first bool, limit string, cl Client) error {
	if first { // the rest of the window's refusals are not written, nor looked up
		s.auditLimited(ctx, username, limit, cl)
	}
	return &apperr.Error{Kind: apperr.RateLimited, RetryAfter: wait,
		Message: "too many sign-in attempts; try again later"}
}

// auditLimited writes login.limited for the first refused attempt of a
// window; limit names the limit that refused it (loginLimiter.allow).
// The account is looked up then, so that the entry is among those about
// the user (GET /audit?object=user:ID) when the username exists.
func (s *Service) auditLimited(ctx context.Context, username, limit string, cl Client) {
	userID := ""
	u, err := s.store.userByUsername(ctx, username)
	switch {
	case err == nil:
		userID = u.ID
	case !apperr.Is(err, apperr.NotFound):
		s.cfg.Logger.ErrorContext(ctx, "audit login: look up the user", "err", err)
	}
	s.auditLogin(ctx, "login.limited", userID, map[string]any{"username": username, "limit": limit}, cl)
}

// auditLogin writes an entry of a sign-in attempt that opened no session.
// Nobody is signed in, so it has no actor (actor_id lists what a user
// did, not the guesses at their account); its object is the account
// tried, user:ID, or none when no user has that username (the username
// typed is in the detail).
func (s *Service) auditLogin(ctx context.Context, action, userID string, detail map[string]any, cl Client) {
	e := audit.Entry{At: s.cfg.Now(), Action: action, Detail: detail, ClientIP: cl.IP}
	if userID != "" {
		e.Object = "user:" + userID
	}
	if err := s.store.recordAudit(ctx, e); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "audit login", "err", err)
	}
}

// openSession opens a session for u, as read with its password hash: it
// is Unauthenticated (errBadLogin) when, by the time the session is
// written, that hash is no longer the user's (a reset or a change
// committed meanwhile) or the user was disabled. The check and the insert
// are one transaction (store.createSession), so a session opened with a
// password never outlives the change of that password. device, when not
// "", is the device token to record as used by u now (new, or the
// client's own) in that transaction, and to hand back in Session.Device.
func (s *Service) openSession(ctx context.Context, u userRow, cl Client, device string) (Session, error) {
	token := ids.Secret()
	now := s.cfg.Now()
	r := sessionRow{ID: tokenHash(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
		LastSeenAt: now, ClientIP: cl.IP, UserAgent: cleanUserAgent(cl.UserAgent)}
	e := audit.Entry{At: now, ActorID: u.ID, Action: "login.succeeded", Object: "user:" + u.ID, ClientIP: cl.IP}
	var dev deviceRow
	if device != "" {
		dev = deviceRow{ID: tokenHash(device), UserID: u.ID, CreatedAt: now, LastUsedAt: now}
	}
	created, err := s.store.createSession(ctx, r, u.PasswordHash, e, dev)
	if err != nil {
		return Session{}, err
	}
	if !created {
		return Session{}, errBadLogin()
	}
	return Session{Token: token, ExpiresAt: r.ExpiresAt, User: u.user(), Device: device}, nil
}

// IssueSession opens a session for a user without a password. It is for
// trusted callers only (the demo, load tests), never exposed over HTTP.
func (s *Service) IssueSession(ctx context.Context, userID string) (Session, error) {
	u, err := s.store.userByID(ctx, userID)
	if err != nil {
		return Session{}, err
	}
	return s.openSession(ctx, u, Client{}, "")
}

// touchEvery limits how often a session's last-seen time is written: the
// idle timeout needs minutes, not a write per request.
const touchEvery = time.Minute

// touchAfter is touchEvery, or less under a short idle timeout (tests, a
// strict deployment): a session in use is written well within it.
func (s *Service) touchAfter() time.Duration { return min(touchEvery, s.cfg.IdleTimeout/4) }

// keepAliveEvery bounds how often KeepAlive should be called for a session.
const keepAliveEvery = 5 * time.Minute

// KeepAliveEvery is how often a caller that holds sessions open without
// requests (the live hub) calls KeepAlive for them: every few minutes,
// and often enough that the idle timeout never ends a session in between.
func (s *Service) KeepAliveEvery() time.Duration { return min(keepAliveEvery, s.cfg.IdleTimeout/4) }

// Authenticate resolves a session token to its actor. An unknown, expired,
// idle or disabled session is Unauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (web.Actor, error) {
	a, _, err := s.AuthenticateUntil(ctx, token)
	return a, err
}

// AuthenticateUntil is Authenticate that also tells when the session's
// lifetime ends (its ExpiresAt), for a connection that must end with it.
func (s *Service) AuthenticateUntil(ctx context.Context, token string) (web.Actor, time.Time, error) {
	if token == "" || len(token) > 128 {
		return web.Actor{}, time.Time{}, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	id := tokenHash(token)
	if e, ok := s.cache.entry(id); ok {
		return e.actor, e.expires, nil
	}
	gen := s.cache.generation()
	r, found, err := s.sessions.Load(ctx, id)
	if err != nil {
		return web.Actor{}, time.Time{}, internal(err, "load session")
	}
	now := s.cfg.Now()
	ok, touch := false, false
	if found {
		ok, touch = s.use(ctx, id, r, now)
	}
	if !ok {
		return web.Actor{}, time.Time{}, errSessionEnded()
	}
	if touch {
		s.touch(ctx, []string{id}, now)
	}
	a := web.Actor{UserID: r.UserID, Username: r.User.Username, FullName: r.User.FullName,
		IsAdmin: r.User.IsAdmin, SessionID: id}
	s.cache.put(id, a, gen, r.ExpiresAt)
	return a, r.ExpiresAt, nil
}

// use counts the session r (id) as used at now: it reports false, and
// deletes the row, when the session has expired, has been idle too long
// or its user is disabled; otherwise touch says whether its last-seen time
// is due to be written (at most once per touchAfter).
func (s *Service) use(ctx context.Context, id string, r sessionRow, now time.Time) (ok, touch bool) {
	if now.After(r.ExpiresAt) || now.Sub(r.LastSeenAt) > s.cfg.IdleTimeout || r.User.Disabled {
		_ = s.store.deleteSession(ctx, id, nil)
		return false, false
	}
	return true, now.Sub(r.LastSeenAt) > s.touchAfter()
}

// touch writes the last-seen time of the sessions ids, in one statement;
// a failure is logged, not returned: the session stays valid meanwhile.
func (s *Service) touch(ctx context.Context, ids []string, now time.Time) {
	if len(ids) == 0 {
		return
	}
	if err := s.store.touchSessions(ctx, ids, now); err != nil {
		s.cfg.Logger.WarnContext(ctx, "touch sessions", "n", len(ids), "err", err)
	}
}

// KeepAlive counts the sessions ids (actors' SessionID) as in use now, as
// a request would: a tablet following a live meeting uses its session
// although it makes no request. It returns the ids that are no longer
// valid (ended, expired, idle, user disabled, unknown), and forgets them
// here. It reads the sessions in a few queries and writes the last-seen
// time of those due (at most once per touch interval, as a request would)
// in one statement per query; on an error nothing is reported ended.
func (s *Service) KeepAlive(ctx context.Context, ids []string) ([]string, error) {
	var ended, valid []string
	for _, id := range ids {
		if sessionID(id) {
			valid = append(valid, id)
		} else {
			ended = append(ended, id)
		}
	}
	now := s.cfg.Now()
	for chunk := range slices.Chunk(valid, sessionsPerQuery) {
		rows, err := s.store.sessionsWithUsers(ctx, chunk)
		if err != nil {
			return nil, err
		}
		var due []string
		for _, id := range chunk {
			r, found := rows[id]
			ok, touch := false, false
			if found {
				ok, touch = s.use(ctx, id, r, now)
			}
			switch {
			case !ok:
				s.cache.drop(id)
				ended = append(ended, id)
			case touch:
				due = append(due, id)
			}
		}
		s.touch(ctx, due, now)
	}
	return ended, nil
}

// sessionID reports whether id has the form of a session id (tokenHash).
func sessionID(id string) bool {
	if len(id) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(id) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
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

// PurgeSessions deletes expired and idle sessions, and device tokens
// unused for DeviceTTL; the server calls it now and then. It counts the
// sessions.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.cfg.Now()
	if _, err := s.store.deleteStaleDevices(ctx, now.Add(-DeviceTTL)); err != nil {
		s.cfg.Logger.WarnContext(ctx, "purge device tokens", "err", err)
	}
	return s.store.deleteExpiredSessions(ctx, now, s.cfg.IdleTimeout)
}

// userAgentMax is the most a session stores of the User-Agent header, in bytes.
const userAgentMax = 255

// cleanUserAgent makes the User-Agent header text a database can store:
// HTTP lets a client send any byte (obs-text), so bytes that are not
// UTF-8 become U+FFFD, control characters (NUL among them) are left out,
// and it is cut to userAgentMax bytes on a character boundary.
func cleanUserAgent(ua string) string {
	if len(ua) > 4*userAgentMax {
		ua = ua[:4*userAgentMax] // bounds the work; a character cut here becomes U+FFFD below
	}
	ua = strings.ToValidUTF8(ua, "\uFFFD")
	ua = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, ua)
	return truncate(ua, userAgentMax)
}

// truncate cuts s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
