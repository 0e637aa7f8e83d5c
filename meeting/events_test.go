package meeting_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/meeting"
)

// TestEventsAndAudit checks that each change publishes its event after
// commit and writes its audit entry, and that a refused change does neither.
func TestEventsAndAudit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Events")
		base := "/api/v1/meetings/" + m
		sec, chair, del := cast.Secretary, cast.Chair, cast.Delegate
		record := map[string]any{"user_id": del.UserID, "state": "present"}
		cast.RunSteps(t, rec, m, []apptest.Step{
			{Name: "update", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"location": "Hội trường A"}, Want: ok,
				Events: []string{"meeting.updated"}, Action: "meeting.updated", Then: noRole},
			{Name: "refused update", As: del, Method: "PATCH", Path: base, Body: map[string]any{"location": "x"}, Want: forbidden},
			{Name: "invalid update", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"title": ""}, Want: invalid},
			{Name: "schedule", As: chair, Method: "POST", Path: base + "/status", Body: map[string]any{"status": "scheduled"}, Want: ok,
				Events: []string{"meeting.updated"}, Action: "meeting.status", Then: noRole},
			{Name: "bad move", As: chair, Method: "POST", Path: base + "/status", Body: map[string]any{"status": "closed"}, Want: conflict},
			{Name: "add", As: sec, Method: "PUT", Path: base + "/participants/" + cast.Outsider.UserID, Body: map[string]any{"role": "observer"},
				Want: created, Events: []string{"participants.changed", "quorum.changed"}, Action: "participant.set"},
			{Name: "put the same again", As: sec, Method: "PUT", Path: base + "/participants/" + cast.Outsider.UserID, Body: map[string]any{"role": "observer"},
				Want: ok},
			{Name: "remove", As: sec, Method: "DELETE", Path: base + "/participants/" + cast.Outsider.UserID, Want: noContent,
				Events: []string{"participants.changed", "quorum.changed"}, Action: "participant.removed"},
			{Name: "last secretary", As: chair, Method: "DELETE", Path: base + "/participants/" + sec.UserID, Want: conflict},
			{Name: "record", As: sec, Method: "POST", Path: base + "/attendance", Body: record, Want: ok,
				Events: []string{"attendance.changed"}, Action: "attendance.recorded", Then: func(t *testing.T, es []event.Event) {
					if ch, ok := es[0].Data.(meeting.AttendanceChange); !ok || ch.Quorum.Present != 1 || ch.Quorum.Eligible != 2 {
						t.Errorf("attendance.changed carries %#v", es[0].Data)
					}
				}},
			{Name: "same again", As: sec, Method: "POST", Path: base + "/attendance", Body: record, Want: ok},
			{Name: "early check-in", As: chair, Method: "POST", Path: base + "/attendance", Body: map[string]any{"state": "present"}, Want: conflict},
		})
	})
}

// noRole checks that a meeting.updated event, which everyone in the room
// gets, carries the meeting and not the role of whoever changed it.
func noRole(t *testing.T, es []event.Event) {
	t.Helper()
	m, ok := es[0].Data.(meeting.Meeting)
	if !ok || m.ID == "" || m.MyRole != "" {
		t.Errorf("meeting.updated carries %#v, want the meeting with no my_role", es[0].Data)
	}
}
