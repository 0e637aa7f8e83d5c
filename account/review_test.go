package account

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
)

func reviewService(t *testing.T, db *database.DB, cfg Config) *Service {
	t.Helper()
	cfg.Hash = FastHashParams()
	s, err := NewService(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A sign-in with the old password that is under way when an administrator
// resets the password (it read the user's old hash, and waits for a hash
// slot or is computing the hash) must not open a session that outlives
// the reset: "resetting a password ends their sessions" is what the
// administrator relies on when a password has leaked. Two services on one
// database stand for two nodes (or for one node whose hash slots are busy).
func TestReviewAccountLoginRacingPasswordResetSurvivesIt(t *testing.T) {
	db := testdb.Backends()[0].Open(t, Migration(), audit.Migration())
	nodeA := reviewService(t, db, Config{HashConcurrency: 1})
	nodeB := reviewService(t, db, Config{})
	ctx := context.Background()
	root, err := nodeB.CreateUser(ctx, nil, NewUser{Username: "root", Password: "root password", FullName: "Root", IsAdmin: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	victim, err := nodeB.CreateUser(ctx, nil, NewUser{Username: "victim", Password: "leaked password", FullName: "Victim"}, "")
	if err != nil {
		t.Fatal(err)
	}

	// Tell when the sign-in has read the user (and so its old hash).
	var armed atomic.Bool
	read := make(chan struct{}, 1)
	if err := db.Gorm.Callback().Query().After("gorm:query").Register("review:user-read", func(tx *gorm.DB) {
		if armed.Load() && tx.Statement.Table == "users" {
			select {
			case read <- struct{}{}:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	nodeA.hashSlots <- struct{}{} // node A is busy hashing: the sign-in waits after reading the user
	armed.Store(true)
	type result struct {
		s   Session
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := nodeA.Login(ctx, Credentials{Username: "victim", Password: "leaked password"}, Client{IP: "192.0.2.7"})
		done <- result{s, err}
	}()
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the sign-in never read the user")
	}
	armed.Store(false)

	fresh := "a brand new password"
	admin := web.Actor{UserID: root.ID, Username: "root", IsAdmin: true}
	if _, err := nodeB.UpdateUser(ctx, admin, victim.ID, UserChanges{Password: &fresh}, ""); err != nil {
		t.Fatalf("reset: %v", err)
	}
	<-nodeA.hashSlots // the hash slot comes free; the sign-in goes on with the hash it read
	r := <-done
	if r.err != nil {
		return // refused: the reset won
	}
	if a, err := nodeB.Authenticate(ctx, r.s.Token); err == nil {
		t.Fatalf("a session opened with the old password after the reset committed still works (user %s): "+
			"the reset did not end every session of the old password", a.Username)
	}
}

// There is always an enabled administrator: an administrator cannot
// disable or demote themselves, but two administrators who disable (or
// demote) each other at the same moment leave none. The second request
// was authenticated before the first committed (in flight, or cached on
// another node for up to CacheTTL); the rule must hold in the
// transaction, not only in the actor's snapshot.
func TestReviewAccountTwoAdminsDisablingEachOtherLeaveNoAdmin(t *testing.T) {
	db := testdb.Backends()[0].Open(t, Migration(), audit.Migration())
	s := reviewService(t, db, Config{})
	ctx := context.Background()
	a, err := s.CreateUser(ctx, nil, NewUser{Username: "admin.a", Password: "password of a", FullName: "A", IsAdmin: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateUser(ctx, nil, NewUser{Username: "admin.b", Password: "password of b", FullName: "B", IsAdmin: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	actorA := web.Actor{UserID: a.ID, Username: "admin.a", IsAdmin: true}
	actorB := web.Actor{UserID: b.ID, Username: "admin.b", IsAdmin: true} // authenticated before A's change commits
	yes := true
	if _, err := s.UpdateUser(ctx, actorA, b.ID, UserChanges{Disabled: &yes}, ""); err != nil {
		t.Fatalf("A disables B: %v", err)
	}
	_, err = s.UpdateUser(ctx, actorB, a.ID, UserChanges{Disabled: &yes}, "")
	n, cerr := s.store.countAdmins(ctx)
	if cerr != nil {
		t.Fatal(cerr)
	}
	if n == 0 {
		t.Fatalf("no enabled administrator is left (second change: %v); nobody can manage users any more", err)
	}
}

// A password the API could never carry (a NUL character, bytes that are
// not UTF-8) must be refused when it is set, not accepted and then found
// unusable at sign-in: `curia user add` reads the password from standard
// input, byte for byte, and POST /auth/login refuses such text with 400.
func TestReviewAccountUnusablePasswordIsRefused(t *testing.T) {
	db := testdb.Backends()[0].Open(t, Migration(), audit.Migration())
	s := reviewService(t, db, Config{})
	ctx := context.Background()
	for name, pw := range map[string]string{
		"NUL":       "secret\x00password",
		"not UTF-8": "secret\xff\xfepassword",
	} {
		t.Run(name, func(t *testing.T) {
			user := "user." + strings.ReplaceAll(strings.ToLower(name), " ", "")
			user = strings.ReplaceAll(user, "-", "")
			_, err := s.CreateUser(ctx, nil, NewUser{Username: user, Password: pw, FullName: "U"}, "")
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("created a user whose password cannot be sent to POST /auth/login: %v", err)
			}
		})
	}
}

// What a session stores about the client must be text a database can
// hold: the User-Agent is cut at 255 bytes, which splits a multi-byte
// character (PostgreSQL then refuses the row, and the sign-in is a 500).
func TestReviewAccountUserAgentCutInsideACharacter(t *testing.T) {
	db := testdb.Backends()[0].Open(t, Migration(), audit.Migration())
	s := reviewService(t, db, Config{})
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, nil, NewUser{Username: "ua.user", Password: "long enough", FullName: "UA"}, ""); err != nil {
		t.Fatal(err)
	}
	ua := "Mozilla/5.0 " + strings.Repeat("é", 200) // 412 bytes; byte 255 is inside an "é"
	if _, err := s.Login(ctx, Credentials{Username: "ua.user", Password: "long enough"}, Client{IP: "192.0.2.9", UserAgent: ua}); err != nil {
		t.Fatalf("login: %v", err)
	}
	var stored []string
	if err := db.Gorm.Table("sessions").Pluck("user_agent", &stored).Error; err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || !utf8.ValidString(stored[0]) {
		t.Fatalf("the session's user agent is stored as bytes that are not UTF-8: %q", stored)
	}
}

// An attempt given back (unchecked: it waited for a hash slot and its
// caller gave up) must be given back to the window that counted it. One
// counted in the previous window, given back in the next, lowers the new
// window's count: a guesser who keeps the hash slots busy and lets queued
// attempts lapse at each window's start gets more than PerUser guesses
// per window.
func TestReviewAccountGivenBackAttemptFreesANewWindow(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	l := newLoginLimiter(LoginLimits{PerUser: 3, PerClient: 100, Window: time.Minute}, func() time.Time { return now })
	if _, ok, _, _ := l.allow("victim", "192.0.2.1"); !ok { // counted in window 1; it waits for a hash slot
		t.Fatal("first attempt refused")
	}
	now = now.Add(time.Minute) // window 2
	for i := range 3 {
		if _, ok, _, _ := l.allow("victim", "192.0.2.2"); !ok {
			t.Fatalf("attempt %d of window 2 refused", i+1)
		}
	}
	l.unchecked("victim", "192.0.2.1") // window 1's attempt gives up now
	if _, ok, _, _ := l.allow("victim", "192.0.2.3"); ok {
		t.Fatal("a fourth guess at one username in one window was let through (PerUser is 3): " +
			"an attempt of the previous window was given back to this one")
	}
}
