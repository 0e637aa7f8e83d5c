package realtime

import (
	"context"
	"encoding/json"
	"sort"
	"sync"
	"time"
)

// Presence across nodes. Each node tells the others, through the broker,
// who is online in each of its rooms and whether they follow: the whole
// list of its room (in parts that fit a NOTIFY), after every presence
// batch that changed it and again every PresenceHeartbeat. Every node
// merges the lists by node id with its own sockets, so who-is-online and
// "34 of 40 following" count the whole meeting; a person on two nodes
// counts once. A node that stops talking (it crashed, or lost its
// database) is forgotten after three heartbeats; one that shuts down or
// empties its room says so at once. A node that opens a room asks the
// others to tell it at once. On SQLite (one node) none of this runs.

// presenceNote is one node's presence in one room, or a part of it.
type presenceNote struct {
	Gen   int64        `json:"g"`           // grows with every list a node sends for a room
	Part  int          `json:"i,omitempty"` // 0-based
	Parts int          `json:"n"`           // 0: the node has nobody in the room
	Users []remoteUser `json:"u,omitempty"`
	Ask   bool         `json:"q,omitempty"` // "tell me yours": a node opened the room
	parts map[int][]remoteUser
}

// remoteUser is one person online on another node.
type remoteUser struct {
	ID        string `json:"id"`
	Name      string `json:"nm"`
	Role      string `json:"r"`
	Following bool   `json:"f,omitempty"`
}

// remoteNode is what another node last told about a room.
type remoteNode struct {
	users   map[string]remoteUser
	gen     int64
	seen    time.Time
	pending *presenceNote // parts of a newer list still arriving
}

// presenceChunk bounds the encoded users of one note (NOTIFY carries ~7.8 KB).
const presenceChunk = 6000

// multiNode reports whether other nodes may exist.
func (h *Hub) multiNode() bool {
	_, ok := h.broker.(*pgBroker)
	return ok
}

// presenceOut queues the rooms whose local presence is to be sent, one
// sender goroutine sends them; the latest list of a room wins.
type presenceOut struct {
	mu      sync.Mutex
	pending map[string]*presenceNote // meeting → list to send
	asks    map[string]bool          // meetings to ask the other nodes about
	wake    chan struct{}
}

// queuePresenceLocked queues the room's local list for the other nodes.
// r.mu is held.
func (r *room) queuePresenceLocked() {
	h := r.hub
	if !h.multiNode() {
		return
	}
	p := &r.pres
	p.gen++
	users := make([]remoteUser, 0, len(p.users))
	for id, u := range p.users {
		users = append(users, remoteUser{ID: id, Name: u.user.Name, Role: u.user.Role, Following: u.following > 0})
	}
	h.pout.mu.Lock()
	h.pout.pending[r.id] = &presenceNote{Gen: p.gen, Users: users}
	h.pout.mu.Unlock()
	select {
	case h.pout.wake <- struct{}{}:
	default:
	}
}

// presenceLoop sends queued lists, and every heartbeat sends every room's
// list again and forgets the nodes that have been silent too long.
func (h *Hub) presenceLoop(ctx context.Context) {
	t := time.NewTicker(h.opt.PresenceHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.pout.wake:
		case <-t.C:
			for _, r := range h.roomList() {
				r.heartbeat(3 * h.opt.PresenceHeartbeat)
			}
		}
		h.pout.mu.Lock()
		out, asks := h.pout.pending, h.pout.asks
		h.pout.pending, h.pout.asks = map[string]*presenceNote{}, map[string]bool{}
		h.pout.mu.Unlock()
		for meetingID := range asks {
			h.broadcastPresence(ctx, meetingID, &presenceNote{Ask: true})
		}
		for meetingID, n := range out {
			h.sendPresence(ctx, meetingID, n)
		}
	}
}

// sendPresence broadcasts a list in parts.
func (h *Hub) sendPresence(ctx context.Context, meetingID string, n *presenceNote) {
	sort.Slice(n.Users, func(i, j int) bool { return n.Users[i].ID < n.Users[j].ID })
	var parts [][]remoteUser
	size, start := 0, 0
	for i, u := range n.Users {
		b, _ := json.Marshal(u) // strings always marshal
		if size+len(b) > presenceChunk && i > start {
			parts = append(parts, n.Users[start:i])
			start, size = i, 0
		}
		size += len(b) + 1
	}
	if start < len(n.Users) {
		parts = append(parts, n.Users[start:])
	}
	for i, users := range parts {
		note := &presenceNote{Gen: n.Gen, Part: i, Parts: len(parts), Users: users}
		h.broadcastPresence(ctx, meetingID, note)
	}
	if len(parts) == 0 {
		h.broadcastPresence(ctx, meetingID, &presenceNote{Gen: n.Gen})
	}
}

func (h *Hub) broadcastPresence(ctx context.Context, meetingID string, note *presenceNote) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := h.broker.Broadcast(ctx, message{Node: h.node, MeetingID: meetingID, Presence: note}); err != nil && ctx.Err() == nil {
		h.log.Warn("realtime: send presence to other nodes", "meeting", meetingID, "err", err)
	}
}

// askPresence asks the other nodes for their lists of a room just opened.
func (h *Hub) askPresence(meetingID string) {
	if !h.multiNode() {
		return
	}
	h.pout.mu.Lock()
	defer h.pout.mu.Unlock()
	h.pout.asks[meetingID] = true
	select {
	case h.pout.wake <- struct{}{}:
	default:
	}
}

// roomList returns this node's rooms.
func (h *Hub) roomList() []*room {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		out = append(out, r)
	}
	return out
}

// heartbeat sends the room's list again and forgets nodes silent for
// longer than maxAge.
func (r *room) heartbeat(maxAge time.Duration) {
	r.mu.Lock()
	defer r.unlock()
	if r.closed {
		return
	}
	now := time.Now()
	for node, rn := range r.pres.remote {
		if now.Sub(rn.seen) > maxAge {
			r.pres.replaceRemote(node, nil)
		}
	}
	if len(r.members) > 0 {
		r.queuePresenceLocked()
	}
}

// remotePresence takes a note from another node.
func (h *Hub) remotePresence(m message) {
	r := h.lookup(m.MeetingID)
	if r == nil {
		return // no room here: the node asks when it opens one
	}
	n := m.Presence
	r.mu.Lock()
	defer r.unlock()
	if r.closed {
		return
	}
	if n.Ask {
		if len(r.members) > 0 {
			r.queuePresenceLocked()
		}
		return
	}
	r.pres.takeNote(m.Node, n)
}

// takeNote applies a part of another node's list; the list replaces the
// node's previous one once all its parts are in.
func (p *presence) takeNote(node string, n *presenceNote) {
	rn := p.remote[node]
	if rn == nil {
		rn = &remoteNode{users: map[string]remoteUser{}}
		p.remote[node] = rn
	}
	rn.seen = time.Now()
	if n.Gen <= rn.gen {
		return // older than what is shown
	}
	if n.Parts == 0 {
		// The node has nobody here (it emptied its room or shut down).
		// Its entry stays, empty, with this generation, as a tombstone:
		// a list it sent earlier may still arrive (the goodbye and the
		// last list go on different connections, and commit in either
		// order), and must not bring its people back. The heartbeat
		// forgets the tombstone with the node once it has been silent
		// for three heartbeats, which bounds how many are kept.
		p.replaceRemote(node, map[string]remoteUser{})
		rn.gen = n.Gen
		return
	}
	if rn.pending == nil || rn.pending.Gen < n.Gen {
		rn.pending = &presenceNote{Gen: n.Gen, Parts: n.Parts, parts: map[int][]remoteUser{}}
	} else if rn.pending.Gen > n.Gen {
		return
	}
	if n.Part < 0 || n.Part >= rn.pending.Parts {
		return
	}
	rn.pending.parts[n.Part] = n.Users
	if len(rn.pending.parts) < rn.pending.Parts {
		return
	}
	users := map[string]remoteUser{}
	for _, part := range rn.pending.parts {
		for _, u := range part {
			users[u.ID] = u
		}
	}
	gen := rn.pending.Gen
	p.replaceRemote(node, users)
	if rn := p.remote[node]; rn != nil {
		rn.gen = gen
	}
}

// replaceRemote sets a node's users (nil: forget the node) and marks who
// changed.
func (p *presence) replaceRemote(node string, users map[string]remoteUser) {
	old := p.remote[node]
	var before map[string]remoteUser
	if old != nil {
		before = old.users
	}
	for id, u := range users {
		if b, ok := before[id]; !ok || b != u {
			p.changed(id)
		}
	}
	for id := range before {
		if _, ok := users[id]; !ok {
			p.changed(id)
		}
	}
	if users == nil {
		delete(p.remote, node)
		return
	}
	if old == nil {
		old = &remoteNode{seen: time.Now()}
		p.remote[node] = old
	}
	old.users, old.pending = users, nil
}

// merged returns user as the whole meeting sees them: online on this
// node or another, and following on any. Another node's view of a name is
// used only for someone not on this node; of several, the least.
func (p *presence) merged(id string) (user onlineUser, following, online bool) {
	if u := p.users[id]; u != nil {
		user, following, online = u.user, u.following > 0, true
	}
	for _, rn := range p.remote {
		ru, ok := rn.users[id]
		if !ok {
			continue
		}
		following = following || ru.Following
		if cand := (onlineUser{UserID: ru.ID, Name: ru.Name, Role: ru.Role}); p.users[id] == nil && (!online || lessUser(cand, user)) {
			user = cand
		}
		online = true
	}
	return user, following, online
}

func lessUser(a, b onlineUser) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Role < b.Role
}

// allIDs lists everyone online on any node.
func (p *presence) allIDs() map[string]struct{} {
	ids := make(map[string]struct{}, len(p.users))
	for id := range p.users {
		ids[id] = struct{}{}
	}
	for _, rn := range p.remote {
		for id := range rn.users {
			ids[id] = struct{}{}
		}
	}
	return ids
}

// sayGone tells the other nodes that this one has nobody in its rooms
// any more (it is shutting down), best effort and bounded by ctx.
func (h *Hub) sayGone(ctx context.Context, rooms map[string]*room) {
	if !h.multiNode() {
		return
	}
	for id, r := range rooms {
		r.mu.Lock()
		r.pres.gen++
		gen := r.pres.gen
		r.unlock()
		if ctx.Err() != nil {
			return
		}
		h.broadcastPresence(ctx, id, &presenceNote{Gen: gen})
	}
}
