package docs

import (
	"maps"
	"slices"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
)

// AnnotationLimits bound the live (not deleted) annotations one author
// keeps on one document version, shared and private together. Every
// tablet that opens a document downloads all its shared annotations
// (GET …/annotations has no paging), every live client receives them and
// the annotated export draws them, so one author must not be able to grow
// them without bound. The defaults are far above what a delegate draws
// (a pen stroke is one annotation: 500 on one page is a page written
// over several times); a create that would pass them is refused, the
// whole batch with it, until the author deletes some.
type AnnotationLimits struct {
	PerVersion int // default 2000
	PerPage    int // default 500
}

// DefaultAnnotationLimits are the limits where Config leaves them zero.
var DefaultAnnotationLimits = AnnotationLimits{PerVersion: 2000, PerPage: 500}

func (l AnnotationLimits) orDefault() AnnotationLimits {
	if l.PerVersion <= 0 {
		l.PerVersion = DefaultAnnotationLimits.PerVersion
	}
	if l.PerPage <= 0 {
		l.PerPage = DefaultAnnotationLimits.PerPage
	}
	return l
}

// limitReason is the apperr Reason of a refusal by AnnotationLimits.
const limitReason = "annotation_limit"

type limitKey struct {
	author, doc string
	version     int
}

type limitCount struct {
	total  int
	byPage map[int]int
}

// withinLimits sets refused[i] for each job i not refused yet whose rows
// (rows[i]: those it would insert) would take their author over the
// limits on a document version, counting what is stored (live rows) and
// what the jobs before it in the group add. It runs inside the
// transaction that writes the rows, after stillAllowed: the group commit
// writes one group at a time on a node, and SQLite one transaction at a
// time, so two requests of one author cannot both pass on the same count.
// (Two PostgreSQL nodes committing the same author's creates at the same
// instant could each pass once; they stay bounded by a batch each.) Two
// queries per document version of the group.
func (s *store) withinLimits(tx *gorm.DB, jobs []*createJob, rows [][]annotationRow, refused []error) error {
	lim := s.annotationLimits()
	type docVersion struct {
		doc     string
		version int
	}
	type touched struct {
		authors map[string]bool
		pages   map[int]bool
	}
	by := map[docVersion]*touched{}
	var order []docVersion
	for i, j := range jobs {
		if refused[i] != nil {
			continue
		}
		for _, r := range rows[i] {
			dv := docVersion{r.DocumentID, r.Version}
			t := by[dv]
			if t == nil {
				t = &touched{authors: map[string]bool{}, pages: map[int]bool{}}
				by[dv] = t
				order = append(order, dv)
			}
			t.authors[j.actor.UserID] = true
			t.pages[r.Page] = true
		}
	}
	counts := map[limitKey]*limitCount{}
	count := func(k limitKey) *limitCount {
		c := counts[k]
		if c == nil {
			c = &limitCount{byPage: map[int]int{}}
			counts[k] = c
		}
		return c
	}
	for _, dv := range order {
		// Two counts from idx_annotation_live_author alone: each author's
		// live rows on the version, and on the pages the group writes to.
		authors, pages := slices.Collect(maps.Keys(by[dv].authors)), slices.Collect(maps.Keys(by[dv].pages))
		live := tx.Model(&annotationRow{}).
			Where("author_id IN ? AND document_id = ? AND version = ? AND deleted_at IS NULL", authors, dv.doc, dv.version)
		var totals []struct {
			AuthorID string
			N        int
		}
		if err := live.Session(&gorm.Session{}).Select("author_id, COUNT(*) AS n").Group("author_id").Scan(&totals).Error; err != nil {
			return internal(err)
		}
		for _, f := range totals {
			count(limitKey{f.AuthorID, dv.doc, dv.version}).total = f.N
		}
		var onPages []struct {
			AuthorID string
			Page     int
			N        int
		}
		if err := live.Session(&gorm.Session{}).Select("author_id, page, COUNT(*) AS n").Where("page IN ?", pages).
			Group("author_id, page").Scan(&onPages).Error; err != nil {
			return internal(err)
		}
		for _, f := range onPages {
			count(limitKey{f.AuthorID, dv.doc, dv.version}).byPage[f.Page] = f.N
		}
	}
	for i, j := range jobs {
		if refused[i] != nil || len(rows[i]) == 0 {
			continue
		}
		if err := overLimit(lim, j.actor.UserID, rows[i], count); err != nil {
			refused[i] = err
			continue
		}
		for _, r := range rows[i] {
			c := count(limitKey{j.actor.UserID, r.DocumentID, r.Version})
			c.total++
			c.byPage[r.Page]++
		}
	}
	return nil
}

// overLimit tells whether adding rows to the counts passes a limit.
func overLimit(lim AnnotationLimits, author string, rows []annotationRow, count func(limitKey) *limitCount) error {
	type pageKey struct {
		k    limitKey
		page int
	}
	adds, pageAdds := map[limitKey]int{}, map[pageKey]int{}
	for _, r := range rows {
		k := limitKey{author, r.DocumentID, r.Version}
		adds[k]++
		pageAdds[pageKey{k, r.Page}]++
	}
	seen := map[pageKey]bool{}
	for _, r := range rows { // in order: the first limit passed is the one told
		k := limitKey{author, r.DocumentID, r.Version}
		pk := pageKey{k, r.Page}
		if seen[pk] {
			continue
		}
		seen[pk] = true
		if have, n := count(k).total, adds[k]; have+n > lim.PerVersion {
			return apperr.Conflictf("you keep %d annotations on this document already and these %d would pass the limit of %d per document; delete some first",
				have, n, lim.PerVersion).WithReason(limitReason)
		}
		if have, n := count(k).byPage[r.Page], pageAdds[pk]; have+n > lim.PerPage {
			return apperr.Conflictf("you keep %d annotations on page %d already and these %d would pass the limit of %d per page; delete some first",
				have, r.Page, n, lim.PerPage).WithReason(limitReason)
		}
	}
	return nil
}

// annotationLimits returns the limits in force.
func (s *store) annotationLimits() AnnotationLimits {
	if l := s.limits.Load(); l != nil {
		return *l
	}
	return DefaultAnnotationLimits
}

// setAnnotationLimits sets the limits, zero fields to their defaults.
func (s *store) setAnnotationLimits(l AnnotationLimits) {
	l = l.orDefault()
	s.limits.Store(&l)
}
