package docs

import (
	"context"
	"sync"
	"time"

	"github.com/curia/curia/audit"
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

// ParticipantRemoved takes a user who was removed from a meeting off the
// access lists of its documents (meeting.Config.Removed, told after the
// removal commits; also after a change of role, when it does nothing):
// added back later, in any role, they must be given each confidential
// document again. Until it has run, visible trusts no reader row of a
// non-participant. Each list changed is audited as document.reader_dropped.
func (s *Service) ParticipantRemoved(ctx context.Context, meetingID, userID string) {
	s.visibility.Lock() // see Service.visibility: a change of who may see documents
	defer s.visibility.Unlock()
	ctx = context.WithoutCancel(ctx) // the removal is committed: finish its consequence
	docs, err := s.store.dropReader(ctx, meetingID, userID, func(docID string) audit.Entry {
		return audit.For(web.Actor{}, s.now(), meetingID, "document.reader_dropped", "document:"+docID,
			map[string]any{"user_id": userID, "reason": "participant removed from the meeting"})
	})
	s.access.invalidate()
	if err != nil {
		s.log.ErrorContext(ctx, "drop a removed participant from access lists", "err", err, "meeting", meetingID, "user", userID)
		return
	}
	if len(docs) > 0 {
		s.log.InfoContext(ctx, "removed participant dropped from access lists", "meeting", meetingID, "user", userID, "documents", len(docs))
	}
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
