package realtime

import "errors"

// Disconnecting (Disconnect, DisconnectUser, DisconnectSession) closes the
// connections that are members of a room. A connection is authorised
// before it joins its room, and a disconnect that arrives in between —
// the user removed while their tablet reconnects — would find nobody and
// let in someone the Authorizer has just stopped admitting. So every
// connection being admitted is an admission, registered before the
// Authorizer runs and dropped once the connection is a member (or
// refused); a disconnect notes itself on every admission it may concern,
// and the join refuses one that was noted for its viewer (errKicked),
// atomically with becoming a member: whichever comes first under the
// room's lock, the join or the kick, the other one sees it. Serve then
// authorises the connection again, which costs a read only then: an
// ordinary join takes two map operations under amu.

// errKicked sends a connection back to be authorised again: its user was
// disconnected while it was being admitted.
var errKicked = errors.New("realtime: disconnected while admitted")

// maxAdmits bounds how often Serve authorises one request again.
const maxAdmits = 3

// admission is one connection between the start of its authorisation and
// its joining the room. kicks is guarded by Hub.amu.
type admission struct {
	meetingID string
	kicks     []message
	unsure    bool // disconnects may have been missed (Hub.unsure)
}

// admitting registers an admission to meetingID.
func (h *Hub) admitting(meetingID string) *admission {
	a := &admission{meetingID: meetingID}
	h.amu.Lock()
	h.admits[a] = struct{}{}
	h.amu.Unlock()
	return a
}

// admitted ends an admission: the connection is a member or refused.
func (h *Hub) admitted(a *admission) {
	h.amu.Lock()
	delete(h.admits, a)
	h.amu.Unlock()
}

// noteKick records the disconnect m on the admissions it may concern.
func (h *Hub) noteKick(m message) {
	h.amu.Lock()
	defer h.amu.Unlock()
	for a := range h.admits {
		if m.MeetingID == "" || m.MeetingID == a.meetingID {
			a.kicks = append(a.kicks, m)
		}
	}
}

// noteUnsure marks every admission under way: disconnects that may
// concern any of them may have been missed (Hub.unsure).
func (h *Hub) noteUnsure() {
	h.amu.Lock()
	defer h.amu.Unlock()
	for a := range h.admits {
		a.unsure = true
	}
}

// kicked reports whether a disconnect for v reached a while it was
// admitted, or may have.
func (h *Hub) kicked(a *admission, v Viewer) bool {
	if a == nil {
		return false
	}
	h.amu.Lock()
	defer h.amu.Unlock()
	if a.unsure {
		return true
	}
	for _, m := range a.kicks {
		if kicks(m, v) {
			return true
		}
	}
	return false
}

// kicks reports whether the disconnect m applies to a connection of v (of
// the meeting m names, when it names one).
func kicks(m message, v Viewer) bool {
	return m.Kick == v.UserID && (m.Session == "" || m.Session == v.Session)
}

// kick carries out the disconnect m on this node: the app forgets the
// user's cached sessions (a user-wide disconnect), a possible change of
// rights is remembered for untagged resumes (rights.go), admissions under
// way are noted, then members are closed with 4003. That order matters:
// a join either sees the note or is a member when the room is searched,
// and a join sent back by the note finds the mark.
func (h *Hub) kick(m message) {
	if m.MeetingID == "" && h.opt.UserDisconnected != nil {
		h.opt.UserDisconnected(m.Kick)
	}
	h.markRightsChanged(m)
	h.noteKick(m)
	if m.MeetingID != "" {
		if r := h.lookup(m.MeetingID); r != nil {
			r.kick(m)
		}
		return
	}
	for _, r := range h.roomList() {
		r.kick(m)
	}
}
