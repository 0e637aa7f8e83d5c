package audit

import (
	"context"
	"errors"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
)

// Batcher appends entries that do not belong to another transaction (a
// document opened, a failed login) with group commit: one writer gathers
// what arrives while the previous commit runs and writes it in one
// transaction, so 500 tablets opening a document cost a few fsyncs, not
// 500. Record returns once its entry is durable.
type Batcher struct {
	db      *gorm.DB
	queue   chan pending
	stop    chan struct{}
	stopped chan struct{}
	mu      sync.RWMutex // held shared to enqueue, exclusive to close
	closed  bool
}

type pending struct {
	e    Entry
	done chan error
}

// maxBatch bounds one transaction.
const maxBatch = 1000

// NewBatcher starts the writer; Close stops it.
func NewBatcher(db *database.DB) *Batcher {
	b := &Batcher{db: db.Gorm, queue: make(chan pending, 4*maxBatch), stop: make(chan struct{}), stopped: make(chan struct{})}
	go b.run()
	return b
}

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("audit log is closed")

// Record appends e and waits until it is committed or ctx ends.
func (b *Batcher) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	p := pending{e: e, done: make(chan error, 1)}
	if err := b.enqueue(ctx, p); err != nil {
		return err
	}
	select {
	case err := <-p.done:
		if err != nil {
			return apperr.Internalf(err, "write audit entries")
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enqueue queues p unless the Batcher is closed: once Close has begun,
// nothing can slip into a queue that no writer will drain.
func (b *Batcher) enqueue(ctx context.Context, p pending) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return apperr.Internalf(ErrClosed, "audit")
	}
	select {
	case b.queue <- p:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Batcher) run() {
	defer close(b.stopped)
	for {
		var first pending
		select {
		case first = <-b.queue:
		case <-b.stop:
			b.drain()
			return
		}
		b.write(b.gather(first))
	}
}

// gather takes what is already queued, without waiting for more: under
// load the queue fills while the previous commit runs.
func (b *Batcher) gather(first pending) []pending {
	batch := []pending{first}
	for len(batch) < maxBatch {
		select {
		case p := <-b.queue:
			batch = append(batch, p)
		default:
			return batch
		}
	}
	return batch
}

// write commits a group in one transaction, and answers each of its
// entries. An entry that cannot be written fails alone, not the requests
// whose entries were queued beside it: one that cannot be encoded (toRow:
// a detail JSON cannot hold) is answered before the transaction and left
// out of it; and when the group's transaction fails (an entry the
// database refuses, such as a value longer than its column on
// PostgreSQL), each entry is retried in a transaction of its own, so that
// only the culprit fails. Unless the database does not answer a ping
// then: a failure that is no entry's (the database gone) fails the whole
// group at once, instead of up to maxBatch transactions that would each
// fail, or hang, the same way.
func (b *Batcher) write(batch []pending) {
	good := make([]pending, 0, len(batch))
	rows := make([]row, 0, len(batch))
	for _, p := range batch {
		r, err := toRow(p.e)
		if err != nil {
			p.done <- err
			continue
		}
		good, rows = append(good, p), append(rows, r)
	}
	if len(rows) == 0 {
		return
	}
	err := b.insert(rows)
	if err == nil || len(rows) == 1 || b.unreachable() {
		for _, p := range good {
			p.done <- err
		}
		return
	}
	for i, p := range good {
		p.done <- b.insert(rows[i : i+1])
	}
}

// writeTimeout bounds one transaction of the writer, and pingTimeout the
// check that the database still answers.
const (
	writeTimeout = 30 * time.Second
	pingTimeout  = 5 * time.Second
)

// insert writes rows in one transaction of their own.
func (b *Batcher) insert(rows []row) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	return b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return writeRows(tx, rows) })
}

// unreachable reports whether the database fails to answer a ping.
func (b *Batcher) unreachable() bool {
	sqlDB, err := b.db.DB()
	if err != nil {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	return sqlDB.PingContext(ctx) != nil
}

func (b *Batcher) drain() {
	for {
		select {
		case p := <-b.queue:
			b.write(b.gather(p))
		default:
			return
		}
	}
}

// Close writes what is queued and stops the writer.
func (b *Batcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.stop)
	}
	b.mu.Unlock()
	<-b.stopped
}
