package realtime

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/testdb"
)

// expiringAuth is fakeAuth with sessions that end: X-Session names the
// session, and its end is looked up in ends.
type expiringAuth struct {
	*fakeAuth
	mu   sync.Mutex
	ends map[string]time.Time
}

func newExpiringAuth() *expiringAuth {
	return &expiringAuth{fakeAuth: newFakeAuth(), ends: map[string]time.Time{}}
}

func (a *expiringAuth) setEnd(session string, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ends[session] = at
}

func (a *expiringAuth) Authorize(r *http.Request, meetingID string) (Viewer, error) {
	v, err := a.fakeAuth.Authorize(r, meetingID)
	if err != nil {
		return v, err
	}
	v.Session = r.Header.Get("X-Session")
	a.mu.Lock()
	v.SessionExpires = a.ends[v.Session]
	a.mu.Unlock()
	return v, nil
}

// fakeChecker records what the hub asks and reports the sessions in ended.
type fakeChecker struct {
	mu    sync.Mutex
	calls [][]string
	ended map[string]bool
}

func (f *fakeChecker) CheckSessions(_ context.Context, sessions []string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, slices.Clone(sessions))
	var out []string
	for _, s := range sessions {
		if f.ended[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeChecker) end(session string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended[session] = true
}

func (f *fakeChecker) recorded() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// dialSession connects user with session and reads the snapshot.
func dialSession(t *testing.T, n *node, meetingID, user, session string) *client {
	t.Helper()
	ws, resp, err := dialRaw(n, meetingID, "", http.Header{"X-User": {user}, "X-Session": {session}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial as %s/%s: %v (status %d)", user, session, err, status)
	}
	c := &client{t: t, ws: ws}
	t.Cleanup(func() { _ = ws.Close() })
	decodeSnap(t, c.next())
	return c
}

// closedWith reads c until it ends, within d, and returns how.
func (c *client) closedWith(d time.Duration) *websocket.CloseError {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(d))
	for {
		if _, _, err := c.ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				c.t.Fatalf("the connection did not close with a close frame within %v: %v", d, err)
			}
			return ce
		}
	}
}

// stillOpen checks that c answers a ping.
func (c *client) stillOpen() {
	c.t.Helper()
	c.send(map[string]string{"type": "ping"})
	c.nextOf("pong")
}

// At its session's end a connection closes with 4003 ("session ended"),
// with no traffic to trigger it: both connections of that session, and
// not before. A connection of another session stays; one opened with a
// session that ends while it is being opened closes at once.
func TestSessionLifetimeClosesConnections(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newExpiringAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m1", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)

		end := time.Now().Add(700 * time.Millisecond)
		auth.setEnd("short", end)
		auth.setEnd("long", time.Now().Add(time.Hour))
		tablet := dialSession(t, n, "m1", "alice", "short")
		phone := dialSession(t, n, "m1", "alice", "short")
		other := dialSession(t, n, "m1", "bob", "long")

		for _, c := range []*client{tablet, phone} {
			ce := c.closedWith(wait)
			if ce.Code != closeAccessChanged || ce.Text != closeSessionEnded {
				t.Fatalf("closed with %d %q, want %d %q", ce.Code, ce.Text, closeAccessChanged, closeSessionEnded)
			}
		}
		if early := time.Until(end); early > 50*time.Millisecond {
			t.Fatalf("closed %v before the session's end", early)
		}
		n.publish("m1", "page", 2)
		if got := other.events(1)[0].Type; got != "page" {
			t.Fatalf("the other session's connection got %s, want page", got)
		}

		auth.setEnd("gone", time.Now().Add(-time.Second)) // ended while connecting
		late := dialSession(t, n, "m1", "bob", "gone")
		if ce := late.closedWith(wait); ce.Code != closeAccessChanged {
			t.Fatalf("a connection of an ended session closed with %d, want %d", ce.Code, closeAccessChanged)
		}
		other.stillOpen()
		eventually(t, "ended sessions to be forgotten", func() bool {
			n.hub.smu.Lock()
			defer n.hub.smu.Unlock()
			_, ok := n.hub.sessions["long"]
			return len(n.hub.sessions) == 1 && ok
		})
	})
}

// The hub asks Options.Sessions about each session of its open
// connections once per round, however many connections share it, and
// closes the connections of the sessions it reports ended.
func TestSessionCheckClosesEndedSessions(t *testing.T) {
	auth := newExpiringAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m2", "alice", "delegate")
	auth.add("m1", "bob", "chair")
	check := &fakeChecker{ended: map[string]bool{}}
	n := startNode(t, openDB(t, testdb.Backends()[0]), auth, func(o *Options) {
		o.Sessions, o.SessionCheck = check, 20*time.Millisecond
	})
	a1 := dialSession(t, n, "m1", "alice", "sa")
	a2 := dialSession(t, n, "m1", "alice", "sa")
	a3 := dialSession(t, n, "m2", "alice", "sa")
	b1 := dialSession(t, n, "m1", "bob", "sb")

	eventually(t, "a round that sees both sessions", func() bool {
		calls := check.recorded()
		return len(calls) > 0 && len(calls[len(calls)-1]) == 2
	})
	for _, ids := range check.recorded() {
		sorted := slices.Sorted(slices.Values(ids))
		if len(slices.Compact(sorted)) != len(ids) {
			t.Fatalf("a round named a session twice: %v", ids)
		}
	}

	check.end("sa")
	for _, c := range []*client{a1, a2, a3} {
		if ce := c.closedWith(wait); ce.Code != closeAccessChanged || ce.Text != closeSessionEnded {
			t.Fatalf("closed with %d %q, want %d %q", ce.Code, ce.Text, closeAccessChanged, closeSessionEnded)
		}
	}
	b1.stillOpen()
	eventually(t, "only sb to be checked", func() bool {
		calls := check.recorded()
		last := calls[len(calls)-1]
		return len(last) == 1 && last[0] == "sb"
	})
}

// Without Options.Sessions no check runs, and a connection without a
// session is not tracked.
func TestNoSessionNoTracking(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	n := startNode(t, openDB(t, testdb.Backends()[0]), auth, nil)
	c := dial(t, n, "m1", "alice", "")
	decodeSnap(t, c.next())
	c.stillOpen()
	n.hub.smu.Lock()
	tracked := len(n.hub.sessions)
	n.hub.smu.Unlock()
	if tracked != 0 {
		t.Fatalf("%d sessions tracked for a connection without one", tracked)
	}
}
