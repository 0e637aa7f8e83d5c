package agenda_test

import (
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

type current struct {
	ItemID          *string    `json:"item_id"`
	BecameCurrentAt *time.Time `json:"became_current_at"`
	PreviousItemID  *string    `json:"previous_item_id"`
}

func setCurrent(t *testing.T, c *apptest.Client, m string, itemID any, want int) current {
	t.Helper()
	var out current
	res := c.Do("PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": itemID})
	res.Check(t, "set current", want)
	if want == ok {
		res.JSON(&out)
	}
	return out
}

func status(ag agendaTree, id string) string {
	for _, it := range flatten(ag.Items) {
		if it.ID == id {
			return it.Status
		}
	}
	return "missing"
}

func flatten(items []item) []item {
	var out []item
	for _, it := range items {
		out = append(out, it)
		out = append(out, flatten(it.Items)...)
	}
	return out
}

// TestCurrentItem walks the session through the agenda and checks
// statuses, times and what may no longer be deleted.
func TestCurrentItem(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m, other := cast.Meeting("Current"), cast.Meeting("Other")
		a := addItem(cast.Secretary, m, "A", "")
		a1 := addItem(cast.Secretary, m, "A1", a)
		bb := addItem(cast.Secretary, m, "B", "")
		foreign := addItem(cast.Secretary, other, "Foreign", "")
		cast.SetStatus(m, "scheduled")
		setCurrent(t, cast.Chair, m, a1, conflict) // not in session yet
		cast.SetStatus(m, "live")

		first := setCurrent(t, cast.Chair, m, a1, ok)
		if *first.ItemID != a1 || first.PreviousItemID != nil || time.Since(*first.BecameCurrentAt) > time.Minute {
			t.Fatalf("first current: %+v", first)
		}
		again := setCurrent(t, cast.Chair, m, a1, ok)
		if !again.BecameCurrentAt.Equal(*first.BecameCurrentAt) {
			t.Errorf("naming the current item again moved its time: %v → %v", first.BecameCurrentAt, again.BecameCurrentAt)
		}
		second := setCurrent(t, cast.Secretary, m, bb, ok)
		if *second.PreviousItemID != a1 || second.BecameCurrentAt.Before(*first.BecameCurrentAt) {
			t.Errorf("second current: %+v", second)
		}
		ag := readAgenda(cast.Delegate, m)
		if status(ag, a1) != "done" || status(ag, bb) != "current" || status(ag, a) != "pending" || *ag.CurrentItemID != bb {
			t.Errorf("statuses: %s %s %s, current %v", status(ag, a1), status(ag, bb), status(ag, a), ag.CurrentItemID)
		}
		for _, tc := range []struct {
			name string
			id   string
		}{{"current item", bb}, {"done item", a1}, {"parent of a done item", a}} {
			cast.Secretary.Do("DELETE", "/api/v1/agenda-items/"+tc.id, nil).Check(t, "delete "+tc.name, conflict)
		}
		setCurrent(t, cast.Chair, m, foreign, unprocessable)
		setCurrent(t, cast.Chair, m, "nosuchitem", unprocessable)
		cast.Chair.Do("PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{}).Check(t, "no item_id", invalid)
		if ag := readAgenda(cast.Delegate, m); *ag.CurrentItemID != bb {
			t.Errorf("refused changes moved the current item to %v", *ag.CurrentItemID)
		}
		cleared := setCurrent(t, cast.Chair, m, nil, ok)
		if cleared.ItemID != nil || *cleared.PreviousItemID != bb {
			t.Errorf("clear: %+v", cleared)
		}
		back := setCurrent(t, cast.Chair, m, a1, ok) // a done item may be taken up again
		if ag := readAgenda(cast.Delegate, m); status(ag, a1) != "current" || status(ag, bb) != "done" || back.BecameCurrentAt.Before(*second.BecameCurrentAt) {
			t.Errorf("taking a1 up again: %s %s %+v", status(ag, a1), status(ag, bb), back)
		}
	})
}

// TestConcurrentCurrent sets two items current at once, many times: the
// meeting must end with exactly one current item.
func TestConcurrentCurrent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Race")
		ids := []string{addItem(cast.Secretary, m, "A", ""), addItem(cast.Secretary, m, "B", ""), addItem(cast.Secretary, m, "C", "")}
		cast.SetStatus(m, "scheduled", "live")
		runners := []*apptest.Client{cast.Chair, cast.Secretary, cast.Admin}
		for range 5 {
			won := race(t, 3, func(i int) int {
				return runners[i].Do("PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": ids[i]}).Status
			})
			if won == 0 {
				t.Fatal("no request set the current item")
			}
			n := 0
			for _, it := range readAgenda(cast.Chair, m).Items {
				if it.Status == "current" {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d current items", n)
			}
		}
	})
}

// TestLookups checks the answers other packages (docs, presentation) use.
func TestLookups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Lookups")
		var it item
		cast.Secretary.Must(created, "POST", "/api/v1/meetings/"+m+"/agenda",
			map[string]any{"title": "A", "presenter_id": cast.Delegate.UserID}).JSON(&it)
		ag, ctx := srv.App.Agenda, t.Context()
		if got, err := ag.MeetingOf(ctx, it.ID); got != m || err != nil {
			t.Errorf("MeetingOf = %q, %v", got, err)
		}
		if _, err := ag.MeetingOf(ctx, "nosuchitem"); err == nil {
			t.Error("MeetingOf an unknown item: no error")
		}
		if got, err := ag.CurrentPresenter(ctx, m); got != "" || err != nil {
			t.Errorf("presenter with no current item = %q, %v", got, err)
		}
		cast.SetStatus(m, "scheduled", "live")
		setCurrent(t, cast.Chair, m, it.ID, ok)
		if got, err := ag.CurrentPresenter(ctx, m); got != cast.Delegate.UserID || err != nil {
			t.Errorf("CurrentPresenter = %q, %v", got, err)
		}
		// A presenter who left the meeting does not block editing the item.
		cast.Secretary.Must(noContent, "DELETE", "/api/v1/meetings/"+m+"/participants/"+cast.Delegate.UserID, nil)
		cast.Secretary.Must(ok, "PATCH", "/api/v1/agenda-items/"+it.ID, map[string]any{"title": "A mới"})
		cast.Secretary.Must(ok, "PATCH", "/api/v1/agenda-items/"+it.ID, map[string]any{"presenter_id": nil})
		if got, err := ag.CurrentPresenter(ctx, m); got != "" || err != nil {
			t.Errorf("presenter after clearing = %q, %v", got, err)
		}
	})
}
