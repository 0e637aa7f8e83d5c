package account

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
)

// changes records what SessionsChanged was told.
type changes struct {
	mu   sync.Mutex
	seen []string // "user/session"
}

func (c *changes) record(_ context.Context, user, session string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, user+"/"+session)
}

func (c *changes) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

// pwFixture is a service with one user, "ana", signed in twice (this
// tablet and another).
type pwFixture struct {
	db        *database.DB
	s         *Service
	changed   *changes
	ana       User
	this      web.Actor // the session that asks
	thisToken string
	other     string // the token of the other session
}

const anaPassword = "ana's first password"

func newPWFixture(t *testing.T, cfg Config) *pwFixture {
	t.Helper()
	f := &pwFixture{db: testdb.Backends()[0].Open(t, Migration(), audit.Migration()), changed: &changes{}}
	cfg.Hash = FastHashParams()
	cfg.SessionsChanged = f.changed.record
	s, err := NewService(f.db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	ctx := context.Background()
	if f.ana, err = s.CreateUser(ctx, nil, NewUser{Username: "ana", Password: anaPassword, FullName: "Ana"}, ""); err != nil {
		t.Fatal(err)
	}
	login := func(ip string) string {
		t.Helper()
		sess, err := s.Login(ctx, Credentials{Username: "ana", Password: anaPassword}, Client{IP: ip})
		if err != nil {
			t.Fatal(err)
		}
		return sess.Token
	}
	f.thisToken, f.other = login("192.0.2.10"), login("192.0.2.11")
	if f.this, err = s.Authenticate(ctx, f.thisToken); err != nil {
		t.Fatal(err)
	}
	return f
}

// state is what a refused change must leave as it was.
func (f *pwFixture) state(t *testing.T) string {
	t.Helper()
	var hash string
	if err := f.db.Gorm.Table("users").Where("id = ?", f.ana.ID).Pluck("password_hash", &hash).Error; err != nil {
		t.Fatal(err)
	}
	var sessions, entries int64
	if err := f.db.Gorm.Table("sessions").Count(&sessions).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Gorm.Table("audit_log").Count(&entries).Error; err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal([]any{hash, sessions, entries})
	return string(b)
}

func (f *pwFixture) change(current, next string) error {
	return f.s.ChangePassword(context.Background(), f.this, PasswordChange{CurrentPassword: current, NewPassword: next},
		Client{IP: "192.0.2.10"})
}

// A user changes their own password: it works for signing in, the old one
// does not; the session that asked goes on, the user's other session ends
// (and its live connections are closed: SessionsChanged names it, and
// only it); the audit entry says what happened and holds no secret.
func TestPasswordChangeKeepsThisSessionEndsOthers(t *testing.T) {
	f := newPWFixture(t, Config{})
	ctx := context.Background()
	otherID := tokenHash(f.other)
	if err := f.change(anaPassword, "ana's second password"); err != nil {
		t.Fatalf("change: %v", err)
	}
	if _, err := f.s.Authenticate(ctx, f.thisToken); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, err := f.s.Authenticate(ctx, f.other); !apperr.Is(err, apperr.Unauthenticated) {
		t.Errorf("the user's other session still works after the change: %v", err)
	}
	if got := f.changed.list(); len(got) != 1 || got[0] != f.ana.ID+"/"+otherID {
		t.Errorf("SessionsChanged told %q, want only the other session %q", got, f.ana.ID+"/"+otherID)
	}
	if _, err := f.s.Login(ctx, Credentials{Username: "ana", Password: anaPassword}, Client{IP: "192.0.2.12"}); !apperr.Is(err, apperr.Unauthenticated) {
		t.Errorf("the old password still signs in: %v", err)
	}
	if _, err := f.s.Login(ctx, Credentials{Username: "ana", Password: "ana's second password"}, Client{IP: "192.0.2.12"}); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	var e struct {
		ActorID string
		Object  string
		Detail  string
	}
	if err := f.db.Gorm.Table("audit_log").Select("actor_id, object, detail").Where("action = ?", "user.updated").Take(&e).Error; err != nil {
		t.Fatalf("no user.updated entry: %v", err)
	}
	if e.ActorID != f.ana.ID || e.Object != "user:"+f.ana.ID || !strings.Contains(e.Detail, `"changed"`) {
		t.Errorf("audit entry %+v", e)
	}
	var details []string
	if err := f.db.Gorm.Table("audit_log").Pluck("detail", &details).Error; err != nil {
		t.Fatal(err)
	}
	for _, d := range details {
		if strings.Contains(d, "first password") || strings.Contains(d, "second password") || strings.Contains(d, "argon2") {
			t.Errorf("an audit entry holds a password or a hash: %s", d)
		}
	}
}

// A request that is refused for its input writes nothing, checks no
// password and uses up none of the user's tries: not the hash, not the
// sessions, not the audit log.
func TestPasswordChangeBadInputWritesNothing(t *testing.T) {
	f := newPWFixture(t, Config{})
	before := f.state(t)
	for _, c := range []struct {
		name, current, next string
		kind                apperr.Kind
	}{
		{"no current password", "", "a good new password", apperr.Invalid},
		{"no new password", anaPassword, "", apperr.Invalid},
		{"too short", anaPassword, "short", apperr.Invalid},
		{"too long", anaPassword, strings.Repeat("x", 257), apperr.Invalid},
		{"NUL", anaPassword, "new\x00password", apperr.Invalid},
		{"not UTF-8", anaPassword, "new\xffpassword", apperr.Invalid},
		{"line break", anaPassword, "new password\n", apperr.Invalid},
		{"tab", anaPassword, "new\tpassword", apperr.Invalid},
		{"the same", anaPassword, anaPassword, apperr.Invalid},
		{"current over 256 bytes", strings.Repeat("y", 300), "a good new password", apperr.Forbidden},
	} {
		err := f.change(c.current, c.next)
		if !apperr.Is(err, c.kind) {
			t.Errorf("%s: %v, want %s", c.name, err, c.kind)
			continue
		}
		if c.kind == apperr.Invalid && !strings.Contains(apperr.Public(err), "password") {
			t.Errorf("%s: the message does not name the field: %q", c.name, apperr.Public(err))
		}
	}
	if after := f.state(t); after != before {
		t.Errorf("refused changes wrote something: %s, was %s", after, before)
	}
	if u := f.s.limiter.users["ana"]; u != nil && u.n != 0 {
		t.Errorf("refused input used up %d of the user's tries", u.n)
	}
	if got := f.changed.list(); len(got) != 0 {
		t.Errorf("refused changes closed connections: %q", got)
	}
}

// A wrong current password is 403 and changes nothing, and it counts
// against the same per-username limit as a sign-in: a session left open
// cannot be used to guess the password. Past the limit the change, and a
// sign-in too, are 429, even with the right password.
func TestPasswordChangeWrongCurrentIsLimitedLikeSignIn(t *testing.T) {
	f := newPWFixture(t, Config{Limits: LoginLimits{PerUser: 3, PerClient: 100, Window: time.Minute}})
	ctx := context.Background()
	var hash0 string
	if err := f.db.Gorm.Table("users").Where("id = ?", f.ana.ID).Pluck("password_hash", &hash0).Error; err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		err := f.change("a wrong guess", "a good new password")
		if !apperr.Is(err, apperr.Forbidden) || apperr.Public(err) != "the current password is wrong" {
			t.Fatalf("wrong guess %d: %v, want 403 'the current password is wrong'", i+1, err)
		}
	}
	if err := f.change(anaPassword, "a good new password"); !apperr.Is(err, apperr.RateLimited) {
		t.Fatalf("a fourth try within the window: %v, want 429", err)
	}
	if _, err := f.s.Login(ctx, Credentials{Username: "ana", Password: anaPassword}, Client{IP: "198.51.100.1"}); !apperr.Is(err, apperr.RateLimited) {
		t.Fatalf("a sign-in after three wrong current passwords: %v, want 429 (the same per-username limit)", err)
	}
	var hash string
	if err := f.db.Gorm.Table("users").Where("id = ?", f.ana.ID).Pluck("password_hash", &hash).Error; err != nil {
		t.Fatal(err)
	}
	if hash != hash0 {
		t.Error("a refused change changed the password")
	}
	if _, err := f.s.Authenticate(ctx, f.other); err != nil {
		t.Errorf("a refused change ended the other session: %v", err)
	}
	var failed []string
	if err := f.db.Gorm.Table("audit_log").Where("action = ?", "login.failed").Pluck("detail", &failed).Error; err != nil {
		t.Fatal(err)
	}
	if len(failed) != 3 || !strings.Contains(failed[0], "password_change") || strings.Contains(failed[0], "wrong guess") {
		t.Errorf("login.failed entries of the wrong guesses: %q", failed)
	}
}

// A change whose current password was checked against a hash that an
// administrator's reset then replaced must not go through: the reset
// ended the session that asked, and the password the administrator set
// stays. (Two services on one database stand for two nodes.)
func TestPasswordChangeLosesToAConcurrentReset(t *testing.T) {
	f := newPWFixture(t, Config{HashConcurrency: 1})
	ctx := context.Background()
	nodeB, err := NewService(f.db, Config{Hash: FastHashParams()})
	if err != nil {
		t.Fatal(err)
	}
	root, err := nodeB.CreateUser(ctx, nil, NewUser{Username: "root", Password: "root password", FullName: "Root", IsAdmin: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	var armed atomic.Bool
	read := make(chan struct{}, 1)
	if err := f.db.Gorm.Callback().Query().After("gorm:query").Register("test:pw-user-read", func(tx *gorm.DB) {
		if armed.Load() && tx.Statement.Table == "users" {
			select {
			case read <- struct{}{}:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	f.s.hashSlots <- struct{}{} // the change waits for a slot after reading the user
	armed.Store(true)
	done := make(chan error, 1)
	go func() { done <- f.change(anaPassword, "the thief's password") }()
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the change never read the user")
	}
	armed.Store(false)
	reset := "the administrator's password"
	if _, err := nodeB.UpdateUser(ctx, web.Actor{UserID: root.ID, Username: "root", IsAdmin: true}, f.ana.ID,
		UserChanges{Password: &reset}, ""); err != nil {
		t.Fatalf("reset: %v", err)
	}
	<-f.s.hashSlots
	if err := <-done; !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("the change after the reset: %v, want 401 (its session ended)", err)
	}
	if _, err := nodeB.Login(ctx, Credentials{Username: "ana", Password: reset}, Client{IP: "192.0.2.20"}); err != nil {
		t.Fatalf("the password the administrator set does not sign in: %v", err)
	}
}

// An administrator who resets their own password (PATCH /users/{id})
// keeps the session that made the request and ends their others; the
// change is stamped with the service's clock.
func TestAdminOwnResetKeepsThisSession(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	f := newPWFixture(t, Config{Now: func() time.Time { return now }})
	ctx := context.Background()
	root, err := f.s.CreateUser(ctx, nil, NewUser{Username: "root", Password: "root password", FullName: "Root", IsAdmin: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, ip := range []string{"192.0.2.30", "192.0.2.31"} {
		sess, err := f.s.Login(ctx, Credentials{Username: "root", Password: "root password"}, Client{IP: ip})
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, sess.Token)
	}
	me, err := f.s.Authenticate(ctx, tokens[0])
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	pw := "root's new password"
	u, err := f.s.UpdateUser(ctx, me, root.ID, UserChanges{Password: &pw}, "")
	if err != nil {
		t.Fatalf("own reset: %v", err)
	}
	if !u.UpdatedAt.Equal(now) {
		t.Errorf("updated_at %v, want the service's clock %v", u.UpdatedAt, now)
	}
	if _, err := f.s.Authenticate(ctx, tokens[0]); err != nil {
		t.Errorf("the session that reset its own password ended: %v", err)
	}
	if _, err := f.s.Authenticate(ctx, tokens[1]); err == nil {
		t.Error("the administrator's other session survived the reset")
	}
	if got := f.changed.list(); len(got) != 1 || got[0] != root.ID+"/"+tokenHash(tokens[1]) {
		t.Errorf("SessionsChanged told %q, want only the other session", got)
	}
	// Someone else's reset still ends every session of theirs.
	if _, err := f.s.UpdateUser(ctx, me, f.ana.ID, UserChanges{Password: &pw}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Authenticate(ctx, f.thisToken); err == nil {
		t.Error("a reset by an administrator left one of the user's sessions")
	}
}

// Two administrators who disable or demote each other, the second
// authenticated before the first change committed: the second change is
// refused (409, naming the last administrator), and an administrator who
// lost the right meanwhile cannot change anyone (403).
func TestLastAdministratorStays(t *testing.T) {
	f := newPWFixture(t, Config{})
	ctx := context.Background()
	yes, no := true, false
	for _, c := range []struct {
		name string
		ch   UserChanges
	}{{"disable", UserChanges{Disabled: &yes}}, {"demote", UserChanges{IsAdmin: &no}}} {
		t.Run(c.name, func(t *testing.T) {
			a, err := f.s.CreateUser(ctx, nil, NewUser{Username: c.name + ".a", Password: "password of a", FullName: "A", IsAdmin: true}, "")
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.s.CreateUser(ctx, nil, NewUser{Username: c.name + ".b", Password: "password of b", FullName: "B", IsAdmin: true}, "")
			if err != nil {
				t.Fatal(err)
			}
			// Only these two are administrators in this subtest.
			if err := f.db.Gorm.Table("users").Where("is_admin = ? AND id NOT IN ?", true, []string{a.ID, b.ID}).
				Update("is_admin", false).Error; err != nil {
				t.Fatal(err)
			}
			actorA := web.Actor{UserID: a.ID, Username: a.Username, IsAdmin: true}
			actorB := web.Actor{UserID: b.ID, Username: b.Username, IsAdmin: true}
			if _, err := f.s.UpdateUser(ctx, actorA, b.ID, c.ch, ""); err != nil {
				t.Fatalf("A changes B: %v", err)
			}
			_, err = f.s.UpdateUser(ctx, actorB, a.ID, c.ch, "")
			if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.Public(err), "last enabled administrator") {
				t.Fatalf("B changes A, the last administrator: %v, want 409", err)
			}
			name := "Renamed"
			if _, err := f.s.UpdateUser(ctx, actorB, f.ana.ID, UserChanges{FullName: &name}, ""); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("B, no longer an enabled administrator, renames a user: %v, want 403", err)
			}
			if n, err := f.s.store.countAdmins(ctx); err != nil || n != 1 {
				t.Fatalf("%d enabled administrators (%v), want 1", n, err)
			}
		})
	}
}
