package agenda

import (
	"context"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// CurrentItem is the answer of SetCurrent and the data of agenda.current.
type CurrentItem struct {
	ItemID          *string    `json:"item_id"` // null: no item is current
	BecameCurrentAt *time.Time `json:"became_current_at"`
	SpentSec        int        `json:"spent_sec"`        // seconds current in earlier spells, before became_current_at
	CurrentSince    *time.Time `json:"current_since"`    // when it became the current item: the change's time (naming the current item again: its own); null with no item
	PreviousItemID  *string    `json:"previous_item_id"` // now done
}

// SetCurrent makes an item the one being discussed, while the meeting is
// in session; "" clears it. The previous current item becomes done. The
// chair runs this, and so may the secretary and admins (see
// meeting.Access.CanRun). Naming the current item again changes nothing,
// and keeps the time it became current; a done item may be taken up
// again, and keeps the time already spent on it (spent_sec).
//
// The floor stays on the current item (StartSpeaker gives it on that item
// only): a change of the current item, to another or to none, also ends
// the turn of whoever has the floor, in the same transaction, audited as
// speaker.finished with the reason, and announced by speakers.changed
// for their item before agenda.current. So no turn runs on an item that
// the screens (and the live snapshot) no longer show.
func (s *Service) SetCurrent(ctx context.Context, a web.Actor, meetingID, itemID string) (CurrentItem, error) {
	acc, err := s.access(ctx, a, meetingID, "meeting")
	if err != nil {
		return CurrentItem{}, err
	}
	if !acc.CanRun() {
		return CurrentItem{}, apperr.Forbiddenf("only the chair or the secretary can set the current agenda item")
	}
	if err := acc.Writable(); err != nil {
		return CurrentItem{}, err
	}
	var out CurrentItem
	var ended []speakerRow
	changed := false
	err = s.store.inMeeting(ctx, meetingID, func(w *writer) error {
		if w.status != meeting.Live {
			return apperr.Conflictf("the meeting is not in session (it is %s)", w.status)
		}
		rows, err := w.items()
		if err != nil {
			return err
		}
		out, changed, err = s.switchCurrent(w, rows, itemID)
		if err != nil || !changed {
			return err
		}
		if ended, err = s.endTurn(w, a, reasonItemChanged); err != nil {
			return err
		}
		return w.audit(s.entry(a, meetingID, "agenda.current", "meeting:"+meetingID,
			map[string]any{"item_id": out.ItemID, "previous_item_id": out.PreviousItemID}))
	})
	if err != nil {
		return CurrentItem{}, err
	}
	if changed {
		s.currentChanged(ctx, meetingID, out, ended)
	}
	return out, nil
}

// The reasons the audit gives for a turn that ended without a finish.
const (
	reasonItemChanged = "ended by the change of the current agenda item"
	reasonClosed      = "ended by the close of the meeting"
	reasonAdjourned   = "ended by the adjournment of the meeting"
)

// currentChanged announces, after the commit, a change of the current
// item: the queues of each item whose turn it ended, then agenda.current.
func (s *Service) currentChanged(ctx context.Context, meetingID string, out CurrentItem, ended []speakerRow) {
	for _, r := range ended {
		_, _ = s.speakersChanged(ctx, r) // committed: a failed read only leaves clients to refetch
	}
	s.publish(ctx, meetingID, "agenda.current", out)
}

// switchCurrent marks the current item done, adding the seconds of the
// spell that ends to its spent_sec, and itemID current from now: its
// became_current_at and its current_since are now. Only here does
// current_since change (the adjourn and resume hooks move
// became_current_at alone), so it is when the item last became current,
// through any break; a done item keeps it.
func (s *Service) switchCurrent(w *writer, rows []itemRow, itemID string) (CurrentItem, bool, error) {
	var prev *itemRow
	for i := range rows {
		if ItemStatus(rows[i].Status) == Current {
			prev = &rows[i]
		}
	}
	byID := indexRows(rows)
	next, ok := byID[itemID]
	switch {
	case itemID != "" && !ok:
		return CurrentItem{}, false, unprocessable("item_id: no such item in this meeting's agenda")
	case prev == nil && itemID == "":
		return CurrentItem{}, false, nil
	case prev != nil && prev.ID == itemID:
		return CurrentItem{ItemID: &prev.ID, BecameCurrentAt: prev.BecameCurrentAt, SpentSec: prev.SpentSec, CurrentSince: prev.CurrentSince}, false, nil
	}
	now := s.now()
	out := CurrentItem{}
	if prev != nil {
		out.PreviousItemID = &prev.ID
		fields := map[string]any{"status": string(Done), "done_at": now, "updated_at": now,
			"spent_sec": prev.SpentSec + spellSec(prev.BecameCurrentAt, now)}
		if err := w.updateItem(prev.ID, fields); err != nil {
			return out, false, err
		}
	}
	if itemID != "" {
		out.ItemID, out.BecameCurrentAt, out.SpentSec, out.CurrentSince = &next.ID, &now, next.SpentSec, &now
		fields := map[string]any{"status": string(Current), "became_current_at": now, "current_since": now, "done_at": nil, "updated_at": now}
		if err := w.updateItem(itemID, fields); err != nil {
			return out, false, err
		}
	}
	return out, true, nil
}

// spellSec is the whole seconds from since to now, rounded; 0 without a
// start, or for a start after now (another node's clock).
func spellSec(since *time.Time, now time.Time) int {
	if since == nil || now.Before(*since) {
		return 0
	}
	return int(now.Sub(*since).Round(time.Second) / time.Second)
}
