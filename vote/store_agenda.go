package vote

import (
	"context"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
)

// AgendaDeleteGuard refuses to delete agenda items that a poll names,
// whatever the poll's status: a poll cannot be moved to another item, so
// it would go on naming an item that no longer exists (and "vote again"
// would copy that id into a new poll). The wiring registers it with
// agenda.Service.AddDeleteGuard; it runs in the deleting transaction,
// after the meeting row is locked.
func (s *Service) AgendaDeleteGuard(ctx context.Context, tx *gorm.DB, meetingID string, itemIDs []string) error {
	var titles []string
	err := tx.WithContext(ctx).Model(&pollRow{}).Where("meeting_id = ? AND agenda_item_id IN ?", meetingID, itemIDs).
		Order("created_at, id").Limit(1).Pluck("title", &titles).Error
	if err != nil {
		return internal(err, "find the polls of agenda items")
	}
	if len(titles) > 0 {
		return apperr.Conflictf("the poll %q is prepared for this agenda item (or one of its sub-items), "+
			"and an item with a poll stays on the agenda", titles[0])
	}
	return nil
}
