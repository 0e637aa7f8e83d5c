package agenda

import (
	"context"
	"log/slog"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// These run inside package meeting's transactions (the wiring in
// internal/app registers them); tx already holds the meeting's lock, and
// they only hand it to the store.

// CloseHook ends, in the transaction that closes the meeting
// (meeting.CloseHook), what must not outlive the session: the turn of
// whoever has the floor is finished, audited as speaker.finished with the
// reason, every waiting entry (speeches and questions, on every item) is
// cancelled, each audited as speaker.cancelled with the reason, and the
// current item becomes done, audited as agenda.current (no item
// current). A closed meeting is read-only, so nobody could end them
// later: the record and the minutes would show a turn that never ends,
// queues that wait for ever and an item still under discussion. After
// the close commits it publishes speakers.changed for each item whose
// queues changed and agenda.current with no item.
func (s *Service) CloseHook(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) (meeting.After, error) {
	w := s.store.within(ctx, tx, meetingID)
	ended, err := s.endTurn(w, a, reasonClosed)
	if err != nil {
		return nil, err
	}
	cancelled, err := s.cancelWaiting(w, a, reasonClosed)
	if err != nil {
		return nil, err
	}
	touched := itemsOf(append(ended, cancelled...))
	rows, err := w.items()
	if err != nil {
		return nil, err
	}
	out, changed, err := s.switchCurrent(w, rows, "")
	if err != nil {
		return nil, err
	}
	if changed {
		err = w.audit(s.entry(a, meetingID, "agenda.current", "meeting:"+meetingID,
			map[string]any{"item_id": nil, "previous_item_id": out.PreviousItemID, "reason": reasonClosed}))
		if err != nil {
			return nil, err
		}
	}
	if !changed && len(touched) == 0 {
		return nil, nil
	}
	return func(ctx context.Context) {
		for _, r := range touched {
			_, _ = s.speakersChanged(ctx, r) // committed: a failed read only leaves clients to refetch
		}
		if changed {
			s.publish(ctx, meetingID, "agenda.current", out)
		}
	}, nil
}

// AdjournHook ends, in the transaction that adjourns the meeting
// (meeting.AdjournHook), the turn of whoever has the floor, audited as
// speaker.finished with the reason: a turn has a fixed time limit and
// no pause, so one left running through the break would come back
// hours over its time. Waiting entries stay waiting, and the current item
// stays current, for when the session resumes; but its clock stops
// (stopClock): the break is no time spent on it. After the adjournment
// commits it publishes speakers.changed for the item whose turn ended,
// then agenda.changed if the clock stopped.
func (s *Service) AdjournHook(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) (meeting.After, error) {
	w := s.store.within(ctx, tx, meetingID)
	ended, err := s.endTurn(w, a, reasonAdjourned)
	if err != nil {
		return nil, err
	}
	stopped, err := s.stopClock(w)
	if err != nil || (len(ended) == 0 && !stopped) {
		return nil, err
	}
	return func(ctx context.Context) {
		for _, r := range ended {
			_, _ = s.speakersChanged(ctx, r) // committed: a failed read only leaves clients to refetch
		}
		if stopped {
			_, _ = s.changed(ctx, meetingID, "") // committed: a failed read only leaves clients to refetch
		}
	}, nil
}

// ResumeHook starts again, in the transaction that resumes an adjourned
// meeting (meeting.ResumeHook), the clock of the current item that
// AdjournHook stopped: it is current again from now, with the time spent
// before the break in spent_sec. After the resumption commits it
// publishes agenda.changed. An item whose clock did not stop (adjourned
// before clocks stopped) is left as it is. Neither hook touches
// current_since: the item has been current since before the break.
func (s *Service) ResumeHook(ctx context.Context, tx *gorm.DB, _ web.Actor, meetingID string) (meeting.After, error) {
	w := s.store.within(ctx, tx, meetingID)
	rows, err := w.items()
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if ItemStatus(r.Status) != Current || r.BecameCurrentAt != nil {
			continue
		}
		now := s.now()
		if err := w.updateItem(r.ID, map[string]any{"became_current_at": now, "updated_at": now}); err != nil {
			return nil, err
		}
		return func(ctx context.Context) {
			_, _ = s.changed(ctx, meetingID, "") // committed: a failed read only leaves clients to refetch
		}, nil
	}
	return nil, nil
}

// stopClock adds the seconds of the current item's running spell to its
// spent_sec and clears its became_current_at, so that its time used
// (spent_sec + (now − became_current_at)) stands at spent_sec until
// ResumeHook starts the clock again. It reports whether a clock stopped.
func (s *Service) stopClock(w *writer) (bool, error) {
	rows, err := w.items()
	if err != nil {
		return false, err
	}
	for _, r := range rows {
		if ItemStatus(r.Status) != Current || r.BecameCurrentAt == nil {
			continue
		}
		now := s.now()
		fields := map[string]any{"spent_sec": r.SpentSec + spellSec(r.BecameCurrentAt, now), "became_current_at": nil, "updated_at": now}
		return true, w.updateItem(r.ID, fields)
	}
	return false, nil
}

// LeaveHook takes a participant removed from the meeting off as the
// presenter of its agenda items, in the removing transaction
// (meeting.LeaveHookAfter): the agenda must not name someone who no
// longer takes part, and who, added back later (as an observer, say),
// would otherwise regain a presenter's rights. Each item is audited as
// agenda.item_updated with the reason; after the removal commits the new
// agenda is published (agenda.changed).
func (s *Service) LeaveHook(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID, userID string) (meeting.After, error) {
	w := s.store.within(ctx, tx, meetingID)
	now := s.now()
	items, err := w.clearPresenter(userID, now)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	for _, id := range items {
		e := s.entry(a, meetingID, "agenda.item_updated", "agenda_item:"+id,
			map[string]any{"presenter_id": nil, "reason": "presenter removed from the meeting"})
		if err := w.audit(e); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context) {
		_, _ = s.changed(ctx, meetingID, "") // committed: a failed read only leaves clients to refetch
	}, nil
}

// PresenterDemoted takes a participant who may no longer speak (made an
// observer, who "sees, but does not vote or speak") off as the presenter
// of the meeting's agenda items, as LeaveHook does for one removed:
// presenting an item is speaking to the room, and the agenda must not
// name as presenter someone who may not present. Each item is audited as
// agenda.item_updated with the reason, by the actor in ctx (whoever
// changed the role), else nobody (the system); after the commit the new
// agenda is published (agenda.changed). It is to be called, as
// ParticipantLeft is, after a change of a participant's role commits
// (meeting Config.Removed); the role is read again under the meeting's
// lock, so a participant who may still speak stays presenter, and an item
// naming them that waits for the lock meanwhile is seen here or refused
// there (checkPresenter). Someone who presents nothing costs one read and
// no transaction. In a closed meeting nothing can change: it does
// nothing. A failure is logged on log (the role change has committed;
// the secretary can still clear the presenter by hand).
func (s *Service) PresenterDemoted(ctx context.Context, log *slog.Logger, meetingID, userID string) {
	ctx = context.WithoutCancel(ctx) // the role change is committed: finish its consequence
	if err := s.presenterDemoted(ctx, meetingID, userID); err != nil {
		log.ErrorContext(ctx, "take a participant who may no longer speak off as presenter",
			"err", err, "meeting", meetingID, "user", userID)
	}
}

func (s *Service) presenterDemoted(ctx context.Context, meetingID, userID string) error {
	rows, err := s.store.items(ctx, meetingID)
	if err != nil {
		return err
	}
	presents := false
	for _, r := range rows {
		presents = presents || (r.PresenterID != nil && *r.PresenterID == userID)
	}
	if !presents {
		return nil
	}
	actor, _ := web.ActorFrom(ctx)
	var items []string
	err = s.store.inMeeting(ctx, meetingID, func(w *writer) error {
		acc, err := meeting.AccessIn(w.tx, meetingID, []web.Actor{{UserID: userID}})
		if err != nil {
			return err
		}
		reason := "presenter removed from the meeting"
		if p, ok := acc[userID]; ok && p.IsParticipant() {
			if p.CanSpeak() {
				return nil
			}
			reason = "presenter's role changed to " + string(p.Role)
		}
		if items, err = w.clearPresenter(userID, s.now()); err != nil {
			return err
		}
		for _, id := range items {
			e := s.entry(actor, meetingID, "agenda.item_updated", "agenda_item:"+id,
				map[string]any{"presenter_id": nil, "reason": reason})
			if err := w.audit(e); err != nil {
				return err
			}
		}
		return nil
	})
	if apperr.Is(err, apperr.Conflict) { // closed meanwhile: its record stays as it is
		return nil
	}
	if err != nil || len(items) == 0 {
		return err
	}
	_, err = s.changed(ctx, meetingID, "")
	return err
}
