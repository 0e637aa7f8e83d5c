package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/testdb"
)

// sessionAuth is fakeAuth with sessions (the X-Session header) and users
// that can be disabled; before authorising it runs during, if set, so a
// test can change access between the Authorizer's read and the join.
type sessionAuth struct {
	*fakeAuth
	hub      atomic.Pointer[Hub]
	mu       sync.Mutex
	disabled map[string]bool
	calls    map[string]int // Authorize calls per user
	during   func(a *sessionAuth, v Viewer)
}

func newSessionAuth() *sessionAuth {
	return &sessionAuth{fakeAuth: newFakeAuth(), disabled: map[string]bool{}, calls: map[string]int{}}
}

func (a *sessionAuth) Authorize(r *http.Request, meetingID string) (Viewer, error) {
	user := r.Header.Get("X-User")
	a.mu.Lock()
	a.calls[user]++
	off := a.disabled[user]
	during := a.during
	a.mu.Unlock()
	if off {
		return Viewer{}, apperr.New(apperr.Unauthenticated, "your session has ended")
	}
	v, err := a.fakeAuth.Authorize(r, meetingID)
	if err != nil {
		return v, err
	}
	v.Session = r.Header.Get("X-Session")
	if during != nil {
		during(a, v)
	}
	return v, nil
}

func (a *sessionAuth) disable(user string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.disabled[user] = true
}

func (a *sessionAuth) remove(meetingID, user string) {
	a.fakeAuth.mu.Lock()
	defer a.fakeAuth.mu.Unlock()
	delete(a.fakeAuth.members[meetingID], user)
}

func (a *sessionAuth) callsOf(user string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[user]
}

// once makes during run for the first matching viewer only.
func (a *sessionAuth) once(user string, fn func(a *sessionAuth, v Viewer)) {
	var done atomic.Bool
	a.mu.Lock()
	defer a.mu.Unlock()
	a.during = func(a *sessionAuth, v Viewer) {
		if v.UserID == user && done.CompareAndSwap(false, true) {
			fn(a, v)
		}
	}
}

// dialAs connects user with a session and fails the test if refused.
func dialAs(t *testing.T, n *node, meetingID, user, session string) *client {
	t.Helper()
	ws, resp, err := dialRaw(n, meetingID, "", http.Header{"X-User": {user}, "X-Session": {session}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s as %s/%s: %v (status %d)", meetingID, user, session, err, status)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return &client{t: t, ws: ws}
}

// dialStatus tries to connect and returns the refusal's status, or 101
// (closing the connection) when it was accepted.
func dialStatus(t *testing.T, n *node, meetingID, user string) int {
	t.Helper()
	ws, resp, err := dialRaw(n, meetingID, "", http.Header{"X-User": {user}})
	if err == nil {
		_ = ws.Close()
		return http.StatusSwitchingProtocols
	}
	if resp == nil {
		t.Fatalf("dial: %v", err)
	}
	return resp.StatusCode
}

// DisconnectUser closes every connection of the user, in every meeting
// and of every session, and nobody else's; UserDisconnected hears of it.
func TestDisconnectUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newSessionAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m2", "alice", "chair")
		auth.add("m1", "bob", "delegate")
		var heard []string
		var mu sync.Mutex
		n := startNode(t, openDB(t, b), auth, func(o *Options) {
			o.UserDisconnected = func(u string) { mu.Lock(); heard = append(heard, u); mu.Unlock() }
		})
		a1 := dialAs(t, n, "m1", "alice", "s1")
		decodeSnap(t, a1.next())
		a2 := dialAs(t, n, "m2", "alice", "s2")
		decodeSnap(t, a2.next())
		bob := dialAs(t, n, "m1", "bob", "s3")
		decodeSnap(t, bob.next())

		if err := n.hub.DisconnectUser(context.Background(), "alice"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []*client{a1, a2} {
			if code := c.closeCode(); code != closeAccessChanged {
				t.Fatalf("alice closed with %d, want %d", code, closeAccessChanged)
			}
		}
		n.publish("m1", "page", 1)
		if e := bob.events(1)[0]; e.Seq != 1 {
			t.Fatalf("bob got seq %d, want 1", e.Seq)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(heard) != 1 || heard[0] != "alice" {
			t.Fatalf("UserDisconnected heard %v, want [alice]", heard)
		}
	})
}

// DisconnectSession closes the connections opened with that session only:
// a logout on the phone leaves the tablet connected.
func TestDisconnectSession(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newSessionAuth()
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		phone := dialAs(t, n, "m1", "alice", "phone")
		decodeSnap(t, phone.next())
		tablet := dialAs(t, n, "m1", "alice", "tablet")
		decodeSnap(t, tablet.next())

		if err := n.hub.DisconnectSession(context.Background(), "alice", "phone"); err != nil {
			t.Fatal(err)
		}
		if code := phone.closeCode(); code != closeAccessChanged {
			t.Fatalf("the phone closed with %d, want %d", code, closeAccessChanged)
		}
		n.publish("m1", "page", 1)
		if e := tablet.events(1)[0]; e.Seq != 1 {
			t.Fatalf("the tablet got seq %d, want 1", e.Seq)
		}
		// Another user's session of the same name is not theirs.
		if err := n.hub.DisconnectSession(context.Background(), "bob", "tablet"); err != nil {
			t.Fatal(err)
		}
		n.publish("m1", "page", 2)
		if e := tablet.events(1)[0]; e.Seq != 2 {
			t.Fatalf("the tablet got seq %d, want 2", e.Seq)
		}
	})
}

// A participant removed while their connection is being admitted (the
// Authorizer said yes, the removal committed and Disconnect ran, the join
// had not happened) is authorised again and refused: Disconnect cannot
// find them in the room, so the admission must remember it.
func TestDisconnectDuringAdmission(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		for _, roomOpen := range []bool{true, false} {
			auth := newSessionAuth()
			auth.add("m1", "alice", "chair")
			auth.add("m1", "mallory", "delegate")
			n := startNode(t, openDB(t, b), auth, nil)
			auth.hub.Store(n.hub)
			auth.once("mallory", func(a *sessionAuth, v Viewer) {
				a.remove("m1", v.UserID)
				_ = a.hub.Load().Disconnect(context.Background(), "m1", v.UserID)
			})
			if roomOpen {
				dial(t, n, "m1", "alice", "").nextOf("snapshot")
			}
			if status := dialStatus(t, n, "m1", "mallory"); status != http.StatusNotFound {
				t.Fatalf("room open %v: a user removed during admission got %d, want 404", roomOpen, status)
			}
			if calls := auth.callsOf("mallory"); calls != 2 {
				t.Fatalf("authorised %d times, want 2", calls)
			}
		}
	})
}

// The reviewer's case (review S7): the same race seen from the removed
// user's side, who must not receive the meeting's next event.
func TestRemovedDuringAdmissionGetsNoEvents(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newSessionAuth()
		auth.add("m1", "alice", "chair")
		auth.add("m1", "mallory", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		auth.hub.Store(n.hub)
		auth.once("mallory", func(a *sessionAuth, v Viewer) {
			a.remove("m1", v.UserID)
			_ = a.hub.Load().Disconnect(context.Background(), "m1", v.UserID)
		})
		dial(t, n, "m1", "alice", "").nextOf("snapshot")

		ws, resp, err := dialRaw(n, "m1", "", http.Header{"X-User": {"mallory"}})
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				return // refused: right
			}
			t.Fatalf("dial: %v", err)
		}
		defer ws.Close()
		n.publish("m1", "agenda.changed", map[string]any{"secret": "after removal"})
		_ = ws.SetReadDeadline(time.Now().Add(3 * time.Second))
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				if strings.Contains(err.Error(), "timeout") {
					t.Fatal("the removed user's connection stayed open")
				}
				return // closed (4003): right
			}
			var m msg
			_ = json.Unmarshal(b, &m)
			if m.Type == "agenda.changed" {
				t.Fatalf("a user removed from the meeting received %s", b)
			}
		}
	})
}

// A disconnect during admission that does not take access away (a chair
// made a delegate) admits the connection in its new role: authorised
// again, not refused.
func TestRoleChangeDuringAdmission(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newSessionAuth()
		auth.add("m1", "carol", "chair")
		n := startNode(t, openDB(t, b), auth, nil)
		auth.hub.Store(n.hub)
		auth.once("carol", func(a *sessionAuth, v Viewer) {
			a.add("m1", v.UserID, "delegate")
			_ = a.hub.Load().Disconnect(context.Background(), "m1", v.UserID)
		})
		c := dial(t, n, "m1", "carol", "")
		s := decodeSnap(t, c.next())
		if s.Following != nil {
			t.Fatalf("admitted as the chair after being made a delegate: %s", s.Raw)
		}
	})
}

// A user disabled while their connection is admitted, to a meeting this
// node has no room for yet, is refused as the Authorizer now says (401).
func TestDisableDuringAdmission(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newSessionAuth()
		auth.add("m1", "mallory", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		auth.hub.Store(n.hub)
		auth.once("mallory", func(a *sessionAuth, v Viewer) {
			a.disable(v.UserID)
			_ = a.hub.Load().DisconnectUser(context.Background(), v.UserID)
		})
		if status := dialStatus(t, n, "m1", "mallory"); status != http.StatusUnauthorized {
			t.Fatalf("a user disabled during admission got %d, want 401", status)
		}
	})
}

// A user disconnected on every attempt is told to retry (503), not let in.
func TestDisconnectedAtEveryAdmission(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newSessionAuth()
		auth.add("m1", "mallory", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		auth.hub.Store(n.hub)
		auth.during = func(a *sessionAuth, v Viewer) {
			_ = a.hub.Load().Disconnect(context.Background(), "m1", v.UserID)
		}
		if status := dialStatus(t, n, "m1", "mallory"); status != http.StatusServiceUnavailable {
			t.Fatalf("got %d, want 503", status)
		}
		if calls := auth.callsOf("mallory"); calls != maxAdmits {
			t.Fatalf("authorised %d times, want %d", calls, maxAdmits)
		}
	})
}

// The flood rule of api/live.md §4 (20 messages a second, bursts of 40,
// then 1008) counts websocket pings like messages: a client sending 2,000
// pings as fast as it can is closed with 1008, as it is for 2,000
// {"type":"ping"} messages (review S7); and fewer than 500 are answered.
func TestPingFrameFloodIsLimited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		if answered := controlFlood(t, b, websocket.PingMessage); answered >= 500 {
			t.Fatalf("%d pings answered before the close; the burst is 10", answered)
		}
	})
}

// Pongs the client sends unasked count too: 2,000 of them as fast as it
// can close the connection with 1008.
func TestPongFrameFloodIsLimited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		controlFlood(t, b, websocket.PongMessage)
	})
}

// controlFlood sends 2,000 control frames of type kind as fast as it can
// (limit 20 a second, burst 10), requires the connection to be closed with
// 1008 within 3 s, and returns how many pongs came back before the close.
func controlFlood(t *testing.T, b testdb.Backend, kind int) (pongs int) {
	t.Helper()
	auth := newFakeAuth()
	auth.add("m1", "mallory", "delegate")
	n := startNode(t, openDB(t, b), auth, func(o *Options) { o.RateLimit, o.RateBurst = 20, 10 })
	c := dial(t, n, "m1", "mallory", "")
	decodeSnap(t, c.next())
	go func() {
		for range 2000 {
			if c.ws.WriteControl(kind, []byte("x"), time.Now().Add(time.Second)) != nil {
				return
			}
		}
	}()
	c.ws.SetPongHandler(func(string) error { pongs++; return nil })
	_ = c.ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		_, _, err := c.ws.ReadMessage()
		var ce *websocket.CloseError
		switch {
		case errors.As(err, &ce) && ce.Code == websocket.ClosePolicyViolation:
			return pongs // closed for flooding: right
		case err != nil:
			t.Fatalf("after 2000 control frames (%d pongs back) the connection was not closed with 1008: %v", pongs, err)
		}
	}
}

// A few pings within the limit are answered.
func TestPingFramesAnswered(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		c := dial(t, n, "m1", "alice", "")
		decodeSnap(t, c.next())
		var pongs atomic.Int32
		c.ws.SetPongHandler(func(string) error { pongs.Add(1); return nil })
		for range 5 {
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("x"), time.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		c.send(map[string]string{"type": "ping"})
		c.nextOf("pong") // the pongs to the control pings came before it
		if got := pongs.Load(); got != 5 {
			t.Fatalf("%d pings answered, want 5", got)
		}
	})
}

// A user disabled on one node loses their connections on the other too,
// and that node forgets their sessions first (UserDisconnected); the same
// for one session's logout.
func TestDisconnectUserAcrossNodes(t *testing.T) {
	auth := newSessionAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	var heard [2]atomic.Int32 // by node
	var made atomic.Int32
	a, b, _ := twoNodesWith(t, auth, func(o *Options) {
		i := made.Add(1) - 1
		o.UserDisconnected = func(string) { heard[i].Add(1) }
	})
	onB := dialAs(t, b, "m1", "alice", "s1")
	decodeSnap(t, onB.next())
	bobPhone := dialAs(t, b, "m1", "bob", "phone")
	decodeSnap(t, bobPhone.next())
	bobTablet := dialAs(t, b, "m1", "bob", "tablet")
	decodeSnap(t, bobTablet.next())

	if err := a.hub.DisconnectUser(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	if code := onB.closeCode(); code != closeAccessChanged {
		t.Fatalf("alice on B closed with %d, want %d", code, closeAccessChanged)
	}
	eventually(t, "node B told to forget alice's sessions", func() bool { return heard[1].Load() == 1 })
	if err := a.hub.DisconnectSession(context.Background(), "bob", "phone"); err != nil {
		t.Fatal(err)
	}
	if code := bobPhone.closeCode(); code != closeAccessChanged {
		t.Fatalf("bob's phone on B closed with %d, want %d", code, closeAccessChanged)
	}
	a.publish("m1", "page", 1)
	if e := bobTablet.events(1)[0]; e.Seq != 1 {
		t.Fatalf("bob's tablet got seq %d, want 1", e.Seq)
	}
	if got := [2]int32{heard[0].Load(), heard[1].Load()}; got != [2]int32{2, 2} {
		t.Fatalf("UserDisconnected calls by node %v, want [2 2]", got)
	}
}
