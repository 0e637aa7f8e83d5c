package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// A single write outside a transaction takes its turn in the write queue
// too. Left to SQLite's busy handler (sleeping 1 … 100 ms between tries)
// it was overtaken by tens or hundreds of queued transactions; in the
// queue it waits only for those ahead of it.
func TestAutocommitWriteQueues(t *testing.T) {
	q := writeQueue(filepath.Join(t.TempDir(), "w.db"))
	a := &queuedConn{inner: fakeConn{}, queue: q}
	b := &queuedConn{inner: fakeConn{}, queue: q}
	tx, err := a.BeginTx(context.Background(), driver.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := b.ExecContext(short, "UPDATE s SET v = v + 1", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a write while a transaction holds the queue: %v, want it to wait its turn", err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := b.ExecContext(context.Background(), "UPDATE s SET v = v + 1", nil)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the write did not run once the transaction ended")
	}
	if len(q) != 0 {
		t.Fatal("the write kept the queue")
	}

	// Inside a transaction a statement does not queue again.
	tx, err = a.BeginTx(context.Background(), driver.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ExecContext(short, "INSERT INTO w VALUES (1)", nil); err != nil {
		t.Fatalf("a statement inside its own transaction: %v (it must not wait for the queue it holds)", err)
	}
	_ = tx.Rollback()
}

func (fakeConn) ExecContext(context.Context, string, []driver.NamedValue) (driver.Result, error) {
	return driver.RowsAffected(1), nil
}
