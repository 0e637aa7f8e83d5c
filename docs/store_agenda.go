package docs

import (
	"context"

	"gorm.io/gorm"

	"github.com/curia/curia/agenda"
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

// lockItem checks again, in the transaction that files a document of
// meetingID under itemID (nil: under none), that the item is still on the
// meeting's agenda, and keeps it there until the transaction ends: the
// service checked it before, and a delete committed since would leave the
// document naming an item that no longer exists (see agenda.LockItem).
func lockItem(tx *gorm.DB, meetingID string, itemID *string) error {
	if itemID == nil {
		return nil
	}
	err := agenda.LockItem(tx, meetingID, *itemID)
	if apperr.Is(err, apperr.NotFound) {
		return errNoItem()
	}
	return err
}

// lockNewItem is lockItem for a change of document docID: fields sets
// the column agenda_item_id, or leaves it.
func lockNewItem(tx *gorm.DB, docID string, fields map[string]any) error {
	item, _ := fields["agenda_item_id"].(*string)
	if item == nil {
		return nil
	}
	var meetingIDs []string
	if err := tx.Model(&documentRow{}).Where("id = ?", docID).Pluck("meeting_id", &meetingIDs).Error; err != nil {
		return internal(err)
	}
	if len(meetingIDs) == 0 {
		return apperr.NotFoundf("document not found")
	}
	return lockItem(tx, meetingIDs[0], item)
}
