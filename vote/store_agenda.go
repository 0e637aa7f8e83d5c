package vote

import (
	"context"

	"gorm.io/gorm"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// AgendaDeleteGuard refuses to delete agenda items that a poll names: a
// poll cannot be moved to another item, so it would go on naming an item
// that no longer exists (and "vote again" would copy that id into a new
// poll). A poll cancelled before it ever opened took no vote and counts
// for nothing: it lets go of the item instead (its agenda_item_id becomes
// null in the same transaction, audited as poll.detached), so a poll
// prepared on the wrong item and cancelled does not pin that item to the
// agenda for good. A draft is
// refused with a message that says to cancel it first. The wiring
// registers it with agenda.Service.AddDeleteGuard; it runs in the deleting
// transaction, after the meeting row and the items are locked.
func (s *Service) AgendaDeleteGuard(ctx context.Context, tx *gorm.DB, meetingID string, itemIDs []string) error {
	db := tx.WithContext(ctx)
	var void []pollRow
	err := db.Select("id", "agenda_item_id").
		Where("meeting_id = ? AND agenda_item_id IN ? AND status = ? AND opened_at IS NULL", meetingID, itemIDs, string(Cancelled)).
		Order("id").Find(&void).Error
	if err != nil {
		return internal(err, "find cancelled polls of agenda items")
	}
	if len(void) > 0 {
		ids := make([]string, len(void))
		entries := make([]audit.Entry, len(void))
		actor, _ := web.ActorFrom(ctx) // the deleting request's; none: the system
		for i, p := range void {
			ids[i] = p.ID
			entries[i] = s.entry(actor, meetingID, "poll.detached", p.ID,
				map[string]any{"agenda_item_id": *p.AgendaItemID, "reason": "agenda item deleted"})
		}
		if err := db.Model(&pollRow{}).Where("id IN ?", ids).Update("agenda_item_id", nil).Error; err != nil {
			return internal(err, "detach cancelled polls from agenda items")
		}
		if err := audit.WriteMany(db, entries); err != nil {
			return internal(err, "audit")
		}
	}
	var rows []pollRow
	err = db.Select("title", "status").Where("meeting_id = ? AND agenda_item_id IN ?", meetingID, itemIDs).
		Order("created_at, id").Limit(1).Find(&rows).Error
	if err != nil {
		return internal(err, "find the polls of agenda items")
	}
	if len(rows) == 0 {
		return nil
	}
	if Status(rows[0].Status) == Draft {
		return apperr.Conflictf("the poll %q is prepared for this agenda item (or one of its sub-items): "+
			"cancel it first, or keep the item", rows[0].Title)
	}
	return apperr.Conflictf("the poll %q was held on this agenda item (or one of its sub-items), "+
		"and an item that was voted on stays on the agenda", rows[0].Title)
}
