package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// WithPublisher makes the server publish its events to p (an
// event.Recorder in tests).
func WithPublisher(p event.Publisher) Option {
	return func(c *app.Config) { c.Publisher = p }
}

// SignIn opens a session for a user without the login route (and its
// rate limits), for tests that need many signed-in users.
func (s *Server) SignIn(userID string) *Client {
	s.t.Helper()
	sess, err := s.App.Accounts.IssueSession(context.Background(), userID)
	if err != nil {
		s.t.Fatalf("sign in %s: %v", userID, err)
	}
	return &Client{s: s, Token: sess.Token, UserID: userID}
}

// Cast is one signed-in user for every part a person can play towards a
// meeting: its secretary, chair, a delegate, an observer, an outsider who
// does not take part, and an administrator who does not either.
type Cast struct {
	Secretary, Chair, Delegate, Observer, Outsider, Admin *Client
	s                                                     *Server
}

// CastRoles are the parts of a Cast, in the order tables list them.
func CastRoles() []string {
	return []string{"secretary", "chair", "delegate", "observer", "outsider", "admin"}
}

// StartCast starts a server (see Start) and signs in a cast on it.
func StartCast(tb testing.TB, b testdb.Backend, opts ...Option) (*Server, *Cast) {
	tb.Helper()
	s := Start(tb, b, opts...)
	return s, s.NewCast("cast")
}

// NewCast creates the cast's users (named after prefix) and signs them in.
func (s *Server) NewCast(prefix string) *Cast {
	s.t.Helper()
	c := &Cast{s: s}
	for _, role := range CastRoles() {
		id := s.CreateUser(prefix+"."+role, "Người "+role, role == "admin")
		*c.slot(role) = s.SignIn(id)
	}
	return c
}

func (c *Cast) slot(role string) **Client {
	switch role {
	case "secretary":
		return &c.Secretary
	case "chair":
		return &c.Chair
	case "delegate":
		return &c.Delegate
	case "observer":
		return &c.Observer
	case "outsider":
		return &c.Outsider
	case "admin":
		return &c.Admin
	}
	panic("apptest: no role " + role)
}

// As returns the client playing role.
func (c *Cast) As(role string) *Client { return *c.slot(role) }

// Meeting creates a meeting as the secretary, adds the chair, the delegate
// and the observer, and returns its id.
func (c *Cast) Meeting(title string) string {
	c.s.t.Helper()
	var m struct{ ID string }
	c.Secretary.Must(http.StatusCreated, "POST", "/api/v1/meetings", map[string]any{"title": title}).JSON(&m)
	for _, role := range []string{"chair", "delegate", "observer"} {
		c.Secretary.Must(http.StatusCreated, "PUT", "/api/v1/meetings/"+m.ID+"/participants/"+c.As(role).UserID,
			map[string]any{"role": role})
	}
	return m.ID
}

// SetStatus walks a meeting through its lifecycle to status, as the secretary.
func (c *Cast) SetStatus(meetingID string, path ...string) {
	c.s.t.Helper()
	for _, st := range path {
		c.Secretary.Must(http.StatusOK, "POST", "/api/v1/meetings/"+meetingID+"/status", map[string]any{"status": st})
	}
}

// Must is Do that fails the test unless the status is want.
func (c *Client) Must(want int, method, path string, body any) Response {
	c.s.t.Helper()
	res := c.Do(method, path, body)
	if res.Status != want {
		c.s.t.Fatalf("%s %s: got %d, want %d: %s", method, path, res.Status, want, res.Body)
	}
	return res
}

// Get GETs path, expects 200, and decodes the body into v.
func (c *Client) Get(path string, v any) {
	c.s.t.Helper()
	c.Must(http.StatusOK, "GET", path, nil).JSON(v)
}

// Check fails t unless res has status want and its body contains every
// fragment; it names the request in the failure.
func (r Response) Check(t testing.TB, what string, want int, fragments ...string) {
	t.Helper()
	if r.Status != want {
		t.Errorf("%s: got %d, want %d: %s", what, r.Status, want, r.Body)
		return
	}
	for _, f := range fragments {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("%s: body lacks %s: %s", what, f, r.Body)
		}
	}
}

// EventTypes drains rec and returns the types of the events it held.
func EventTypes(rec *event.Recorder) []string {
	var out []string
	for _, e := range Drain(rec) {
		out = append(out, e.Type)
	}
	return out
}

// Drain empties rec and returns its events.
func Drain(rec *event.Recorder) []event.Event {
	var out []event.Event
	for {
		select {
		case e := <-rec.Events():
			out = append(out, e)
		default:
			return out
		}
	}
}

// JSONString renders v as JSON for body-fragment checks.
func JSONString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("apptest: encode %v: %v", v, err))
	}
	return string(b)
}

// RoleCase is one request that every part of a Cast tries, each on a
// fresh meeting made by Cast.Meeting, so no try sees another's change.
type RoleCase struct {
	Name   string
	Method string
	// Path and a string Body may hold {m} for the meeting id, {secretary},
	// {chair} … {admin} for the cast's user ids, and the keys Setup returns.
	Path  string
	Body  any
	Setup func(c *Cast, meetingID string) map[string]string
	// Want holds the expected status for each part, in CastRoles order.
	Want [6]int
	// Contains are fragments every 2xx body must hold (placeholders expand).
	Contains []string
}

// RunRoles runs every case as every part of the cast.
func (c *Cast) RunRoles(t *testing.T, cases []RoleCase) {
	t.Helper()
	for _, tc := range cases {
		for i, role := range CastRoles() {
			t.Run(tc.Name+"/"+role, func(t *testing.T) {
				m := c.Meeting("Role table: " + tc.Name)
				vars := c.vars(m)
				if tc.Setup != nil {
					for k, v := range tc.Setup(c, m) {
						vars["{"+k+"}"] = v
					}
				}
				body := tc.Body
				if s, ok := body.(string); ok {
					body = expand(s, vars)
				}
				res := c.As(role).Do(tc.Method, expand(tc.Path, vars), body)
				want := tc.Want[i]
				var frags []string
				if want < 300 {
					for _, f := range tc.Contains {
						frags = append(frags, expand(f, vars))
					}
				}
				res.Check(t, role+" "+tc.Method+" "+tc.Path, want, frags...)
			})
		}
	}
}

func (c *Cast) vars(meetingID string) map[string]string {
	v := map[string]string{"{m}": meetingID}
	for _, role := range CastRoles() {
		v["{"+role+"}"] = c.As(role).UserID
	}
	return v
}

func expand(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// Step is one request and what it must leave behind: its status, the
// event types published (nil: none) and the audit action written ("": none).
type Step struct {
	Name   string
	As     *Client
	Method string
	Path   string
	Body   any
	Want   int
	Events []string
	Action string
	// Then may look closer at the events, when set.
	Then func(t *testing.T, events []event.Event)
}

// RunSteps runs steps in order against one meeting whose events go to
// rec, checking each step's status, events and audit entries.
func (c *Cast) RunSteps(t *testing.T, rec *event.Recorder, meetingID string, steps []Step) {
	t.Helper()
	Drain(rec)
	for _, st := range steps {
		before := c.AuditActions(t, meetingID)
		st.As.Do(st.Method, st.Path, st.Body).Check(t, st.Name, st.Want)
		events := Drain(rec)
		var types []string
		for _, e := range events {
			types = append(types, e.Type)
			if e.MeetingID != meetingID {
				t.Errorf("%s: event for meeting %q", st.Name, e.MeetingID)
			}
		}
		if !slices.Equal(types, st.Events) {
			t.Errorf("%s: events %v, want %v", st.Name, types, st.Events)
		}
		var want []string
		if st.Action != "" {
			want = []string{st.Action}
		}
		if added := c.AuditActions(t, meetingID)[len(before):]; !slices.Equal(added, want) {
			t.Errorf("%s: audit entries %v, want %v", st.Name, added, want)
		}
		if st.Then != nil && len(events) > 0 {
			st.Then(t, events)
		}
	}
}

// AuditActions returns a meeting's audit actions, oldest first, as the
// admin reads them; every entry must name its actor.
func (c *Cast) AuditActions(t *testing.T, meetingID string) []string {
	t.Helper()
	var out struct {
		Entries []struct {
			Action  string `json:"action"`
			ActorID string `json:"actor_id"`
		} `json:"entries"`
	}
	c.Admin.Get("/api/v1/audit?limit=1000&meeting_id="+meetingID, &out)
	actions := []string{}
	for _, e := range slices.Backward(out.Entries) {
		if e.ActorID == "" {
			t.Errorf("audit entry %s without actor", e.Action)
		}
		actions = append(actions, e.Action)
	}
	return actions
}

// Refusal is a request that must be answered with Want and change nothing.
type Refusal struct {
	Name   string
	As     *Client
	Method string
	Path   string
	Body   any
	Want   int
}

// RunRefusals sends each request in turn and fails the test as soon as
// state, which reads what clients can see, reads differently afterwards.
func RunRefusals(t *testing.T, state func() string, cases []Refusal) {
	t.Helper()
	before := state()
	for _, tc := range cases {
		tc.As.Do(tc.Method, tc.Path, tc.Body).Check(t, tc.Name, tc.Want)
		if after := state(); after != before {
			t.Fatalf("%s changed the state:\n%s\n%s", tc.Name, before, after)
		}
	}
}

// AtOnce runs fn(0) … fn(n-1) in goroutines released together and returns
// their results (HTTP statuses, typically) in order.
func AtOnce(n int, fn func(i int) int) []int {
	out := make([]int, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { <-gate; out[i] = fn(i) })
	}
	close(gate)
	wg.Wait()
	return out
}
