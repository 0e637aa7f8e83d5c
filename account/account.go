// Package account owns users and their sessions: passwords, login with rate
// limits, opaque session tokens, and the admin's user management.
package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"regexp"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/batch"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
)

// User is a person who can sign in.
type User struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	FullName  string    `json:"full_name"`
	IsAdmin   bool      `json:"is_admin"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Config sets the account rules.
type Config struct {
	SessionTTL  time.Duration // absolute lifetime of a session; default 12h
	IdleTimeout time.Duration // a session unused this long ends; default 2h
	Hash        HashParams    // zero means DefaultHashParams
	// HashConcurrency bounds the password hashes computed at once (each
	// argon2id hash holds Hash.MemoryKiB, 19 MiB by default); default the
	// number of CPUs, at least 2.
	HashConcurrency int
	Limits          LoginLimits
	// CacheTTL is how long a resolved session is reused without reading
	// the database (default 2 s; negative: never). It bounds how long
	// another node may still accept a session ended elsewhere.
	CacheTTL time.Duration
	// SessionsChanged, when set, is told after a change commits that what
	// a user's sessions may do changed: session names one session that
	// ended (a logout, or one of the others that a user's change of their
	// own password ended), or is "" for every session of the user
	// (disabled, password reset: they ended; administrator right granted
	// or taken away). The live hub closes the connections opened with them.
	SessionsChanged func(ctx context.Context, userID, session string)
	Logger          *slog.Logger
	Now             func() time.Time
}

// Service implements the account rules for REST, CLI and the live hub.
type Service struct {
	store   *store
	cfg     Config
	limiter *loginLimiter
	cache   *sessionCache
	// sessions reads the sessions Authenticate does not find in the
	// cache; concurrent first requests share queries.
	sessions *batch.Loader[string, sessionRow]
	dummy    string // a hash to check against when the user is unknown, so timing does not tell
	// hashSlots holds one token per password hash being computed.
	hashSlots chan struct{}
}

// NewService returns a Service on db.
func NewService(db *database.DB, cfg Config) (*Service, error) {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Hour
	}
	if cfg.Hash == (HashParams{}) {
		cfg.Hash = DefaultHashParams()
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionsChanged == nil {
		cfg.SessionsChanged = func(context.Context, string, string) {}
	}
	dummy, err := hashPassword(ids.Secret(), cfg.Hash)
	if err != nil {
		return nil, err
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 2 * time.Second
	}
	if cfg.HashConcurrency <= 0 {
		cfg.HashConcurrency = max(2, runtime.GOMAXPROCS(0))
	}
	st := &store{db: db.Gorm}
	return &Service{store: st, cfg: cfg, limiter: newLoginLimiter(cfg.Limits, cfg.Now),
		cache:    newSessionCache(cfg.CacheTTL, 100_000, cfg.Now),
		sessions: &batch.Loader[string, sessionRow]{Fetch: st.sessionsWithUsers, Max: sessionsPerQuery},
		dummy:    dummy, hashSlots: make(chan struct{}, cfg.HashConcurrency)}, nil
}

// NewUser is the input for CreateUser.
type NewUser struct {
	Username string `json:"username"`
	Password string `json:"password"`
	FullName string `json:"full_name"`
	IsAdmin  bool   `json:"is_admin"`
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// normalizeUsername lowercases and trims, so "An.Nguyen " and "an.nguyen" are one user.
func normalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (n *NewUser) validate() error {
	if err := n.CheckNames(); err != nil {
		return err
	}
	return ValidatePassword("password", n.Password)
}

// CheckNames normalises and checks the username and the full name, so
// that `curia user add` refuses a bad one before asking for a password.
func (n *NewUser) CheckNames() error {
	n.Username = normalizeUsername(n.Username)
	n.FullName = strings.TrimSpace(n.FullName)
	if !usernamePattern.MatchString(n.Username) {
		return apperr.Invalidf("username: 2 to 64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	return validateFullName(n.FullName)
}

// ValidatePassword checks a password being set (field names it in the
// message). It must be one that POST /auth/login can carry: text (UTF-8)
// without NUL or other control characters; `curia user add` reads it
// byte for byte, so this is checked here, for every way in.
func ValidatePassword(field, p string) error {
	if !utf8.ValidString(p) || strings.ContainsFunc(p, unicode.IsControl) {
		return apperr.Invalidf("%s: use text only: no NUL or other control characters (tab, line break …) "+
			"and no bytes that are not UTF-8", field)
	}
	if n := utf8.RuneCountInString(p); n < 8 || len(p) > 256 {
		return apperr.Invalidf("%s: at least 8 characters and at most 256 bytes", field)
	}
	return nil
}

func validateFullName(s string) error {
	if s == "" || utf8.RuneCountInString(s) > 200 || !utf8.ValidString(s) {
		return apperr.Invalidf("full_name: 1 to 200 characters")
	}
	// Names are printed on watermarks, minutes and exports: one line,
	// drawn as typed.
	if strings.ContainsFunc(s, offLine) {
		return apperr.Invalidf("full_name must be a single line without control characters, " +
			"line or paragraph separators, or text-direction controls")
	}
	return nil
}

// offLine reports whether r has no place in a one-line name: a control
// character (DEL included), a line or paragraph separator (U+2028,
// U+2029), or a bidi control (the embeddings and overrides U+202A–U+202E,
// the isolates U+2066–U+2069, and the marks U+200E, U+200F, U+061C),
// which would change how the rest of the line, or the text after the name
// (a watermark, a row of the minutes), is drawn. web.SafeFileName leaves
// out the same runes.
func offLine(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) || unicode.Is(unicode.Bidi_Control, r)
}

// CreateUser adds a user. Only an admin may do so; actor nil means the
// system itself (CLI, first start).
func (s *Service) CreateUser(ctx context.Context, actor *web.Actor, in NewUser, ip string) (User, error) {
	if actor != nil && !actor.IsAdmin {
		return User{}, apperr.Forbiddenf("only an administrator can create users")
	}
	if err := in.validate(); err != nil {
		return User{}, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.cfg.Now()
	r := userRow{ID: ids.New(), Username: in.Username, FullName: in.FullName, PasswordHash: hash,
		IsAdmin: in.IsAdmin, CreatedAt: now, UpdatedAt: now}
	e := audit.Entry{At: now, ActorID: actorID(actor), Action: "user.created", Object: "user:" + r.ID,
		Detail: map[string]any{"username": r.Username, "is_admin": r.IsAdmin}, ClientIP: ip}
	if err := s.store.createUser(ctx, r, e); err != nil {
		return User{}, err
	}
	return r.user(), nil
}

// UserChanges is the input for UpdateUser; nil fields stay as they are.
type UserChanges struct {
	FullName *string `json:"full_name"`
	Password *string `json:"password"`
	IsAdmin  *bool   `json:"is_admin"`
	Disabled *bool   `json:"disabled"`
}

// UpdateUser changes a user. Disabling a user or resetting their password
// ends all their sessions; an administrator who resets their own password
// keeps the session that asks and ends their others. The last enabled
// administrator cannot be disabled or lose the right (409), and the actor
// must still be an enabled administrator when the change is made.
func (s *Service) UpdateUser(ctx context.Context, actor web.Actor, id string, ch UserChanges, ip string) (User, error) {
	if !actor.IsAdmin {
		return User{}, apperr.Forbiddenf("only an administrator can change users")
	}
	fields := map[string]any{}
	detail := map[string]any{}
	endSessions, removesAdmin := false, false
	if ch.FullName != nil {
		name := strings.TrimSpace(*ch.FullName)
		if err := validateFullName(name); err != nil {
			return User{}, err
		}
		fields["full_name"], detail["full_name"] = name, name
	}
	if ch.Password != nil {
		if err := ValidatePassword("password", *ch.Password); err != nil {
			return User{}, err
		}
	}
	if ch.IsAdmin != nil {
		if id == actor.UserID && !*ch.IsAdmin {
			return User{}, apperr.Conflictf("you cannot remove your own administrator right")
		}
		fields["is_admin"], detail["is_admin"] = *ch.IsAdmin, *ch.IsAdmin
		removesAdmin = !*ch.IsAdmin
	}
	if ch.Disabled != nil {
		if id == actor.UserID && *ch.Disabled {
			return User{}, apperr.Conflictf("you cannot disable yourself")
		}
		fields["disabled"], detail["disabled"] = *ch.Disabled, *ch.Disabled
		endSessions = *ch.Disabled
		removesAdmin = removesAdmin || *ch.Disabled
	}
	if len(fields) == 0 && ch.Password == nil {
		return User{}, apperr.Invalidf("nothing to change: give full_name, password, is_admin or disabled")
	}
	if ch.Password != nil { // last: the hash is the slow part, and waits for a slot
		hash, err := s.hash(ctx, *ch.Password)
		if err != nil {
			return User{}, err
		}
		fields["password_hash"], detail["password"], endSessions = hash, "reset", true
	}
	keep := ""
	if id == actor.UserID {
		keep = actor.SessionID // an administrator's own reset: this session stays
	}
	now := s.cfg.Now()
	fields["updated_at"] = now
	e := audit.Entry{At: now, ActorID: actor.UserID, Action: "user.updated", Object: "user:" + id, Detail: detail, ClientIP: ip}
	r, ended, err := s.store.updateUser(ctx, id, userChange{fields: fields, actorID: actor.UserID,
		removesAdmin: removesAdmin, endSessions: endSessions, keep: keep}, e)
	s.cache.dropUser(id) // name, admin right or sessions changed
	if err != nil {
		return User{}, err
	}
	switch {
	case ch.IsAdmin != nil || endSessions && keep == "":
		s.cfg.SessionsChanged(ctx, id, "")
	case endSessions:
		s.otherSessionsEnded(ctx, id, ended)
	}
	return r.user(), nil
}

// ListUsers returns every user; any signed-in user may list them (a
// secretary picks participants from this list).
func (s *Service) ListUsers(ctx context.Context, _ web.Actor) ([]User, error) {
	rows, err := s.store.listUsers(ctx)
	return users(rows), err
}

// User returns one user by id.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	r, err := s.store.userByID(ctx, id)
	return r.user(), err
}

// UserByUsername returns one user by login name (as typed: it is
// normalised as at sign-in).
func (s *Service) UserByUsername(ctx context.Context, username string) (User, error) {
	r, err := s.store.userByUsername(ctx, normalizeUsername(username))
	return r.user(), err
}

// UsersByIDs returns the users with these ids, ordered by name.
func (s *Service) UsersByIDs(ctx context.Context, ids []string) ([]User, error) {
	rows, err := s.store.usersByIDs(ctx, ids)
	return users(rows), err
}

// SetPassword sets a user's password from the server's command line
// (`curia user passwd`), for an administrator who forgot theirs: whoever
// can run it holds the database already, so there is no actor to check.
// Every session of the user ends, as with an administrator's reset: a
// running server refuses them within CacheTTL, and ends their live
// connections at its next session check.
func (s *Service) SetPassword(ctx context.Context, username, password string) (User, error) {
	if err := ValidatePassword("password", password); err != nil {
		return User{}, err
	}
	r, err := s.store.userByUsername(ctx, normalizeUsername(username))
	if err != nil {
		return User{}, err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return User{}, err
	}
	now := s.cfg.Now()
	e := audit.Entry{At: now, Action: "user.updated", Object: "user:" + r.ID,
		Detail: map[string]any{"password": "reset", "by": "command line"}}
	u, _, err := s.store.updateUser(ctx, r.ID, userChange{fields: map[string]any{"password_hash": hash, "updated_at": now},
		operator: true, endSessions: true}, e)
	s.cache.dropUser(r.ID)
	if err != nil {
		return User{}, err
	}
	s.cfg.SessionsChanged(ctx, r.ID, "")
	return u.user(), nil
}

// EnsureAdmin creates the user "admin" with password when no enabled
// administrator exists yet. It reports whether it created one.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (bool, error) {
	n, err := s.store.countAdmins(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	_, err = s.CreateUser(ctx, nil, NewUser{Username: "admin", Password: password, FullName: "Administrator", IsAdmin: true}, "")
	if apperr.Is(err, apperr.Conflict) {
		// Another node starting at the same moment (docker compose up
		// starts them together) may have made "admin" between the count
		// and the insert: that is what was asked for, not a failure.
		r, rerr := s.store.userByUsername(ctx, "admin")
		if rerr == nil && r.IsAdmin && !r.Disabled {
			return false, nil
		}
		if rerr != nil && !apperr.Is(rerr, apperr.NotFound) {
			return false, rerr
		}
		return false, apperr.Conflictf("a user named admin exists but is not an enabled administrator")
	}
	return err == nil, err
}

func users(rows []userRow) []User {
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out
}

func actorID(a *web.Actor) string {
	if a == nil {
		return ""
	}
	return a.UserID
}

// tokenHash is how a session token is stored and looked up.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
