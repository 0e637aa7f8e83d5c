package account

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/testdb"
)

// Two nodes started together with CURIA_ADMIN_PASSWORD (docker compose
// up) both count no administrator and both insert "admin": the one that
// loses the insert must start too, since what it was asked for exists.
// Here "the other node" inserts admin in a transaction that commits only
// once EnsureAdmin has counted and is waiting to insert.
func TestEnsureAdminRacingAnotherNode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		for _, tc := range []struct {
			name     string
			disabled bool
		}{{"enabled", false}, {"disabled", true}} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				db := b.Open(t, Migration(), audit.Migration())
				s, err := NewService(db, Config{Hash: FastHashParams()})
				if err != nil {
					t.Fatal(err)
				}
				other := db.Gorm.Begin()
				if other.Error != nil {
					t.Fatal(other.Error)
				}
				now := time.Now().UTC()
				row := userRow{ID: ids.New(), Username: "admin", FullName: "Administrator", PasswordHash: "x",
					IsAdmin: true, Disabled: tc.disabled, CreatedAt: now, UpdatedAt: now}
				if err := other.Create(&row).Error; err != nil {
					other.Rollback()
					t.Fatal(err)
				}
				type result struct {
					created bool
					err     error
				}
				done := make(chan result, 1)
				go func() {
					created, err := s.EnsureAdmin(ctx, "first admin pw")
					done <- result{created, err}
				}()
				time.Sleep(300 * time.Millisecond) // EnsureAdmin counts none, then waits to insert
				if err := other.Commit().Error; err != nil {
					t.Fatal(err)
				}
				r := <-done
				switch {
				case tc.disabled && !apperr.Is(r.err, apperr.Conflict):
					t.Fatalf("a disabled admin exists: created %v, err %v; want a conflict", r.created, r.err)
				case !tc.disabled && (r.err != nil || r.created):
					t.Fatalf("another node made admin first: created %v, err %v; want false, nil", r.created, r.err)
				}
			})
		}
	})
}

// Several callers at once: exactly one creates admin, none fails.
func TestEnsureAdminConcurrently(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		db := b.Open(t, Migration(), audit.Migration())
		var created [4]bool
		var errs [4]error
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range created {
			s, err := NewService(db, Config{Hash: FastHashParams()})
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				<-start
				created[i], errs[i] = s.EnsureAdmin(ctx, "first admin pw")
			})
		}
		close(start)
		wg.Wait()
		n := 0
		for i := range created {
			if errs[i] != nil {
				t.Errorf("caller %d: %v", i+1, errs[i])
			}
			if created[i] {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d callers created admin; want exactly 1", n)
		}
	})
}
