package realtime

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/database"
)

// Review 7: the control messages (disconnects, room resets) that wait to
// be sent again on PostgreSQL (pgcontrols.go).
// scripts/with-postgres.sh go test -count=1 -race -run 'TestReview7' ./realtime/

// r7LockControls locks live_controls, as a database that does not answer
// in time would hold its stores; the returned func releases it (once).
func r7LockControls(t *testing.T, db *database.DB) func() {
	t.Helper()
	lock := db.Gorm.Begin()
	if err := lock.Exec("LOCK TABLE live_controls IN ACCESS EXCLUSIVE MODE").Error; err != nil {
		lock.Rollback()
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { lock.Rollback() }) }
	t.Cleanup(release)
	return release
}

// r7StoredKicks counts the stored disconnects of user.
func r7StoredKicks(t *testing.T, db *database.DB, user string) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm.Raw("SELECT count(*) FROM live_controls WHERE user_id = ?", user).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// r7WaitEmpty waits until no control message waits on br.
func r7WaitEmpty(t *testing.T, br *pgBroker) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); br.queued() > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d control messages still wait", br.queued())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A disconnect whose store failed on node A waits to be sent again; node
// A is stopped before the resend comes (within resendFirst). Close sends
// it a last time, once the database answers again within Close's
// context: node B closes the removed participant's connection (4003).
// Before, Close stopped the resend loop and the disconnect was lost: bob
// kept the meeting's events on node B.
func TestReview7QueuedKickIsSentWhenTheHubCloses(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "bob", "delegate")
	// PublishTimeout also bounds Close's last try: the release below comes
	// well within it.
	a, b, db := twoNodesWith(t, auth, func(o *Options) { o.PublishTimeout = time.Second })
	onB := dial(t, b, "m1", "bob", "")
	decodeSnap(t, onB.next())

	release := r7LockControls(t, db)
	if err := a.hub.Disconnect(context.Background(), "m1", "bob"); err == nil {
		t.Fatal("the disconnect was stored although its table was locked: the test proves nothing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	closed := make(chan error, 1)
	go func() { closed <- a.hub.Close(ctx) }()
	time.Sleep(100 * time.Millisecond) // Close has stopped the resend loop: only Close itself may send it now
	release()                          // the database answers again

	if m, code := mnNextEventOrClose(onB, 5*time.Second); code != closeAccessChanged {
		t.Errorf("bob on node B: close code %d, next event seq %d; want %d: the queued disconnect was lost with node A",
			code, m.Seq, closeAccessChanged)
	}
	if err := <-closed; err != nil {
		t.Errorf("close node A: %v", err)
	}
	if n := r7StoredKicks(t, db, "bob"); n != 1 {
		t.Errorf("%d disconnects of bob stored; want 1", n)
	}
}

// r7Log is a log that a test reads while the hub writes it.
type r7Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *r7Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *r7Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// When the database still does not answer, Close gives the queued
// disconnect up at its context's deadline (a shutdown never hangs on it;
// nor longer than PublishTimeout) and logs it as an error, naming its
// meeting, user and kind. Before, it went without a word.
func TestReview7CloseLogsTheKickItCouldNotSend(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "bob", "delegate")
	var logs r7Log
	first := true
	a, _, db := twoNodesWith(t, auth, func(o *Options) {
		// Close's context, shorter, is the bound here.
		o.PublishTimeout = 3 * time.Second
		if first { // node A
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			first = false
		}
	})
	r7LockControls(t, db) // held until the test ends

	if err := a.hub.Disconnect(context.Background(), "m1", "bob"); err == nil {
		t.Fatal("the disconnect was stored although its table was locked: the test proves nothing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_ = a.hub.Close(ctx) // may report its deadline
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %s with a context of 500ms", d.Round(time.Millisecond))
	}
	var line string
	for deadline := time.Now().Add(3 * time.Second); line == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for l := range strings.Lines(logs.String()) {
			if strings.Contains(l, "before the hub closed") {
				line = l
			}
		}
	}
	for _, want := range []string{"level=ERROR", "meeting=m1", "user=bob", "kind=disconnect"} {
		if !strings.Contains(line, want) {
			t.Errorf("log of the disconnect Close could not send: %q; want %s in it. The whole log:\n%s", line, want, logs.String())
			break
		}
	}
}

// r7Pool is node A's connection pool: the commit of a transaction marked
// lose commits, and its answer is lost (the caller gets an error), as
// when the connection breaks between the two.
type r7Pool struct {
	gorm.ConnPool // *sql.DB
}

func (p r7Pool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := p.ConnPool.(gorm.TxBeginner).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &r7Tx{Tx: tx}, nil
}

func (p r7Pool) GetDBConn() (*sql.DB, error) { return p.ConnPool.(*sql.DB), nil }

type r7Tx struct {
	*sql.Tx
	lose atomic.Bool
}

func (t *r7Tx) Commit() error {
	err := t.Tx.Commit()
	if err == nil && t.lose.Load() {
		return errors.New("review7: the answer to COMMIT was lost")
	}
	return err
}

// r7LosingNodes starts two nodes on PostgreSQL; on node A, while armed is
// set, the next transaction that stores a control message commits and
// then fails (armed is cleared).
func r7LosingNodes(t *testing.T, auth Authorizer) (a, b *node, db *database.DB, armed *atomic.Bool) {
	t.Helper()
	armed = new(atomic.Bool)
	first := true
	a, b, db = twoNodesWith(t, auth, func(o *Options) {
		if !first {
			return
		}
		first = false
		g := o.DB.Gorm.Session(&gorm.Session{Context: context.Background()})
		g.Statement.ConnPool = r7Pool{ConnPool: g.Statement.ConnPool}
		err := g.Callback().Create().Before("gorm:create").Register("review7:lose", func(tx *gorm.DB) {
			if tx.Statement.Table != "live_controls" || !armed.CompareAndSwap(true, false) {
				return
			}
			if lt, ok := tx.Statement.ConnPool.(*r7Tx); ok {
				lt.lose.Store(true)
			} else {
				t.Errorf("a control message stored outside a transaction (%T)", tx.Statement.ConnPool)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		o.DB = &database.DB{Gorm: g, Dialect: o.DB.Dialect}
	})
	return a, b, db, armed
}

// A disconnect whose commit reached the database but whose answer did
// not (Disconnect returns an error) is sent again, and must not be
// applied twice: bob, kicked on node B at the commit, reconnects (given
// his access back) before the resend; the resend stores nothing and
// notifies nothing, so his new connection stays and gets the next event.
// Before, the resend stored the disconnect a second time and node B
// kicked his new connection too.
func TestReview7KickWhoseCommitAnswerWasLostIsResentOnce(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "bob", "delegate")
	a, b, db, armed := r7LosingNodes(t, auth)
	onB := dial(t, b, "m1", "bob", "")
	decodeSnap(t, onB.next())

	armed.Store(true)
	if err := a.hub.Disconnect(context.Background(), "m1", "bob"); err == nil {
		t.Fatal("the disconnect reported no error although the answer to its commit was lost: the test proves nothing")
	}
	if m, code := mnNextEventOrClose(onB, 5*time.Second); code != closeAccessChanged {
		t.Fatalf("bob on node B: close code %d, next event seq %d; want %d at the commit", code, m.Seq, closeAccessChanged)
	}
	ab := a.hub.broker.(*pgBroker)
	if ab.queued() != 1 {
		t.Fatalf("%d control messages wait on node A; want the disconnect", ab.queued())
	}
	ab.resend.sending.Lock() // the resend (after resendFirst) waits until bob is back
	again := dial(t, b, "m1", "bob", "")
	decodeSnap(t, again.next())
	ab.resend.sending.Unlock()
	r7WaitEmpty(t, ab)

	if n := r7StoredKicks(t, db, "bob"); n != 1 {
		t.Errorf("%d disconnects of bob stored; want 1", n)
	}
	a.publish("m1", "page", 1)
	if m, code := mnNextEventOrClose(again, 5*time.Second); code != 0 || m.Seq != 1 {
		t.Errorf("bob back on node B: close code %d, next event seq %d; want seq 1, not the stale disconnect again", code, m.Seq)
	}
}

// The same disconnect, still waiting, is carried by the next append of
// events (appendGroups stores the waiting messages first, in its
// transaction): it is not stored nor notified again either.
func TestReview7KickWhoseCommitAnswerWasLostIsNotCarriedAgain(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "bob", "delegate")
	a, b, db, armed := r7LosingNodes(t, auth)
	onB := dial(t, b, "m1", "bob", "")
	decodeSnap(t, onB.next())

	armed.Store(true)
	if err := a.hub.Disconnect(context.Background(), "m1", "bob"); err == nil {
		t.Fatal("the disconnect reported no error although the answer to its commit was lost: the test proves nothing")
	}
	if m, code := mnNextEventOrClose(onB, 5*time.Second); code != closeAccessChanged {
		t.Fatalf("bob on node B: close code %d, next event seq %d; want %d at the commit", code, m.Seq, closeAccessChanged)
	}
	again := dial(t, b, "m1", "bob", "")
	decodeSnap(t, again.next())
	ab := a.hub.broker.(*pgBroker)
	a.publish("m1", "page", 1) // within resendFirst: the append carries the waiting disconnect
	if n := ab.queued(); n != 0 {
		t.Errorf("%d control messages still wait on node A after the append", n)
	}
	if n := r7StoredKicks(t, db, "bob"); n != 1 {
		t.Errorf("%d disconnects of bob stored; want 1", n)
	}
	if m, code := mnNextEventOrClose(again, 5*time.Second); code != 0 || m.Seq != 1 {
		t.Errorf("bob back on node B: close code %d, next event seq %d; want seq 1, not the stale disconnect again", code, m.Seq)
	}
}
