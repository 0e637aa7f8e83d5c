package meeting

import (
	"context"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// State is a participant's attendance.
type State string

// The attendance states. Unknown is a participant nobody has recorded yet.
const (
	Present State = "present"
	Remote  State = "remote" // attends by video link; counts for quorum
	Absent  State = "absent"
	Unknown State = "unknown"
)

// Attendance is one participant's attendance record.
type Attendance struct {
	UserID   string `json:"user_id"`
	FullName string `json:"full_name"`
	Role     Role   `json:"role"`
	CanVote  bool   `json:"can_vote"`
	State    State  `json:"state"`
	Reason   string `json:"reason"`
	// CheckedInAt is when they last arrived (became present or remote);
	// switching between present and remote keeps it, absent clears it.
	CheckedInAt *time.Time `json:"checked_in_at"`
	UpdatedAt   *time.Time `json:"updated_at"`
	RecordedBy  string     `json:"recorded_by"`
}

// AttendanceInput is the input of RecordAttendance. Without UserID it is
// a self check-in from the participant's tablet.
type AttendanceInput struct {
	UserID string `json:"user_id"`
	State  string `json:"state"`
	Reason string `json:"reason"` // e.g. why someone is absent ("vắng có lý do")
}

// AttendanceChange is what RecordAttendance returns and publishes.
type AttendanceChange struct {
	Attendance Attendance `json:"attendance"`
	Quorum     Quorum     `json:"quorum"`
}

func parseState(s string) (State, error) {
	switch st := State(s); st {
	case Present, Remote, Absent:
		return st, nil
	}
	return "", apperr.Invalidf("state must be present, remote or absent, not %s", web.Quote(s))
}

// RecordAttendance records who attends. Self check-in (no user_id) needs
// a participant, a live meeting, and present or remote: an absence is the
// secretary's to record. The secretary, the chair or an admin record
// anyone (themselves too), in any state and with a reason, in any meeting
// that is not closed. Recording the state someone already has changes nothing.
func (s *Service) RecordAttendance(ctx context.Context, a web.Actor, meetingID string, in AttendanceInput) (AttendanceChange, error) {
	acc, err := s.Access(ctx, a, meetingID)
	if err != nil {
		return AttendanceChange{}, err
	}
	st, err := parseState(in.State)
	if err != nil {
		return AttendanceChange{}, err
	}
	reason, err := CleanNote("reason", in.Reason, maxReason)
	if err != nil {
		return AttendanceChange{}, err
	}
	// A manager naming themselves records like a manager; anyone else naming themselves checks in.
	self := in.UserID == "" || (in.UserID == a.UserID && !acc.CanManage())
	if err := checkAttendanceRight(acc, self, st); err != nil {
		return AttendanceChange{}, err
	}
	rec := attendanceRecord{meetingID: meetingID, userID: a.UserID, state: st, reason: reason, by: a.UserID, at: s.now(), self: self}
	if !self {
		rec.userID = in.UserID
	}
	e := s.entry(a, meetingID, "attendance.recorded", "user:"+rec.userID, map[string]any{"state": st, "reason": reason, "self": self})
	r, changed, err := s.store.recordAttendance(ctx, rec, e)
	if err != nil {
		return AttendanceChange{}, err
	}
	return s.attendanceChanged(ctx, r, changed)
}

func checkAttendanceRight(acc Access, self bool, st State) error {
	switch {
	case !self && !acc.CanManage():
		return apperr.Forbiddenf("only the meeting's secretary or chair can record someone else's attendance")
	case !self:
		return nil
	case !acc.IsParticipant():
		return apperr.Forbiddenf("you do not take part in this meeting")
	case st == Absent:
		return apperr.Forbiddenf("an absence is recorded by the secretary")
	}
	return nil
}

// attendanceChanged builds the answer and, when something changed,
// tells Config.AttendanceChanged and publishes it with the new quorum.
// What it publishes is read afresh in order with the meeting's other
// announcements (announce): r and a quorum read right after this commit
// may be older than what a change committed after it has announced
// already. The answer is what was published.
func (s *Service) attendanceChanged(ctx context.Context, r participantRow, changed bool) (AttendanceChange, error) {
	if !changed { // nothing to announce: the record, and the quorum as it is
		list, err := s.attendance(ctx, []participantRow{r})
		if err != nil {
			return AttendanceChange{}, err
		}
		q, err := s.sharedQuorum(ctx, r.MeetingID)
		if err != nil {
			return AttendanceChange{}, err
		}
		return AttendanceChange{Attendance: list[0], Quorum: q}, nil
	}
	s.present(ctx, r.MeetingID) // committed: told even if what follows fails
	// The name is the user's, not the meeting's state: read outside the order.
	people, err := s.named(ctx, []participantRow{r})
	if err != nil {
		return AttendanceChange{}, err
	}
	// Published as attendance.changed, or as quorum.changed when they were
	// removed before it could be announced.
	it := &announcement{kind: announceAttendance, row: r, name: people[0].FullName}
	if err := s.announce(ctx, r.MeetingID, it); err != nil {
		return AttendanceChange{}, err
	}
	if it.err != nil {
		return AttendanceChange{}, it.err
	}
	return it.change, nil
}

// Attendance lists every participant's attendance to anyone who takes part.
func (s *Service) Attendance(ctx context.Context, a web.Actor, meetingID string) ([]Attendance, error) {
	if _, err := s.Access(ctx, a, meetingID); err != nil {
		return nil, err
	}
	rows, err := s.store.participants(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	return s.attendance(ctx, rows)
}

func (s *Service) attendance(ctx context.Context, rows []participantRow) ([]Attendance, error) {
	people, err := s.named(ctx, rows)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]participantRow, len(rows))
	for _, r := range rows {
		byID[r.UserID] = r
	}
	out := make([]Attendance, len(people))
	for i, p := range people {
		out[i] = attendanceOf(byID[p.UserID], p.FullName)
	}
	return out, nil
}

// attendanceOf is r's attendance record, under the user's full name.
func attendanceOf(r participantRow, fullName string) Attendance {
	st := State(r.Attendance)
	if st == "" {
		st = Unknown
	}
	return Attendance{UserID: r.UserID, FullName: fullName, Role: Role(r.Role), CanVote: r.CanVote, State: st,
		Reason: r.AttendanceReason, CheckedInAt: r.CheckedInAt, UpdatedAt: r.AttendanceAt, RecordedBy: r.RecordedBy}
}

// attendanceRecord is one attendance change to apply in a transaction.
type attendanceRecord struct {
	meetingID, userID string
	state             State
	reason, by        string
	at                time.Time
	self              bool
}

// allowedIn is a Conflict when the meeting's status refuses the record:
// a closed meeting takes none, and self check-in needs the session to
// have begun: live, or adjourned for a break (someone who arrives during
// the break checks in then).
func (rec attendanceRecord) allowedIn(s Status) error {
	if err := writable(s); err != nil {
		return err
	}
	if rec.self && s != Live && s != Adjourned {
		return apperr.Conflictf("check-in opens when the meeting is in session (it is %s)", s)
	}
	return nil
}

// apply sets rec on r and reports whether anything changed.
func (rec attendanceRecord) apply(r *participantRow) bool {
	if State(r.Attendance) == rec.state && r.AttendanceReason == rec.reason {
		return false
	}
	wasIn := State(r.Attendance) == Present || State(r.Attendance) == Remote
	switch {
	case rec.state == Absent:
		r.CheckedInAt = nil
	case !wasIn:
		at := rec.at
		r.CheckedInAt = &at
	}
	at := rec.at
	r.Attendance, r.AttendanceReason, r.AttendanceAt, r.RecordedBy = string(rec.state), rec.reason, &at, rec.by
	return true
}
