package meeting_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

const (
	invalid       = http.StatusBadRequest
	unprocessable = http.StatusUnprocessableEntity
)

// TestBadInput sends every kind of bad request to one scheduled meeting and
// checks that each gets its 4xx and that nothing a client can read changed.
func TestBadInput(t *testing.T) {
	long := strings.Repeat("á", 10000)
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Bad input")
		cast.SetStatus(m, "scheduled")
		base := "/api/v1/meetings/" + m
		sec, del := cast.Secretary, cast.Delegate
		state := func() string { return snapshot(cast, m) + lists(cast) }
		apptest.RunRefusals(t, state, []apptest.Refusal{
			{Name: "empty title", As: sec, Method: "POST", Path: "/api/v1/meetings", Body: map[string]any{"title": "   "}, Want: invalid},
			{Name: "huge title", As: sec, Method: "POST", Path: "/api/v1/meetings", Body: map[string]any{"title": long}, Want: invalid},
			{Name: "title on two lines", As: sec, Method: "POST", Path: "/api/v1/meetings", Body: map[string]any{"title": "a\nb"}, Want: invalid},
			{Name: "title not a string", As: sec, Method: "POST", Path: "/api/v1/meetings", Body: `{"title":5}`, Want: invalid},
			{Name: "unknown field", As: sec, Method: "POST", Path: "/api/v1/meetings", Body: map[string]any{"title": "x", "owner": "me"}, Want: invalid},
			{Name: "not JSON", As: sec, Method: "POST", Path: "/api/v1/meetings", Body: `{"title":`, Want: invalid},
			{Name: "patch empty title", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"title": ""}, Want: invalid},
			{Name: "patch huge title", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"title": long}, Want: invalid},
			{Name: "patch huge description", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"description": long + long}, Want: invalid},
			{Name: "patch nothing", As: sec, Method: "PATCH", Path: base, Body: map[string]any{}, Want: invalid},
			{Name: "patch bad time", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"starts_at": "tomorrow"}, Want: invalid},
			{Name: "unknown quorum rule", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"quorum": map[string]any{"rule": "most"}}, Want: invalid},
			{Name: "at_least without count", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"quorum": map[string]any{"rule": "at_least"}}, Want: invalid},
			{Name: "count with two_thirds", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"quorum": map[string]any{"rule": "two_thirds", "count": 3}}, Want: invalid},
			{Name: "invalid status", As: sec, Method: "POST", Path: base + "/status", Body: map[string]any{"status": "paused"}, Want: invalid},
			{Name: "no status", As: sec, Method: "POST", Path: base + "/status", Body: map[string]any{}, Want: invalid},
			{Name: "skip to closed", As: sec, Method: "POST", Path: base + "/status", Body: map[string]any{"status": "closed"}, Want: conflict},
			{Name: "unknown role", As: sec, Method: "PUT", Path: base + "/participants/" + cast.Outsider.UserID, Body: map[string]any{"role": "president"}, Want: invalid},
			{Name: "weight 0", As: sec, Method: "PUT", Path: base + "/participants/" + cast.Delegate.UserID, Body: map[string]any{"role": "delegate", "weight": 0}, Want: invalid},
			{Name: "weight 1001", As: sec, Method: "PUT", Path: base + "/participants/" + cast.Delegate.UserID, Body: map[string]any{"role": "delegate", "weight": 1001}, Want: invalid},
			{Name: "weight 1.5", As: sec, Method: "PUT", Path: base + "/participants/" + cast.Delegate.UserID, Body: `{"role":"delegate","weight":1.5}`, Want: invalid},
			{Name: "voting observer", As: sec, Method: "PUT", Path: base + "/participants/" + cast.Observer.UserID, Body: map[string]any{"role": "observer", "can_vote": true}, Want: invalid},
			{Name: "unknown user", As: sec, Method: "PUT", Path: base + "/participants/nosuchuser", Body: map[string]any{"role": "delegate"}, Want: notFound},
			{Name: "demote last secretary", As: sec, Method: "PUT", Path: base + "/participants/" + sec.UserID, Body: map[string]any{"role": "delegate"}, Want: conflict},
			{Name: "remove last secretary", As: cast.Chair, Method: "DELETE", Path: base + "/participants/" + sec.UserID, Body: nil, Want: conflict},
			{Name: "remove non-participant", As: sec, Method: "DELETE", Path: base + "/participants/" + cast.Outsider.UserID, Body: nil, Want: notFound},
			{Name: "delegate adds someone", As: del, Method: "PUT", Path: base + "/participants/" + cast.Outsider.UserID, Body: map[string]any{"role": "delegate"}, Want: forbidden},
			{Name: "unknown state", As: sec, Method: "POST", Path: base + "/attendance", Body: map[string]any{"user_id": del.UserID, "state": "here"}, Want: invalid},
			{Name: "check-in before live", As: del, Method: "POST", Path: base + "/attendance", Body: map[string]any{"state": "present"}, Want: conflict},
			{Name: "self absent", As: del, Method: "POST", Path: base + "/attendance", Body: map[string]any{"state": "absent"}, Want: forbidden},
			{Name: "attendance of non-participant", As: sec, Method: "POST", Path: base + "/attendance", Body: map[string]any{"user_id": cast.Outsider.UserID, "state": "present"}, Want: unprocessable},
			{Name: "delegate records another", As: del, Method: "POST", Path: base + "/attendance", Body: map[string]any{"user_id": cast.Chair.UserID, "state": "present"}, Want: forbidden},
			{Name: "huge reason", As: sec, Method: "POST", Path: base + "/attendance", Body: map[string]any{"user_id": del.UserID, "state": "absent", "reason": long}, Want: invalid},
		})
	})
}

// lists reads everyone's meeting lists.
func lists(c *apptest.Cast) string {
	out := ""
	for _, role := range apptest.CastRoles() {
		out += string(c.As(role).Must(ok, "GET", "/api/v1/meetings", nil).Body) + "\n"
	}
	return out
}
