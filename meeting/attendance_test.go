package meeting_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

type attendance struct {
	Attendance struct {
		State       string     `json:"state"`
		Reason      string     `json:"reason"`
		CheckedInAt *time.Time `json:"checked_in_at"`
		UpdatedAt   *time.Time `json:"updated_at"`
		RecordedBy  string     `json:"recorded_by"`
	} `json:"attendance"`
	Quorum quorum `json:"quorum"`
}

type quorum struct {
	Eligible, Present, Remote, Absent, Unknown, Attending, Required int
	Reached                                                         bool
}

// TestAttendanceTimes follows one delegate: check-in, switch to remote,
// recorded absent by the secretary, and a repeated check-in that changes nothing.
func TestAttendanceTimes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Attendance")
		cast.SetStatus(m, "scheduled", "live")
		path := "/api/v1/meetings/" + m + "/attendance"
		var in, remote, again, absent attendance
		cast.Delegate.Must(ok, "POST", path, map[string]any{"state": "present"}).JSON(&in)
		if in.Attendance.CheckedInAt == nil || in.Attendance.RecordedBy != cast.Delegate.UserID {
			t.Fatalf("check-in: %+v", in.Attendance)
		}
		cast.Delegate.Must(ok, "POST", path, map[string]any{"user_id": cast.Delegate.UserID, "state": "remote"}).JSON(&remote)
		if !remote.Attendance.CheckedInAt.Equal(*in.Attendance.CheckedInAt) || remote.Quorum.Remote != 1 {
			t.Errorf("present → remote must keep checked_in_at: %+v", remote)
		}
		cast.Delegate.Must(ok, "POST", path, map[string]any{"state": "remote"}).JSON(&again)
		if !again.Attendance.UpdatedAt.Equal(*remote.Attendance.UpdatedAt) {
			t.Errorf("a repeated check-in changed the record: %v → %v", remote.Attendance.UpdatedAt, again.Attendance.UpdatedAt)
		}
		cast.Secretary.Must(ok, "POST", path, map[string]any{"user_id": cast.Delegate.UserID, "state": "absent", "reason": "ốm"}).JSON(&absent)
		a := absent.Attendance
		if a.State != "absent" || a.Reason != "ốm" || a.CheckedInAt != nil || a.RecordedBy != cast.Secretary.UserID {
			t.Errorf("absent: %+v", a)
		}
		// Chair and delegate vote by default; the secretary and observer do not.
		if q := absent.Quorum; q.Eligible != 2 || q.Absent != 1 || q.Unknown != 1 || q.Required != 2 || q.Reached {
			t.Errorf("quorum: %+v", q)
		}
	})
}

// TestQuorumRules sets each rule over HTTP and reads the quorum back.
func TestQuorumRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Quorum")
		base := "/api/v1/meetings/" + m
		cast.Secretary.Must(ok, "PUT", base+"/participants/"+cast.Delegate.UserID, map[string]any{"role": "delegate", "weight": 3})
		cast.SetStatus(m, "scheduled", "live")
		cast.Delegate.Must(ok, "POST", base+"/attendance", map[string]any{"state": "present"})
		for _, tc := range []struct {
			rule              map[string]any
			required, present int
			reached           bool
		}{
			{map[string]any{"rule": "majority"}, 2, 1, false},
			{map[string]any{"rule": "majority", "by_weight": true}, 3, 3, true},
			{map[string]any{"rule": "two_thirds", "by_weight": true}, 3, 3, true},
			{map[string]any{"rule": "at_least", "count": 1}, 1, 1, true},
		} {
			cast.Chair.Must(ok, "PATCH", base, map[string]any{"quorum": tc.rule})
			var q quorum
			cast.Observer.Get(base+"/quorum", &q)
			if q.Required != tc.required || q.Present != tc.present || q.Reached != tc.reached {
				t.Errorf("%v: %+v", tc.rule, q)
			}
		}
	})
}

// TestConcurrentCheckIns has fifty delegates check in at the same moment:
// all fifty must be present and the quorum right.
func TestConcurrentCheckIns(t *testing.T) {
	const n = 50
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		sec := srv.SignIn(srv.CreateUser("cc.secretary", "Thư ký", false))
		var m struct{ ID string }
		sec.Must(created, "POST", "/api/v1/meetings", map[string]any{"title": "Năm mươi đại biểu"}).JSON(&m)
		base := "/api/v1/meetings/" + m.ID
		delegates := make([]*apptest.Client, n)
		for i := range delegates {
			delegates[i] = srv.SignIn(srv.CreateUser(fmt.Sprintf("cc.d%02d", i), fmt.Sprintf("Đại biểu %d", i), false))
			sec.Must(created, "PUT", base+"/participants/"+delegates[i].UserID, map[string]any{"role": "delegate"})
		}
		for _, st := range []string{"scheduled", "live"} {
			sec.Must(ok, "POST", base+"/status", map[string]any{"status": st})
		}
		statuses := apptest.AtOnce(n, func(i int) int {
			return delegates[i].Do("POST", base+"/attendance", map[string]any{"state": "present"}).Status
		})
		for i, s := range statuses {
			if s != ok {
				t.Errorf("delegate %d: status %d", i, s)
			}
		}
		var q quorum
		sec.Get(base+"/quorum", &q)
		if q.Present != n || q.Eligible != n || q.Required != n/2+1 || !q.Reached {
			t.Errorf("quorum after %d check-ins: %+v", n, q)
		}
	})
}

// TestCheckInDuringABreak: a delegate who arrives while the meeting is
// adjourned (a break) checks in then; before the session begins, and
// once it is closed, self check-in is refused and records nothing.
func TestCheckInDuringABreak(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		cast := srv.NewCast("brk")
		m := cast.Meeting("Giải lao")
		base := "/api/v1/meetings/" + m + "/attendance"
		cast.SetStatus(m, "scheduled")
		cast.Delegate.Must(conflict, "POST", base, map[string]any{"state": "present"})
		cast.SetStatus(m, "live", "adjourned")
		cast.Delegate.Must(ok, "POST", base, map[string]any{"state": "present"})
		var q quorum
		cast.Secretary.Get("/api/v1/meetings/"+m+"/quorum", &q)
		if q.Present != 1 {
			t.Fatalf("present after a check-in during the break: %+v", q)
		}
		cast.SetStatus(m, "closed")
		cast.Observer.Must(conflict, "POST", base, map[string]any{"state": "present"})
	})
}
