package realtime

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/curia/curia/internal/testdb"
)

// Presence and follow counts cover every node: the chair on node A sees
// bob, who browses on node B; a node that shuts down takes its people
// with it at once.
func TestPresenceAcrossNodes(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "chair", "chair")
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	a, b, _ := twoNodesWith(t, auth, func(o *Options) { o.PresenceHeartbeat = 200 * time.Millisecond })

	chair := dial(t, a, "m1", "chair", "")
	decodeSnap(t, chair.next())
	alice := dial(t, a, "m1", "alice", "")
	decodeSnap(t, alice.next())
	bob := dial(t, b, "m1", "bob", "following=false")
	decodeSnap(t, bob.next())
	waitCounts(t, chair, followCounts{Following: 2, Online: 3, NotFollowing: []string{"bob"}})

	// A tablet joining on B sees everyone in its snapshot.
	auth.add("m1", "carol", "delegate")
	eventually(t, "carol's snapshot lists the people of both nodes", func() bool {
		c := dial(t, b, "m1", "carol", "")
		s := decodeSnap(t, c.next())
		_ = c.ws.Close()
		ids := onlineIDs(s.Online)
		return slices.Contains(ids, "chair") && slices.Contains(ids, "alice") && slices.Contains(ids, "bob")
	})

	// Bob follows again, from node B.
	bob.send(map[string]any{"type": "follow", "following": true})
	waitCounts(t, chair, followCounts{Following: 3, Online: 3})

	// Alice opens a second tab on B: she still counts once.
	alice2 := dial(t, b, "m1", "alice", "following=false")
	decodeSnap(t, alice2.next())
	_ = alice.ws.Close()
	waitCounts(t, chair, followCounts{Following: 2, Online: 3, NotFollowing: []string{"alice"}})

	// Node B shuts down: bob and alice leave at once, not after ageing.
	start := time.Now()
	b.stop(t)
	waitCounts(t, chair, followCounts{Following: 1, Online: 1})
	if d := time.Since(start); d > 3*200*time.Millisecond+time.Second {
		t.Errorf("the people of a stopped node left after %v", d)
	}
}

// A node that goes silent (it crashed) is forgotten after three heartbeats.
func TestSilentNodeAgesOut(t *testing.T) {
	testdb.Each(t, func(t *testing.T, be testdb.Backend) {
		if be.Name != "postgres" {
			t.Skip("presence crosses nodes on PostgreSQL only")
		}
		auth := newFakeAuth()
		auth.add("m1", "chair", "chair")
		n := startNode(t, openDB(t, be), auth, func(o *Options) { o.PresenceHeartbeat = 100 * time.Millisecond })
		chair := dial(t, n, "m1", "chair", "")
		decodeSnap(t, chair.next())
		waitCounts(t, chair, followCounts{Following: 1, Online: 1})
		// A note from a node that then says nothing more.
		n.hub.message(message{Node: "ghost", MeetingID: "m1", Presence: &presenceNote{Gen: 1, Parts: 1,
			Users: []remoteUser{{ID: "ghosted", Name: "Ghost", Role: "delegate"}}}})
		waitCounts(t, chair, followCounts{Following: 1, Online: 2, NotFollowing: []string{"ghosted"}})
		m := chair.nextOf("presence.left")
		var left struct {
			UserIDs []string `json:"user_ids"`
		}
		_ = json.Unmarshal(m.Data, &left)
		if !slices.Equal(left.UserIDs, []string{"ghosted"}) {
			t.Fatalf("left %v, want [ghosted]", left.UserIDs)
		}
	})
}

// Parts of a big list are put together; an older list never replaces a
// newer one.
func TestPresenceNotes(t *testing.T) {
	var r room
	r.hub = &Hub{opt: Options{FollowInterval: time.Hour}}
	r.pres.init(&r)
	r.closed = true // no flush timers
	p := &r.pres
	user := func(id string) remoteUser { return remoteUser{ID: id, Name: id, Role: "delegate"} }
	p.takeNote("n1", &presenceNote{Gen: 5, Part: 1, Parts: 2, Users: []remoteUser{user("b")}})
	if _, _, ok := p.merged("b"); ok {
		t.Fatal("half a list was applied")
	}
	p.takeNote("n1", &presenceNote{Gen: 5, Part: 0, Parts: 2, Users: []remoteUser{user("a")}})
	if len(p.allIDs()) != 2 {
		t.Fatalf("after both parts: %v", p.allIDs())
	}
	p.takeNote("n1", &presenceNote{Gen: 4, Part: 0, Parts: 1, Users: []remoteUser{user("old")}})
	if _, _, ok := p.merged("old"); ok {
		t.Fatal("an older list replaced a newer one")
	}
	p.takeNote("n1", &presenceNote{Gen: 6})
	if len(p.allIDs()) != 0 {
		t.Fatalf("an empty list left %v", p.allIDs())
	}
}
