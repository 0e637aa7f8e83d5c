package account

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/testdb"
)

// countStatements counts, while armed, every statement db is asked to run
// (queries, raw reads, inserts, updates, deletes), before it runs.
func countStatements(t *testing.T, db *gorm.DB, armed *atomic.Bool) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(*gorm.DB) {
		if armed.Load() {
			n.Add(1)
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Query().Before("gorm:query").Register("limit_order:query", count),
		cb.Row().Before("gorm:row").Register("limit_order:row", count),
		cb.Raw().Before("gorm:raw").Register("limit_order:raw", count),
		cb.Create().Before("gorm:create").Register("limit_order:create", count),
		cb.Update().Before("gorm:update").Register("limit_order:update", count),
		cb.Delete().Before("gorm:delete").Register("limit_order:delete", count),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &n
}

// An address that has used up its sign-in attempts is refused before
// anything is looked up: a client flooding the sign-in with device
// cookies (made up, or a real one) once cost a database read of the
// device token per request even after its address was over the limit.
// The refusal is the same 429 with a Retry-After; only the first refusal
// of the window is audited (and so reads the database), as before.
func TestLoginSpentAddressRefusedBeforeDeviceLookup(t *testing.T) {
	const perClient = 4
	db := testdb.Backends()[0].Open(t, Migration(), audit.Migration())
	s := reviewService(t, db, Config{Limits: LoginLimits{PerUser: 3, PerClient: perClient, Window: time.Minute}})
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, nil, NewUser{Username: "holder", Password: "the right password", FullName: "Holder"}, ""); err != nil {
		t.Fatal(err)
	}
	const ip = "192.0.2.40"
	right := Credentials{Username: "holder", Password: "the right password"}
	sess, err := s.Login(ctx, right, Client{IP: ip}) // 1 attempt of the address's 4
	if err != nil || sess.Device == "" {
		t.Fatalf("first sign-in: %v (device token %q)", err, sess.Device)
	}
	for i := range perClient - 1 {
		if _, err := s.Login(ctx, Credentials{Username: "somebody", Password: "a wrong guess"}, Client{IP: ip}); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("guess %d: %v, want a wrong-password answer", i+1, err)
		}
	}
	// The first refusal of the window is audited (and looks the user up).
	if _, err := s.Login(ctx, right, Client{IP: ip}); !apperr.Is(err, apperr.RateLimited) {
		t.Fatalf("attempt %d from the address: %v, want 429", perClient+1, err)
	}

	var armed atomic.Bool
	statements := countStatements(t, db.Gorm, &armed)
	armed.Store(true)
	for _, c := range []struct{ name, device string }{
		{"the user's own device cookie", sess.Device},
		{"a made-up device cookie", ids.Secret()},
		{"another made-up device cookie", ids.Secret()},
	} {
		before := statements.Load()
		_, err := s.Login(ctx, right, Client{IP: ip, Device: c.device})
		var ae *apperr.Error
		if !apperr.Is(err, apperr.RateLimited) || !errors.As(err, &ae) || ae.RetryAfter <= 0 {
			t.Fatalf("with %s from the spent address: %v, want 429 with a Retry-After", c.name, err)
		}
		if n := statements.Load() - before; n != 0 {
			t.Errorf("with %s from the spent address: %d database statements (the device lookup among them), want none", c.name, n)
		}
	}
	armed.Store(false)

	// Another address is not refused: the holder's device still counts in
	// its own window.
	if _, err := s.Login(ctx, right, Client{IP: "192.0.2.41", Device: sess.Device}); err != nil {
		t.Fatalf("the holder from another address with the device cookie: %v", err)
	}
}

// The early refusal of a spent address (spentClient) answers as the
// limiter's count (allowDevice) would: the same limit named, the same
// wait, the same first refusal of a window; and it refuses nothing while
// the address has attempts left.
func TestSpentClientAnswersAsAllowDevice(t *testing.T) {
	const ip, other, another = "192.0.2.50", "192.0.2.51", "192.0.2.52"
	fill := func(l *loginLimiter) { // the address's 3 attempts, by strangers
		for _, u := range []string{"x1", "x2", "x3"} {
			if _, _, ok, _, _ := l.allowDevice(u, ip, ""); !ok {
				t.Fatalf("filling the address: %s refused", u)
			}
		}
	}
	for _, c := range []struct {
		name    string
		setUp   func(l *loginLimiter)
		device  string
		spent   bool
		limited string
	}{
		{"address with attempts left", func(l *loginLimiter) {
			l.allowDevice("x1", ip, "")
			l.allowDevice("victim", other, "")
			l.allowDevice("victim", other, "")
		}, "", false, ""},
		{"no device", fill, "", true, "client_address"},
		{"no device, username full", func(l *loginLimiter) {
			l.allowDevice("victim", other, "")
			l.allowDevice("victim", other, "")
			fill(l)
		}, "", true, "username"},
		{"device with attempts left, username full", func(l *loginLimiter) {
			l.allowDevice("victim", other, "dev")
			l.allowDevice("victim", other, "")
			l.allowDevice("victim", other, "")
			fill(l)
		}, "dev", true, "client_address"},
		{"device spent, username full", func(l *loginLimiter) {
			l.allowDevice("victim", other, "dev")
			l.allowDevice("victim", other, "dev")
			l.allowDevice("victim", another, "") // other's 3rd and 4th would be refused by its own limit
			l.allowDevice("victim", another, "")
			fill(l)
		}, "dev", true, "username"},
		{"device spent, username has attempts left", func(l *loginLimiter) {
			l.allowDevice("victim", other, "dev")
			l.allowDevice("victim", other, "dev")
			fill(l)
		}, "dev", true, "client_address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
			now := t0
			clock := func() time.Time { return now }
			lims := LoginLimits{PerUser: 2, PerClient: 3, Window: time.Minute}
			early, counted := newLoginLimiter(lims, clock), newLoginLimiter(lims, clock)
			c.setUp(early)
			c.setUp(counted)
			now = t0.Add(10 * time.Second)
			for i := range 2 { // the first refusal of a window, then a later one
				wait, ok, first, limit := early.spentClient("victim", ip, c.device)
				if ok == c.spent {
					t.Fatalf("refusal %d: spentClient ok=%v, want %v", i+1, ok, !c.spent)
				}
				if !c.spent {
					return
				}
				_, cwait, cok, cfirst, climit := counted.allowDevice("victim", ip, c.device)
				if cok || wait != cwait || first != cfirst || limit != climit || limit != c.limited {
					t.Fatalf("refusal %d: spentClient (wait %v, first %v, limit %q), allowDevice (ok %v, wait %v, first %v, limit %q), want limit %q",
						i+1, wait, first, limit, cok, cwait, cfirst, climit, c.limited)
				}
			}
		})
	}
}
