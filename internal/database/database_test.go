package database_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/testdb"
)

type counter struct {
	ID string `gorm:"primaryKey;size:32"`
	N  int    `gorm:"not null"`
}

type mark struct {
	ID     int64  `gorm:"primaryKey;autoIncrement"`
	Writer string `gorm:"size:32;not null;uniqueIndex"`
}

func step() database.Step {
	return database.Step{Name: "test", Run: func(tx *gorm.DB) error { return tx.AutoMigrate(&counter{}, &mark{}) }}
}

// Fifty writers doing read-then-write transactions at once must all
// succeed: no "database is locked", no lost update.
func TestConcurrentWriters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, step())
		ctx := context.Background()
		if err := db.Gorm.Create(&counter{ID: "c", N: 0}).Error; err != nil {
			t.Fatal(err)
		}
		const writers = 50
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Go(func() {
				errs <- db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					var c counter
					// SQLite's BEGIN IMMEDIATE already serialises; PostgreSQL needs the row lock.
					if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&c, "id = ?", "c").Error; err != nil {
						return err
					}
					if err := tx.Model(&c).Update("n", c.N+1).Error; err != nil {
						return err
					}
					return tx.Create(&mark{Writer: fmt.Sprint("w", i)}).Error
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("writer failed: %v", err)
			}
		}
		var c counter
		db.Gorm.Take(&c, "id = ?", "c")
		if c.N != writers {
			t.Fatalf("counter = %d, want %d (lost updates)", c.N, writers)
		}
	})
}

func TestUniqueViolationIsTranslated(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, step())
		if err := db.Gorm.Create(&mark{Writer: "x"}).Error; err != nil {
			t.Fatal(err)
		}
		err := db.Gorm.Create(&mark{Writer: "x"}).Error
		if !database.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: %v is not a unique violation", err)
		}
	})
}

// Migrations are safe on every start and from several nodes at once.
func TestMigrateTwiceAndConcurrently(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		u, dir := b.URL(t)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				db, err := database.Open(ctx, database.Options{URL: u, DataDir: dir})
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				if err := db.Migrate(ctx, step()); err != nil {
					errs <- err
					return
				}
				errs <- db.Migrate(ctx, step())
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("migrate: %v", err)
			}
		}
	})
}

func TestPoolSize(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		u, dir := b.URL(t)
		// The connections held for good (the vote writer's, PostgreSQL's
		// LISTEN) come on top of those for requests.
		held := map[string]int{"sqlite": 1, "postgres": 2}[b.Name]
		for _, tc := range []struct{ asked, want int }{{0, map[string]int{"sqlite": 8, "postgres": 10}[b.Name] + held}, {3, 3 + held}} {
			db, err := database.Open(context.Background(), database.Options{URL: u, DataDir: dir, MaxConns: tc.asked})
			if err != nil {
				t.Fatal(err)
			}
			sqlDB, _ := db.Gorm.DB()
			if got := sqlDB.Stats().MaxOpenConnections; got != tc.want {
				t.Errorf("MaxConns %d: pool of %d, want %d", tc.asked, got, tc.want)
			}
			db.Close()
		}
	})
}

func TestOpenRefusesUnknownURL(t *testing.T) {
	_, err := database.Open(context.Background(), database.Options{URL: "mysql://x"})
	if err == nil {
		t.Fatal("mysql URL accepted")
	}
}

// Every pooled SQLite connection runs with the pragmas of sqliteDSN; here
// the ones a wrong DSN would lose silently. temp_store is 2 (MEMORY):
// a group commit's statement journal never spills to a temporary file.
func TestSQLitePragmas(t *testing.T) {
	b := testdb.Backends()[0]
	if b.Name != "sqlite" {
		t.Fatalf("first backend %s, want sqlite", b.Name)
	}
	u, dir := b.URL(t)
	db, err := database.Open(context.Background(), database.Options{URL: u, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlDB, _ := db.Gorm.DB()
	conns := make([]*sql.Conn, 3) // several pooled connections, each with its pragmas
	for i := range conns {
		if conns[i], err = sqlDB.Conn(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
	}
	for i, c := range conns {
		for pragma, want := range map[string]string{"temp_store": "2", "journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"} {
			var got string
			if err := c.QueryRowContext(context.Background(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("connection %d: %s = %s, want %s", i, pragma, got, want)
			}
		}
	}
}
