package meeting_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// TestRoll: the cheap roll says, for every participant, what the
// participant list and the attendance list say: role, vote, weight and
// attendance (unknown until recorded).
func TestRoll(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("mrol")
		m := c.Meeting("Roll")
		c.SetStatus(m, "scheduled", "live")
		ctx := t.Context()
		sec := web.Actor{UserID: c.Secretary.UserID}
		three, noVote := 3, false
		if _, _, err := srv.App.Meetings.PutParticipant(ctx, sec, m, c.Delegate.UserID, meeting.ParticipantInput{Role: "delegate", Weight: &three}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := srv.App.Meetings.PutParticipant(ctx, sec, m, c.Chair.UserID, meeting.ParticipantInput{Role: "chair", CanVote: &noVote}); err != nil {
			t.Fatal(err)
		}
		c.Delegate.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"state": "remote"})
		c.Secretary.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"user_id": c.Observer.UserID, "state": "absent"})

		roll, err := srv.App.Meetings.Roll(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := srv.App.Meetings.Participants(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		att, err := srv.App.Meetings.Attendance(ctx, sec, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(roll) != len(ps) || len(ps) < 4 {
			t.Fatalf("roll has %d entries, participants %d", len(roll), len(ps))
		}
		byID := map[string]meeting.RollEntry{}
		for _, e := range roll {
			byID[e.UserID] = e
		}
		states := map[string]meeting.State{}
		for _, a := range att {
			states[a.UserID] = a.State
		}
		for _, p := range ps {
			e, found := byID[p.UserID]
			want := meeting.RollEntry{UserID: p.UserID, Role: p.Role, CanVote: p.CanVote, Weight: p.Weight, State: states[p.UserID]}
			if !found || e != want {
				t.Errorf("roll entry %+v, want %+v", e, want)
			}
		}
		if d := byID[c.Delegate.UserID]; d.Weight != 3 || d.State != meeting.Remote || !d.CanVote {
			t.Errorf("delegate %+v", d)
		}
		if ch := byID[c.Chair.UserID]; ch.CanVote || ch.State != meeting.Unknown {
			t.Errorf("chair %+v", ch)
		}
		if o := byID[c.Observer.UserID]; o.State != meeting.Absent || o.CanVote {
			t.Errorf("observer %+v", o)
		}
		if empty, err := srv.App.Meetings.Roll(ctx, "no-such-meeting"); err != nil || len(empty) != 0 {
			t.Errorf("roll of no meeting: %v, %v", empty, err)
		}
	})
}
