package meeting

import (
	"context"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Role is a participant's part in a meeting.
type Role string

// The roles of a participant.
const (
	Chair     Role = "chair"     // runs the session
	Secretary Role = "secretary" // prepares the meeting and records it
	Delegate  Role = "delegate"  // a member: speaks and, by default, votes
	Observer  Role = "observer"  // sees, but neither speaks nor votes
)

// ParseRole checks that s names a role.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Chair, Secretary, Delegate, Observer:
		return r, nil
	}
	return "", apperr.Invalidf("role must be chair, secretary, delegate or observer, not %s", web.Quote(s))
}

// votesByDefault reports whether a new participant of role r gets a vote
// unless told otherwise.
func (r Role) votesByDefault() bool { return r == Chair || r == Delegate }

// Access is what one actor may do in one meeting. Other packages get it
// from Service.Access and decide with its methods, so the rules about
// roles stay here.
type Access struct {
	MeetingID string
	UserID    string
	Status    Status
	Role      Role // "" for an admin who is not a participant
	IsAdmin   bool
	CanVote   bool
	Weight    int
}

// IsParticipant reports whether the actor takes part in the meeting.
func (a Access) IsParticipant() bool { return a.Role != "" }

// IsChair reports whether the actor chairs the meeting.
func (a Access) IsChair() bool { return a.Role == Chair }

// CanManage reports whether the actor may prepare the meeting: details,
// participants, attendance, agenda. The secretary, the chair and admins may.
func (a Access) CanManage() bool { return a.IsAdmin || a.Role == Secretary || a.Role == Chair }

// CanRun reports whether the actor may run the session: set the current
// agenda item and call, time and end speakers. The chair runs it; the
// secretary may too, because in practice the secretariat drives the
// screens on the chair's word; and admins may, to unstick a meeting.
func (a Access) CanRun() bool { return a.IsAdmin || a.Role == Chair || a.Role == Secretary }

// CanSpeak reports whether the actor may ask for the floor: every
// participant except observers.
func (a Access) CanSpeak() bool { return a.Role == Chair || a.Role == Secretary || a.Role == Delegate }

// Writable is a Conflict when the meeting is closed, else nil.
func (a Access) Writable() error { return writable(a.Status) }

// Live is a Conflict unless the meeting is in session.
func (a Access) Live() error {
	if a.Status != Live {
		return apperr.Conflictf("the meeting is not in session (it is %s)", a.Status)
	}
	return nil
}

// Access returns what a may do in the meeting. A meeting that does not
// exist, and one the actor does not take part in (unless an admin), is
// NotFound, so its existence does not leak.
func (s *Service) Access(ctx context.Context, a web.Actor, meetingID string) (Access, error) {
	m, p, err := s.store.access(ctx, meetingID, a.UserID)
	if err != nil {
		return Access{}, err
	}
	if p == nil && !a.IsAdmin {
		return Access{}, errNoMeeting()
	}
	return accessOf(m, p, a), nil
}

func accessOf(m meetingRow, p *participantRow, a web.Actor) Access {
	acc := Access{MeetingID: m.ID, UserID: a.UserID, Status: Status(m.Status), IsAdmin: a.IsAdmin}
	if p != nil {
		acc.Role, acc.CanVote, acc.Weight = Role(p.Role), p.CanVote, p.Weight
	}
	return acc
}

// AccessIn is Access for several actors, read inside tx by another
// package's store whose write must see the meeting as it commits (a group
// of annotations checked when their requests came): the meeting is
// share-locked as by LockOpen, so a concurrent close waits, and the
// actors' participant rows are read in one query. The map holds, by user
// id, the actors who take part or are admins; a missing meeting is
// NotFound. A closed meeting is not an error here: what it still allows
// is the caller's rule.
func AccessIn(tx *gorm.DB, meetingID string, actors []web.Actor) (map[string]Access, error) {
	m, err := lockMeeting(tx, meetingID, false)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(actors))
	for _, a := range actors {
		ids = append(ids, a.UserID)
	}
	var ps []participantRow
	if err := tx.Where("meeting_id = ? AND user_id IN ?", meetingID, ids).Find(&ps).Error; err != nil {
		return nil, internal(err, "load participants")
	}
	byUser := make(map[string]*participantRow, len(ps))
	for i := range ps {
		byUser[ps[i].UserID] = &ps[i]
	}
	out := make(map[string]Access, len(actors))
	for _, a := range actors {
		if p := byUser[a.UserID]; p != nil || a.IsAdmin {
			out[a.UserID] = accessOf(m, p, a)
		}
	}
	return out, nil
}

func errNoMeeting() error { return apperr.NotFoundf("meeting not found") }
