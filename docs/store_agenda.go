package docs

import (
	"context"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
)

// AgendaDeleteGuard refuses to delete agenda items that a document is
// filed under, so that no document names an item that no longer exists;
// the secretary moves such documents to another item (or to none) or
// deletes them first. The wiring registers it with
// agenda.Service.AddDeleteGuard; it runs in the deleting transaction,
// after the meeting row is locked.
func (s *Service) AgendaDeleteGuard(ctx context.Context, tx *gorm.DB, meetingID string, itemIDs []string) error {
	var titles []string
	err := tx.WithContext(ctx).Model(&documentRow{}).Where("meeting_id = ? AND agenda_item_id IN ?", meetingID, itemIDs).
		Order("position, id").Limit(1).Pluck("title", &titles).Error
	if err != nil {
		return internal(err)
	}
	if len(titles) > 0 {
		return apperr.Conflictf("the document %q is filed under this agenda item (or one of its sub-items): "+
			"move it to another item, or delete it, first", titles[0])
	}
	return nil
}
