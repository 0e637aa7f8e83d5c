package realtime

import (
	"context"
	"testing"
	"time"
)

// A disconnect whose store fails on node A (here: the control table is
// locked past PublishTimeout, as when the database does not
// answer in time) is sent again once the database answers, and reaches
// node B: the removed participant's connection there closes with 4003
// instead of receiving the meeting's events. Node A applied it at once.
// scripts/with-postgres.sh go test -count=1 -run 'TestMultinodeControlResend' ./realtime/
func TestMultinodeControlResend(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	a, b, db := twoNodesWith(t, auth, func(o *Options) { o.PublishTimeout = 300 * time.Millisecond })
	onA := dial(t, a, "m1", "bob", "")
	decodeSnap(t, onA.next())
	onB := dial(t, b, "m1", "bob", "")
	decodeSnap(t, onB.next())
	alice := dial(t, b, "m1", "alice", "")
	decodeSnap(t, alice.next())
	a.publish("m1", "page", 1)
	for _, c := range []*client{onA, onB, alice} {
		checkContiguous(t, c.events(1), 1)
	}

	lock := db.Gorm.Begin()
	if err := lock.Exec("LOCK TABLE live_controls IN ACCESS EXCLUSIVE MODE").Error; err != nil {
		lock.Rollback()
		t.Fatal(err)
	}
	err := a.hub.Disconnect(context.Background(), "m1", "bob") // fails after PublishTimeout
	if err == nil {
		lock.Rollback()
		t.Fatal("the disconnect was stored although its table was locked: the test proves nothing")
	}
	if m, code := mnNextEventOrClose(onA, 3*time.Second); code != closeAccessChanged {
		t.Errorf("bob on node A: close code %d, next event seq %d; want %d at once", code, m.Seq, closeAccessChanged)
	}
	lock.Rollback() // the database answers again

	if m, code := mnNextEventOrClose(onB, 5*time.Second); code != closeAccessChanged {
		t.Fatalf("bob on node B: close code %d, next event seq %d; want %d once the disconnect was sent again", code, m.Seq, closeAccessChanged)
	}
	a.publish("m1", "page", 2)
	if m, code := mnNextEventOrClose(alice, 3*time.Second); code != 0 || m.Seq != 2 {
		t.Errorf("alice on node B: close code %d, next event seq %d; want seq 2", code, m.Seq)
	}
	ab := a.hub.broker.(*pgBroker)
	ab.resend.mu.Lock()
	left := len(ab.resend.q)
	ab.resend.mu.Unlock()
	if left != 0 {
		t.Errorf("%d control messages still wait on node A", left)
	}
}
