package docs

import (
	"context"
	"slices"

	"gorm.io/gorm"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// AgendaDeleteGuard refuses to delete agenda items that a document is
// filed under, so that no document names an item that no longer exists;
// the secretary moves such documents to another item (or to none) or
// deletes them first. The wiring registers it with
// agenda.Service.AddDeleteGuard; it runs in the deleting transaction,
// after the meeting row is locked. The refusal names a document the
// deleting actor (the request's, from ctx) may see; one who may see none
// of them (an administrator outside the meeting, and a confidential
// document) is told only that a confidential document is filed there, as
// the minutes only count it.
func (s *Service) AgendaDeleteGuard(ctx context.Context, tx *gorm.DB, meetingID string, itemIDs []string) error {
	db := tx.WithContext(ctx)
	var rows []documentRow
	err := db.Select("id", "title", "confidential").Where("meeting_id = ? AND agenda_item_id IN ?", meetingID, itemIDs).
		Order("position, id").Find(&rows).Error
	if err != nil {
		return internal(err)
	}
	if len(rows) == 0 {
		return nil
	}
	title, err := firstVisible(ctx, db, meetingID, rows)
	if err != nil {
		return err
	}
	if title == "" {
		return apperr.Conflictf("a confidential document is filed under this agenda item (or one of its sub-items): " +
			"the secretary or the chair must move it to another item, or delete it, first")
	}
	return apperr.Conflictf("the document %q is filed under this agenda item (or one of its sub-items): "+
		"move it to another item, or delete it, first", title)
}

// firstVisible returns the title of the first of rows (documents of
// meetingID) that the request's actor may see (visible), read in db, the
// deleting transaction; "" when they may see none, or the request has no
// actor.
func firstVisible(ctx context.Context, db *gorm.DB, meetingID string, rows []documentRow) (string, error) {
	if !rows[0].Confidential {
		return rows[0].Title, nil
	}
	a, ok := web.ActorFrom(ctx)
	if !ok {
		return "", nil
	}
	accs, err := meeting.AccessIn(db, meetingID, []web.Actor{a})
	if err != nil {
		return "", err
	}
	acc, ok := accs[a.UserID]
	if !ok {
		return "", nil
	}
	var confidential []string
	for _, d := range rows {
		if d.Confidential {
			confidential = append(confidential, d.ID)
		}
	}
	var readers []readerRow
	if err := db.Where("document_id IN ? AND user_id = ?", confidential, a.UserID).Find(&readers).Error; err != nil {
		return "", internal(err)
	}
	for _, d := range rows {
		var list []string
		if slices.ContainsFunc(readers, func(r readerRow) bool { return r.DocumentID == d.ID }) {
			list = []string{a.UserID}
		}
		if visible(acc, d, list) {
			return d.Title, nil
		}
	}
	return "", nil
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
