package agenda_test

import (
	"slices"
	"testing"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// TestDeleteAnnouncesQueues: deleting an item whose queues hold waiting
// (or withdrawn) entries deletes those entries with it and its
// sub-items, names them in the audit entry, and after agenda.changed
// publishes speakers.changed with empty queues for each item that had
// any, so a screen showing them clears them. Another item's queues stay.
func TestDeleteAnnouncesQueues(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		sec, chair, del := cast.Secretary, cast.Chair, cast.Delegate
		m := cast.Meeting("Xoá mục")
		parent := addItem(sec, m, "Mục bỏ", "")
		child := addItem(sec, m, "Mục con", parent)
		empty := addItem(sec, m, "Mục con trống", parent)
		kept := addItem(sec, m, "Mục giữ", "")
		waiting := enqueue(del, parent, "speech", "")
		withdrawn := enqueue(chair, parent, "question", "")
		chair.Must(ok, "POST", "/api/v1/speakers/"+withdrawn+"/cancel", nil)
		question := enqueue(chair, child, "question", del.UserID)
		stays := enqueue(del, kept, "speech", "")
		apptest.Drain(rec)
		before := auditCount(cast, m)

		sec.Must(noContent, "DELETE", "/api/v1/agenda-items/"+parent, nil)

		var types []string
		cleared := map[string]agenda.Queues{}
		for _, e := range apptest.Drain(rec) {
			types = append(types, e.Type)
			if q, ok := e.Data.(agenda.Queues); ok && e.Type == "speakers.changed" {
				cleared[q.AgendaItemID] = q
			}
		}
		if want := []string{"agenda.changed", "speakers.changed", "speakers.changed"}; !slices.Equal(types, want) {
			t.Errorf("events %v, want %v", types, want)
		}
		for _, id := range []string{parent, child} {
			q, ok := cleared[id]
			if !ok {
				t.Errorf("no speakers.changed for deleted item %s", id)
				continue
			}
			if q.Active != nil || len(q.Speeches)+len(q.Questions)+len(q.History) != 0 || q.Speeches == nil || q.History == nil {
				t.Errorf("queues of deleted item %s: %+v, want empty lists", id, q)
			}
		}
		if _, ok := cleared[empty]; ok {
			t.Errorf("speakers.changed for a deleted item that had no entries")
		}

		for _, id := range []string{waiting, withdrawn, question} {
			chair.Do("POST", "/api/v1/speakers/"+id+"/cancel", nil).Check(t, "cancel an entry of a deleted item", notFound)
		}
		chair.Do("GET", "/api/v1/agenda-items/"+child+"/speakers", nil).Check(t, "queues of a deleted item", notFound)
		if q := readQueues(chair, kept); len(q.Speeches) != 1 || q.Speeches[0].ID != stays {
			t.Errorf("queues of another item: %+v", q)
		}

		entries := auditSince(cast, m, before)
		if len(entries) != 1 || entries[0].Action != "agenda.item_deleted" {
			t.Fatalf("audit %+v, want one agenda.item_deleted", entries)
		}
		named := map[string]string{}
		list, _ := entries[0].Detail["speakers"].([]any)
		for _, x := range list {
			if sp, ok := x.(map[string]any); ok {
				named[sp["id"].(string)], _ = sp["status"].(string)
			}
		}
		want := map[string]string{waiting: "waiting", withdrawn: "cancelled", question: "waiting"}
		if len(named) != len(want) {
			t.Errorf("the audit names entries %v, want %v", named, want)
		}
		for id, st := range want {
			if named[id] != st {
				t.Errorf("the audit names entry %s as %q, want %q", id, named[id], st)
			}
		}
	})
}
