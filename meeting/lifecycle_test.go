package meeting_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

const conflict = http.StatusConflict

// pathTo walks a new meeting to each status.
var pathTo = map[string][]string{
	"draft":     nil,
	"scheduled": {"scheduled"},
	"live":      {"scheduled", "live"},
	"adjourned": {"scheduled", "live", "adjourned"},
	"closed":    {"scheduled", "live", "closed"},
}

// TestLifecycle tries every move between statuses: the allowed ones
// succeed, every other is a 409 that leaves the status as it was.
func TestLifecycle(t *testing.T) {
	allowed := map[[2]string]bool{
		{"draft", "scheduled"}: true, {"scheduled", "draft"}: true, {"scheduled", "live"}: true,
		{"live", "adjourned"}: true, {"adjourned", "live"}: true, {"live", "closed"}: true, {"adjourned", "closed"}: true,
	}
	statuses := []string{"draft", "scheduled", "live", "adjourned", "closed"}
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		for _, from := range statuses {
			for _, to := range statuses {
				m := cast.Meeting(from + " to " + to)
				cast.SetStatus(m, pathTo[from]...)
				want, after := conflict, from
				if allowed[[2]string{from, to}] {
					want, after = ok, to
				}
				res := cast.Chair.Do("POST", "/api/v1/meetings/"+m+"/status", map[string]any{"status": to})
				res.Check(t, from+"→"+to, want)
				cast.Chair.Do("GET", "/api/v1/meetings/"+m, nil).Check(t, "read back "+from+"→"+to, ok, `"status":"`+after+`"`)
			}
		}
	})
}

// TestLifecycleTimes checks started_at (kept from the first start) and closed_at.
func TestLifecycleTimes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Times")
		var got struct {
			StartedAt *time.Time `json:"started_at"`
			ClosedAt  *time.Time `json:"closed_at"`
		}
		cast.Secretary.Get("/api/v1/meetings/"+m, &got)
		if got.StartedAt != nil || got.ClosedAt != nil {
			t.Fatalf("a draft has times: %+v", got)
		}
		before := time.Now().Add(-time.Second)
		cast.SetStatus(m, "scheduled", "live")
		cast.Secretary.Get("/api/v1/meetings/"+m, &got)
		first := got.StartedAt
		if first == nil || first.Before(before) {
			t.Fatalf("started_at = %v after going live", first)
		}
		cast.SetStatus(m, "adjourned", "live", "closed")
		cast.Secretary.Get("/api/v1/meetings/"+m, &got)
		if !got.StartedAt.Equal(*first) || got.ClosedAt == nil || got.ClosedAt.Before(*first) {
			t.Errorf("after resume and close: started_at %v (first %v), closed_at %v", got.StartedAt, first, got.ClosedAt)
		}
	})
}

// TestClosedIsReadOnly checks that every write to a closed meeting is a
// 409 and changes nothing, while reads still work.
func TestClosedIsReadOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Closed")
		cast.SetStatus(m, pathTo["closed"]...)
		base := "/api/v1/meetings/" + m
		var cases []apptest.Refusal
		for _, who := range []*apptest.Client{cast.Secretary, cast.Admin} {
			cases = append(cases,
				apptest.Refusal{Name: "edit", As: who, Method: "PATCH", Path: base, Body: map[string]any{"title": "Mới"}},
				apptest.Refusal{Name: "reopen", As: who, Method: "POST", Path: base + "/status", Body: map[string]any{"status": "live"}},
				apptest.Refusal{Name: "add", As: who, Method: "PUT", Path: base + "/participants/" + cast.Outsider.UserID, Body: map[string]any{"role": "delegate"}},
				apptest.Refusal{Name: "change", As: who, Method: "PUT", Path: base + "/participants/" + cast.Delegate.UserID, Body: map[string]any{"role": "observer"}},
				apptest.Refusal{Name: "remove", As: who, Method: "DELETE", Path: base + "/participants/" + cast.Observer.UserID},
				apptest.Refusal{Name: "record", As: who, Method: "POST", Path: base + "/attendance", Body: map[string]any{"user_id": cast.Delegate.UserID, "state": "present"}})
		}
		cases = append(cases, apptest.Refusal{Name: "check in", As: cast.Delegate, Method: "POST", Path: base + "/attendance", Body: map[string]any{"state": "present"}})
		for i := range cases {
			cases[i].Want = conflict
		}
		apptest.RunRefusals(t, func() string { return snapshot(cast, m) }, cases)
	})
}

// snapshot reads everything a client can see of a meeting.
func snapshot(c *apptest.Cast, m string) string {
	out := ""
	for _, p := range []string{"", "/participants", "/attendance", "/quorum"} {
		out += string(c.Secretary.Must(ok, "GET", "/api/v1/meetings/"+m+p, nil).Body) + "\n"
	}
	return out
}
