package realtime

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/internal/testdb"
)

// The tests here prove that a user whose access to a meeting changed is
// not resumed (rights.go): a reconnection whose epoch carries the rights
// its state was built with gets resync and a full snapshot when those are
// no longer the user's, on every device and node, while a disconnect that
// changed no rights, and everyone else, still resume; and that a resume
// without that tag falls back on the node's memory of access changes.

// reconnect dials user with since and epoch and returns whether the hub
// resumed (true) or answered resync and a full snapshot (false); any
// other answer fails the test.
func reconnect(t *testing.T, n *node, meetingID, user string, since int64, epoch string) bool {
	t.Helper()
	c := dial(t, n, meetingID, user, fmt.Sprintf("since=%d&epoch=%s", since, epoch))
	m := c.next()
	if m.Type == "resync" {
		if s := decodeSnap(t, c.next()); s.Resumed || s.State == nil {
			t.Fatalf("%s: resync followed by a snapshot without state: %s", user, s.Raw)
		}
		return false
	}
	if s := decodeSnap(t, m); !s.Resumed || s.State != nil {
		t.Fatalf("%s reconnected with since=%d: neither resumed nor resynced: %s", user, since, s.Raw)
	}
	return true
}

// A chair made a delegate (Disconnect) is closed on the tablet and on the
// laptop; both reconnect with since, and both get resync and a full
// snapshot: the first reconnection does not use the change up, or the
// laptop would keep what the chair saw. The tablet, which now holds a
// delegate's state, then resumes again; so do the same user in another
// meeting and another user in this one.
func TestResumeAfterRoleChangeResyncsEveryDevice(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "carol", "chair")
		auth.add("m2", "carol", "delegate")
		auth.add("m1", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		tablet := dial(t, n, "m1", "carol", "")
		epoch := decodeSnap(t, tablet.next()).Epoch
		laptop := dial(t, n, "m1", "carol", "")
		decodeSnap(t, laptop.next())
		other := dial(t, n, "m2", "carol", "")
		epoch2 := decodeSnap(t, other.next()).Epoch
		bob := dial(t, n, "m1", "bob", "")
		bobEpoch := decodeSnap(t, bob.next()).Epoch
		n.publish("m1", "poll.created", "draft", "carol")
		n.publish("m2", "page", 1)
		last := tablet.events(1)[0].Seq
		laptop.events(1)
		last2 := other.events(1)[0].Seq

		auth.add("m1", "carol", "delegate")
		if err := n.hub.Disconnect(context.Background(), "m1", "carol"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []*client{tablet, laptop} {
			if code := c.closeCode(); code != closeAccessChanged {
				t.Fatalf("closed with %d, want %d", code, closeAccessChanged)
			}
		}
		n.publish("m1", "participants.changed", 1)
		again := dial(t, n, "m1", "carol", fmt.Sprintf("since=%d&epoch=%s", last, epoch))
		if m := again.next(); m.Type != "resync" {
			t.Fatalf("the tablet was answered with %s after carol's role changed; want resync", m.Type)
		}
		snap := again.next()
		newEpoch := decodeSnap(t, snap).Epoch
		if reconnect(t, n, "m1", "carol", last, epoch) {
			t.Fatal("the laptop was resumed after the tablet's full join: it keeps the chair's state")
		}
		_ = again.ws.Close()
		if !reconnect(t, n, "m1", "carol", snap.Seq, newEpoch) {
			t.Fatal("the tablet, with a delegate's state now, was not resumed")
		}
		if !reconnect(t, n, "m2", "carol", last2, epoch2) {
			t.Fatal("carol's connection to another meeting was not resumed")
		}
		if !reconnect(t, n, "m1", "bob", last, bobEpoch) {
			t.Fatal("bob, whose access did not change, was not resumed")
		}
	})
}

// A disconnect that changed none of the rights a snapshot depends on (the
// app disconnects a participant when they are added, or their vote or
// weight changes) leaves a tagged resume alone, even from a seq before
// it: the replay check still judges the events.
func TestResumeAfterKickWithSameRights(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "dave", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		c := dial(t, n, "m1", "dave", "")
		epoch := decodeSnap(t, c.next()).Epoch
		if err := n.hub.Disconnect(context.Background(), "m1", "dave"); err != nil {
			t.Fatal(err)
		}
		if code := c.closeCode(); code != closeAccessChanged {
			t.Fatalf("closed with %d, want %d", code, closeAccessChanged)
		}
		n.publish("m1", "participants.changed", 1)
		if !reconnect(t, n, "m1", "dave", 0, epoch) {
			t.Fatal("dave, whose rights did not change, was not resumed")
		}
	})
}

// Untagged resumes (no epoch, or one from an older server) fall back on
// the node's marks. DisconnectUser (the administrator right granted or
// taken away) marks the user in every meeting; Disconnect in one; a
// logout (DisconnectSession) changes no rights and marks nothing.
func TestUntaggedResumeAfterAccessChangeResyncs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newSessionAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m2", "alice", "delegate")
		auth.add("m1", "carol", "chair")
		auth.add("m2", "carol", "delegate")
		auth.add("m1", "dave", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		epoch1, _ := splitEpoch(decodeSnap(t, dialAs(t, n, "m1", "alice", "s1").next()).Epoch)
		epoch2, _ := splitEpoch(decodeSnap(t, dialAs(t, n, "m2", "alice", "s1").next()).Epoch)
		d := dialAs(t, n, "m1", "dave", "phone")
		decodeSnap(t, d.next())

		if err := n.hub.DisconnectSession(context.Background(), "dave", "phone"); err != nil {
			t.Fatal(err)
		}
		if code := d.closeCode(); code != closeAccessChanged {
			t.Fatalf("dave closed with %d, want %d", code, closeAccessChanged)
		}
		if !reconnect(t, n, "m1", "dave", 0, "") {
			t.Fatal("dave was not resumed after a logout")
		}

		if err := n.hub.DisconnectUser(context.Background(), "alice"); err != nil {
			t.Fatal(err)
		}
		if err := n.hub.Disconnect(context.Background(), "m1", "carol"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ meeting, user, epoch string }{
			{"m1", "alice", ""}, {"m2", "alice", epoch2}, {"m1", "alice", epoch1}, {"m1", "carol", ""},
		} {
			if reconnect(t, n, tc.meeting, tc.user, 0, tc.epoch) {
				t.Fatalf("%s was resumed in %s (epoch %q) after her access changed", tc.user, tc.meeting, tc.epoch)
			}
		}
		if !reconnect(t, n, "m2", "carol", 0, "") {
			t.Fatal("carol was not resumed in a meeting where her access did not change")
		}
	})
}

// On PostgreSQL a disconnect reaches the other nodes as a message
// (pgBroker.handle → Hub.message). A node that hears one, even with no
// room for the meeting yet (nobody of it connected there), remembers it
// for untagged resumes: the user's tablet, closed on the node that made
// the change, may reconnect to this one.
func TestAccessChangeHeardFromAnotherNode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "carol", "chair")
		n := startNode(t, openDB(t, b), auth, nil)
		n.publish("m1", "page", 1)
		if n.hub.lookup("m1") != nil {
			t.Fatal("the node has a room for m1 already")
		}
		n.hub.message(message{Node: "other-node", MeetingID: "m1", Kick: "carol"})
		head, epoch, err := n.hub.st.current(context.Background(), "m1")
		if err != nil {
			t.Fatal(err)
		}
		if reconnect(t, n, "m1", "carol", head, epoch) {
			t.Fatal("carol was resumed on a node that heard of her access change from another")
		}
	})
}

// A resume being admitted (authorised as the chair, not yet in the room)
// when carol is made a delegate is sent back by the admission's note
// (admit.go), authorised again as a delegate, and so answered with
// resync when it joins.
func TestAccessChangeDuringResumeAdmission(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newSessionAuth()
		auth.add("m1", "carol", "chair")
		n := startNode(t, openDB(t, b), auth, nil)
		auth.hub.Store(n.hub)
		c := dial(t, n, "m1", "carol", "")
		epoch := decodeSnap(t, c.next()).Epoch
		_ = c.ws.Close()
		auth.once("carol", func(a *sessionAuth, v Viewer) {
			a.add("m1", v.UserID, "delegate")
			_ = a.hub.Load().Disconnect(context.Background(), "m1", v.UserID)
		})
		if reconnect(t, n, "m1", "carol", 0, epoch) {
			t.Fatal("a resume admitted across carol's role change was resumed")
		}
		if calls := auth.callsOf("carol"); calls != 3 {
			t.Fatalf("carol authorised %d times, want 3 (the first dial, the resume twice)", calls)
		}
	})
}

// The mark an untagged resume falls back on lasts for the replay window
// (Retention and two prune runs) and is then forgotten, by the join and
// by the sweep.
func TestAccessChangeMarkExpires(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		auth := newFakeAuth()
		auth.add("m1", "carol", "chair")
		n := startNode(t, openDB(t, b), auth, func(o *Options) {
			o.Now = clock
			o.Retention, o.PruneInterval = time.Hour, 10*time.Minute
		})
		c := dial(t, n, "m1", "carol", "")
		epoch, _ := splitEpoch(decodeSnap(t, c.next()).Epoch) // untagged: the marks decide
		if err := n.hub.Disconnect(context.Background(), "m1", "carol"); err != nil {
			t.Fatal(err)
		}
		if code := c.closeCode(); code != closeAccessChanged {
			t.Fatalf("closed with %d, want %d", code, closeAccessChanged)
		}
		advance(79 * time.Minute)
		n.publish("m1", "page", 1)
		if reconnect(t, n, "m1", "carol", 0, epoch) {
			t.Fatal("resumed within the window")
		}
		advance(time.Minute)
		n.publish("m1", "page", 2) // what the resume replays: newer than Retention
		if !reconnect(t, n, "m1", "carol", 1, epoch) {
			t.Fatal("not resumed once the window had passed")
		}
		n.hub.sweepRights()
		n.hub.rmu.Lock()
		left := len(n.hub.rights)
		n.hub.rmu.Unlock()
		if left != 0 {
			t.Fatalf("%d marks left after the sweep", left)
		}
	})
}

// Past maxRightsMarks live marks a node forgets them all and resyncs
// every resume for a window: memory stays bounded, and nobody whose
// access changed is resumed.
func TestAccessChangeMarksBounded(t *testing.T) {
	auth := newFakeAuth()
	n := startNode(t, openDB(t, testdb.Backends()[0]), auth, nil)
	h := n.hub
	for i := range maxRightsMarks {
		h.markRightsChanged(message{MeetingID: "m1", Kick: fmt.Sprint("u", i)})
	}
	if h.rightsChanged("m1", "nobody") {
		t.Fatal("a user never disconnected is resynced before the bound is reached")
	}
	h.markRightsChanged(message{MeetingID: "m1", Kick: "last"})
	h.rmu.Lock()
	left := len(h.rights)
	h.rmu.Unlock()
	if left > 1 {
		t.Fatalf("%d marks kept past the bound", left)
	}
	for _, u := range []string{"u0", "u65535", "last", "nobody"} {
		if !h.rightsChanged("m1", u) {
			t.Fatalf("%s resumes after the marks overflowed", u)
		}
	}
}

// On PostgreSQL, with two nodes: carol, made a delegate on A, is closed
// on B. Whichever node her tablet reconnects to, its chair's state is
// answered with resync; and B, which only heard of the change, remembers
// it for an untagged resume.
func TestAccessChangeAcrossNodes(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "carol", "chair")
	a, b, _ := twoNodes(t, auth)
	onB := dial(t, b, "m1", "carol", "")
	epoch := decodeSnap(t, onB.next()).Epoch
	a.publish("m1", "page", 1)
	last := onB.events(1)[0].Seq
	auth.add("m1", "carol", "delegate")
	if err := a.hub.Disconnect(context.Background(), "m1", "carol"); err != nil {
		t.Fatal(err)
	}
	if code := onB.closeCode(); code != closeAccessChanged {
		t.Fatalf("carol on B closed with %d, want %d", code, closeAccessChanged)
	}
	for name, n := range map[string]*node{"B": b, "A": a} {
		if reconnect(t, n, "m1", "carol", last, epoch) {
			t.Fatalf("carol's chair state was resumed on node %s", name)
		}
	}
	if stream, _ := splitEpoch(epoch); reconnect(t, b, "m1", "carol", last, stream) {
		t.Fatal("an untagged resume was resumed on node B, which heard of the change")
	}
}
