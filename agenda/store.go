package agenda

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/meeting"
)

type itemRow struct {
	ID              string  `gorm:"primaryKey;size:64"`
	MeetingID       string  `gorm:"size:64;not null;index"`
	ParentID        *string `gorm:"size:64;index"`
	Position        int     `gorm:"not null"`
	Title           string  `gorm:"size:300;not null"`
	Description     string  `gorm:"type:text;not null"`
	Conclusion      string  `gorm:"type:text;not null;default:''"`
	DurationMin     int     `gorm:"not null"`
	PresenterID     *string `gorm:"size:64"`
	Status          string  `gorm:"size:16;not null"`
	BecameCurrentAt *time.Time
	SpentSec        int        `gorm:"not null;default:0"` // whole seconds current in earlier spells, before BecameCurrentAt (nil while adjourned: see AdjournHook)
	CurrentSince    *time.Time // when it last became the current item (switchCurrent); adjournment and resumption leave it
	DoneAt          *time.Time
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
}

func (itemRow) TableName() string { return "agenda_items" }

func (r itemRow) parent() string {
	if r.ParentID == nil {
		return ""
	}
	return *r.ParentID
}

func (r itemRow) item(number string, names map[string]string) Item {
	it := Item{ID: r.ID, MeetingID: r.MeetingID, ParentID: r.ParentID, Number: number, Title: r.Title,
		Description: r.Description, Conclusion: r.Conclusion, DurationMin: r.DurationMin, PresenterID: r.PresenterID, Status: ItemStatus(r.Status),
		BecameCurrentAt: r.BecameCurrentAt, SpentSec: r.SpentSec, CurrentSince: r.CurrentSince, DoneAt: r.DoneAt, Items: []Item{}}
	if r.PresenterID != nil {
		it.PresenterName = names[*r.PresenterID]
	}
	return it
}

// Migration creates the agenda tables. Partial unique indexes (on both
// engines) hold the rules that races could break: one current item per
// meeting, one active speaker per meeting, and nobody waiting twice in
// one queue. A column added after the first release (conclusion,
// spent_sec) has a default, or is nullable (current_since), so that
// AutoMigrate can add it to a table that already has rows, on both
// engines. When current_since is added, an item that was current before
// gets its became_current_at, the best time known (null if it was
// adjourned or closed from a break: screens then fall back as for an
// older server); this runs once, with the column's addition.
func Migration() database.Step {
	return database.Step{Name: "agenda", Run: func(tx *gorm.DB) error {
		fill := tx.Migrator().HasTable(&itemRow{}) && !tx.Migrator().HasColumn(&itemRow{}, "CurrentSince")
		if err := tx.AutoMigrate(&itemRow{}, &speakerRow{}); err != nil {
			return err
		}
		if fill {
			err := tx.Exec(`UPDATE agenda_items SET current_since = became_current_at WHERE became_current_at IS NOT NULL`).Error
			if err != nil {
				return err
			}
		}
		for _, sql := range []string{
			`CREATE UNIQUE INDEX IF NOT EXISTS agenda_items_one_current ON agenda_items (meeting_id) WHERE status = 'current'`,
			`CREATE UNIQUE INDEX IF NOT EXISTS agenda_speakers_one_active ON agenda_speakers (meeting_id) WHERE status = 'active'`,
			`CREATE UNIQUE INDEX IF NOT EXISTS agenda_speakers_queued_once ON agenda_speakers (item_id, kind, user_id) WHERE status = 'waiting'`,
		} {
			if err := tx.Exec(sql).Error; err != nil {
				return err
			}
		}
		return nil
	}}
}

// store is the agenda package's storage; nothing else in the package
// touches gorm.
type store struct {
	db *gorm.DB
}

// writer is one transaction on one meeting's agenda, with the meeting
// locked: services decide inside it, through its methods.
type writer struct {
	tx        *gorm.DB
	meetingID string
	status    meeting.Status
}

// inMeeting runs fn in a transaction holding the meeting's lock, so
// changes to one meeting's agenda and speakers happen one at a time on
// both engines. A closed meeting is a Conflict before fn runs.
func (s *store) inMeeting(ctx context.Context, meetingID string, fn func(w *writer) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st, err := meeting.LockOpen(tx, meetingID, true)
		if err != nil {
			return err
		}
		return fn(&writer{tx: tx, meetingID: meetingID, status: st})
	})
}

// within is a writer on tx, another package's transaction that already
// holds the meeting's lock (a meeting.CloseHook or meeting.LeaveHookAfter
// runs in it). Its status is unknown ("").
func (s *store) within(ctx context.Context, tx *gorm.DB, meetingID string) *writer {
	return &writer{tx: tx.WithContext(ctx), meetingID: meetingID}
}

func (s *store) items(ctx context.Context, meetingID string) ([]itemRow, error) {
	return loadItems(s.db.WithContext(ctx), meetingID)
}

func loadItems(db *gorm.DB, meetingID string) ([]itemRow, error) {
	var rows []itemRow
	err := db.Where("meeting_id = ?", meetingID).Find(&rows).Error
	return rows, internal(err, "load agenda")
}

// item finds an item in any meeting; callers check access to its meeting.
func (s *store) item(ctx context.Context, id string) (itemRow, error) {
	var r itemRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	return r, notFound(err, "agenda item")
}

// currentItem returns the meeting's current item, if one is.
func (s *store) currentItem(ctx context.Context, meetingID string) (itemRow, bool, error) {
	var rows []itemRow
	err := s.db.WithContext(ctx).Where("meeting_id = ? AND status = ?", meetingID, string(Current)).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return itemRow{}, false, internal(err, "load current item")
	}
	return rows[0], true, nil
}

func (w *writer) items() ([]itemRow, error) { return loadItems(w.tx, w.meetingID) }

// itemsWith loads the meeting's items; NotFound when id is no longer among them.
func (w *writer) itemsWith(id string) ([]itemRow, error) {
	rows, err := w.items()
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.ID == id {
			return rows, nil
		}
	}
	return nil, apperr.NotFoundf("agenda item not found")
}

func (w *writer) insertItem(r itemRow) error {
	return internal(w.tx.Create(&r).Error, "add agenda item")
}

func (w *writer) updateItem(id string, fields map[string]any) error {
	err := w.tx.Model(&itemRow{}).Where("id = ? AND meeting_id = ?", id, w.meetingID).Updates(fields).Error
	if database.IsUniqueViolation(err) {
		return apperr.Conflictf("another agenda item became current at the same moment; try again")
	}
	return internal(err, "update agenda item")
}

// currentItemID returns the id of the meeting's current item, "" when none is.
func (w *writer) currentItemID() (string, error) {
	var ids []string
	err := w.tx.Model(&itemRow{}).Where("meeting_id = ? AND status = ?", w.meetingID, string(Current)).
		Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return "", internal(err, "load current item")
	}
	return ids[0], nil
}

// clearPresenter takes userID off as presenter of the meeting's items,
// setting their updated_at to now, and returns those items' ids.
func (w *writer) clearPresenter(userID string, now time.Time) ([]string, error) {
	var ids []string
	err := w.tx.Model(&itemRow{}).Where("meeting_id = ? AND presenter_id = ?", w.meetingID, userID).
		Order("id").Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return nil, internal(err, "find presented items")
	}
	err = w.tx.Model(&itemRow{}).Where("meeting_id = ? AND id IN ?", w.meetingID, ids).
		Updates(map[string]any{"presenter_id": nil, "updated_at": now}).Error
	return ids, internal(err, "clear presenter")
}

// spokenOn returns one of items on which someone has the floor (then
// active is set) or has had it; "" when nobody has spoken on any of them.
func (w *writer) spokenOn(items []string) (item string, active bool, err error) {
	var rows []speakerRow
	err = w.tx.Where("item_id IN ? AND status IN ?", items, []string{string(Active), string(Finished)}).
		Order("status").Limit(1).Find(&rows).Error // "active" sorts before "done"
	if err != nil || len(rows) == 0 {
		return "", false, internal(err, "check speakers")
	}
	return rows[0].ItemID, SpeakerStatus(rows[0].Status) == Active, nil
}

// guard locks items exclusively (FOR UPDATE) and then asks the delete
// guards about them, inside the transaction. The lock comes first: a
// transaction that attaches a record to one of them holds its row shared
// (LockItem) until it commits, so the guards run after that commit and
// see the record, or the attaching transaction waits for this one and
// finds no item.
func (w *writer) guard(ctx context.Context, g *guards, items []string) error {
	var locked []string
	err := w.tx.Model(&itemRow{}).Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("id IN ? AND meeting_id = ?", items, w.meetingID).Pluck("id", &locked).Error
	if err != nil {
		return internal(err, "lock agenda items")
	}
	return g.check(ctx, w.tx, w.meetingID, items)
}

// LockItem checks, inside another package's transaction tx, that itemID
// is an item of meetingID's agenda, and keeps it from being deleted until
// tx ends; NotFound when it is not (or no longer) there. A store that
// files a record under an item (a document, a poll) calls it in the
// transaction that writes the record, whatever it checked before. On
// PostgreSQL it takes a key-share lock on the item's row, which waits for
// a delete that locked the row first (and then finds no row) and makes a
// later delete wait until tx commits, before its delete guards look for
// such records (see writer.guard); it does not hold up changes to the
// item's title, order or status. On SQLite the immediate transaction
// already serialises writers, so the read is enough.
func LockItem(tx *gorm.DB, meetingID, itemID string) error {
	var found []string
	err := tx.Model(&itemRow{}).Clauses(clause.Locking{Strength: "KEY SHARE"}).
		Where("id = ? AND meeting_id = ?", itemID, meetingID).Pluck("id", &found).Error
	if err != nil {
		return internal(err, "lock agenda item")
	}
	if len(found) == 0 {
		return apperr.NotFoundf("agenda item not found")
	}
	return nil
}

// deleteItems removes items and their speaker entries; callers have made
// sure that none of them ever had the floor.
func (w *writer) deleteItems(ids []string) error {
	if err := w.tx.Where("item_id IN ?", ids).Delete(&speakerRow{}).Error; err != nil {
		return apperr.Internalf(err, "delete speakers")
	}
	return internal(w.tx.Where("id IN ? AND meeting_id = ?", ids, w.meetingID).Delete(&itemRow{}).Error, "delete agenda items")
}

func (w *writer) audit(e audit.Entry) error { return internal(audit.Write(w.tx, e), "audit") }

func notFound(err error, what string) error {
	if database.IsNotFound(err) {
		return apperr.NotFoundf("%s not found", what)
	}
	return internal(err, "load "+what)
}

func internal(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*apperr.Error); ok {
		return err
	}
	return apperr.Internalf(err, "%s", what)
}
