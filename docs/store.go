package docs

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/web"
)

type documentRow struct {
	ID             string  `gorm:"primaryKey;size:64"`
	MeetingID      string  `gorm:"size:64;not null;index"`
	AgendaItemID   *string `gorm:"size:64;index"`
	Title          string  `gorm:"size:300;not null"`
	Position       int     `gorm:"not null"`
	Confidential   bool    `gorm:"not null"`
	CurrentVersion int     `gorm:"not null"`
	CreatedBy      string  `gorm:"size:64;not null"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (documentRow) TableName() string { return "documents" }

type versionRow struct {
	ID            string `gorm:"primaryKey;size:64"`
	DocumentID    string `gorm:"size:64;not null;uniqueIndex:idx_doc_version"`
	Version       int    `gorm:"not null;uniqueIndex:idx_doc_version"`
	SHA256        string `gorm:"size:64;not null;index"`
	Size          int64  `gorm:"not null"`
	Pages         int    `gorm:"not null"`
	PDFVersion    string `gorm:"size:16"`
	PageSizes     string `gorm:"type:text"`
	PageMap       string `gorm:"type:text"` // every page's size (pdf.PageMap); empty (NULL) if stored before it was kept
	JavaScript    bool   `gorm:"not null"`
	LaunchActions bool   `gorm:"not null"`
	EmbeddedFiles bool   `gorm:"not null"`
	Filename      string `gorm:"size:255"`
	UploadedBy    string `gorm:"size:64;not null"`
	UploadedAt    time.Time
	Document      documentRow `gorm:"foreignKey:DocumentID;constraint:OnDelete:CASCADE"`
}

func (versionRow) TableName() string { return "document_versions" }

type readerRow struct {
	DocumentID string      `gorm:"primaryKey;size:64"`
	UserID     string      `gorm:"primaryKey;size:64;index"`
	Document   documentRow `gorm:"foreignKey:DocumentID;constraint:OnDelete:CASCADE"`
}

func (readerRow) TableName() string { return "document_readers" }

// copyRow maps a watermark copy id to who received which version when. It
// outlives the document on purpose: a leaked page must stay traceable.
type copyRow struct {
	CopyID     string `gorm:"primaryKey;size:16"`
	VersionID  string `gorm:"size:64;not null;uniqueIndex:idx_copy_reader"`
	UserID     string `gorm:"size:64;not null;uniqueIndex:idx_copy_reader"`
	DocumentID string `gorm:"size:64;not null"`
	MeetingID  string `gorm:"size:64;not null"`
	Version    int    `gorm:"not null"`
	Title      string `gorm:"size:300"`
	CreatedAt  time.Time
}

func (copyRow) TableName() string { return "watermark_copies" }

// Migration creates the document and annotation tables. When it adds
// annotations.data_size (the bytes of each row's data, which
// AnnotationLimits.BytesPerVersion sums), it fills it for the rows stored
// before, once, and drops the index that idx_annotation_live_size (the
// same with the sizes) replaced.
func Migration() database.Step {
	return database.Step{Name: "docs", Run: func(tx *gorm.DB) error {
		fill := tx.Migrator().HasTable(&annotationRow{}) && !tx.Migrator().HasColumn(&annotationRow{}, "DataSize")
		if err := tx.AutoMigrate(&documentRow{}, &versionRow{}, &readerRow{}, &copyRow{}, &annotationRow{}); err != nil {
			return err
		}
		if fill {
			size := "LENGTH(CAST(data AS BLOB))" // SQLite: the bytes of the text, not its characters
			if tx.Dialector.Name() == "postgres" {
				size = "OCTET_LENGTH(data)"
			}
			if err := tx.Exec("UPDATE annotations SET data_size = " + size).Error; err != nil {
				return err
			}
			return tx.Exec("DROP INDEX IF EXISTS idx_annotation_live_author").Error
		}
		return nil
	}}
}

type store struct {
	db      *gorm.DB
	dialect database.Dialect
	limits  atomic.Pointer[AnnotationLimits] // nil: DefaultAnnotationLimits
	counts  limitCache                       // authors' annotation counts as last read (annotation_limit.go)
}

func (s *store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// lockBlob serialises everything that adds or drops a reference to one
// blob, across nodes: on PostgreSQL an advisory lock on the sum; on SQLite
// the immediate transaction already holds the database's write lock.
func (s *store) lockBlob(tx *gorm.DB, sum string) error {
	if s.dialect != database.Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte("blob:" + sum))
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(h.Sum64())).Error
}

func (s *store) blobRefs(tx *gorm.DB, sum string) (int64, error) {
	var n int64
	err := tx.Model(&versionRow{}).Where("sha256 = ?", sum).Count(&n).Error
	return n, err
}

func (s *store) document(ctx context.Context, id string) (documentRow, error) {
	var r documentRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	return r, notFound(err)
}

func (s *store) version(ctx context.Context, docID string, version int) (versionRow, error) {
	var r versionRow
	err := s.db.WithContext(ctx).Where("document_id = ? AND version = ?", docID, version).Take(&r).Error
	return r, notFound(err)
}

func (s *store) versions(ctx context.Context, docIDs []string) ([]versionRow, error) {
	var rows []versionRow
	if len(docIDs) == 0 {
		return rows, nil
	}
	// Without the page maps: listings do not need them, and a large
	// document's may be tens of kilobytes.
	err := s.db.WithContext(ctx).Omit("page_map").Where("document_id IN ?", docIDs).Order("document_id, version").Find(&rows).Error
	return rows, internal(err)
}

func (s *store) documents(ctx context.Context, meetingID string) ([]documentRow, error) {
	var rows []documentRow
	err := s.db.WithContext(ctx).Where("meeting_id = ?", meetingID).Order("position, created_at").Find(&rows).Error
	return rows, internal(err)
}

func (s *store) readers(ctx context.Context, docIDs []string) (map[string][]string, error) {
	var rows []readerRow
	out := map[string][]string{}
	if len(docIDs) == 0 {
		return out, nil
	}
	if err := s.db.WithContext(ctx).Where("document_id IN ?", docIDs).Order("user_id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	for _, r := range rows {
		out[r.DocumentID] = append(out[r.DocumentID], r.UserID)
	}
	return out, nil
}

// putBlob stores the staged file and returns with the blob locked; it
// runs inside the transaction that adds the reference.
func (s *store) putBlob(ctx context.Context, tx *gorm.DB, blobs Blobs, st *Staged) error {
	if err := s.lockBlob(tx, st.SHA256); err != nil {
		return apperr.Internalf(err, "lock blob")
	}
	if err := blobs.Put(ctx, st.SHA256, st.Path); err != nil {
		return apperr.Internalf(err, "store blob")
	}
	return nil
}

// addDocument stores the blob, then the document, its first version and its
// readers, and the audit entry, in one transaction.
func (s *store) addDocument(ctx context.Context, blobs Blobs, st *Staged, d documentRow, v versionRow, readers []string, e audit.Entry) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.putBlob(ctx, tx, blobs, st); err != nil {
			return err
		}
		// The item is locked after the file is stored (which may take a
		// while), so that a delete of the item never waits for a file
		// copy while it holds the meeting.
		if err := lockItem(tx, d.MeetingID, d.AgendaItemID); err != nil {
			return err
		}
		var maxPos *int
		if err := tx.Model(&documentRow{}).Where("meeting_id = ?", d.MeetingID).Select("MAX(position)").Scan(&maxPos).Error; err != nil {
			return internal(err)
		}
		if maxPos != nil {
			d.Position = *maxPos + 1
		}
		if err := tx.Create(&d).Error; err != nil {
			return internal(err)
		}
		if err := tx.Omit("Document").Create(&v).Error; err != nil {
			return internal(err)
		}
		if err := insertReaders(tx, d.ID, readers); err != nil {
			return err
		}
		return internal(audit.Write(tx, e))
	})
}

// addVersion stores the blob and a new current version.
func (s *store) addVersion(ctx context.Context, blobs Blobs, st *Staged, v versionRow, e audit.Entry) (int, error) {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var d documentRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", v.DocumentID).Take(&d).Error; err != nil {
			return notFound(err)
		}
		if err := s.putBlob(ctx, tx, blobs, st); err != nil {
			return err
		}
		v.Version = d.CurrentVersion + 1
		if err := tx.Omit("Document").Create(&v).Error; err != nil {
			return internal(err)
		}
		if err := tx.Model(&d).Updates(map[string]any{"current_version": v.Version, "updated_at": v.UploadedAt}).Error; err != nil {
			return internal(err)
		}
		e.Detail["version"] = v.Version
		return internal(audit.Write(tx, e))
	})
	return v.Version, err
}

func insertReaders(tx *gorm.DB, docID string, users []string) error {
	if len(users) == 0 {
		return nil
	}
	rows := make([]readerRow, len(users))
	for i, u := range users {
		rows[i] = readerRow{DocumentID: docID, UserID: u}
	}
	return internal(tx.Omit("Document").Create(&rows).Error)
}

func (s *store) setReaders(ctx context.Context, docID string, users []string, e audit.Entry) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("document_id = ?", docID).Delete(&readerRow{}).Error; err != nil {
			return internal(err)
		}
		if err := insertReaders(tx, docID, users); err != nil {
			return err
		}
		return internal(audit.Write(tx, e))
	})
}

func (s *store) updateDocument(ctx context.Context, id string, fields map[string]any, e audit.Entry) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := lockNewItem(tx, id, fields); err != nil {
			return err
		}
		res := tx.Model(&documentRow{}).Where("id = ?", id).Updates(fields)
		if res.Error != nil {
			return internal(res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.NotFoundf("document not found")
		}
		return internal(audit.Write(tx, e))
	})
}

// deleteDocument removes the document and its versions and readers, and
// returns the blob sums it used.
func (s *store) deleteDocument(ctx context.Context, id string, e audit.Entry) ([]string, error) {
	var sums []string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&versionRow{}).Where("document_id = ?", id).Distinct().Pluck("sha256", &sums).Error; err != nil {
			return internal(err)
		}
		for _, m := range []any{&readerRow{}, &versionRow{}} {
			if err := tx.Where("document_id = ?", id).Delete(m).Error; err != nil {
				return internal(err)
			}
		}
		if err := tx.Where("id = ?", id).Delete(&documentRow{}).Error; err != nil {
			return internal(err)
		}
		return internal(audit.Write(tx, e))
	})
	return sums, err
}

// dropBlobIfUnused deletes a blob that no version references any more,
// under the blob's lock so that a concurrent upload of the same bytes
// either sees the blob gone and puts it back, or keeps it referenced.
func (s *store) dropBlobIfUnused(ctx context.Context, blobs Blobs, sum string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := s.lockBlob(tx, sum); err != nil {
			return internal(err)
		}
		n, err := s.blobRefs(tx, sum)
		if err != nil || n > 0 {
			return internal(err)
		}
		return blobs.Delete(ctx, sum)
	})
}

// copyFor returns the reader's copy id for a version, making one if needed.
func (s *store) copyFor(ctx context.Context, c copyRow) (copyRow, error) {
	var got copyRow
	err := s.db.WithContext(ctx).Where("version_id = ? AND user_id = ?", c.VersionID, c.UserID).Take(&got).Error
	if err == nil {
		return got, nil
	}
	if !database.IsNotFound(err) {
		return copyRow{}, internal(err)
	}
	err = s.db.WithContext(ctx).Create(&c).Error
	if database.IsUniqueViolation(err) { // another request made it first
		err = s.db.WithContext(ctx).Where("version_id = ? AND user_id = ?", c.VersionID, c.UserID).Take(&got).Error
		return got, internal(err)
	}
	return c, internal(err)
}

// hasVersion reports whether a document version still exists (versions
// go only with their document, and their ids are never reused).
func (s *store) hasVersion(ctx context.Context, versionID string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&versionRow{}).Where("id = ?", versionID).Count(&n).Error
	return n > 0, internal(err)
}

// copiesWithoutVersion returns those of copyIDs whose copy row names a
// version that no longer exists. Ids with no copy row are left out.
func (s *store) copiesWithoutVersion(ctx context.Context, copyIDs []string) ([]string, error) {
	var out []string
	if len(copyIDs) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Model(&copyRow{}).Where("copy_id IN ?", copyIDs).
		Where("NOT EXISTS (SELECT 1 FROM document_versions WHERE document_versions.id = watermark_copies.version_id)").
		Pluck("copy_id", &out).Error
	return out, internal(err)
}

func (s *store) copyByID(ctx context.Context, id string) (copyRow, error) {
	var c copyRow
	err := s.db.WithContext(ctx).Where("copy_id = ?", id).Take(&c).Error
	if database.IsNotFound(err) {
		return c, apperr.NotFoundf("no copy with id %s", id)
	}
	return c, internal(err)
}

func (s *store) copiesOf(ctx context.Context, docID string) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&copyRow{}).Where("document_id = ?", docID).Pluck("copy_id", &ids).Error
	return ids, internal(err)
}

func pageSizes(sizes []pdf.PageSize) string {
	b, _ := json.Marshal(sizes)
	return string(b)
}

func notFound(err error) error {
	if database.IsNotFound(err) {
		return apperr.NotFoundf("document not found")
	}
	return internal(err)
}

func internal(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*apperr.Error); ok {
		return err
	}
	return apperr.Internalf(err, "documents store")
}

// LeaveHook takes a user removed from a meeting off the access lists of
// its documents, in the removing transaction (meeting.LeaveHook, wired in
// internal/app): added back later, in any role, even at once, they must be
// given each confidential document again. Each list changed is audited as
// document.reader_dropped.
func (s *Service) LeaveHook(ctx context.Context, tx *gorm.DB, meetingID, userID string) error {
	docs, err := dropReader(tx.WithContext(ctx), meetingID, userID, func(docID string) audit.Entry {
		return audit.For(web.Actor{}, s.now(), meetingID, "document.reader_dropped", "document:"+docID,
			map[string]any{"user_id": userID, "reason": "participant removed from the meeting"})
	})
	if err != nil {
		return err
	}
	if len(docs) > 0 {
		s.log.InfoContext(ctx, "removed participant dropped from access lists", "meeting", meetingID, "user", userID, "documents", len(docs))
	}
	return nil
}

// dropReader takes a user who has just been removed from a meeting off
// the access lists of its documents, inside the removing transaction tx
// (meeting.LeaveHook), with one audit entry per list (made by entry), and
// returns those documents' ids.
func dropReader(tx *gorm.DB, meetingID, userID string, entry func(docID string) audit.Entry) ([]string, error) {
	var docs []string
	ofMeeting := tx.Model(&documentRow{}).Select("id").Where("meeting_id = ?", meetingID)
	err := tx.Model(&readerRow{}).Where("user_id = ? AND document_id IN (?)", userID, ofMeeting).
		Order("document_id").Pluck("document_id", &docs).Error
	if err != nil || len(docs) == 0 {
		return nil, internal(err)
	}
	if err := tx.Where("user_id = ? AND document_id IN ?", userID, docs).Delete(&readerRow{}).Error; err != nil {
		return nil, internal(err)
	}
	es := make([]audit.Entry, len(docs))
	for i, id := range docs {
		es[i] = entry(id)
	}
	return docs, internal(audit.WriteMany(tx, es))
}
