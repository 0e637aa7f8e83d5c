package meeting

import (
	"context"

	"gorm.io/gorm"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Status is where a meeting is in its life.
type Status string

// The statuses of a meeting.
const (
	Draft     Status = "draft"     // being prepared
	Scheduled Status = "scheduled" // announced to its participants
	Live      Status = "live"      // in session
	Adjourned Status = "adjourned" // paused; resumes to live
	Closed    Status = "closed"    // over; read-only from now on
)

// transitions lists the allowed moves. scheduled → draft takes an
// announced meeting back for rework; an adjourned session may be closed
// without resuming it first. Everything else is a Conflict.
var transitions = map[Status][]Status{
	Draft:     {Scheduled},
	Scheduled: {Draft, Live},
	Live:      {Adjourned, Closed},
	Adjourned: {Live, Closed},
}

// ParseStatus checks that s names a status.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case Draft, Scheduled, Live, Adjourned, Closed:
		return st, nil
	}
	return "", apperr.Invalidf("status must be draft, scheduled, live, adjourned or closed, not %s", web.Quote(s))
}

// canMove reports whether a meeting may go from one status to another.
func canMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// writable is a Conflict for a closed meeting: it is kept as it ended.
func writable(s Status) error {
	if s == Closed {
		return apperr.Conflictf("the meeting is closed; nothing in it can change")
	}
	return nil
}

// SetStatus moves a meeting along its lifecycle; the secretary, the chair
// or an admin may. It records when the meeting first went live and when it
// closed. A close is first put to the close guards (AddCloseGuard), in the
// same transaction; the first refusal is the answer. Then the close hooks
// (AddCloseHook) settle, in that transaction too, what must not outlive
// the session, and announce it once the close has committed. An
// adjournment runs the adjourn hooks (AddAdjournHook) the same way: what
// must not run on through the break ends in the adjourning transaction;
// and the resumption of an adjourned meeting runs the resume hooks
// (AddResumeHook): what stood still through the break starts again.
func (s *Service) SetStatus(ctx context.Context, a web.Actor, id, status string) (Meeting, error) {
	acc, err := s.manager(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	to, err := ParseStatus(status)
	if err != nil {
		return Meeting{}, err
	}
	var after []After
	var from Status
	r, err := s.store.updateMeeting(ctx, id, func(m meetingRow) (map[string]any, audit.Entry, error) {
		from = Status(m.Status)
		if err := writable(from); err != nil {
			return nil, audit.Entry{}, err
		}
		if !canMove(from, to) {
			return nil, audit.Entry{}, apperr.Conflictf("a %s meeting cannot become %s", from, to)
		}
		f := map[string]any{"status": string(to)}
		now := s.now()
		if to == Live && m.StartedAt == nil {
			f["started_at"] = now
		}
		if to == Closed {
			f["closed_at"] = now
		}
		e := s.entry(a, id, "meeting.status", "meeting:"+id, map[string]any{"from": from, "to": to})
		return f, e, nil
	}, func(tx *gorm.DB, _ map[string]any) error {
		var err error
		switch to {
		case Closed:
			after, err = s.closeGuards.check(ctx, tx, a, id) // e.g. a poll still open; then the turn and the item end
		case Adjourned:
			after, err = s.closeGuards.adjourned(ctx, tx, a, id) // the turn ends, the item's clock stops
		case Live:
			if from == Adjourned {
				after, err = s.closeGuards.resumed(ctx, tx, a, id) // the item's clock runs again
			}
		}
		return err
	})
	if err != nil {
		return Meeting{}, err
	}
	s.changed(ctx, id)
	runAfter(ctx, after)
	s.meetingUpdated(ctx, id, false)
	return r.meeting(acc.Role), nil
}
