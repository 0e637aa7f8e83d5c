package docs

import (
	"context"
	"sync"
	"time"

	"github.com/curia/curia/internal/web"
)

// accessTTL is how long a decision to serve a document version to a user
// is reused. It is the same window the session cache allows (account,
// 2 s): a pdf.js reader's burst of Range requests costs one access check,
// not one per request. Within it, on this node:
//
//   - changes made through this Service (access list, confidential flag,
//     title, new version, deletion) take effect at once: they empty the
//     cache; so do changes of a meeting's participants or status, which
//     the meeting package reports (MeetingAccessChanged);
//   - changes made on another node take effect within accessTTL.
//
// Only grants are cached: a refusal is never remembered, so a reader
// added to a meeting or an access list is served at once.
const accessTTL = 2 * time.Second

// accessCacheMax bounds the cache; when full it is emptied, which is
// simpler than an LRU and rare (a room has hundreds of tablets, not tens
// of thousands).
const accessCacheMax = 20000

type accessKey struct {
	user    string
	admin   bool
	doc     string
	version int // as asked: 0 is the current version
}

type accessEntry struct {
	d     documentRow
	v     versionRow
	gen   uint64
	until time.Time
}

// accessCache remembers recent grants of docVersion.
type accessCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped by every change through this Service
	entries map[accessKey]accessEntry
	now     func() time.Time
}

func newAccessCache(now func() time.Time) *accessCache {
	return &accessCache{entries: map[accessKey]accessEntry{}, now: now}
}

// generation is read before the database, so an entry filled from a read
// that raced with a change is discarded, not served.
func (c *accessCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *accessCache) get(k accessKey) (accessEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.gen != c.gen || !c.now().Before(e.until) {
		return accessEntry{}, false
	}
	return e, true
}

func (c *accessCache) put(k accessKey, gen uint64, d documentRow, v versionRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= accessCacheMax {
		c.entries = map[accessKey]accessEntry{}
	}
	c.entries[k] = accessEntry{d: d, v: v, gen: gen, until: c.now().Add(accessTTL)}
}

// MeetingAccessChanged forgets every cached grant (both caches: the read
// grants of this file and Annotate's, which share its generation) when a
// meeting's participants or status change (meeting.Config.AccessChanged):
// a participant removed or demoted, or a meeting closed, is refused on
// the very next request on this node.
func (s *Service) MeetingAccessChanged(context.Context, string) { s.access.invalidate() }

// ParticipantRemoved forgets the cached grants once a removal (or a change
// of role) has committed (meeting.Config.Removed), under the visibility
// lock, so that no announcement in flight reads the audience from before.
func (s *Service) ParticipantRemoved(context.Context, string, string) {
	s.visibility.Lock() // see Service.visibility: a change of who may see documents
	defer s.visibility.Unlock()
	s.access.invalidate()
}

// invalidate forgets every grant; call it after a change commits.
func (c *accessCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// servable is docVersion for serving a file, through the access cache.
func (s *Service) servable(ctx context.Context, a web.Actor, id string, version int) (documentRow, versionRow, error) {
	k := accessKey{user: a.UserID, admin: a.IsAdmin, doc: id, version: version}
	if e, ok := s.access.get(k); ok {
		return e.d, e.v, nil
	}
	gen := s.access.generation()
	d, v, err := s.docVersion(ctx, a, id, version)
	if err == nil {
		s.access.put(k, gen, d, v)
	}
	return d, v, err
}
