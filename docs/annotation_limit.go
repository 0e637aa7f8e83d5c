package docs

import (
	"maps"
	"slices"
	"sync"
	"time"

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
//
// The counts come from the node's cache of them (limitCache) where it has
// them, fresh, for the pages written, and from two queries per document
// version for the other authors: counting every author of every group
// cost the group commit up to 6 ms a group with 50 delegates drawing, in
// the transaction that page turns wait behind. A refusal on a cached
// count is checked again against the database (a delete since may have
// made room). Two nodes each count their own writes only between reads
// (at most limitCacheTTL apart), so together they may let an author pass
// the limit by what the other wrote meanwhile: bounded, as the limit is
// there to bound.
func (s *store) withinLimits(tx *gorm.DB, jobs []*createJob, rows [][]annotationRow, refused []error) error {
	cachedRefusals, err := s.checkLimits(tx, jobs, rows, refused, true)
	if err != nil || len(cachedRefusals) == 0 {
		return err
	}
	for _, i := range cachedRefusals {
		refused[i] = nil
	}
	_, err = s.checkLimits(tx, jobs, rows, refused, false)
	return err
}

// checkLimits is withinLimits with the cache (useCache) or without it; it
// returns the jobs it refused on a cached count.
func (s *store) checkLimits(tx *gorm.DB, jobs []*createJob, rows [][]annotationRow, refused []error, useCache bool) ([]int, error) {
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
	fromCache := map[limitKey]bool{}
	now := time.Now()
	for _, dv := range order {
		pages := slices.Collect(maps.Keys(by[dv].pages))
		var authors []string
		for a := range by[dv].authors {
			k := limitKey{a, dv.doc, dv.version}
			if c, ok := s.counts.get(k, pages, now); useCache && ok {
				counts[k], fromCache[k] = c, true
			} else {
				authors = append(authors, a)
			}
		}
		if len(authors) == 0 {
			continue
		}
		// Two counts from idx_annotation_live_author alone: each author's
		// live rows on the version, and on the pages the group writes to.
		live := tx.Model(&annotationRow{}).
			Where("author_id IN ? AND document_id = ? AND version = ? AND deleted_at IS NULL", authors, dv.doc, dv.version)
		var totals []struct {
			AuthorID string
			N        int
		}
		if err := live.Session(&gorm.Session{}).Select("author_id, COUNT(*) AS n").Group("author_id").Scan(&totals).Error; err != nil {
			return nil, internal(err)
		}
		for _, a := range authors {
			count(limitKey{a, dv.doc, dv.version}) // known: none stored
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
			return nil, internal(err)
		}
		for _, f := range onPages {
			count(limitKey{f.AuthorID, dv.doc, dv.version}).byPage[f.Page] = f.N
		}
		for _, a := range authors {
			k := limitKey{a, dv.doc, dv.version}
			s.counts.read(k, counts[k], pages, now)
		}
	}
	var cachedRefusals []int
	for i, j := range jobs {
		if refused[i] != nil || len(rows[i]) == 0 {
			continue
		}
		if err := overLimit(lim, j.actor.UserID, rows[i], count); err != nil {
			refused[i] = err
			for _, r := range rows[i] {
				if fromCache[limitKey{j.actor.UserID, r.DocumentID, r.Version}] {
					cachedRefusals = append(cachedRefusals, i)
					break
				}
			}
			continue
		}
		for _, r := range rows[i] {
			k := limitKey{j.actor.UserID, r.DocumentID, r.Version}
			c := count(k)
			c.total++
			c.byPage[r.Page]++
			s.counts.added(k, r.Page)
		}
	}
	return cachedRefusals, nil
}

// limitCacheTTL is how long a count read from the database is trusted,
// with this node's own writes added to it, before it is read again.
const limitCacheTTL = 10 * time.Second

// limitCache keeps, per author and document version, the live count as
// last read plus the creates this node has written since, and per page
// the same for the pages read. Deletes are not subtracted: a count can
// only be too high, which a refusal checks against the database.
type limitCache struct {
	mu sync.Mutex
	m  map[limitKey]*cachedCount
}

type cachedCount struct {
	at     time.Time // when it was read
	total  int
	byPage map[int]int // the pages read (a page absent was not read)
}

// get returns a copy of k's count if it is fresh and knows every page.
func (c *limitCache) get(k limitKey, pages []int, now time.Time) (*limitCount, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[k]
	if e == nil || now.Sub(e.at) > limitCacheTTL {
		return nil, false
	}
	out := &limitCount{total: e.total, byPage: make(map[int]int, len(e.byPage))}
	for _, p := range pages {
		n, ok := e.byPage[p]
		if !ok {
			return nil, false
		}
		out.byPage[p] = n
	}
	return out, true
}

// read stores k's count as just read for pages.
func (c *limitCache) read(k limitKey, n *limitCount, pages []int, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 100_000 {
		c.m = map[limitKey]*cachedCount{} // bounded: start again
	}
	e := &cachedCount{at: now, total: n.total, byPage: make(map[int]int, len(pages))}
	for _, p := range pages {
		e.byPage[p] = n.byPage[p]
	}
	c.m[k] = e
}

// added counts a create this node writes on k's page.
func (c *limitCache) added(k limitKey, page int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[k]
	if e == nil {
		return
	}
	e.total++
	if _, ok := e.byPage[page]; ok {
		e.byPage[page]++
	}
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
