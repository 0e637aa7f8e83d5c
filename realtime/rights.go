package realtime

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// A tablet closed with 4003 because its user's access to the meeting
// changed (Disconnect: removed, another role; DisconnectUser: the
// administrator right granted or taken away, disabled) reconnects with
// ?since=, as after any close. Its cached state was built with the old
// rights: a chair made a delegate still holds the draft polls and the
// confidential documents, a delegate made secretary lacks them, and the
// events it missed meanwhile may be harmless (participants.changed), so
// neither the replay nor Options.Replay would notice. Such a resume must
// be answered with resync and a full snapshot, which the Snapshotter
// builds from the rights now; the client then drops its cache and
// refetches.
//
// The state itself says which rights it was built with: the epoch a
// snapshot gives is the stream's epoch and a tag of the viewer's rights
// (role, administrator, manager), "EPOCH.TAG", and the client sends it
// back with since. A resume whose tag is not the viewer's now is answered
// with resync. This is exact for each device (the tablet that resynced
// carries the new tag, the laptop closed with it still the old one), the
// same on every node and across restarts, and costs no memory; and a
// disconnect that changed nothing the tag covers (a participant added,
// their vote or weight changed) lets every device resume as before.
//
// A resume without a tag (no epoch, or one given by an older server)
// cannot say, so for those the node falls back on what it heard: every
// disconnect that may change rights is remembered per user and meeting
// (or per user, for every meeting), on every node the disconnect reaches
// (the broker carries it to each, Hub.message → kick), and that user's
// untagged resumes resync for as long as a state from before can be
// resumed at all: the replay window (Retention, to which the memory ring
// is held too, see ring.after) plus the pruner's lag. The mark is not
// cleared by the user's next join, which may be another device's. A
// logout (DisconnectSession) and a session's end change nobody's rights
// and leave no mark. A node restarted within the window has forgotten
// its marks; tagged resumes do not need them.

// rightsTag names the rights a snapshot for v is built with: everything
// of the Viewer that decides what v may see. It is the same on every node
// and in every release that keeps this derivation.
func rightsTag(v Viewer) string {
	h := fnv.New64a()
	flags := []byte{0, 0, 0}
	if v.IsAdmin {
		flags[1] = 1
	}
	if v.CanManage {
		flags[2] = 1
	}
	_, _ = h.Write([]byte(v.Role))
	_, _ = h.Write(flags)
	return strconv.FormatUint(h.Sum64(), 36)
}

// epochFor is the epoch a snapshot for v carries: the stream's epoch (it
// has no '.') and v's rights tag.
func epochFor(stream string, v Viewer) string { return stream + "." + rightsTag(v) }

// splitEpoch splits a client's epoch into the stream's epoch and the
// rights tag, "" when it carries none.
func splitEpoch(e string) (stream, rights string) {
	if i := strings.LastIndexByte(e, '.'); i >= 0 {
		return e[:i], e[i+1:]
	}
	return e, ""
}

// rightsKey names a user's access to one meeting, or to every meeting
// when meetingID is empty.
type rightsKey struct{ meetingID, userID string }

// maxRightsMarks bounds the marks a node keeps: one per user and meeting
// whose access changed within the window, so it is not reached in
// practice; if it is, the node forgets them all and resyncs every
// untagged resume for a window instead, which is safe.
const maxRightsMarks = 1 << 16

// rightsWindow is how long a mark lasts: the replay window and two runs
// of the pruner, which deletes what is older than the window only when it
// runs (on some node, with a clock of its own).
func (h *Hub) rightsWindow() time.Duration { return h.opt.Retention + 2*h.opt.PruneInterval }

// markRightsChanged records, on this node, the disconnect m when it may
// say that its user's rights changed.
func (h *Hub) markRightsChanged(m message) {
	if m.Kick == "" || m.Session != "" {
		return
	}
	now := h.opt.Now()
	h.rmu.Lock()
	defer h.rmu.Unlock()
	if h.rights == nil {
		h.rights = map[rightsKey]time.Time{}
	}
	if len(h.rights) >= maxRightsMarks {
		h.sweepRightsLocked(now)
	}
	if len(h.rights) >= maxRightsMarks {
		clear(h.rights)
		h.rightsAll = now.Add(h.rightsWindow())
		h.log.Warn("realtime: too many access changes to remember; every untagged resume resyncs for a while", "until", h.rightsAll)
	}
	h.rights[rightsKey{m.MeetingID, m.Kick}] = now
}

// rightsChanged reports whether userID's access to meetingID may have
// changed within the window: their untagged resume must resync.
func (h *Hub) rightsChanged(meetingID, userID string) bool {
	now := h.opt.Now()
	h.rmu.Lock()
	defer h.rmu.Unlock()
	if now.Before(h.rightsAll) {
		return true
	}
	if len(h.rights) == 0 {
		return false
	}
	for _, k := range [...]rightsKey{{meetingID, userID}, {"", userID}} {
		if at, ok := h.rights[k]; ok && now.Sub(at) < h.rightsWindow() {
			return true
		}
	}
	return false
}

// sweepRights forgets the marks older than the window (pruneLoop).
func (h *Hub) sweepRights() {
	h.rmu.Lock()
	defer h.rmu.Unlock()
	h.sweepRightsLocked(h.opt.Now())
}

func (h *Hub) sweepRightsLocked(now time.Time) {
	for k, at := range h.rights {
		if now.Sub(at) >= h.rightsWindow() {
			delete(h.rights, k)
		}
	}
}
