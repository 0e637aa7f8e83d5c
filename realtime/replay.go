package realtime

import (
	"context"
	"encoding/json"
)

// A stored event keeps the audience it was published to. Replaying it
// later (a resume with ?since=) would hand it to whoever was in that
// audience then, even if they may no longer see what it is about: a
// document made confidential since, a chair who is now a delegate. So
// before a resume is answered with a replay, the app's ReplayChecker
// looks at the events the viewer would be given in full and says
// whether the viewer may still see all of them; if not, the connection
// is answered as if the events were gone: resync and a full snapshot,
// which the Snapshotter builds from the viewer's access now (and the
// client refetches the rest over REST, which checks it too). Filtering
// single events instead would leave a client with state it must no
// longer hold and without the events that would have replaced it; a
// resync leaves nothing behind. Access rarely shrinks, so ordinary
// resumes still replay.

// Replayed is one event a resuming connection would receive in full.
type Replayed struct {
	Seq  int64
	Type string
	Data json.RawMessage // as published; do not modify
	// Restricted: the event was published to some users only (an
	// Audience or Exclude list), not to the whole meeting.
	Restricted bool
}

// ReplayChecker decides whether v may be given the events of a resume
// (those v receives in full; skips are not shown), judged by v's access
// now. false, or an error (logged), answers the resume with resync and
// a full snapshot instead. It may block on the database; it runs once
// per resume that has events to replay, outside the room's lock.
type ReplayChecker interface {
	CheckReplay(ctx context.Context, v Viewer, meetingID string, events []Replayed) (bool, error)
}

// replayAllowed asks Options.Replay about the part of replay that c's
// viewer receives in full.
func (h *Hub) replayAllowed(ctx context.Context, c *conn, replay []*entry) bool {
	if h.opt.Replay == nil {
		return true
	}
	var evs []Replayed
	for _, e := range replay {
		if e.frameFor(c.viewer.UserID) == e.full {
			evs = append(evs, Replayed{Seq: e.seq, Type: e.typ, Data: e.data, Restricted: e.skip != nil})
		}
	}
	if len(evs) == 0 {
		return true
	}
	ok, err := h.opt.Replay.CheckReplay(ctx, c.viewer, c.room.id, evs)
	if err != nil {
		h.log.WarnContext(ctx, "realtime: replay check failed; resyncing", "meeting", c.room.id, "user", c.viewer.UserID, "err", err)
		return false
	}
	return ok
}
