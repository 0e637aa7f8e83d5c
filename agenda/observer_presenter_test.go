package agenda_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// TestObserverCannotBeNamedPresenter: an observer "sees, but does not
// vote or speak" (DESIGN.md), and presenting an item is speaking to the
// room, so naming an observer as an item's presenter, when the item is
// added or changed, is a 422 that says why, and changes nothing. A
// delegate without a vote may still speak, and present.
func TestObserverCannotBeNamedPresenter(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Observer presents")
		base := "/api/v1/meetings/" + m
		cast.Secretary.Do("POST", base+"/agenda", map[string]any{"title": "Báo cáo", "presenter_id": cast.Observer.UserID}).
			Check(t, "an observer named presenter of a new item", unprocessable, "presenter_id", "observer")
		if n := len(readAgenda(cast.Secretary, m).Items); n != 0 {
			t.Fatalf("a refused item was added: %d items", n)
		}

		var it item
		cast.Secretary.Must(created, "POST", base+"/agenda", map[string]any{"title": "Tờ trình", "presenter_id": cast.Delegate.UserID}).JSON(&it)
		cast.Secretary.Do("PATCH", "/api/v1/agenda-items/"+it.ID, map[string]any{"presenter_id": cast.Observer.UserID}).
			Check(t, "an observer named presenter of an item", unprocessable, "presenter_id", "observer")
		if got := deref(flatten(readAgenda(cast.Secretary, m).Items)[0].PresenterID); got != cast.Delegate.UserID {
			t.Fatalf("a refused change left the item presented by %q, want %q", got, cast.Delegate.UserID)
		}

		cast.Secretary.Must(ok, "PUT", base+"/participants/"+cast.Delegate.UserID, map[string]any{"role": "delegate", "can_vote": false})
		cast.Secretary.Must(ok, "PATCH", "/api/v1/agenda-items/"+it.ID, map[string]any{"presenter_id": cast.Delegate.UserID, "title": "Tờ trình sửa"})
		cast.Secretary.Must(created, "POST", base+"/agenda", map[string]any{"title": "Phụ lục", "presenter_id": cast.Secretary.UserID})
	})
}

// TestPresenterMadeObserverIsCleared: the presenter of agenda items whose
// role is changed to observer is taken off as presenter of each of them,
// as a removal does (TestRemovedPresenterIsCleared): each item audited as
// agenda.item_updated by whoever changed the role, with the reason, and
// the new agenda announced (agenda.changed). So they no longer drive the
// room's presentation. Items presented by someone else keep their
// presenter, and a change of role that keeps the right to speak (a
// delegate without a vote) keeps the presenter.
func TestPresenterMadeObserverIsCleared(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(1000)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Presenter demoted")
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
		presenters := func() map[string]string {
			out := map[string]string{}
			for _, it := range flatten(readAgenda(cast.Secretary, m).Items) {
				out[it.ID] = deref(it.PresenterID)
			}
			return out
		}

		// Still a speaker: still the presenter.
		before := auditCount(cast, m)
		cast.Secretary.Must(ok, "PUT", base+"/participants/"+cast.Delegate.UserID, map[string]any{"role": "delegate", "can_vote": false})
		if got := presenters(); got[report] != cast.Delegate.UserID || got[annex] != cast.Delegate.UserID {
			t.Fatalf("a delegate without a vote lost the items they present: %v", got)
		}
		for _, e := range auditSince(cast, m, before) {
			if e.Action == "agenda.item_updated" {
				t.Errorf("a change of role that keeps the right to speak audited %+v", e)
			}
		}

		before = auditCount(cast, m)
		apptest.Drain(rec)
		cast.Secretary.Must(ok, "PUT", base+"/participants/"+cast.Delegate.UserID, map[string]any{"role": "observer"})

		want := map[string]string{report: "", annex: "", other: cast.Chair.UserID}
		if got := presenters(); !maps.Equal(got, want) {
			t.Errorf("presenters after the presenter was made an observer: %v, want %v", got, want)
		}
		var cleared []string
		for _, e := range auditSince(cast, m, before) {
			if e.Action == "agenda.item_updated" {
				cleared = append(cleared, strings.TrimPrefix(e.Object, "agenda_item:"))
				if !strings.Contains(fmt.Sprint(e.Detail["reason"]), "observer") || e.ActorID != cast.Secretary.UserID {
					t.Errorf("clearing the presenter audited as %+v", e)
				}
			}
		}
		wantCleared := []string{report, annex}
		slices.Sort(cleared)
		slices.Sort(wantCleared)
		if !slices.Equal(cleared, wantCleared) {
			t.Errorf("audited items %v, want %v", cleared, wantCleared)
		}
		var announced bool
		for _, e := range apptest.Drain(rec) {
			if ag, isAg := e.Data.(agenda.Agenda); e.Type == "agenda.changed" && isAg {
				announced = true
				for _, it := range ag.Items {
					if deref(it.PresenterID) == cast.Delegate.UserID {
						t.Errorf("agenda.changed still names the observer as presenter of %q", it.Title)
					}
				}
			}
		}
		if !announced {
			t.Error("no agenda.changed after the presenter was made an observer")
		}
		cast.Delegate.Do("PUT", base+"/presentation", map[string]any{"document_id": nil}).
			Check(t, "the presenter made an observer stops the presentation", forbidden)

		// Made a delegate again, they do not present again by themselves.
		cast.Secretary.Must(ok, "PUT", base+"/participants/"+cast.Delegate.UserID, map[string]any{"role": "delegate"})
		if got := presenters(); !maps.Equal(got, want) {
			t.Errorf("presenters after the observer was made a delegate again: %v, want %v", got, want)
		}
	})
}
