package docs

import (
	"fmt"
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
//
// The counts alone leave the size open: one annotation's data may take
// some 400 KB (20,000 ink points) and more, up to the 1 MB request, so
// 2000 of them could take 800 MB and more per author and version.
// BytesPerVersion bounds the bytes of data the author's live annotations
// on a version store (shared and private together, as stored: the
// normalised JSON, annotationRow.DataSize), and an update that grows an
// annotation's data is refused past it too. Its default, 16 MiB, is far
// above real use, measured with the stored form of strokes as the tablet
// sends them (one stroke an annotation, coordinates to 1/100 point): a
// stroke of 100 points takes about 1.6 KB (2.1 KB with pressure), so
// 2000 of them, the count limit, take 3.1 MiB (4.0 MiB); 2000 long
// strokes of 300 points take 9.1 MiB (11.9 MiB); a note of 4,000
// characters 4 to 12 KB (24 KB if every character is escaped). So the
// budget, 8 KB an annotation on average at the count limit, binds only
// an author who stores far more than a pen draws (a buggy or hostile
// tablet), and then bounds what every reader of the document downloads
// from them.
type AnnotationLimits struct {
	PerVersion      int   // default 2000
	PerPage         int   // default 500
	BytesPerVersion int64 // default 16 MiB
}

// DefaultAnnotationLimits are the limits where Config leaves them zero.
var DefaultAnnotationLimits = AnnotationLimits{PerVersion: 2000, PerPage: 500, BytesPerVersion: 16 << 20}

func (l AnnotationLimits) orDefault() AnnotationLimits {
	if l.PerVersion <= 0 {
		l.PerVersion = DefaultAnnotationLimits.PerVersion
	}
	if l.PerPage <= 0 {
		l.PerPage = DefaultAnnotationLimits.PerPage
	}
	if l.BytesPerVersion <= 0 {
		l.BytesPerVersion = DefaultAnnotationLimits.BytesPerVersion
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
	bytes  int64 // the size of their data (annotationRow.DataSize)
	byPage map[int]int
}

// withinLimits sets refused[i] for each job i not refused yet whose rows
// (rows[i]: those it would insert) would take their author over the
// limits on a document version, counting what is stored (live rows) and
// what the jobs before it in the group add; the bytes of their data
// (BytesPerVersion) likewise. It runs inside the
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
		// Two counts from idx_annotation_live_size alone: each author's
		// live rows on the version and the bytes of their data, and the
		// rows on the pages the group writes to. The sizes are kept in
		// the index: summing the data's length, or a size outside the
		// index, reads every row's data (7 ms on SQLite for an author
		// keeping 2000 rows of 8 KB, against 0.2 ms from the index).
		live := tx.Model(&annotationRow{}).
			Where("author_id IN ? AND document_id = ? AND version = ? AND deleted_at IS NULL", authors, dv.doc, dv.version)
		var totals []struct {
			AuthorID string
			N        int
			Bytes    int64
		}
		if err := live.Session(&gorm.Session{}).Select("author_id, COUNT(*) AS n, " + sumSizes + " AS bytes").
			Group("author_id").Scan(&totals).Error; err != nil {
			return nil, internal(err)
		}
		for _, a := range authors {
			count(limitKey{a, dv.doc, dv.version}) // known: none stored
		}
		for _, f := range totals {
			c := count(limitKey{f.AuthorID, dv.doc, dv.version})
			c.total, c.bytes = f.N, f.Bytes
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
			c.bytes += int64(r.DataSize)
			c.byPage[r.Page]++
			s.counts.added(k, r.Page)
			s.counts.grew(k, int64(r.DataSize))
		}
	}
	return cachedRefusals, nil
}

// limitCacheTTL is how long a count read from the database is trusted,
// with this node's own writes added to it, before it is read again.
const limitCacheTTL = 10 * time.Second

// limitCache keeps, per author and document version, the live count and
// the bytes of its data as last read plus the creates (and the growth of
// updates) this node has written since, and per page the count for the
// pages read. Deletes, and updates that shrink an annotation, are not
// subtracted: a count can only be too high, which a refusal checks
// against the database.
type limitCache struct {
	mu sync.Mutex
	m  map[limitKey]*cachedCount
}

type cachedCount struct {
	at     time.Time // when it was read
	total  int
	bytes  int64
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
	out := &limitCount{total: e.total, bytes: e.bytes, byPage: make(map[int]int, len(e.byPage))}
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
	e := &cachedCount{at: now, total: n.total, bytes: n.bytes, byPage: make(map[int]int, len(pages))}
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

// grew adds n bytes this node writes (a create, or an update's growth)
// to k's count.
func (c *limitCache) grew(k limitKey, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[k]; e != nil {
		e.bytes += n
	}
}

// overLimit tells whether adding rows to the counts passes a limit.
func overLimit(lim AnnotationLimits, author string, rows []annotationRow, count func(limitKey) *limitCount) error {
	type pageKey struct {
		k    limitKey
		page int
	}
	adds, pageAdds, byteAdds := map[limitKey]int{}, map[pageKey]int{}, map[limitKey]int64{}
	for _, r := range rows {
		k := limitKey{author, r.DocumentID, r.Version}
		adds[k]++
		pageAdds[pageKey{k, r.Page}]++
		byteAdds[k] += int64(r.DataSize)
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
		if have, n := count(k).bytes, byteAdds[k]; have+n > lim.BytesPerVersion {
			return overBytes(have+n, lim)
		}
	}
	return nil
}

// sumSizes is the SQL of the bytes of the rows' data, on both databases
// (SUM of a bigint is a numeric on PostgreSQL).
const sumSizes = "CAST(COALESCE(SUM(data_size), 0) AS BIGINT)"

// grownWithinLimits checks, in the transaction that has just grown the
// data of r's annotation by grow bytes, that its author's annotations on
// the document version still fit BytesPerVersion; an error rolls the
// change back. The sum is read from the database (an update is rare, and
// the sum reads the index alone), and the growth is added to the node's
// cache before the change commits, so that a create judged on the cache
// after it counts it. On SQLite the write transactions run one at a time,
// so an update and a create cannot both pass on the same bytes. On
// PostgreSQL an update runs beside the group commit, not in it (and
// beside other nodes' updates; one node's run one at a time, under
// Service.visibility), so racing a create or update of its author it may
// pass the budget by what that one adds, once: what comes after reads
// both, and is refused.
func (s *store) grownWithinLimits(tx *gorm.DB, r annotationRow, grow int) error {
	var have int64
	err := tx.Model(&annotationRow{}).Select(sumSizes).
		Where("author_id = ? AND document_id = ? AND version = ? AND deleted_at IS NULL", r.AuthorID, r.DocumentID, r.Version).
		Scan(&have).Error
	if err != nil {
		return internal(err)
	}
	if lim := s.annotationLimits(); have > lim.BytesPerVersion {
		return overBytes(have, lim)
	}
	s.counts.grew(limitKey{r.AuthorID, r.DocumentID, r.Version}, int64(grow))
	return nil
}

// overBytes is the refusal of annotations that would take n bytes.
func overBytes(n int64, lim AnnotationLimits) error {
	return apperr.Conflictf("your annotations on this document would take %s, over the limit of %s per document; delete some first",
		byteSize(n, true), byteSize(lim.BytesPerVersion, false)).WithReason(limitReason)
}

// byteSize writes n bytes for a person: "900 bytes", "2.5 KB", "17.2 MB"
// (KB and MB of 1024 and 1024² bytes). With up, rounded up to the tenth,
// otherwise down: a size over a limit never reads as the limit.
func byteSize(n int64, up bool) string {
	if n < 1<<10 {
		return fmt.Sprintf("%d bytes", n)
	}
	unit, name := int64(1<<20), "MB"
	if n < 1<<20 {
		unit, name = 1<<10, "KB"
	}
	tenths := n * 10 / unit
	if up && tenths*unit < n*10 {
		tenths++
	}
	if tenths%10 == 0 {
		return fmt.Sprintf("%d %s", tenths/10, name)
	}
	return fmt.Sprintf("%d.%d %s", tenths/10, tenths%10, name)
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
