package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/testdb"
)

// A disconnect that waits to be sent again on node A (its store failed:
// here put in the queue as a failure would, without waking the resend
// loop) reaches node B before any event that node A stores after it: the
// app disconnects a removed participant "before the events below, which
// they may no longer get" (internal/app participantRemoved). The append
// of the events stores and notifies it first, in the same transaction.
// scripts/with-postgres.sh go test -count=1 -race -run 'TestReview6' ./realtime/
func TestReview6ResentKickComesAfterLaterEvents(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "bob", "delegate")
	a, b, _ := twoNodes(t, auth)
	onB := dial(t, b, "m1", "bob", "")
	decodeSnap(t, onB.next())
	a.publish("m1", "page", 1)
	checkContiguous(t, onB.events(1), 1)

	ab := a.hub.broker.(*pgBroker)
	ab.resend.mu.Lock()
	ab.resend.last++
	ab.resend.q = append(ab.resend.q, queuedControl{m: message{Node: ab.node, MeetingID: "m1", Kick: "bob"}, n: ab.resend.last, at: time.Now()})
	ab.resend.mu.Unlock()
	a.publish("m1", "participants.changed", map[string]any{"removed": "bob"}) // after the disconnect, as participantRemoved does

	m, code := mnNextEventOrClose(onB, 5*time.Second)
	if code != closeAccessChanged {
		t.Fatalf("bob on node B got event seq %d (%s) before his disconnect (close code %d); want %d first",
			m.Seq, m.Type, code, closeAccessChanged)
	}
	if n := ab.queued(); n != 0 {
		t.Errorf("%d control messages still wait on node A after the append sent them", n)
	}
}

// A disconnect sent by a request that has ended (its context cancelled)
// is stored all the same, as Publish stores events: the request's end
// does not decide whether a removed participant keeps their connection on
// other nodes.
func TestReview6KickOfAnEndedRequestIsStored(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "bob", "delegate")
	a, b, _ := twoNodes(t, auth)
	onB := dial(t, b, "m1", "bob", "")
	decodeSnap(t, onB.next())
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the request that removed bob has ended
	if err := a.hub.Disconnect(ctx, "m1", "bob"); err != nil {
		t.Fatalf("the disconnect of an ended request: %v", err)
	}
	if m, code := mnNextEventOrClose(onB, 5*time.Second); code != closeAccessChanged {
		t.Fatalf("bob on node B: close code %d, next event seq %d; want %d", code, m.Seq, closeAccessChanged)
	}
}

// The resend queue at its bound: queueResend gives up the oldest message,
// q[0], while resendQueued is sending that very message. When the send
// succeeds, resendQueued drops q[0] again, which is now the next message,
// one never sent: it is lost without a word (the log names the one that
// was in fact sent). Here the database fails again at the second send, so
// the round stops and the queue can be read.
// scripts/with-postgres.sh go test -count=1 -race -run 'TestReview6' ./realtime/
func TestReview6ResendQueueAtBoundLosesAnUnsentMessage(t *testing.T) {
	if os.Getenv("CURIA_TEST_POSTGRES") == "" {
		t.Skip("CURIA_TEST_POSTGRES is not set")
	}
	var pg testdb.Backend
	for _, be := range testdb.Backends() {
		if be.Name == "postgres" {
			pg = be
		}
	}
	db := openDB(t, pg)
	br := &pgBroker{st: &store{db: db.Gorm, now: time.Now}, node: "review6", channel: "review6_nobody",
		log: slog.New(slog.DiscardHandler), keep: controlKeep, resend: resends{wake: make(chan struct{}, 1)}}
	kick := func(i int) message { return message{Node: "review6", MeetingID: "m1", Kick: fmt.Sprintf("u%d", i)} }
	br.resend.mu.Lock()
	for i := range maxResends {
		br.resend.last++
		br.resend.q = append(br.resend.q, queuedControl{m: kick(i), n: br.resend.last, at: time.Now()})
	}
	br.resend.mu.Unlock()

	var creates atomic.Int32
	err := db.Gorm.Callback().Create().Before("gorm:create").Register("review6:controls", func(tx *gorm.DB) {
		if tx.Statement.Table != "live_controls" {
			return
		}
		switch creates.Add(1) {
		case 1: // u0 is being sent: another control message fails meanwhile
			br.queueResend(kick(maxResends))
		case 2: // the database fails again
			_ = tx.AddError(errors.New("review6: the database does not answer"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if br.resendQueued(context.Background()) {
		t.Fatal("the round reported every message sent although the second send failed")
	}
	if n := creates.Load(); n != 2 {
		t.Fatalf("%d sends tried, want 2", n)
	}
	br.resend.mu.Lock()
	q := append([]queuedControl(nil), br.resend.q...)
	br.resend.mu.Unlock()
	// u0 went; u1 (never sent) must wait at the head, then the rest and
	// the new message.
	if len(q) == 0 || q[0].m.Kick != "u1" || len(q) != maxResends {
		head := ""
		if len(q) > 0 {
			head = q[0].m.Kick
		}
		t.Fatalf("after u0 was sent: %d messages wait, the first %q; want %d, the first u1 (never sent)",
			len(q), head, maxResends)
	}
}
