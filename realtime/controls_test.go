package realtime

import (
	"context"
	"encoding/json"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/testdb"
)

// Control messages (disconnects, room resets) survive a listener's
// reconnection, a listener deaf for longer than they are kept makes its
// node start over, and a quiet listener is not taken for a dead one
// (pgcontrols.go). The two-node tests skip without CURIA_TEST_POSTGRES:
// scripts/with-postgres.sh go test -count=1 -run 'TestMultinode' ./realtime/

// A logout (DisconnectSession) and a disabled user (DisconnectUser), both
// for every meeting, made on node A while node B's listener reconnects,
// reach node B once it listens again: that session's connection closes
// there and the other session's stays, the user-wide one closes, and the
// app's callback runs on node B for each.
func TestMultinodeSessionKickSurvivesListenerReconnect(t *testing.T) {
	auth := newSessionAuth()
	auth.add("m1", "bob", "delegate")
	auth.add("m1", "carol", "delegate")
	var dropped [2]atomic.Int32 // UserDisconnected calls on node A, node B
	started := 0
	a, b, db := twoNodesWith(t, auth, func(o *Options) {
		k := started
		started++
		o.UserDisconnected = func(string) { dropped[k].Add(1) }
	})
	loggedOut := dialAs(t, b, "m1", "bob", "s1")
	decodeSnap(t, loggedOut.next())
	other := dialAs(t, b, "m1", "bob", "s2")
	decodeSnap(t, other.next())
	carol := dialAs(t, b, "m1", "carol", "s3")
	decodeSnap(t, carol.next())
	a.publish("m1", "page", 1)
	for _, c := range []*client{loggedOut, other, carol} {
		checkContiguous(t, c.events(1), 1)
	}

	channel := b.hub.broker.(*pgBroker).channel
	mnKillListeners(t, db, channel, a.hub.broker.(*pgBroker), b.hub.broker.(*pgBroker))
	if err := a.hub.DisconnectSession(context.Background(), "bob", "s1"); err != nil {
		t.Fatal(err)
	}
	auth.disable("carol")
	if err := a.hub.DisconnectUser(context.Background(), "carol"); err != nil {
		t.Fatal(err)
	}
	if n := len(mnListeners(t, db, channel)); n != 0 {
		t.Skipf("a broker listened again before the disconnects were sent (%d listeners): timing", n)
	}
	eventually(t, "both brokers to listen again", func() bool { return len(mnListeners(t, db, channel)) == 2 })

	a.publish("m1", "page", 2)
	if m, code := mnNextEventOrClose(loggedOut, 3*time.Second); code != closeAccessChanged {
		t.Errorf("bob's logged-out session on node B: close code %d, next event seq %d; want %d", code, m.Seq, closeAccessChanged)
	}
	if m, code := mnNextEventOrClose(carol, 3*time.Second); code != closeAccessChanged {
		t.Errorf("carol, disabled, on node B: close code %d, next event seq %d; want %d", code, m.Seq, closeAccessChanged)
	}
	if m, code := mnNextEventOrClose(other, 3*time.Second); code != 0 || m.Seq != 2 {
		t.Errorf("bob's other session on node B: close code %d, next event seq %d; want seq 2", code, m.Seq)
	}
	if n := dropped[1].Load(); n != 2 {
		t.Errorf("UserDisconnected ran %d times on node B, want 2 (bob's logout, carol)", n)
	}
	if n := dropped[0].Load(); n != 2 {
		t.Errorf("UserDisconnected ran %d times on node A, want 2 (at once, not again on its reconnection)", n)
	}
}

// A room reset sent while node B's listener reconnects (an event of the
// meeting could not be stored on node A) reaches node B once it listens
// again; node A, which reset its own room when it sent it, does not
// replay its own.
func TestMultinodeResetSurvivesListenerReconnect(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	a, b, db := twoNodes(t, auth)
	alice := dial(t, a, "m1", "alice", "")
	decodeSnap(t, alice.next())
	bob := dial(t, b, "m1", "bob", "")
	decodeSnap(t, bob.next())
	a.publish("m1", "page", 1)
	checkContiguous(t, alice.events(1), 1)
	checkContiguous(t, bob.events(1), 1)

	channel := b.hub.broker.(*pgBroker).channel
	mnKillListeners(t, db, channel, a.hub.broker.(*pgBroker), b.hub.broker.(*pgBroker))
	a.hub.resetElsewhere(context.Background(), "m1")
	if n := len(mnListeners(t, db, channel)); n != 0 {
		t.Skipf("a broker listened again before the reset was sent (%d listeners): timing", n)
	}
	eventually(t, "both brokers to listen again", func() bool { return len(mnListeners(t, db, channel)) == 2 })

	a.publish("m1", "page", 2)
	if m, code := mnNextEventOrClose(bob, 3*time.Second); code != closeResync {
		t.Fatalf("bob on node B: close code %d, next event seq %d; want %d", code, m.Seq, closeResync)
	}
	if m, code := mnNextEventOrClose(alice, 3*time.Second); code != 0 || m.Seq != 2 {
		t.Fatalf("alice on node A: close code %d, next event seq %d; want seq 2", code, m.Seq)
	}
}

// A listener deaf for longer than control messages are kept cannot know
// which disconnects it missed: its node resets every room (4001), so that
// every client there is authorised afresh and refetches. Carol, whom
// nothing concerned, reconnects and carries on.
func TestMultinodeListenerDeafTooLongStartsOver(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	auth.add("m1", "carol", "delegate")
	a, b, proxy := twoNodesProxied(t, auth, func(o *Options) {
		o.PresenceHeartbeat = 200 * time.Millisecond // deaf after 1 s
		o.controlKeep = 500 * time.Millisecond
	})
	alice := dial(t, a, "m1", "alice", "")
	decodeSnap(t, alice.next())
	bob := dial(t, b, "m1", "bob", "")
	decodeSnap(t, bob.next())
	carol := dial(t, b, "m1", "carol", "")
	decodeSnap(t, carol.next())

	if n := proxy.freezeListeners(); n != 1 {
		t.Fatalf("froze %d listeners, want node B's one", n)
	}
	auth.mu.Lock()
	delete(auth.members["m1"], "bob")
	auth.mu.Unlock()
	if err := a.hub.Disconnect(context.Background(), "m1", "bob"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{bob, carol} {
		if m, code := mnNextEventOrClose(c, 5*time.Second); code != closeResync {
			t.Fatalf("on node B after a long deafness: close code %d, next event seq %d; want %d", code, m.Seq, closeResync)
		}
	}
	if code := dialStatus(t, b, "m1", "bob"); code != 404 {
		t.Errorf("bob, removed, reconnecting to node B: status %d, want 404", code)
	}
	carol = dial(t, b, "m1", "carol", "")
	decodeSnap(t, carol.next())
	a.publish("m1", "page", 1)
	checkContiguous(t, carol.events(1), 1)
	checkContiguous(t, alice.events(1), 1)
}

// A listener that nothing is sent to (no meeting is live anywhere) is
// not taken for a dead one: its pings keep it, and it does not reconnect.
func TestMultinodeQuietListenerStays(t *testing.T) {
	auth := newFakeAuth()
	_, b, db := twoNodesWith(t, auth, func(o *Options) { o.PresenceHeartbeat = 100 * time.Millisecond })
	channel := b.hub.broker.(*pgBroker).channel
	before := mnListeners(t, db, channel)
	if len(before) != 2 {
		t.Fatalf("%d listeners, want 2", len(before))
	}
	deaf := b.hub.broker.(*pgBroker).deafAfter()
	time.Sleep(2*deaf + 500*time.Millisecond)
	after := mnListeners(t, db, channel)
	slices.Sort(before)
	slices.Sort(after)
	if !slices.Equal(before, after) {
		t.Fatalf("the listeners of a quiet channel reconnected: %v, then %v", before, after)
	}
}

// A stored control message that a node hears both ways, replayed at its
// reconnection and then notified, is applied once; its own node's are
// never applied again.
func TestControlAppliedOnce(t *testing.T) {
	sink := &recordingSink{}
	b := &pgBroker{sink: sink, node: "here", keep: time.Minute}
	kick := message{Node: "there", MeetingID: "m1", Kick: "bob", Control: 7}
	if !b.firstTime(kick.Control, time.Now()) { // as the replay does
		t.Fatal("a new control message was taken as applied")
	}
	payload, err := json.Marshal(note{Msg: &kick})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.handle(context.Background(), string(payload)); err != nil {
		t.Fatal(err)
	}
	if len(sink.msgs) != 0 {
		t.Fatalf("a replayed control message was applied again when heard: %+v", sink.msgs)
	}
	other := message{Node: "there", MeetingID: "m1", Reset: true, Control: 8}
	payload, _ = json.Marshal(note{Msg: &other})
	for range 2 {
		if err := b.handle(context.Background(), string(payload)); err != nil {
			t.Fatal(err)
		}
	}
	if len(sink.msgs) != 1 || !sink.msgs[0].Reset {
		t.Fatalf("a control message heard twice: applied as %+v, want once", sink.msgs)
	}
}

// The control messages' table migrates, stores and prunes on both
// databases (SQLite keeps it empty in use: one node needs no replay).
func TestControlStore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, be testdb.Backend) {
		db := openDB(t, be)
		st := &store{db: db.Gorm, now: time.Now}
		now := time.Now()
		add := func(m message, at time.Time) int64 {
			t.Helper()
			var id int64
			err := st.db.Transaction(func(tx *gorm.DB) error {
				var err error
				id, err = st.addControlTx(tx, m, at)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		add(message{Node: "n1", Kick: "old"}, now.Add(-time.Hour))
		logout := add(message{Node: "n1", Kick: "bob", Session: "s1"}, now.Add(-time.Second))
		reset := add(message{Node: "n2", MeetingID: "m1", Reset: true}, now)
		got, err := st.controlsSince(context.Background(), now.Add(-time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []message{
			{Node: "n1", Kick: "bob", Session: "s1", Control: logout},
			{Node: "n2", MeetingID: "m1", Reset: true, Control: reset},
		}
		if len(got) != len(want) {
			t.Fatalf("controls since a minute ago: %+v, want %+v", got, want)
		}
		for i := range want {
			if g, w := got[i], want[i]; g.Node != w.Node || g.MeetingID != w.MeetingID || g.Kick != w.Kick ||
				g.Session != w.Session || g.Reset != w.Reset || g.Control != w.Control {
				t.Errorf("control %d: %+v, want %+v", i, g, w)
			}
		}
		if got, _ := st.controlsSince(context.Background(), now.Add(-2*time.Hour), 1); len(got) != 1 || got[0].Kick != "old" {
			t.Errorf("the limit: %+v, want the oldest only", got)
		}
		n, err := st.pruneControls(context.Background(), now.Add(-time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("prune: %d, %v; want 1 deleted", n, err)
		}
	})
}

// A node's goodbye leaves a tombstone that an older list does not undo,
// and that the heartbeat forgets with the node once it has been silent
// for three heartbeats, so that tombstones do not pile up.
func TestPresenceTombstone(t *testing.T) {
	var r room
	r.hub = &Hub{opt: Options{FollowInterval: time.Hour}}
	r.pres.init(&r)
	r.closed = true // no flush timers
	p := &r.pres
	dora := []remoteUser{{ID: "dora", Name: "dora", Role: "delegate"}}
	p.takeNote("n2", &presenceNote{Gen: 10, Parts: 1, Users: dora})
	p.takeNote("n2", &presenceNote{Gen: 12})
	p.takeNote("n2", &presenceNote{Gen: 11, Parts: 1, Users: dora})
	if _, _, ok := p.merged("dora"); ok {
		t.Fatal("an older list undid a goodbye")
	}
	if rn := p.remote["n2"]; rn == nil || len(rn.users) != 0 || rn.gen != 12 {
		t.Fatalf("the goodbye's tombstone: %+v", rn)
	}
	p.takeNote("n2", &presenceNote{Gen: 13, Parts: 1, Users: dora}) // the node's room filled again
	if _, _, ok := p.merged("dora"); !ok {
		t.Fatal("a newer list after a goodbye was ignored")
	}
	p.takeNote("n2", &presenceNote{Gen: 14})
	p.remote["n2"].seen = time.Now().Add(-time.Minute)
	r.closed = false
	r.heartbeat(time.Second)
	r.closed = true
	if _, ok := p.remote["n2"]; ok {
		t.Fatal("the heartbeat kept a silent node's tombstone")
	}
}
