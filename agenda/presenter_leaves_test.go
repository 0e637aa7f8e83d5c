package agenda_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// TestRemovedPresenterIsCleared proves that an item's presenter, who must
// take part in the meeting, does not stay named on the agenda once
// removed from it: the removal takes them off every item they present, in
// its own transaction (each item audited as agenda.item_updated with the
// reason), and the new agenda is announced (agenda.changed). Added back
// later as an observer, they are not the current item's presenter, so they
// may not turn the presentation for the room. Items presented by someone
// else keep their presenter.
func TestRemovedPresenterIsCleared(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Presenter leaves")
		base := "/api/v1/meetings/" + m
		newItem := func(title, presenter string) string {
			var it item
			cast.Secretary.Must(created, "POST", base+"/agenda", map[string]any{"title": title, "presenter_id": presenter}).JSON(&it)
			return it.ID
		}
		report, annex := newItem("Báo cáo", cast.Delegate.UserID), newItem("Phụ lục", cast.Delegate.UserID)
		other := newItem("Tờ trình", cast.Chair.UserID)
		cast.SetStatus(m, "scheduled", "live")
		cast.Chair.Must(ok, "PUT", base+"/agenda/current", map[string]any{"item_id": report})

		before := auditCount(cast, m)
		apptest.Drain(rec)
		cast.Secretary.Must(noContent, "DELETE", base+"/participants/"+cast.Delegate.UserID, nil)

		for _, got := range flatten(readAgenda(cast.Secretary, m).Items) {
			want := ""
			if got.ID == other {
				want = cast.Chair.UserID
			}
			if p := deref(got.PresenterID); p != want {
				t.Errorf("item %q presented by %q (%q), want %q", got.Title, p, got.PresenterName, want)
			}
		}
		var cleared []string
		for _, e := range auditSince(cast, m, before) {
			if e.Action == "agenda.item_updated" {
				cleared = append(cleared, strings.TrimPrefix(e.Object, "agenda_item:"))
				if !strings.Contains(fmt.Sprint(e.Detail["reason"]), "removed") || e.ActorID != cast.Secretary.UserID {
					t.Errorf("clearing the presenter audited as %+v", e)
				}
			}
		}
		want := []string{report, annex}
		slices.Sort(cleared)
		slices.Sort(want)
		if !slices.Equal(cleared, want) {
			t.Errorf("audited items %v, want %v", cleared, want)
		}
		var announced bool
		for _, e := range apptest.Drain(rec) {
			if ag, isAg := e.Data.(agenda.Agenda); e.Type == "agenda.changed" && isAg {
				announced = true
				for _, it := range ag.Items {
					if deref(it.PresenterID) == cast.Delegate.UserID {
						t.Errorf("agenda.changed still names the removed presenter on %q", it.Title)
					}
				}
			}
		}
		if !announced {
			t.Error("no agenda.changed after the presenter was removed")
		}

		// Back as an observer: not the current item's presenter.
		cast.Secretary.Must(created, "PUT", base+"/participants/"+cast.Delegate.UserID, map[string]any{"role": "observer"})
		cast.Delegate.Do("PUT", base+"/presentation", map[string]any{"document_id": nil}).Check(t, "the former presenter stops the presentation", forbidden)
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
