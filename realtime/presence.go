package realtime

import (
	"encoding/json"
	"slices"
	"sort"
	"time"
)

// maxNotFollowing caps the ids listed in follow counts; the counts stay exact.
const maxNotFollowing = 200

// onlineUser is one person in a room's online list.
type onlineUser struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
}

// followCounts is what managers see: "34 of 40 following".
type followCounts struct {
	Following    int      `json:"following"`
	Online       int      `json:"online"`
	NotFollowing []string `json:"not_following"`
}

// person is a user with one or more connections in a room.
type person struct {
	user      onlineUser
	conns     int // open tabs; the user counts once
	following int // tabs following the presenter; the user follows if any does
}

// presence tracks who is online and who follows, and tells the room about
// changes at most once per FollowInterval: when 500 tablets reconnect at
// once, each member gets a few batched messages instead of 500 each.
// Clients are told in batches, so snapshots carry the list as last told
// (shown) and the next batch brings the changes since; nothing is missed.
// All fields are guarded by the room's mutex.
type presence struct {
	r         *room
	users     map[string]*person
	shown     map[string]onlineUser // what members were last told
	dirty     map[string]struct{}
	managers  int
	told      followCounts // what managers were last told
	timer     *time.Timer
	scheduled bool
	last      time.Time
	// encoded shown list and counts for snapshots; nil when stale
	onlineJSON, followJSON json.RawMessage

	// Other nodes (nodes_presence.go).
	remote       map[string]*remoteNode // node id → its people in this room
	gen          int64                  // of the lists this node sends
	localChanged bool                   // this node's people changed since its list was last sent
}

func (p *presence) init(r *room) {
	p.r = r
	p.users = map[string]*person{}
	p.shown = map[string]onlineUser{}
	p.dirty = map[string]struct{}{}
	p.told.NotFollowing = []string{}
	p.remote = map[string]*remoteNode{}
	p.gen = time.Now().UnixNano() // a room made again on this node still sends newer lists
}

func (p *presence) add(c *conn) {
	v := c.viewer
	u := p.users[v.UserID]
	if u == nil {
		u = &person{}
		p.users[v.UserID] = u
	}
	u.user = onlineUser{UserID: v.UserID, Name: v.Name, Role: v.Role} // the latest tab's view wins
	u.conns++
	if c.following {
		u.following++
	}
	if v.CanManage {
		p.managers++
	}
	p.localChanged = true
	p.changed(v.UserID)
}

func (p *presence) remove(c *conn) {
	v := c.viewer
	u := p.users[v.UserID]
	if u == nil {
		return
	}
	u.conns--
	if c.following {
		u.following--
	}
	if u.conns <= 0 {
		delete(p.users, v.UserID)
	}
	if v.CanManage {
		p.managers--
	}
	p.localChanged = true
	p.changed(v.UserID)
}

func (p *presence) follow(c *conn, on bool) {
	c.following = on
	if u := p.users[c.viewer.UserID]; u != nil {
		if on {
			u.following++
		} else {
			u.following--
		}
	}
	p.localChanged = true
	p.changed(c.viewer.UserID)
}

// changed marks user and arranges a flush: at once when the last one is
// older than the interval, else when the interval has passed.
func (p *presence) changed(user string) {
	p.dirty[user] = struct{}{}
	if p.scheduled || p.r.closed {
		return
	}
	p.scheduled = true
	delay := max(0, time.Until(p.last.Add(p.r.hub.opt.FollowInterval)))
	if p.timer == nil {
		p.timer = time.AfterFunc(delay, p.flush)
	} else {
		p.timer.Reset(delay)
	}
}

func (p *presence) stop() {
	if p.timer != nil {
		p.timer.Stop()
	}
}

// flush tells members who joined and left, and managers the new counts.
func (p *presence) flush() {
	r := p.r
	r.mu.Lock()
	defer r.unlock()
	p.scheduled = false
	if r.closed {
		return
	}
	p.last = time.Now()
	if p.localChanged {
		p.localChanged = false
		r.queuePresenceLocked()
	}
	joined, left := p.diff()
	if len(joined) > 0 {
		r.sendAllLocked(ephemeral("presence.joined", map[string]any{"users": joined}), nil)
	}
	if len(left) > 0 {
		r.sendAllLocked(ephemeral("presence.left", map[string]any{"user_ids": left}), nil)
	}
	if counts := p.counts(); !sameCounts(counts, p.told) {
		p.told, p.followJSON = counts, nil
		r.sendAllLocked(ephemeral("follow.changed", counts), func(c *conn) bool { return c.viewer.CanManage })
	}
	r.flushSlowLocked()
}

// diff moves shown to the current state and returns the difference.
func (p *presence) diff() (joined []onlineUser, left []string) {
	for id := range p.dirty {
		old, was := p.shown[id]
		cur, _, is := p.merged(id)
		switch {
		case is && (!was || old != cur):
			joined = append(joined, cur)
			p.shown[id] = cur
		case !is && was:
			left = append(left, id)
			delete(p.shown, id)
		}
	}
	clear(p.dirty)
	if len(joined)+len(left) > 0 {
		p.onlineJSON = nil
	}
	sort.Slice(joined, func(i, j int) bool { return joined[i].UserID < joined[j].UserID })
	sort.Strings(left)
	return joined, left
}

func (p *presence) counts() followCounts {
	ids := p.allIDs()
	c := followCounts{Online: len(ids), NotFollowing: []string{}}
	for id := range ids {
		if _, following, _ := p.merged(id); following {
			c.Following++
		} else {
			c.NotFollowing = append(c.NotFollowing, id)
		}
	}
	sort.Strings(c.NotFollowing)
	if len(c.NotFollowing) > maxNotFollowing {
		c.NotFollowing = c.NotFollowing[:maxNotFollowing]
	}
	return c
}

func sameCounts(a, b followCounts) bool {
	return a.Following == b.Following && a.Online == b.Online && slices.Equal(a.NotFollowing, b.NotFollowing)
}

// online returns the encoded list members were last told, for snapshots.
func (p *presence) online() json.RawMessage {
	if p.onlineJSON == nil {
		list := make([]onlineUser, 0, len(p.shown))
		for _, u := range p.shown {
			list = append(list, u)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].UserID < list[j].UserID })
		p.onlineJSON, _ = json.Marshal(list) // plain strings always marshal
	}
	return p.onlineJSON
}

// following returns the encoded counts managers were last told.
func (p *presence) following() json.RawMessage {
	if p.followJSON == nil {
		p.followJSON, _ = json.Marshal(p.told)
	}
	return p.followJSON
}

// sendAllLocked queues f for the members to accepts (nil: all).
func (r *room) sendAllLocked(f *frame, to func(*conn) bool) {
	for _, c := range r.members {
		if to == nil || to(c) {
			r.sendLocked(c, f)
		}
	}
}

// ephemeral encodes a hub-made message; its data always marshals.
func ephemeral(typ string, data any) *frame {
	b, _ := encodeMessage(typ, data)
	return newFrame(b, time.Time{})
}
