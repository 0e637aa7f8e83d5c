package agenda

import (
	"context"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// These run inside package meeting's transactions (the wiring in
// internal/app registers them); tx already holds the meeting's lock, and
// they only hand it to the store.

// CloseHook ends, in the transaction that closes the meeting
// (meeting.CloseHook), what must not outlive the session: the turn of
// whoever has the floor is finished, audited as speaker.finished with the
// reason, and the current item becomes done, audited as agenda.current
// (no item current). A closed meeting is read-only, so nobody could end
// them later: the record and the minutes would show a turn that never
// ends and an item still under discussion. After the close commits it
// publishes speakers.changed for the item whose turn ended and
// agenda.current with no item.
func (s *Service) CloseHook(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) (meeting.After, error) {
	w := s.store.within(ctx, tx, meetingID)
	ended, err := s.endTurn(w, a, reasonClosed)
	if err != nil {
		return nil, err
	}
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
	if !changed && len(ended) == 0 {
		return nil, nil
	}
	return func(ctx context.Context) {
		for _, r := range ended {
			_, _ = s.speakersChanged(ctx, r) // committed: a failed read only leaves clients to refetch
		}
		if changed {
			s.publish(ctx, meetingID, "agenda.current", out)
		}
	}, nil
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
