package realtime

import (
	"testing"
	"time"
)

// An event published while node B's listener was reconnecting is caught
// up when it listens again; when that read fails (here: the heads table
// is locked past the read's deadline, as a database that is still failing
// over would), it is tried again, and node B's tablets get the event
// without waiting for the meeting's next one.
// scripts/with-postgres.sh go test -count=1 -run 'TestMultinodeCatchUpRetried' ./realtime/
func TestMultinodeCatchUpRetried(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a read's deadline (10 s)")
	}
	auth := newFakeAuth()
	auth.add("m1", "bob", "delegate")
	a, b, db := twoNodes(t, auth)
	bob := dial(t, b, "m1", "bob", "")
	decodeSnap(t, bob.next())
	a.publish("m1", "page", 1)
	checkContiguous(t, bob.events(1), 1)

	channel := b.hub.broker.(*pgBroker).channel
	mnKillListeners(t, db, channel, a.hub.broker.(*pgBroker), b.hub.broker.(*pgBroker))
	a.publish("m1", "page", 2) // nobody hears it: it is stored only
	lock := db.Gorm.Begin()
	if err := lock.Exec("LOCK TABLE live_heads IN ACCESS EXCLUSIVE MODE").Error; err != nil {
		lock.Rollback()
		t.Fatal(err)
	}
	if n := len(mnListeners(t, db, channel)); n != 0 {
		lock.Rollback()
		t.Skipf("a broker listened again before the table was locked (%d listeners): timing", n)
	}
	eventually(t, "both brokers to listen again", func() bool { return len(mnListeners(t, db, channel)) == 2 })
	time.Sleep(storeTimeout + time.Second) // node B's catch-up read fails meanwhile
	lock.Rollback()

	m, code := mnNextEventOrClose(bob, 2*catchUpFirst+5*time.Second)
	if code != 0 || m.Seq != 2 {
		t.Fatalf("bob on node B: close code %d, next event seq %d; want seq 2, caught up again", code, m.Seq)
	}
}
