package docs

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
)

// annotationRow is one annotation. Its id is chosen by the client, so a
// request replayed after a dropped connection finds its rows again. A
// deleted annotation stays as a tombstone (DeletedAt set, data cleared),
// so a replayed create cannot bring it back.
type annotationRow struct {
	ID         string      `gorm:"primaryKey;size:64"`
	DocumentID string      `gorm:"size:64;not null;index:idx_annotation_page,priority:1"`
	Version    int         `gorm:"not null;index:idx_annotation_page,priority:2"`
	Page       int         `gorm:"not null;index:idx_annotation_page,priority:3"`
	MeetingID  string      `gorm:"size:64;not null"`
	AuthorID   string      `gorm:"size:64;not null;index"`
	Kind       string      `gorm:"size:16;not null"`
	Shared     bool        `gorm:"not null"`
	Data       string      `gorm:"type:text;not null"`
	Rev        int         `gorm:"not null"`
	CreatedAt  time.Time   `gorm:"not null"`
	UpdatedAt  time.Time   `gorm:"not null"`
	DeletedAt  *time.Time  // a tombstone
	Document   documentRow `gorm:"foreignKey:DocumentID;constraint:OnDelete:CASCADE"`
}

func (annotationRow) TableName() string { return "annotations" }

// errReplayed rolls back the one-statement insert when some rows exist
// already, so that the careful path can sort replays from conflicts.
var errReplayed = errors.New("some annotations exist already")

// insertAnnotations stores the rows that do not exist yet, with the
// audit entries of those that are new, in one transaction. When some
// exist, check sees them (by id) first, and an error from it stores
// nothing; they are returned. The usual request, all new, is one INSERT.
func (s *store) insertAnnotations(ctx context.Context, rows []annotationRow, entry func(annotationRow) *audit.Entry,
	check func(existing map[string]annotationRow) error) (map[string]annotationRow, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Omit("Document").Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
		if res.Error != nil {
			return internal(res.Error)
		}
		if res.RowsAffected != int64(len(rows)) {
			return errReplayed
		}
		return writeAudits(tx, rows, entry)
	})
	if !errors.Is(err, errReplayed) {
		return nil, err
	}
	return s.insertCarefully(ctx, rows, entry, check)
}

// insertCarefully reads which rows exist, lets check judge them, and
// inserts the others.
func (s *store) insertCarefully(ctx context.Context, rows []annotationRow, entry func(annotationRow) *audit.Entry,
	check func(existing map[string]annotationRow) error) (map[string]annotationRow, error) {
	for attempt := 0; ; attempt++ {
		existing, err := s.insertNew(ctx, rows, entry, check)
		if database.IsUniqueViolation(err) && attempt == 0 { // a concurrent replay got in first
			continue
		}
		if err != nil {
			return nil, internal(err)
		}
		return existing, nil
	}
}

// insertNew reads which rows exist and inserts the others.
func (s *store) insertNew(ctx context.Context, rows []annotationRow, entry func(annotationRow) *audit.Entry,
	check func(map[string]annotationRow) error) (map[string]annotationRow, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	existing := map[string]annotationRow{}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var found []annotationRow
		if err := tx.Where("id IN ?", ids).Find(&found).Error; err != nil {
			return err
		}
		for _, r := range found {
			existing[r.ID] = r
		}
		if err := check(existing); err != nil {
			return err
		}
		var fresh []annotationRow
		for _, r := range rows {
			if _, ok := existing[r.ID]; !ok {
				fresh = append(fresh, r)
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		if err := tx.Omit("Document").Create(&fresh).Error; err != nil {
			return err
		}
		return writeAudits(tx, fresh, entry)
	})
	return existing, err
}

func writeAudits(tx *gorm.DB, rows []annotationRow, entry func(annotationRow) *audit.Entry) error {
	var es []audit.Entry
	for _, r := range rows {
		if e := entry(r); e != nil {
			es = append(es, *e)
		}
	}
	if len(es) == 0 {
		return nil
	}
	return internal(audit.WriteMany(tx, es)) // multi-row inserts: one statement per group, not per stroke
}

// annotation returns a row by id, tombstones included.
func (s *store) annotation(ctx context.Context, id string) (annotationRow, error) {
	var r annotationRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if database.IsNotFound(err) {
		return r, apperr.NotFoundf("annotation not found")
	}
	return r, internal(err)
}

// liveAnnotations returns the rows of ids that are not deleted, by id.
func (s *store) liveAnnotations(ctx context.Context, ids []string) (map[string]annotationRow, error) {
	out := make(map[string]annotationRow, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		var rows []annotationRow
		if err := s.db.WithContext(ctx).Where("id IN ? AND deleted_at IS NULL", chunk).Find(&rows).Error; err != nil {
			return nil, internal(err)
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}

// annotationFilter selects the annotations a reader sees on a document
// version: their own and the shared ones.
type annotationFilter struct {
	DocumentID string
	Version    int
	Page       int // 0: every page
	ReaderID   string
	Shared     bool // include others' shared annotations
}

func (s *store) annotations(ctx context.Context, f annotationFilter) ([]annotationRow, error) {
	q := s.db.WithContext(ctx).Where("document_id = ? AND version = ? AND deleted_at IS NULL", f.DocumentID, f.Version)
	if f.Page > 0 {
		q = q.Where("page = ?", f.Page)
	}
	if f.Shared {
		q = q.Where("(shared = ? OR author_id = ?)", true, f.ReaderID)
	} else {
		q = q.Where("author_id = ?", f.ReaderID)
	}
	var rows []annotationRow
	err := q.Order("page, created_at, id").Find(&rows).Error
	return rows, internal(err)
}

// updateAnnotation applies fields to the row at revision rev and bumps
// its revision; Conflict when someone changed it since.
func (s *store) updateAnnotation(ctx context.Context, r annotationRow, fields map[string]any, e *audit.Entry) error {
	fields["rev"] = r.Rev + 1
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&annotationRow{}).Where("id = ? AND rev = ? AND deleted_at IS NULL", r.ID, r.Rev).Updates(fields)
		if res.Error != nil {
			return internal(res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.Conflictf("the annotation was changed or deleted meanwhile; reload it")
		}
		if e == nil {
			return nil
		}
		return internal(audit.Write(tx, *e))
	})
}
