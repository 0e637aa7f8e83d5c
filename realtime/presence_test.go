package realtime

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/curia/curia/internal/testdb"
)

func TestSnapshot(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		n.publish("m1", "presentation.changed", map[string]any{"page": 1})
		n.publish("m1", "presentation.changed", map[string]any{"page": 2})

		c := dial(t, n, "m1", "alice", "")
		m := c.next()
		s := decodeSnap(t, m)
		if m.Seq != 2 {
			t.Errorf("snapshot seq %d, want 2 (the room's current seq)", m.Seq)
		}
		if s.State["viewer"] != "alice" || s.State["meeting"] != "m1" || s.State["page"] != float64(7) {
			t.Errorf("state %v is not the Snapshotter's output for alice", s.State)
		}
		if s.Epoch == "" || s.Resumed {
			t.Errorf("epoch %q resumed %v: want an epoch and a fresh snapshot", s.Epoch, s.Resumed)
		}
		if s.Following != nil {
			t.Errorf("a delegate got follow counts: %s", s.Raw)
		}
		n.publish("m1", "presentation.changed", map[string]any{"page": 3})
		e := c.events(1)[0]
		if e.Seq != 3 || e.Type != "presentation.changed" || string(e.Data) != `{"page":3}` {
			t.Errorf("event %+v, want seq 3 presentation.changed {\"page\":3}", e)
		}
	})
}

func TestPresence(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m1", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)

		watcher := dial(t, n, "m1", "bob", "")
		decodeSnap(t, watcher.next())
		watcher.nextOf("presence.joined") // bob himself

		tab1 := dial(t, n, "m1", "alice", "")
		decodeSnap(t, tab1.next())
		if got := joinedIDs(t, watcher.nextOf("presence.joined")); !slices.Equal(got, []string{"alice"}) {
			t.Fatalf("joined %v, want [alice]", got)
		}
		tab2 := dial(t, n, "m1", "alice", "")
		s := decodeSnap(t, tab2.next())
		if ids := onlineIDs(s.Online); !slices.Equal(ids, []string{"alice", "bob"}) {
			t.Fatalf("online %v, want alice once and bob", ids)
		}

		_ = tab1.ws.Close() // alice still has a tab open: nobody left
		tab2.ws.Close()
		m := watcher.nextOf("presence.left")
		var left struct {
			UserIDs []string `json:"user_ids"`
		}
		_ = json.Unmarshal(m.Data, &left)
		if !slices.Equal(left.UserIDs, []string{"alice"}) {
			t.Fatalf("left %v, want [alice]", left.UserIDs)
		}
	})
}

func joinedIDs(t *testing.T, m msg) []string {
	t.Helper()
	var d struct{ Users []onlineUser }
	if err := json.Unmarshal(m.Data, &d); err != nil {
		t.Fatalf("presence.joined %s: %v", m.Data, err)
	}
	return onlineIDs(d.Users)
}

func onlineIDs(us []onlineUser) []string {
	var ids []string
	for _, u := range us {
		ids = append(ids, u.UserID)
	}
	return ids
}

func TestFollowCounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "chair", "chair")
		auth.add("m1", "d1", "delegate")
		auth.add("m1", "d2", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)

		d1 := dial(t, n, "m1", "d1", "")
		decodeSnap(t, d1.next())
		d2 := dial(t, n, "m1", "d2", "")
		decodeSnap(t, d2.next())
		chair := dial(t, n, "m1", "chair", "")
		if s := decodeSnap(t, chair.next()); s.Following == nil {
			t.Fatalf("the chair's snapshot has no follow counts: %s", s.Raw)
		}
		waitCounts(t, chair, followCounts{Following: 3, Online: 3})

		d1.send(map[string]any{"type": "follow", "following": false})
		waitCounts(t, chair, followCounts{Following: 2, Online: 3, NotFollowing: []string{"d1"}})
		d1.send(map[string]any{"type": "follow", "following": true})
		waitCounts(t, chair, followCounts{Following: 3, Online: 3})
		auth.add("m1", "d3", "delegate")
		d3 := dial(t, n, "m1", "d3", "following=false") // reconnects while browsing
		decodeSnap(t, d3.next())
		waitCounts(t, chair, followCounts{Following: 3, Online: 4, NotFollowing: []string{"d3"}})

		// Delegates never see follow counts: the next thing d2 sees
		// after everything above is the event published now.
		n.publish("m1", "agenda.changed", nil)
		for {
			m := d2.next()
			if m.Type == "follow.changed" {
				t.Fatalf("a delegate got follow.changed: %s", m.Data)
			}
			if m.Type == "agenda.changed" {
				break
			}
		}
	})
}

// waitCounts reads follow.changed messages until one equals want.
func waitCounts(t *testing.T, c *client, want followCounts) {
	t.Helper()
	if want.NotFollowing == nil {
		want.NotFollowing = []string{}
	}
	for {
		var got followCounts
		m := c.nextOf("follow.changed")
		if err := json.Unmarshal(m.Data, &got); err != nil {
			t.Fatalf("follow.changed %s: %v", m.Data, err)
		}
		if sameCounts(got, want) {
			return
		}
	}
}
