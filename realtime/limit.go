package realtime

import (
	"fmt"
	"time"

	"github.com/curia/curia/internal/apperr"
)

// One user's connections to one meeting on this node are bounded
// (Options.MaxUserConns): each costs goroutines, buffers, a snapshot and
// a copy of every event of the room, so a script must not be able to
// multiply a room's fan-out. A real user has a few (a tablet and a laptop,
// some tabs) and, on bad Wi-Fi, old connections the server has not yet
// found dead (that takes up to PongWait) while the tablet reconnects. So
// at the bound a new connection is not simply refused: it takes the place
// of the user's connection heard from longest ago, if that one has been
// silent for longer than a live client ever is (staleAfter: a live client
// answers every ping); that one is closed with 4029. Only when all of the
// user's connections are alive is the new one refused, before the
// upgrade, with 429 and a Retry-After. Closing the oldest unconditionally
// would let the ninth of nine live tabs push another out, which reconnects
// and pushes the next out, for ever; refusing it leaves that tab offline
// and retrying, and the others undisturbed.

// closeReplaced is sent to a connection that went silent and was replaced
// by a newer connection of its user.
const closeReplaced = 4029

// staleAfter is how long a connection may be silent before the per-user
// bound may replace it: a client that answered the last ping is heard
// from at least every PingInterval.
func (h *Hub) staleAfter() time.Duration {
	return h.opt.PingInterval + h.opt.PingInterval/5
}

// makeRoomLocked lets c's user have one more connection in the room: it
// does nothing below the bound, closes a silent connection of theirs at
// it, and otherwise refuses with a RateLimited error.
func (r *room) makeRoomLocked(c *conn) error {
	limit := r.hub.opt.MaxUserConns
	u := r.pres.users[c.viewer.UserID]
	if limit < 0 || u == nil || u.conns < limit {
		return nil
	}
	var quiet *conn // heard from longest ago
	for _, m := range r.members {
		if m.viewer.UserID == c.viewer.UserID && (quiet == nil || m.heard.Load() < quiet.heard.Load()) {
			quiet = m
		}
	}
	if quiet == nil { // presence and members disagree: cannot happen
		return nil
	}
	silent := time.Since(time.Unix(0, quiet.heard.Load()))
	if stale := r.hub.staleAfter(); silent < stale {
		r.hub.metrics.userLimit.WithLabelValues("refused").Inc()
		return &apperr.Error{Kind: apperr.RateLimited, RetryAfter: max(stale-silent, time.Second),
			Message: fmt.Sprintf("you already have %d live connections to this meeting: close one (another tab or device) and try again", limit)}
	}
	r.removeLocked(quiet, closeReplaced, "replaced by a newer connection")
	r.hub.metrics.userLimit.WithLabelValues("replaced").Inc()
	return nil
}
