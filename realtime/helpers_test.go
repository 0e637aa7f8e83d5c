package realtime

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// wait is the generous bound for anything a test waits for.
const wait = 10 * time.Second

// fakeAuth admits the users listed per meeting; the user is named by the
// X-User header (missing: unauthenticated).
type fakeAuth struct {
	mu      sync.Mutex
	members map[string]map[string]string // meeting → user → role
}

func newFakeAuth() *fakeAuth { return &fakeAuth{members: map[string]map[string]string{}} }

func (a *fakeAuth) add(meetingID, user, role string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.members[meetingID] == nil {
		a.members[meetingID] = map[string]string{}
	}
	a.members[meetingID][user] = role
}

func (a *fakeAuth) Authorize(r *http.Request, meetingID string) (Viewer, error) {
	user := r.Header.Get("X-User")
	if user == "" {
		return Viewer{}, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	a.mu.Lock()
	role, ok := a.members[meetingID][user]
	a.mu.Unlock()
	if !ok {
		return Viewer{}, apperr.NotFoundf("no such meeting")
	}
	return Viewer{UserID: user, Name: "Name " + user, Role: role, CanManage: role == "chair" || role == "secretary"}, nil
}

// fakeSnap returns the viewer and a call counter as the meeting's state.
type fakeSnap struct{ calls atomic.Int64 }

func (s *fakeSnap) Snapshot(_ context.Context, v Viewer, meetingID string) (any, error) {
	n := s.calls.Add(1)
	return map[string]any{"meeting": meetingID, "viewer": v.UserID, "call": n, "page": 7}, nil
}

// node is one hub served over HTTP, as one Curia node would be.
type node struct {
	hub  *Hub
	srv  *httptest.Server
	reg  *prometheus.Registry
	snap *fakeSnap
}

func openDB(t *testing.T, b testdb.Backend) *database.DB {
	t.Helper()
	return b.Open(t, Migration())
}

// startNode starts a hub on db with auth; opt may adjust its options.
func startNode(t *testing.T, db *database.DB, auth Authorizer, opt func(*Options)) *node {
	t.Helper()
	n := &node{reg: prometheus.NewRegistry(), snap: &fakeSnap{}}
	o := Options{DB: db, Authorizer: auth, Snapshotter: n.snap, Metrics: n.reg, Linger: -1,
		FollowInterval: 20 * time.Millisecond, AllowedOrigins: []string{"https://allowed.example"}}
	if opt != nil {
		opt(&o)
	}
	h, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	n.hub = h
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/meetings/{id}/live", h.Handler())
	n.srv = httptest.NewServer(mux)
	t.Cleanup(func() { n.stop(t) })
	if pb, ok := h.broker.(*pgBroker); ok {
		select {
		case <-pb.listening:
		case <-time.After(wait):
			t.Fatal("PostgreSQL listener did not start")
		}
	}
	return n
}

// stop closes the hub and the server; safe to call twice.
func (n *node) stop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := n.hub.Close(ctx); err != nil {
		t.Errorf("hub close: %v", err)
	}
	n.srv.Close()
}

func (n *node) publish(meetingID, typ string, data any, audience ...string) {
	e := event.Event{MeetingID: meetingID, Type: typ, Data: data}
	if audience != nil {
		e.Audience = audience
	}
	n.hub.Publish(context.Background(), e)
}

// msg is any server message.
type msg struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func liveURL(n *node, meetingID, query string) string {
	u := "ws" + strings.TrimPrefix(n.srv.URL, "http") + "/api/v1/meetings/" + meetingID + "/live"
	if query != "" {
		u += "?" + query
	}
	return u
}

// dialRaw opens a connection with the given headers.
func dialRaw(n *node, meetingID, query string, h http.Header) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: wait}
	return d.Dial(liveURL(n, meetingID, query), h)
}

// dial connects user and fails the test if that is refused.
func dial(t *testing.T, n *node, meetingID, user, query string) *client {
	t.Helper()
	ws, resp, err := dialRaw(n, meetingID, query, http.Header{"X-User": {user}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s as %s: %v (status %d)", meetingID, user, err, status)
	}
	c := &client{t: t, ws: ws}
	t.Cleanup(func() { _ = ws.Close() })
	return c
}

// next returns the next message of any kind.
func (c *client) next() msg {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m msg
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("message %s: %v", b, err)
	}
	return m
}

// nextOf returns the next message of type typ, skipping the others.
func (c *client) nextOf(typ string) msg {
	c.t.Helper()
	for {
		if m := c.next(); m.Type == typ {
			return m
		}
	}
}

// events returns the next n sequenced messages, skipping ephemeral ones.
func (c *client) events(n int) []msg {
	c.t.Helper()
	var out []msg
	for len(out) < n {
		if m := c.next(); m.Seq > 0 && m.Type != "snapshot" {
			out = append(out, m)
		}
	}
	return out
}

// send writes a JSON text message.
func (c *client) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// closeCode reads until the connection ends and returns its close code
// (-1 when it ended without a close frame).
func (c *client) closeCode() int {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	for {
		if _, _, err := c.ws.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return ce.Code
			}
			return -1
		}
	}
}

// snapshotData decodes a snapshot message's data.
type snapData struct {
	Epoch     string          `json:"epoch"`
	Resumed   bool            `json:"resumed"`
	State     map[string]any  `json:"state"`
	Online    []onlineUser    `json:"online"`
	Following *followCounts   `json:"following"`
	Raw       json.RawMessage `json:"-"`
}

func decodeSnap(t *testing.T, m msg) snapData {
	t.Helper()
	if m.Type != "snapshot" {
		t.Fatalf("got %s, want snapshot", m.Type)
	}
	var s snapData
	if err := json.Unmarshal(m.Data, &s); err != nil {
		t.Fatalf("snapshot %s: %v", m.Data, err)
	}
	s.Raw = m.Data
	return s
}

// seqs lists the seqs of ms.
func seqs(ms []msg) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.Seq
	}
	return out
}

// checkContiguous fails unless ms carry seqs first, first+1, ….
func checkContiguous(t *testing.T, ms []msg, first int64) {
	t.Helper()
	for i, m := range ms {
		if m.Seq != first+int64(i) {
			t.Fatalf("message %d has seq %d, want %d (seqs %v)", i, m.Seq, first+int64(i), seqs(ms))
		}
	}
}

// eventually polls cond until it holds or wait passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// metricValue reads a counter or gauge from the node's registry.
func metricValue(t *testing.T, n *node, name string) float64 {
	t.Helper()
	mfs, err := n.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if m.GetCounter() != nil {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}
