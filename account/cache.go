package account

import (
	"sync"
	"time"

	"github.com/curia/curia/internal/web"
)

// sessionCache remembers resolved sessions for a moment, so a tablet's
// burst of requests (a PDF's Range requests, a vote storm) costs one
// database read, not one per request. Logout, disabling a user and a
// password reset drop that user's entries on this node at once; other
// nodes notice within the cache's lifetime.
type sessionCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	now     func() time.Time
	entries map[string]cachedSession
	drops   uint64 // counts drop and dropUser calls; see put
}

type cachedSession struct {
	actor   web.Actor
	until   time.Time // the entry's own end
	expires time.Time // the session's lifetime end (ExpiresAt)
}

func newSessionCache(ttl time.Duration, max int, now func() time.Time) *sessionCache {
	return &sessionCache{ttl: ttl, max: max, now: now, entries: map[string]cachedSession{}}
}

func (c *sessionCache) get(id string) (web.Actor, bool) {
	e, ok := c.entry(id)
	return e.actor, ok
}

// entry returns the live entry for id, with the session's lifetime end.
func (c *sessionCache) entry(id string) (cachedSession, bool) {
	if c.ttl <= 0 {
		return cachedSession{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || c.now().After(e.until) {
		return cachedSession{}, false
	}
	return e, true
}

// generation is read before a session is looked up and handed to put.
func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.drops
}

// put remembers a session read from the database, unless something was
// dropped since the read began (gen): that read may predate a logout or a
// disabled user, and must not bring the session back.
// An entry never outlives the session itself (expires).
func (c *sessionCache) put(id string, a web.Actor, gen uint64, expires time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.drops != gen {
		return
	}
	if len(c.entries) >= c.max {
		c.entries = map[string]cachedSession{} // simpler than LRU, and rare: max is far above a room's tablets
	}
	until := c.now().Add(c.ttl)
	if expires.Before(until) {
		until = expires
	}
	c.entries[id] = cachedSession{actor: a, until: until, expires: expires}
}

func (c *sessionCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drops++
	delete(c.entries, id)
}

func (c *sessionCache) dropUser(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drops++
	for id, e := range c.entries {
		if e.actor.UserID == userID {
			delete(c.entries, id)
		}
	}
}
