package account

import (
	"context"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/testdb"
)

// A request that arrives while a logout is under way (after the cache drop,
// before the session row is deleted) may be answered, but must not put the
// session back in the cache: once Logout has returned, the token is refused.
func TestLogoutRacingARequestDoesNotRecacheTheSession(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		db := b.Open(t, Migration(), audit.Migration())
		s, err := NewService(db, Config{Hash: FastHashParams(), CacheTTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, nil, NewUser{Username: "racer", Password: "long enough secret", FullName: "Racer"}, "")
		if err != nil {
			t.Fatal(err)
		}
		sess, err := s.IssueSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Authenticate(ctx, sess.Token)
		if err != nil {
			t.Fatal(err)
		}

		// Hold a lock that makes the logout's DELETE wait, but not a read.
		lock := db.Gorm.Begin()
		if lock.Error != nil {
			t.Fatal(lock.Error)
		}
		q := "UPDATE users SET full_name = full_name WHERE id = ?" // SQLite: takes the one write lock
		if b.Name == "postgres" {
			q = "SELECT id FROM sessions WHERE id = ? FOR UPDATE"
			if err := lock.Exec(q, a.SessionID).Error; err != nil {
				t.Fatal(err)
			}
		} else if err := lock.Exec(q, u.ID).Error; err != nil {
			t.Fatal(err)
		}
		released := false
		defer func() {
			if !released {
				lock.Rollback()
			}
		}()

		gen := s.cache.generation()
		done := make(chan error, 1)
		go func() { done <- s.Logout(ctx, a, Client{}) }()
		for deadline := time.Now().Add(5 * time.Second); s.cache.generation() == gen; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("Logout did not reach its cache drop")
			}
		}
		time.Sleep(50 * time.Millisecond) // Logout now waits on the lock for its DELETE

		// A request in the middle of the logout: the row is still there.
		_, _ = s.Authenticate(ctx, sess.Token)

		if err := lock.Commit().Error; err != nil {
			t.Fatal(err)
		}
		released = true
		if err := <-done; err != nil {
			t.Fatalf("Logout: %v", err)
		}

		if _, err := s.Authenticate(ctx, sess.Token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("after Logout returned, the token still authenticates (err %v): the racing read re-cached it", err)
		}
	})
}
