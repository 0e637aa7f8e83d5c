package audit

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/testdb"
)

// gatedPool counts the transactions begun, and holds the first until
// gate is closed.
type gatedPool struct {
	*sql.DB
	begins atomic.Int32
	gate   chan struct{}
}

func (p *gatedPool) BeginTx(ctx context.Context, opt *sql.TxOptions) (*sql.Tx, error) {
	if p.begins.Add(1) == 1 {
		<-p.gate
	}
	return p.DB.BeginTx(ctx, opt)
}

func (p *gatedPool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

// TestGroupFailsAtOnceWhenTheDatabaseIsGone: when a group's transaction
// fails and the database does not answer a ping, every entry of the
// group is answered with the failure after that one transaction, instead
// of one more transaction per entry (each of which would fail, or hang,
// the same way).
func TestGroupFailsAtOnceWhenTheDatabaseIsGone(t *testing.T) {
	db := testdb.Backends()[0].Open(t, Migration())
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	pool := &gatedPool{DB: sqlDB, gate: make(chan struct{})}
	g := db.Gorm.Session(&gorm.Session{NewDB: true})
	g.Statement.ConnPool = pool
	b := &Batcher{db: g, queue: make(chan pending, 4*maxBatch), stop: make(chan struct{}), stopped: make(chan struct{})}
	go b.run()
	defer b.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const n = 5
	errs := make(chan error, n+1)
	go func() {
		errs <- b.Record(ctx, Entry{Action: "document.opened", MeetingID: "m", Object: "document:first"})
	}()
	for pool.begins.Load() == 0 { // the writer holds the first entry
		time.Sleep(time.Millisecond)
	}
	for range n {
		go func() {
			errs <- b.Record(ctx, Entry{Action: "document.opened", MeetingID: "m", Object: "document:next"})
		}()
	}
	for len(b.queue) < n { // all queued behind it: one group
		time.Sleep(time.Millisecond)
	}
	if err := sqlDB.Close(); err != nil { // the database is gone
		t.Fatal(err)
	}
	close(pool.gate)
	for range n + 1 {
		if err := <-errs; err == nil {
			t.Fatal("an entry was recorded with the database closed")
		}
	}
	if got := pool.begins.Load(); got != 2 {
		t.Errorf("%d transactions begun for a first entry and a group of %d with the database gone, want 2", got, n)
	}
}
