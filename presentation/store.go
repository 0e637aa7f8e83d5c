package presentation

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/meeting"
)

type row struct {
	MeetingID  string  `gorm:"primaryKey;size:64"`
	DocumentID *string `gorm:"size:64"`
	Version    int
	Page       int
	Pages      int
	Zoom       string `gorm:"size:200"`
	By         string `gorm:"size:64"`
	At         time.Time
}

func (row) TableName() string { return "presentations" }

// Migration creates the presentation table.
func Migration() database.Step {
	return database.Step{Name: "presentation", Run: func(tx *gorm.DB) error { return tx.AutoMigrate(&row{}) }}
}

type store struct {
	db *gorm.DB
}

func (s *store) get(ctx context.Context, meetingID string) (State, error) {
	var r row
	err := s.db.WithContext(ctx).Where("meeting_id = ?", meetingID).Take(&r).Error
	if database.IsNotFound(err) {
		return State{MeetingID: meetingID}, nil
	}
	if err != nil {
		return State{}, apperr.Internalf(err, "load presentation")
	}
	st := State{MeetingID: r.MeetingID, DocumentID: r.DocumentID, Version: r.Version, Page: r.Page, Pages: r.Pages, By: r.By, At: &r.At}
	if r.Zoom != "" {
		st.Zoom = &Region{}
		_ = json.Unmarshal([]byte(r.Zoom), st.Zoom)
	}
	return st, nil
}

// put saves the state. Every change takes part in the meeting's lock, as
// every change of a meeting does (meeting.LockOpen): a close waits for a
// change under way, and a change after the close is the closed meeting's
// Conflict, with nothing stored.
//
// A page turn (or zoom) within the document and version already shown is
// one conditional UPDATE, as before: a chair turns hundreds of pages a
// meeting, each already a live event, and they are not audited. Its
// condition share-locks the meeting row while the meeting is not closed
// (see turn). When it changes no row (another document, nothing shown
// yet, or the meeting closed meanwhile), the state is saved in a
// transaction that holds the meeting (shared, LockOpen: Conflict when
// closed) and the presentation row, with the audit entry that shown makes
// from what was shown before, when the document or its version changes,
// or presenting starts or stops: who put which document before the room,
// and when.
func (s *store) put(ctx context.Context, st State, shown func(prevDoc *string, prevVersion int) audit.Entry) error {
	r := toRow(st)
	db := s.db.WithContext(ctx)
	if st.DocumentID != nil {
		turned, err := turn(db, r)
		if err != nil || turned {
			return err
		}
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if _, err := meeting.LockOpen(tx, r.MeetingID, false); err != nil {
			return err
		}
		// A row to lock, the first time the meeting shows something.
		err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row{MeetingID: r.MeetingID, At: r.At}).Error
		if err != nil {
			return apperr.Internalf(err, "save presentation")
		}
		var old row
		err = tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Where("meeting_id = ?", r.MeetingID).Take(&old).Error
		if err != nil {
			return apperr.Internalf(err, "load presentation")
		}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error; err != nil {
			return apperr.Internalf(err, "save presentation")
		}
		if sameDocument(old, r) { // stopped again, or a concurrent turn got here first
			return nil
		}
		if err := audit.Write(tx, shown(old.DocumentID, old.Version)); err != nil {
			return apperr.Internalf(err, "audit")
		}
		return nil
	})
}

// turn saves r over the row of the document and version it shows, only
// while the meeting is not closed (meeting.WhileOpen), in one statement,
// and reports whether it did: a close in progress makes it wait and then
// change nothing, and a later close waits for it to commit.
func turn(db *gorm.DB, r row) (bool, error) {
	res := db.Model(&row{}).Where("meeting_id = ? AND document_id = ? AND version = ?", r.MeetingID, *r.DocumentID, r.Version).
		Where("EXISTS (?)", meeting.WhileOpen(db, r.MeetingID)).
		Updates(map[string]any{"page": r.Page, "pages": r.Pages, "zoom": r.Zoom, "by": r.By, "at": r.At})
	if res.Error != nil {
		return false, apperr.Internalf(res.Error, "save presentation")
	}
	return res.RowsAffected > 0, nil
}

func toRow(st State) row {
	r := row{MeetingID: st.MeetingID, DocumentID: st.DocumentID, Version: st.Version, Page: st.Page, Pages: st.Pages, By: st.By, At: *st.At}
	if st.Zoom != nil {
		b, _ := json.Marshal(st.Zoom)
		r.Zoom = string(b)
	}
	return r
}

// sameDocument reports whether a and b show the same document version,
// or both nothing.
func sameDocument(a, b row) bool {
	if a.DocumentID == nil || b.DocumentID == nil {
		return a.DocumentID == nil && b.DocumentID == nil
	}
	return *a.DocumentID == *b.DocumentID && a.Version == b.Version
}
