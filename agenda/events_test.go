package agenda_test

import (
	"testing"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// TestEventsAndAudit checks that each agenda and speaker change publishes
// its event after commit and writes its audit entry, and that a refused
// change does neither.
func TestEventsAndAudit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Events")
		a, bb := addItem(cast.Secretary, m, "A", ""), addItem(cast.Secretary, m, "B", "")
		sp, w := enqueue(cast.Delegate, a, "speech", ""), enqueue(cast.Chair, a, "speech", "")
		cast.SetStatus(m, "scheduled", "live")
		sec, chair, del := cast.Secretary, cast.Chair, cast.Delegate
		base, items := "/api/v1/meetings/"+m+"/agenda", "/api/v1/agenda-items/"
		changed, speakers := []string{"agenda.changed"}, []string{"speakers.changed"}
		cast.RunSteps(t, rec, m, []apptest.Step{
			{Name: "reorder", As: sec, Method: "PUT", Path: base + "/order", Body: map[string]any{"ids": []string{bb, a}}, Want: ok,
				Events: changed, Action: "agenda.reordered"},
			{Name: "add", As: sec, Method: "POST", Path: base, Body: map[string]any{"title": "C"}, Want: created,
				Events: changed, Action: "agenda.item_created"},
			{Name: "refused add", As: del, Method: "POST", Path: base, Body: map[string]any{"title": "C"}, Want: forbidden},
			{Name: "invalid add", As: sec, Method: "POST", Path: base, Body: map[string]any{"title": ""}, Want: invalid},
			{Name: "update", As: sec, Method: "PATCH", Path: items + a, Body: map[string]any{"duration_min": 20}, Want: ok,
				Events: changed, Action: "agenda.item_updated"},
			{Name: "incomplete reorder", As: sec, Method: "PUT", Path: base + "/order", Body: map[string]any{"ids": []string{bb, a}}, Want: unprocessable},
			{Name: "current", As: chair, Method: "PUT", Path: base + "/current", Body: map[string]any{"item_id": a}, Want: ok,
				Events: []string{"agenda.current"}, Action: "agenda.current", Then: func(t *testing.T, es []event.Event) {
					if cur, ok := es[0].Data.(agenda.CurrentItem); !ok || *cur.ItemID != a || cur.BecameCurrentAt == nil {
						t.Errorf("agenda.current carries %#v", es[0].Data)
					}
				}},
			{Name: "current again", As: chair, Method: "PUT", Path: base + "/current", Body: map[string]any{"item_id": a}, Want: ok},
			{Name: "enqueue", As: chair, Method: "POST", Path: items + a + "/speakers", Body: map[string]any{"kind": "question"}, Want: created,
				Events: speakers, Action: "speaker.enqueued"},
			{Name: "enqueue twice", As: chair, Method: "POST", Path: items + a + "/speakers", Body: map[string]any{"kind": "question"}, Want: conflict},
			{Name: "start", As: chair, Method: "POST", Path: "/api/v1/speakers/" + sp + "/start", Want: ok, Events: speakers, Action: "speaker.started"},
			{Name: "start again", As: chair, Method: "POST", Path: "/api/v1/speakers/" + sp + "/start", Want: conflict},
			{Name: "finish", As: del, Method: "POST", Path: "/api/v1/speakers/" + sp + "/finish", Want: ok, Events: speakers, Action: "speaker.finished"},
			{Name: "cancel", As: chair, Method: "POST", Path: "/api/v1/speakers/" + w + "/cancel", Want: ok, Events: speakers, Action: "speaker.cancelled"},
			{Name: "cancel again", As: chair, Method: "POST", Path: "/api/v1/speakers/" + w + "/cancel", Want: conflict},
			{Name: "delete the current item", As: sec, Method: "DELETE", Path: items + a, Want: conflict},
			{Name: "delete", As: sec, Method: "DELETE", Path: items + bb, Want: noContent, Events: changed, Action: "agenda.item_deleted"},
		})
	})
}
