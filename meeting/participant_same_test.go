package meeting_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// TestPutSameParticipantChangesNothing proves that a PUT of a participant
// with exactly the role, vote and weight they already have is a 200 with
// the participant that changes nothing: no audit entry, no event, and
// their live connections stay open (a change closes them with 4003, so
// that they reconnect in their new role).
func TestPutSameParticipantChangesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Same again")
		path := "/api/v1/meetings/" + m + "/participants/" + cast.Delegate.UserID
		cast.Secretary.Must(ok, "PUT", path, map[string]any{"role": "delegate", "weight": 3})
		tablet := cast.Delegate.Live(m, "")
		tablet.NextOf("snapshot")
		before := len(cast.AuditActions(t, m))
		apptest.Drain(rec)

		for _, body := range []map[string]any{
			{"role": "delegate", "weight": 3},
			{"role": "delegate", "can_vote": true, "weight": 3},
		} {
			var p struct {
				UserID  string `json:"user_id"`
				Role    string `json:"role"`
				CanVote bool   `json:"can_vote"`
				Weight  int    `json:"weight"`
			}
			cast.Secretary.Must(ok, "PUT", path, body).JSON(&p)
			if p.UserID != cast.Delegate.UserID || p.Role != "delegate" || !p.CanVote || p.Weight != 3 {
				t.Errorf("PUT %v answered %+v", body, p)
			}
		}
		if added := cast.AuditActions(t, m)[before:]; len(added) != 0 {
			t.Errorf("the same participant again was audited: %v", added)
		}
		if types := apptest.EventTypes(rec); len(types) != 0 {
			t.Errorf("the same participant again published %v", types)
		}
		// The tablet is still connected: it gets the next event.
		cast.Secretary.Must(ok, "PATCH", "/api/v1/meetings/"+m, map[string]any{"location": "Phòng 2"})
		tablet.NextOf("meeting.updated")

		// A real change closes it, so that it reconnects in the new role.
		cast.Secretary.Must(ok, "PUT", path, map[string]any{"role": "delegate", "weight": 2})
		_ = tablet.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			_, _, err := tablet.Conn.ReadMessage()
			if err == nil {
				continue
			}
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != 4003 {
				t.Errorf("after a change the tablet's connection ended with %v, want a 4003 close", err)
			}
			break
		}
	})
}
