package docs

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// annotationRow is one annotation. Its id is chosen by the client, so a
// request replayed after a dropped connection finds its rows again. A
// deleted annotation stays as a tombstone (DeletedAt set, data cleared),
// so a replayed create cannot bring it back. idx_annotation_live_size
// holds what withinLimits counts in every group commit (an author's live
// rows on a document version, and the size of their data), so the count
// reads the index alone. DataSize is len(Data), kept with it (filled once
// for the rows stored before it, docs.Migration).
type annotationRow struct {
	ID         string      `gorm:"primaryKey;size:64"`
	DocumentID string      `gorm:"size:64;not null;index:idx_annotation_page,priority:1;index:idx_annotation_live_size,priority:2"`
	Version    int         `gorm:"not null;index:idx_annotation_page,priority:2;index:idx_annotation_live_size,priority:3"`
	Page       int         `gorm:"not null;index:idx_annotation_page,priority:3;index:idx_annotation_live_size,priority:4"`
	MeetingID  string      `gorm:"size:64;not null"`
	AuthorID   string      `gorm:"size:64;not null;index;index:idx_annotation_live_size,priority:1,where:deleted_at IS NULL"`
	Kind       string      `gorm:"size:16;not null"`
	Shared     bool        `gorm:"not null"`
	Data       string      `gorm:"type:text;not null"`
	DataSize   int         `gorm:"not null;default:0;index:idx_annotation_live_size,priority:5"` // bytes of Data
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

// errRefusedNow rolls back the one-statement insert of a request that is
// no longer allowed (stillAllowed): the careful path refuses it, unless
// it is a replay of what was written before.
var errRefusedNow = errors.New("no longer allowed")

// insertAnnotations stores the rows that do not exist yet, with the
// audit entries of those that are new, in one transaction. When some
// exist, check sees them (by id) first, and an error from it stores
// nothing; they are returned. The usual request, all new, is one INSERT.
func (s *store) insertAnnotations(ctx context.Context, j *createJob) (map[string]annotationRow, error) {
	rows, entry := j.rows, j.entry
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.stillAllowedOne(tx, j, rows); err != nil {
			return errRefusedNow // unless a replay: insertCarefully tells
		}
		res := tx.Omit("Document").Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
		if res.Error != nil {
			return internal(res.Error)
		}
		if res.RowsAffected != int64(len(rows)) {
			return errReplayed
		}
		return writeAudits(tx, rows, entry)
	})
	if !errors.Is(err, errReplayed) && !errors.Is(err, errRefusedNow) {
		return nil, err
	}
	return s.insertCarefully(ctx, j)
}

// insertCarefully reads which rows exist, lets check judge them, and
// inserts the others.
func (s *store) insertCarefully(ctx context.Context, j *createJob) (map[string]annotationRow, error) {
	for attempt := 0; ; attempt++ {
		existing, err := s.insertNew(ctx, j)
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
func (s *store) insertNew(ctx context.Context, j *createJob) (map[string]annotationRow, error) {
	rows, entry, check := j.rows, j.entry, j.check
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
			return nil // a replay: nothing written, nothing to check again
		}
		if err := s.stillAllowedOne(tx, j, fresh); err != nil {
			return err
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
	var rows []annotationRow
	err := s.annotationQuery(ctx, f).Find(&rows).Error
	return rows, internal(err)
}

// annotationQuery selects the rows of f, in the order they are drawn.
func (s *store) annotationQuery(ctx context.Context, f annotationFilter) *gorm.DB {
	q := s.db.WithContext(ctx).Model(&annotationRow{}).
		Where("document_id = ? AND version = ? AND deleted_at IS NULL", f.DocumentID, f.Version)
	if f.Page > 0 {
		q = q.Where("page = ?", f.Page)
	}
	if f.Shared {
		q = q.Where("(shared = ? OR author_id = ?)", true, f.ReaderID)
	} else {
		q = q.Where("author_id = ?", f.ReaderID)
	}
	return q.Order("page, created_at, id")
}

// eachAnnotation calls fn with the annotations of f (id, page, kind and
// data only), in the order of annotations, one row at a time, and stops
// at fn's first error, which it returns: a caller bounding what it
// gathers reads no further than its bound, whatever the number of rows
// (with Shared, every author's). fn must not use the database.
func (s *store) eachAnnotation(ctx context.Context, f annotationFilter, fn func(annotationRow) error) error {
	rows, err := s.annotationQuery(ctx, f).Select("id, page, kind, data").Rows()
	if err != nil {
		return internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r annotationRow
		if err := rows.Scan(&r.ID, &r.Page, &r.Kind, &r.Data); err != nil {
			return internal(err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return internal(rows.Err())
}

// updateAnnotation applies fields to the row at revision rev and bumps
// its revision; Conflict when someone changed it since. A data_size that
// grows the row's must fit the author's BytesPerVersion (a deletion is
// never refused).
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
		if size, ok := fields["data_size"].(int); ok && size > r.DataSize && fields["deleted_at"] == nil {
			if err := s.grownWithinLimits(tx, r, size-r.DataSize); err != nil {
				return err
			}
		}
		if e == nil {
			return nil
		}
		return internal(audit.Write(tx, *e))
	})
}

// stillAllowed checks again, inside the transaction that writes them,
// that the jobs' authors may still write their annotations: the document
// is still there and visible to them, they still take part in the
// meeting (or are admins), and for shared ones they may still share in a
// meeting still open. Each request was checked when it came (through the
// grant caches), but it may wait in the group-commit queue while the
// meeting closes, its author is removed or the document changes; such a
// change has committed before this transaction or waits for it (SQLite
// runs one writer at a time; on PostgreSQL meeting.AccessIn share-locks
// the meeting, as a close locks it). refused[i] is job i's error, as if
// refused when it came, or nil when it is still allowed. A few queries
// a batch: one per document, its readers when confidential, and two per
// meeting.
func (s *store) stillAllowed(tx *gorm.DB, jobs []*createJob) (refused []error, err error) {
	refused = make([]error, len(jobs))
	// By meeting, then document: a batch on documents of several meetings
	// locks the meetings in one order.
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(jobs[a].doc.MeetingID, jobs[b].doc.MeetingID), cmp.Compare(jobs[a].doc.ID, jobs[b].doc.ID))
	})
	for len(order) > 0 {
		n := 1
		for n < len(order) && jobs[order[n]].doc.ID == jobs[order[0]].doc.ID {
			n++
		}
		if err := s.recheckDocument(tx, jobs, order[:n], refused); err != nil {
			return nil, err
		}
		order = order[n:]
	}
	return refused, nil
}

// stillAllowedOne is stillAllowed for one job, which would insert rows
// (those of its rows that are new): with the limits (withinLimits).
func (s *store) stillAllowedOne(tx *gorm.DB, j *createJob, rows []annotationRow) error {
	jobs := []*createJob{j}
	refused, err := s.stillAllowed(tx, jobs)
	if err != nil {
		return err
	}
	if err := s.withinLimits(tx, jobs, [][]annotationRow{rows}, refused); err != nil {
		return err
	}
	return refused[0]
}

// recheckDocument sets refused[i] for each job i of idx (jobs on one
// document) whose author may no longer write it.
func (s *store) recheckDocument(tx *gorm.DB, jobs []*createJob, idx []int, refused []error) error {
	id := jobs[idx[0]].doc.ID
	refuse := func(err error) {
		for _, i := range idx {
			refused[i] = err
		}
	}
	var d documentRow
	err := tx.Where("id = ?", id).Take(&d).Error
	if database.IsNotFound(err) {
		refuse(apperr.NotFoundf("document not found"))
		return nil
	}
	if err != nil {
		return internal(err)
	}
	var readers []string
	if d.Confidential {
		if err := tx.Model(&readerRow{}).Where("document_id = ?", id).Pluck("user_id", &readers).Error; err != nil {
			return internal(err)
		}
	}
	actors := make([]web.Actor, len(idx))
	for k, i := range idx {
		actors[k] = jobs[i].actor
	}
	accs, err := meeting.AccessIn(tx, d.MeetingID, actors)
	if apperr.Is(err, apperr.NotFound) {
		refuse(apperr.NotFoundf("document not found"))
		return nil
	}
	if err != nil {
		return err
	}
	for _, i := range idx {
		acc, in := accs[jobs[i].actor.UserID]
		switch {
		case !in || !visible(acc, d, readers):
			refused[i] = apperr.NotFoundf("document not found")
		case jobs[i].shared:
			refused[i] = mayShare(acc)
		}
	}
	return nil
}
