package agenda_test

import (
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestBadInput sends every kind of bad agenda and speaker request and
// checks that each gets its 4xx and that the agenda and queues read back
// exactly as before.
func TestBadInput(t *testing.T) {
	long := strings.Repeat("ư", 10000)
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m, other := cast.Meeting("Bad input"), cast.Meeting("Other")
		sec := cast.Secretary
		a := addItem(sec, m, "A", "")
		a1 := addItem(sec, m, "A1", a)
		a11 := addItem(sec, m, "A11", a1)
		bb := addItem(sec, m, "B", "")
		foreign := addItem(sec, other, "Foreign", "")
		sp := enqueue(cast.Delegate, bb, "speech", "")
		add := "/api/v1/meetings/" + m + "/agenda"
		patch := "/api/v1/agenda-items/"
		state := func() string { return agendaState(cast, m, bb) }
		apptest.RunRefusals(t, state, []apptest.Refusal{
			{Name: "empty title", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": " "}, Want: invalid},
			{Name: "huge title", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": long}, Want: invalid},
			{Name: "negative duration", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": "x", "duration_min": -5}, Want: invalid},
			{Name: "duration over a day", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": "x", "duration_min": 1441}, Want: invalid},
			{Name: "duration not a number", As: sec, Method: "POST", Path: add, Body: `{"title":"x","duration_min":"10"}`, Want: invalid},
			{Name: "parent from another meeting", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": "x", "parent_id": foreign}, Want: unprocessable},
			{Name: "unknown parent", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": "x", "parent_id": "nosuchitem"}, Want: unprocessable},
			{Name: "fourth level", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": "x", "parent_id": a11}, Want: unprocessable},
			{Name: "presenter not a participant", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": "x", "presenter_id": cast.Outsider.UserID}, Want: unprocessable},
			{Name: "unknown presenter", As: sec, Method: "POST", Path: add, Body: map[string]any{"title": "x", "presenter_id": "nobody"}, Want: unprocessable},
			{Name: "delegate adds", As: cast.Delegate, Method: "POST", Path: add, Body: map[string]any{"title": "x"}, Want: forbidden},
			{Name: "patch nothing", As: sec, Method: "PATCH", Path: patch + a, Body: map[string]any{}, Want: invalid},
			{Name: "patch empty title", As: sec, Method: "PATCH", Path: patch + a, Body: map[string]any{"title": ""}, Want: invalid},
			{Name: "patch negative duration", As: sec, Method: "PATCH", Path: patch + a, Body: map[string]any{"duration_min": -1}, Want: invalid},
			{Name: "move under itself", As: sec, Method: "PATCH", Path: patch + a, Body: map[string]any{"parent_id": a}, Want: unprocessable},
			{Name: "move under own sub-item", As: sec, Method: "PATCH", Path: patch + a, Body: map[string]any{"parent_id": a11}, Want: unprocessable},
			{Name: "move to another meeting", As: sec, Method: "PATCH", Path: patch + bb, Body: map[string]any{"parent_id": foreign}, Want: unprocessable},
			{Name: "move too deep", As: sec, Method: "PATCH", Path: patch + a, Body: map[string]any{"parent_id": bb}, Want: unprocessable},
			{Name: "presenter from outside", As: sec, Method: "PATCH", Path: patch + a, Body: map[string]any{"presenter_id": cast.Outsider.UserID}, Want: unprocessable},
			{Name: "parent_id a number", As: sec, Method: "PATCH", Path: patch + a, Body: `{"parent_id":7}`, Want: invalid},
			{Name: "delegate edits", As: cast.Delegate, Method: "PATCH", Path: patch + a, Body: map[string]any{"title": "Mine"}, Want: forbidden},
			{Name: "delegate deletes", As: cast.Delegate, Method: "DELETE", Path: patch + a, Want: forbidden},
			{Name: "outsider edits", As: cast.Outsider, Method: "PATCH", Path: patch + a, Body: map[string]any{"title": "Mine"}, Want: notFound},
			{Name: "unknown item", As: sec, Method: "PATCH", Path: patch + "nosuchitem", Body: map[string]any{"title": "x"}, Want: notFound},
			{Name: "unknown kind", As: cast.Delegate, Method: "POST", Path: patch + bb + "/speakers", Body: map[string]any{"kind": "rant"}, Want: invalid},
			{Name: "observer asks for the floor", As: cast.Observer, Method: "POST", Path: patch + bb + "/speakers", Body: map[string]any{"kind": "speech"}, Want: forbidden},
			{Name: "observer put on the list", As: sec, Method: "POST", Path: patch + bb + "/speakers", Body: map[string]any{"kind": "speech", "user_id": cast.Observer.UserID}, Want: unprocessable},
			{Name: "outsider put on the list", As: sec, Method: "POST", Path: patch + bb + "/speakers", Body: map[string]any{"kind": "speech", "user_id": cast.Outsider.UserID}, Want: unprocessable},
			{Name: "negative time limit", As: sec, Method: "POST", Path: "/api/v1/speakers/" + sp + "/start", Body: map[string]any{"time_limit_sec": -1}, Want: invalid},
			{Name: "start before the session", As: sec, Method: "POST", Path: "/api/v1/speakers/" + sp + "/start", Want: conflict},
			{Name: "finish a waiting speaker", As: sec, Method: "POST", Path: "/api/v1/speakers/" + sp + "/finish", Want: conflict},
			{Name: "observer cancels", As: cast.Observer, Method: "POST", Path: "/api/v1/speakers/" + sp + "/cancel", Want: forbidden},
			{Name: "unknown speaker", As: sec, Method: "POST", Path: "/api/v1/speakers/nobody/start", Want: notFound},
			{Name: "current before the session", As: cast.Chair, Method: "PUT", Path: add + "/current", Body: map[string]any{"item_id": a}, Want: conflict},
		})
	})
}

// TestClosedAgenda checks that every agenda and speaker write in a closed
// meeting is a 409 and changes nothing.
func TestClosedAgenda(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Closed")
		a, bb := addItem(cast.Secretary, m, "A", ""), addItem(cast.Secretary, m, "B", "")
		cast.SetStatus(m, "scheduled", "live")
		waiting, speaking := enqueue(cast.Delegate, a, "speech", ""), enqueue(cast.Chair, a, "speech", "")
		cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": a})
		cast.Chair.Must(ok, "POST", "/api/v1/speakers/"+speaking+"/start", nil)
		cast.SetStatus(m, "closed")
		sec, items := cast.Secretary, "/api/v1/agenda-items/"
		apptest.RunRefusals(t, func() string { return agendaState(cast, m, a) }, []apptest.Refusal{
			{Name: "add", As: sec, Method: "POST", Path: "/api/v1/meetings/" + m + "/agenda", Body: map[string]any{"title": "Late"}, Want: conflict},
			{Name: "edit", As: sec, Method: "PATCH", Path: items + a, Body: map[string]any{"title": "Late"}, Want: conflict},
			{Name: "delete", As: sec, Method: "DELETE", Path: items + bb, Want: conflict},
			{Name: "reorder", As: sec, Method: "PUT", Path: "/api/v1/meetings/" + m + "/agenda/order", Body: map[string]any{"ids": []string{bb, a}}, Want: conflict},
			{Name: "current", As: cast.Chair, Method: "PUT", Path: "/api/v1/meetings/" + m + "/agenda/current", Body: map[string]any{"item_id": a}, Want: conflict},
			{Name: "ask for the floor", As: cast.Delegate, Method: "POST", Path: items + a + "/speakers", Body: map[string]any{"kind": "question"}, Want: conflict},
			{Name: "finish", As: cast.Chair, Method: "POST", Path: "/api/v1/speakers/" + speaking + "/finish", Want: conflict},
			{Name: "withdraw", As: cast.Delegate, Method: "POST", Path: "/api/v1/speakers/" + waiting + "/cancel", Want: conflict},
		})
	})
}

// agendaState reads a meeting's agenda and one item's speakers.
func agendaState(c *apptest.Cast, m, itemID string) string {
	return string(c.Secretary.Must(ok, "GET", "/api/v1/meetings/"+m+"/agenda", nil).Body) +
		string(c.Secretary.Must(ok, "GET", "/api/v1/agenda-items/"+itemID+"/speakers", nil).Body)
}
