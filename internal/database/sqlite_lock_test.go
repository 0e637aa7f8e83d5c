package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Transactions queue in Go: one waits while another is open, begins as
// soon as it ends, and gives up with its context.
func TestSQLiteTransactionsQueue(t *testing.T) {
	sqlDB := sqliteWith(t, "CREATE TABLE n (v INTEGER)")
	ctx := context.Background()

	first, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := sqlDB.BeginTx(short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second transaction while the first is open: %v, want it to wait until its deadline", err)
	}
	began := make(chan error, 1)
	go func() {
		tx, err := sqlDB.BeginTx(ctx, nil)
		if err == nil {
			_, err = tx.ExecContext(ctx, "INSERT INTO n VALUES (2)")
			if err == nil {
				err = tx.Commit()
			}
		}
		began <- err
	}()
	if _, err := first.ExecContext(ctx, "INSERT INTO n VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-began:
		if err != nil {
			t.Fatalf("the waiting transaction: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting transaction did not begin after the first committed")
	}

	// A rollback lets the next one go too.
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback()
	again, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	tx, err = sqlDB.BeginTx(again, nil)
	if err != nil {
		t.Fatalf("after a rollback: %v", err)
	}
	_ = tx.Rollback()

	var n int
	if err := sqlDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM n").Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows = %d, %v; want 2", n, err)
	}
}

// Many writers at once: every transaction commits, none meets "database
// is locked", and at most one is open at any moment.
func TestSQLiteWritersNeverOverlap(t *testing.T) {
	sqlDB := sqliteWith(t, "CREATE TABLE c (v INTEGER)")
	ctx := context.Background()
	if _, err := sqlDB.ExecContext(ctx, "INSERT INTO c VALUES (0)"); err != nil {
		t.Fatal(err)
	}
	var open, most atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for range 200 {
		wg.Go(func() {
			tx, err := sqlDB.BeginTx(ctx, nil)
			if err != nil {
				errs <- err
				return
			}
			if o := open.Add(1); o > most.Load() {
				most.Store(o)
			}
			var v int
			err = tx.QueryRowContext(ctx, "SELECT v FROM c").Scan(&v)
			if err == nil {
				_, err = tx.ExecContext(ctx, "UPDATE c SET v = ?", v+1)
			}
			open.Add(-1)
			if err == nil {
				err = tx.Commit()
			} else {
				_ = tx.Rollback()
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var v int
	if err := sqlDB.QueryRowContext(ctx, "SELECT v FROM c").Scan(&v); err != nil || v != 200 {
		t.Fatalf("counter = %d, %v; want 200 (lost updates)", v, err)
	}
	if m := most.Load(); m != 1 {
		t.Fatalf("%d transactions were open at once", m)
	}
}

// sqliteWith opens a fresh SQLite database in a temporary directory, runs
// the statements, and returns its pool, closed when the test ends.
func sqliteWith(t *testing.T, statements ...string) *sql.DB {
	t.Helper()
	db, err := Open(context.Background(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sqlDB, _ := db.Gorm.DB()
	for _, q := range statements {
		if _, err := sqlDB.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	return sqlDB
}

// A connection closed while its transaction holds the queue (a broken
// connection) lets the next transaction go.
func TestQueuedConnCloseReleases(t *testing.T) {
	q := writeQueue(filepath.Join(t.TempDir(), "x.db"))
	c := &queuedConn{inner: fakeConn{}, queue: q}
	if _, err := c.BeginTx(context.Background(), driver.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 {
		t.Fatal("an open transaction does not hold the queue")
	}
	_ = c.Close()
	if len(q) != 0 {
		t.Fatal("closing the connection did not free the queue")
	}
	if err := c.Close(); err != nil || len(q) != 0 { // twice is harmless
		t.Fatalf("second close: %v, queue %d", err, len(q))
	}
}

type fakeConn struct{}

func (fakeConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("no") }
func (fakeConn) Close() error                        { return nil }
func (fakeConn) Begin() (driver.Tx, error)           { return fakeTx{}, nil }
func (fakeConn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	return fakeTx{}, nil
}

type fakeTx struct{}

func (fakeTx) Commit() error   { return nil }
func (fakeTx) Rollback() error { return nil }
