package realtime

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/curia/curia/internal/apperr"
)

// storeTimeout bounds the store reads the hub makes on its own behalf.
const storeTimeout = 10 * time.Second

// openRoom returns the meeting's room, created on first use, with its head
// read from the store.
func (h *Hub) openRoom(ctx context.Context, meetingID string) (*room, error) {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return nil, apperr.New(apperr.Unavailable, "the server is shutting down")
	}
	r := h.rooms[meetingID]
	if r == nil {
		r = newRoom(h, meetingID)
		h.rooms[meetingID] = r
		h.metrics.rooms.Inc()
		h.askPresence(meetingID)
	}
	h.mu.Unlock()
	if err := r.ensureHead(ctx); err != nil {
		h.release(r)
		return nil, apperr.New(apperr.Unavailable, "live events are not available right now")
	}
	return r, nil
}

// ensureHead reads the room's head once. Records delivered meanwhile wait
// in pending; those at or below the head read are dropped as duplicates.
func (r *room) ensureHead(ctx context.Context) error {
	if _, known := r.headNow(); known {
		return nil
	}
	head, epoch, err := r.hub.st.head(ctx, r.id)
	if err != nil {
		r.hub.log.Warn("realtime: read seq counter", "meeting", r.id, "err", err)
		return err
	}
	r.mu.Lock()
	defer r.unlock()
	if !r.known {
		r.known, r.head, r.epoch = true, head, epoch
		r.drainLocked()
	}
	return nil
}

// lookup returns the meeting's room on this node, if there is one.
func (h *Hub) lookup(meetingID string) *room {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rooms[meetingID]
}

// release drops an empty room after Linger; a join in between keeps it.
func (h *Hub) release(r *room) {
	if h.opt.Linger < 0 {
		h.dropIfEmpty(r)
		return
	}
	r.mu.Lock()
	defer r.unlock()
	if r.dropTimer == nil {
		r.dropTimer = time.AfterFunc(h.opt.Linger, func() { h.dropIfEmpty(r) })
	} else {
		r.dropTimer.Reset(h.opt.Linger)
	}
}

func (h *Hub) dropIfEmpty(r *room) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms[r.id] == r && r.closeIfEmpty() {
		delete(h.rooms, r.id)
		h.metrics.rooms.Dec()
	}
}

// resetRoom makes the meeting's clients on this node start over.
func (h *Hub) resetRoom(meetingID string) {
	if r := h.lookup(meetingID); r != nil {
		r.reset()
	}
}

// deliver is the broker's sink: records of one meeting, in seq order.
func (h *Hub) deliver(recs []record) {
	if len(recs) == 0 {
		return
	}
	if r := h.lookup(recs[0].MeetingID); r != nil {
		h.deliverTo(r, recs)
	}
}

// deliverTo hands recs to r and fills any gap before them from the store.
func (h *Hub) deliverTo(r *room, recs []record) {
	after, upTo := r.accept(recs)
	if upTo <= after {
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, storeTimeout)
	defer cancel()
	missing, err := h.st.between(ctx, r.id, after, upTo)
	if err != nil {
		h.log.Warn("realtime: cannot fill a gap; resetting room", "meeting", r.id, "after", after, "upto", upTo, "err", err)
		r.reset()
		return
	}
	r.accept(missing)
}

// message is the broker's sink for ephemeral and control messages.
func (h *Hub) message(m message) {
	if m.Presence != nil {
		if m.Node != h.node {
			h.remotePresence(m)
		}
		return
	}
	if m.Kick != "" {
		h.kick(m) // also when this node has no room: someone may be joining
		return
	}
	if m.Reset {
		if m.Node != h.node { // the sender reset its own room at once
			h.resetRoom(m.MeetingID)
		}
		return
	}
	if r := h.lookup(m.MeetingID); r != nil {
		at := time.Time{}
		if m.At > 0 {
			at = time.Unix(0, m.At)
		}
		r.broadcast(newFrame(encodeEvent(0, m.Type, m.Data), at), m.Audience)
	}
}

// lost catches every room up from the store after the broker may have
// missed deliveries. A room whose read fails (the database that the
// listener just lost may still be failing) would otherwise stay behind
// until its meeting's next event, its tablets on a page turned meanwhile:
// it is tried again in the background by one retry loop per hub
// (catchUpLater), from catchUpFirst, the wait doubling, and after
// catchUpTries failures in all reset (4001: its clients reconnect and get
// a snapshot once the database answers).
func (h *Hub) lost() {
	failed := h.catchUpAll(h.roomList())
	if len(failed) == 0 {
		return
	}
	h.cmu.Lock()
	defer h.cmu.Unlock()
	if h.behind == nil {
		h.behind = map[*room]int{}
	}
	for _, r := range failed {
		h.behind[r] = max(h.behind[r], 1)
	}
	if !h.catchingUp {
		h.catchingUp = true
		h.bg.Add(1) // lost runs in the broker's goroutine, itself in h.bg
		go func() {
			defer h.bg.Done()
			h.catchUpLater()
		}()
	}
}

// Catching up after a lost delivery is tried catchUpTries times in all.
const (
	catchUpFirst = time.Second
	catchUpTries = 5
)

// catchUpLater tries the rooms left behind again until they are caught
// up, resets those that failed catchUpTries times, or stops with the hub.
func (h *Hub) catchUpLater() {
	wait := catchUpFirst
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-time.After(wait):
		}
		h.cmu.Lock()
		rooms := make([]*room, 0, len(h.behind))
		for r := range h.behind {
			rooms = append(rooms, r)
		}
		h.cmu.Unlock()
		failed := h.catchUpAll(rooms)
		h.cmu.Lock()
		for _, r := range rooms {
			if !slices.Contains(failed, r) {
				delete(h.behind, r)
			} else if h.behind[r]++; h.behind[r] >= catchUpTries {
				delete(h.behind, r)
				h.log.Warn("realtime: could not catch up after a lost delivery; the room starts over", "meeting", r.id)
				r.reset()
			}
		}
		done := len(h.behind) == 0
		if done {
			h.catchingUp = false
		}
		h.cmu.Unlock()
		if done {
			return
		}
		wait = min(2*wait, 8*catchUpFirst)
	}
}

// catchUpAll catches rooms up and returns those whose read failed.
func (h *Hub) catchUpAll(rooms []*room) []*room {
	var failed []*room
	for _, r := range rooms {
		ctx, cancel := context.WithTimeout(h.ctx, storeTimeout)
		if !h.catchUp(ctx, r) && h.ctx.Err() == nil {
			failed = append(failed, r)
		}
		cancel()
	}
	return failed
}

// unsure is told by the broker of control messages it may have missed
// and can no longer replay (its listener was deaf for longer than they
// are kept, pgcontrols.go): any connection here may be someone's who was
// disconnected meanwhile, or hold state that a lost event changed. Every
// room is reset (4001: the clients reconnect without since, are
// authorised afresh and get a full snapshot), connections being admitted
// are authorised again, and every untagged resume resyncs for a window
// (the rights marks it missed, rights.go).
func (h *Hub) unsure() {
	h.rmu.Lock()
	h.rightsAll = h.opt.Now().Add(h.rightsWindow())
	h.rmu.Unlock()
	h.noteUnsure()
	for _, r := range h.roomList() {
		r.reset()
	}
}

// catchUpIfBehind catches r up when a client resumes from a seq this node
// has not delivered yet (it came from a node that heard first).
func (h *Hub) catchUpIfBehind(ctx context.Context, r *room, since int64) {
	if head, known := r.headNow(); known && since > head {
		h.catchUp(ctx, r)
	}
}

// catchUp delivers what the store has beyond r's head. A store whose
// epoch changed (reset database) or that is too far ahead resets the room.
// It reports false when the store could not be read.
func (h *Hub) catchUp(ctx context.Context, r *room) bool {
	head, known := r.headNow()
	if !known {
		return true
	}
	dbHead, epoch, err := h.st.current(ctx, r.id)
	if err != nil {
		h.log.Warn("realtime: catch up", "meeting", r.id, "err", err)
		return false
	}
	r.mu.Lock()
	sameEpoch := epoch == r.epoch
	r.unlock()
	switch {
	case !sameEpoch || dbHead < head || dbHead-head > int64(h.opt.RetainEvents):
		r.reset()
	case dbHead > head:
		recs, err := h.st.between(ctx, r.id, head, dbHead)
		if errors.Is(err, errGone) {
			r.reset()
			return true
		}
		if err != nil {
			h.log.Warn("realtime: catch up", "meeting", r.id, "err", err)
			return false
		}
		h.deliverTo(r, recs)
	}
	return true
}
