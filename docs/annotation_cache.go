package docs

import (
	"context"
	"sync"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// annotateTTL is how long Annotate reuses what it read about a document
// for one user: the document and the user's access to its meeting. A
// delegate drawing sends several strokes a second; without this, each
// costs three or four reads before it queues. The rules are those of the
// access cache (cache.go), with half its window:
//
//   - changes made through this Service (access list, confidential flag,
//     new version, deletion) and changes of a meeting's participants or
//     status (a participant removed or given another role, the meeting
//     closed: MeetingAccessChanged) empty it at once;
//   - only grants are cached: a refusal is read again every time.
//
// Whatever the cache says, a create is checked against the database once
// more when it is written (store.stillAllowed), and a replay, which
// writes nothing, when it is answered (Service.stillSees), so a change
// made on another node only changes which error comes back, and when.
const annotateTTL = time.Second

// annotateCacheMax bounds each of the caches; when full it is emptied.
const annotateCacheMax = 20000

type annotateKey struct {
	user  string
	admin bool
	doc   string
}

type annotateEntry struct {
	d     documentRow
	acc   meeting.Access
	gen   uint64
	until time.Time
}

type versionKey struct {
	doc     string
	version int
}

type versionEntry struct {
	v   versionRow // without its page map, read into b
	b   pageBounds
	gen uint64
}

// annotateReads caches Annotate's reads. A version's page count and
// sizes never change, so versions stay until the access generation
// moves (a document deleted or changed through this Service).
type annotateReads struct {
	mu       sync.Mutex
	docs     map[annotateKey]annotateEntry
	versions map[versionKey]versionEntry
}

// annotationDoc is docFor through the cache.
func (s *Service) annotationDoc(ctx context.Context, a web.Actor, id string) (documentRow, meeting.Access, error) {
	c := &s.commits.reads
	k := annotateKey{user: a.UserID, admin: a.IsAdmin, doc: id}
	gen := s.access.generation() // read before the database: a racing change discards the entry
	now := time.Now()
	c.mu.Lock()
	e, ok := c.docs[k]
	c.mu.Unlock()
	if ok && e.gen == gen && now.Before(e.until) {
		return e.d, e.acc, nil
	}
	d, acc, _, err := s.docFor(ctx, a, id)
	if err != nil {
		return d, acc, err
	}
	c.mu.Lock()
	if c.docs == nil || len(c.docs) >= annotateCacheMax {
		c.docs = map[annotateKey]annotateEntry{}
	}
	c.docs[k] = annotateEntry{d: d, acc: acc, gen: gen, until: now.Add(annotateTTL)}
	c.mu.Unlock()
	return d, acc, nil
}

// annotationVersion reads a version of a document for Annotate, with the
// bounds of its pages: an Invalid error when there is none.
func (s *Service) annotationVersion(ctx context.Context, docID string, version int) (versionEntry, error) {
	c := &s.commits.reads
	k := versionKey{doc: docID, version: version}
	gen := s.access.generation()
	c.mu.Lock()
	e, ok := c.versions[k]
	c.mu.Unlock()
	if ok && e.gen == gen {
		return e, nil
	}
	v, err := s.store.version(ctx, docID, version)
	if apperr.Is(err, apperr.NotFound) {
		return versionEntry{}, apperr.Invalidf("version: the document has no version %d", version)
	}
	if err != nil {
		return versionEntry{}, err
	}
	e = versionEntry{v: v, b: versionBounds(v), gen: gen}
	e.v.PageMap = "" // read into e.b: not kept twice
	c.mu.Lock()
	if c.versions == nil || len(c.versions) >= annotateCacheMax {
		c.versions = map[versionKey]versionEntry{}
	}
	c.versions[k] = e
	c.mu.Unlock()
	return e, nil
}
