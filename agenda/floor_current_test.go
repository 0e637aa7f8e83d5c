package agenda_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// TestFloorFollowsTheCurrentItem proves that the floor always sits on the
// current agenda item, so that a tablet that reconnects (its snapshot
// carries the current item's queues) sees who has the floor and their
// timer, and no turn is left running out of sight. A speaker of another
// item, or one asked for while no item is current, is refused the floor
// (409). Moving on to another item, or to none, ends the turn in the same
// change: audited as speaker.finished with the reason, announced by
// speakers.changed for the old item before agenda.current.
func TestFloorFollowsTheCurrentItem(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Floor follows the item")
		a, bb := addItem(cast.Secretary, m, "A", ""), addItem(cast.Secretary, m, "B", "")
		cast.SetStatus(m, "scheduled", "live")
		current := "/api/v1/meetings/" + m + "/agenda/current"
		start := func(id string) apptest.Response {
			return cast.Chair.Do("POST", "/api/v1/speakers/"+id+"/start", map[string]any{"time_limit_sec": 180})
		}

		sp, onB := enqueue(cast.Delegate, a, "speech", ""), enqueue(cast.Chair, bb, "speech", "")
		start(sp).Check(t, "start with no item current", conflict, "current agenda item")
		cast.Chair.Must(ok, "PUT", current, map[string]any{"item_id": a})
		start(onB).Check(t, "start a speaker of another item", conflict, "current agenda item")
		start(sp).Check(t, "start on the current item", ok)
		if got := snapshotFloor(t, cast.Observer, m); got != (floor{item: a, active: sp}) {
			t.Errorf("snapshot with the floor on A: %+v, want %s speaking on %s", got, sp, a)
		}

		// The chair moves on while the delegate still speaks: the turn ends.
		apptest.Drain(rec)
		before := len(cast.AuditActions(t, m))
		cast.Chair.Must(ok, "PUT", current, map[string]any{"item_id": bb})
		es := apptest.Drain(rec)
		if types := eventTypes(es); !slices.Equal(types, []string{"speakers.changed", "agenda.current"}) {
			t.Fatalf("moving on published %v, want speakers.changed for A, then agenda.current", types)
		}
		if q, isQ := es[0].Data.(agenda.Queues); !isQ || q.AgendaItemID != a || q.Active != nil ||
			len(q.History) != 1 || q.History[0].ID != sp || q.History[0].FinishedAt == nil {
			t.Errorf("speakers.changed after moving on: %#v", es[0].Data)
		}
		added := auditSince(cast, m, before)
		if got := actions(added); !slices.Equal(got, []string{"speaker.finished", "agenda.current"}) {
			t.Fatalf("moving on audited %v", got)
		}
		if d := added[0]; d.Object != "speaker:"+sp || !strings.Contains(fmt.Sprint(d.Detail["reason"]), "current agenda item") || d.ActorID != cast.Chair.UserID {
			t.Errorf("the turn's end is audited as %+v", d)
		}
		if q := readQueues(cast.Chair, a); q.Active != nil || len(q.History) != 1 || q.History[0].Status != "done" {
			t.Errorf("A's queues after moving on: %+v", q)
		}

		// The next speaker gets the floor on the new item, and the snapshot shows them.
		start(onB).Check(t, "start on the new current item", ok)
		if got := snapshotFloor(t, cast.Observer, m); got != (floor{item: bb, active: onB}) {
			t.Errorf("snapshot with the floor on B: %+v, want %s speaking on %s", got, onB, bb)
		}
		late := enqueue(cast.Delegate, a, "question", "")
		start(late).Check(t, "start a speaker of a done item", conflict, "current agenda item")

		// No item current: the turn ends too, and nobody can be given the floor.
		cast.Chair.Must(ok, "PUT", current, map[string]any{"item_id": nil})
		if q := readQueues(cast.Chair, bb); q.Active != nil {
			t.Errorf("B still has a speaker with no item current: %+v", *q.Active)
		}
		if got := snapshotFloor(t, cast.Observer, m); got != (floor{}) {
			t.Errorf("snapshot with no item current: %+v", got)
		}
		start(late).Check(t, "start with no item current", conflict, "current agenda item")
	})
}

// floor is who has the floor on which item in a live snapshot; zero when
// the snapshot has no speakers (no item current).
type floor struct{ item, active string }

// snapshotFloor opens a live connection as c and reads its snapshot.
func snapshotFloor(t *testing.T, c *apptest.Client, m string) floor {
	t.Helper()
	var snap struct {
		State struct {
			Speakers *struct {
				AgendaItemID string `json:"agenda_item_id"`
				Active       *struct {
					ID string `json:"id"`
				} `json:"active"`
			} `json:"speakers"`
		} `json:"state"`
	}
	lc := c.Live(m, "")
	defer lc.Conn.Close()
	if err := json.Unmarshal(lc.NextOf("snapshot").Data, &snap); err != nil {
		t.Fatal(err)
	}
	var f floor
	if q := snap.State.Speakers; q != nil {
		f.item = q.AgendaItemID
		if q.Active != nil {
			f.active = q.Active.ID
		}
	}
	return f
}

func eventTypes(es []event.Event) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Type)
	}
	return out
}

func actions(es []auditEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}
