package vote

import (
	"context"
	"sync"
)

// fixedPoll is what never changes about a poll once it exists: its
// meeting and its settings, but for AgendaItemID. Its status does change
// and is not kept here; the vote writer reads it under lock.
type fixedPoll struct {
	ID        string
	MeetingID string
	Settings
}

// pollCache keeps fixedPoll by id so that a vote costs no poll read.
// Nothing edits a poll's options, rules, eligibility or secrecy, so what
// its readers use (Cast, the progress) is never stale. AgendaItemID can
// change: deleting an agenda item nulls it in a poll cancelled before it
// opened (AgendaDeleteGuard). A cached entry may still name the item, so
// nothing may read AgendaItemID from here; read the poll row instead.
type pollCache struct {
	store *store
	mu    sync.Mutex
	byID  map[string]fixedPoll
}

// maxCachedPolls bounds the cache; when full it starts over.
const maxCachedPolls = 4096

func newPollCache(st *store) *pollCache { return &pollCache{store: st, byID: map[string]fixedPoll{}} }

// get returns a poll's fixed part; NotFound when there is no such poll.
func (c *pollCache) get(ctx context.Context, id string) (fixedPoll, error) {
	c.mu.Lock()
	p, ok := c.byID[id]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	r, err := c.store.poll(ctx, id)
	if err != nil {
		return fixedPoll{}, err
	}
	p = fixedPoll{ID: r.ID, MeetingID: r.MeetingID, Settings: r.settings()}
	c.mu.Lock()
	if len(c.byID) >= maxCachedPolls {
		clear(c.byID)
	}
	c.byID[id] = p
	c.mu.Unlock()
	return p, nil
}
