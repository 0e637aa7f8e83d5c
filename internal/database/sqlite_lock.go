package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"sync"
	"time"

	// The driver behind gorm's glebarez dialector: registered as "sqlite".
	_ "github.com/glebarez/go-sqlite"
)

// SQLite lets one transaction write at a time. Every Curia transaction
// begins IMMEDIATE (it takes the write lock at BEGIN), and SQLite's busy
// handler makes a waiting BEGIN sleep and retry: 1, 2, 5, 10 … then 100
// ms at a time, whenever the lock is free in between or not. Under
// concurrent writers (the vote writer, the live hub's event commits,
// annotation batches, audit entries) a page turn's transaction could
// sleep 100 ms or more behind a lock released long before.
//
// So transactions of one process queue here instead, in Go, first come
// first served, and each begins the moment the previous one ends; so do
// statements run outside a transaction through Exec (single writes).
// Other processes on the same file (the `curia` CLI beside a server) still
// meet SQLite's busy handler. A write attempted while the same goroutine
// holds a transaction on another connection waits writeQueueWait and
// fails, as it did in SQLite's busy handler.

// writeQueueWait is how long a transaction waits for its turn: SQLite's
// own busy timeout, so that a transaction opened while the same goroutine
// holds another one fails as it did before rather than hanging.
const writeQueueWait = 15 * time.Second

// errQueueTimeout reads like SQLite's own error for the same situation.
var errQueueTimeout = errors.New("database is locked (waited 15 s for the write queue)")

// writeQueues holds one queue per database file, shared by every pool
// this process opens on it.
var writeQueues = struct {
	sync.Mutex
	byPath map[string]chan struct{}
}{byPath: map[string]chan struct{}{}}

func writeQueue(path string) chan struct{} {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	writeQueues.Lock()
	defer writeQueues.Unlock()
	q, ok := writeQueues.byPath[path]
	if !ok {
		q = make(chan struct{}, 1)
		writeQueues.byPath[path] = q
	}
	return q
}

// openSQLite opens a pool on dsn whose transactions go through the write
// queue of path.
func openSQLite(path, dsn string) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", dsn) // only to reach the registered driver
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	_ = probe.Close()
	return sql.OpenDB(queuedConnector{drv: drv, dsn: dsn, queue: writeQueue(path)}), nil
}

type queuedConnector struct {
	drv   driver.Driver
	dsn   string
	queue chan struct{}
}

func (c queuedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &queuedConn{inner: conn, queue: c.queue}, nil
}

func (c queuedConnector) Driver() driver.Driver { return c.drv }

// queuedConn is the SQLite connection with BeginTx behind the queue. It
// passes on every interface of the driver's connection that database/sql
// uses.
type queuedConn struct {
	inner driver.Conn
	queue chan struct{}
	held  bool // this connection's transaction holds the queue
}

func (c *queuedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly { // the driver begins these deferred: no write lock to wait for
		return c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
	}
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	tx, err := c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		c.release()
		return nil, err
	}
	return queuedTx{inner: tx, conn: c}, nil
}

// acquire waits for this connection's turn to write.
func (c *queuedConn) acquire(ctx context.Context) error {
	t := time.NewTimer(writeQueueWait)
	defer t.Stop()
	select {
	case c.queue <- struct{}{}:
		c.held = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errQueueTimeout
	}
}

// release lets the next transaction begin. database/sql never uses a
// connection from two goroutines at once, so held needs no lock.
func (c *queuedConn) release() {
	if c.held {
		c.held = false
		<-c.queue
	}
}

func (c *queuedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *queuedConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }

func (c *queuedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

// ExecContext runs a statement. Outside a transaction it is a write of its
// own (a session touched, an old event pruned) and takes its turn in the
// queue too: otherwise it would sleep in SQLite's busy handler while
// queued transactions overtake it again and again.
func (c *queuedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !c.held {
		if err := c.acquire(ctx); err != nil {
			return nil, err
		}
		defer c.release()
	}
	return c.inner.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *queuedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.inner.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *queuedConn) Ping(ctx context.Context) error { return c.inner.(driver.Pinger).Ping(ctx) }

// Close closes the connection; should it still hold the queue (a broken
// connection closed mid-transaction), it lets the next one go.
func (c *queuedConn) Close() error {
	err := c.inner.Close()
	c.release()
	return err
}

type queuedTx struct {
	inner driver.Tx
	conn  *queuedConn
}

// Commit commits. Should the commit fail, the transaction is rolled back
// before the queue moves on (SQLite leaves it open), or, if even that
// fails, the connection is given up.
func (t queuedTx) Commit() error {
	defer t.conn.release()
	err := t.inner.Commit()
	if err != nil && t.inner.Rollback() != nil {
		return driver.ErrBadConn
	}
	return err
}

func (t queuedTx) Rollback() error {
	defer t.conn.release()
	return t.inner.Rollback()
}
