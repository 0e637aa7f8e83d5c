package docs

import (
	"sync"
	"time"

	"github.com/curia/curia/internal/web"
)

// openingTTL is how long, after an audited opening, further requests of
// the same session for the same document version continue that reading
// rather than start one: pdf.js fetches a long document in Range chunks,
// and the audit log wants one entry per reading, not one per chunk. A
// reading that goes on longer gets a new entry every openingTTL.
const openingTTL = 10 * time.Minute

// openingsMax bounds the memory of recent openings (a room of 550
// tablets with 40 documents each is 22,000). When full, expired entries
// are dropped, and if none is, everything is: forgetting an opening only
// means the next chunk is audited again, never that an opening is not.
const openingsMax = 50000

type openingKey struct {
	who     string // the session, or the user when there is none
	doc     string
	version int // as served, never 0
}

// openings remembers, on this node, the document versions each session
// opened recently (an audited document.opened entry). Any GET of a file
// that is not remembered is audited whatever its Range, so that asking
// for "bytes=1-" first does not read a copy without a trace; a GET that
// is served byte 0 is always audited (an opening, however recent the
// last). Another node has its own memory: a reading spread over two
// nodes is audited on each, which errs on the side of the log.
type openings struct {
	mu   sync.Mutex
	seen map[openingKey]time.Time // when the opening was audited
	now  func() time.Time
}

func newOpenings(now func() time.Time) *openings {
	return &openings{seen: map[openingKey]time.Time{}, now: now}
}

func openingFor(a web.Actor, docID string, version int) openingKey {
	who := "u\x00" + a.UserID
	if a.SessionID != "" {
		who = "s\x00" + a.SessionID
	}
	return openingKey{who: who, doc: docID, version: version}
}

// recent reports whether k was opened (and audited) within openingTTL.
func (o *openings) recent(k openingKey) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	at, ok := o.seen[k]
	return ok && o.now().Sub(at) < openingTTL
}

// remember records that k was opened and audited now. Call it only once
// the audit entry is written.
func (o *openings) remember(k openingKey) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	if _, ok := o.seen[k]; !ok && len(o.seen) >= openingsMax {
		for key, at := range o.seen {
			if now.Sub(at) >= openingTTL {
				delete(o.seen, key)
			}
		}
		if len(o.seen) >= openingsMax {
			clear(o.seen)
		}
	}
	o.seen[k] = now
}
