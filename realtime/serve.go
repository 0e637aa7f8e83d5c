package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// EchoHandler serves GET /api/v1/meetings/:id/live on Echo; param names
// the route's meeting id parameter. Refusals before the upgrade are
// returned to Echo's error handler.
func (h *Hub) EchoHandler(param string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return h.Serve(c.Response(), c.Request(), c.Param(param))
	}
}

// Handler serves the endpoint on a net/http mux, with the meeting id in
// the {id} wildcard ("GET /api/v1/meetings/{id}/live"). It writes
// refusals itself as {"error":{"code","message"}}.
func (h *Hub) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.Serve(w, r, r.PathValue("id")); err != nil {
			if apperr.KindOf(err) == apperr.Internal {
				h.log.ErrorContext(r.Context(), "realtime: live connection refused", "err", err)
			}
			writeError(w, err)
		}
	})
}

func writeError(w http.ResponseWriter, err error) {
	var body web.ErrorBody
	body.Error.Code = string(apperr.KindOf(err))
	body.Error.Message = apperr.Public(err)
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(ae.RetryAfter.Seconds()))))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(web.StatusOf(err))
	_ = json.NewEncoder(w).Encode(body)
}

// Serve answers one live connection request for meetingID. Before the
// upgrade it checks the Origin, authorises, joins the room and prepares
// the snapshot; a refusal is returned as an apperr error and nothing is
// written. After the upgrade it returns nil at once: the connection runs on
// its own goroutines until it ends or the hub closes.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, meetingID string) error {
	if !h.checkOrigin(r) {
		return apperr.Forbiddenf("live connections from this origin are not allowed")
	}
	q, err := parseResume(r.URL.Query())
	if err != nil {
		return err
	}
	if !websocket.IsWebSocketUpgrade(r) {
		return apperr.Invalidf("expected a websocket upgrade")
	}
	var c *conn
	var initial []*frame
	for attempt := 1; ; attempt++ {
		c, initial, err = h.authorizeAndAdmit(r, meetingID, q)
		if !errors.Is(err, errKicked) {
			break
		}
		if attempt == maxAdmits { // disconnected again and again: let the client retry
			return apperr.New(apperr.Unavailable, "access to this meeting is changing; try again")
		}
	}
	if err != nil {
		return err
	}
	ws, err := h.upgrader.Upgrade(upgradeVia{ResponseWriter: w, c: c}, r, nil)
	if err != nil {
		h.abandon(c)
		return apperr.Invalidf("websocket handshake failed")
	}
	c.ws = ws
	go c.run(initial)
	return nil
}

// authorizeAndAdmit authorises the request and joins the room. A user
// disconnected in between is errKicked: authorise again (admit.go).
func (h *Hub) authorizeAndAdmit(r *http.Request, meetingID string, q resume) (*conn, []*frame, error) {
	adm := h.admitting(meetingID) // before the Authorizer reads anything
	defer h.admitted(adm)
	v, err := h.opt.Authorizer.Authorize(r, meetingID)
	if err != nil {
		return nil, nil, err
	}
	if v.UserID == "" {
		return nil, nil, apperr.Internalf(errors.New("empty user id"), "authorize live connection")
	}
	if !h.enter() {
		return nil, nil, apperr.New(apperr.Unavailable, "the server is shutting down")
	}
	c, initial, err := h.admit(r.Context(), v, meetingID, q, adm)
	if err != nil {
		h.conns.Done()
		return nil, nil, err
	}
	return c, initial, nil
}

// enter counts a connection in, unless the hub is closing.
func (h *Hub) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.conns.Add(1)
	return true
}

// abandon undoes admit for a connection that never started.
func (h *Hub) abandon(c *conn) {
	c.close(websocket.CloseAbnormalClosure, "")
	if c.room.leave(c) {
		h.release(c.room)
	}
	h.conns.Done()
}

// resume is what the client asked for in the query string: where it
// stands (since, epoch), and following=false for a tablet that reconnects
// while browsing on its own.
type resume struct {
	resume    bool
	since     int64
	epoch     string
	following bool
}

func parseResume(q url.Values) (resume, error) {
	res := resume{following: q.Get("following") != "false", epoch: q.Get("epoch")}
	s := q.Get("since")
	if s == "" {
		return res, nil
	}
	since, err := strconv.ParseInt(s, 10, 64)
	if err != nil || since < 0 {
		return resume{}, apperr.Invalidf("since must be a sequence number")
	}
	res.resume, res.since = true, since
	return res, nil
}

// admit joins the room and prepares the connection's first messages. The
// connection is a member (and receives live events in its queue) before
// the snapshot is taken, so nothing published meanwhile is lost.
func (h *Hub) admit(ctx context.Context, v Viewer, meetingID string, q resume, adm *admission) (*conn, []*frame, error) {
	for attempt := 0; ; attempt++ {
		r, err := h.openRoom(ctx, meetingID)
		if err != nil {
			return nil, nil, err
		}
		if q.resume {
			h.catchUpIfBehind(ctx, r, q.since)
		}
		c := h.newConn(v, r)
		o, err := r.join(c, q, adm)
		if errors.Is(err, errRoomClosed) && attempt < 3 {
			continue // dropped between lookup and join; take a fresh one
		}
		if errors.Is(err, errKicked) || apperr.KindOf(err) == apperr.RateLimited {
			if r.leave(c) { // not a member: only lets an empty room go
				h.release(r)
			}
			return nil, nil, err
		}
		if err != nil {
			return nil, nil, apperr.New(apperr.Unavailable, "the live room is not available")
		}
		initial, err := h.opening(ctx, c, o)
		if err != nil {
			c.close(websocket.CloseAbnormalClosure, "")
			if r.leave(c) {
				h.release(r)
			}
			return nil, nil, err
		}
		return c, initial, nil
	}
}

// opening is where a joining connection stands, decided under the room lock.
type opening struct {
	head      int64
	epoch     string
	since     int64
	resume    bool     // replay (since, head], no state in the snapshot
	resync    bool     // since is unusable: resync, then a full snapshot
	replay    []*entry // from memory
	fromStore bool     // the replay must be read from the store
	online    json.RawMessage
	following json.RawMessage // managers only
}

// join makes c a member and fixes, atomically with that, the seq its
// snapshot stands at: every later event goes to c's queue. It refuses a
// viewer disconnected while being admitted (adm; see admit.go).
func (r *room) join(c *conn, q resume, adm *admission) (opening, error) {
	r.mu.Lock()
	defer r.unlock()
	if r.closed || !r.known {
		return opening{}, errRoomClosed
	}
	if r.hub.kicked(adm, c.viewer) {
		return opening{}, errKicked
	}
	if err := r.makeRoomLocked(c); err != nil { // limit.go
		return opening{}, err
	}
	o := opening{head: r.head, epoch: epochFor(r.epoch, c.viewer), since: q.since}
	stream, rights := splitEpoch(q.epoch)
	switch {
	case !q.resume:
	case q.epoch != "" && stream != r.epoch, q.since > r.head, r.head-q.since > int64(r.hub.opt.RetainEvents):
		o.resync = true
	case rights != "" && rights != rightsTag(c.viewer), // built with other rights (rights.go)
		rights == "" && r.hub.rightsChanged(r.id, c.viewer.UserID): // no tag: what this node heard
		o.resync = true
	default:
		o.resume = true
		replay, inMemory := r.recent.after(q.since, r.head, r.hub.opt.Now().Add(-r.hub.opt.Retention))
		o.replay, o.fromStore = replay, !inMemory
	}
	r.addLocked(c, q.following)
	o.online = r.pres.online()
	if c.viewer.CanManage {
		o.following = r.pres.following()
	}
	return o, nil
}

// snapshotData is the data of a snapshot message; its parts are JSON already.
type snapshotData struct {
	Epoch     string
	Resumed   bool
	State     json.RawMessage // nil when resumed
	Online    json.RawMessage
	Following json.RawMessage // nil except for managers
}

// encodeSnapshot builds {"type":"snapshot","seq":N,"data":{…}} by
// concatenation: json.Marshal would re-scan the online list, which in a
// big room is most of the bytes, on every join.
func encodeSnapshot(seq int64, d snapshotData) []byte {
	b := make([]byte, 0, 96+len(d.State)+len(d.Online)+len(d.Following))
	b = append(b, `{"type":"snapshot","seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"data":{"epoch":`...)
	epoch, _ := json.Marshal(d.Epoch)
	b = append(b, epoch...)
	if d.Resumed {
		b = append(b, `,"resumed":true`...)
	}
	if d.State != nil {
		b = append(append(b, `,"state":`...), d.State...)
	}
	b = append(append(b, `,"online":`...), d.Online...)
	if d.Following != nil {
		b = append(append(b, `,"following":`...), d.Following...)
	}
	return append(b, "}}"...)
}

// opening builds the first messages: [resync,] snapshot, replay.
func (h *Hub) opening(ctx context.Context, c *conn, o opening) ([]*frame, error) {
	if o.fromStore {
		recs, err := h.st.between(ctx, c.room.id, o.since, o.head)
		switch {
		case errors.Is(err, errGone):
			o.resume, o.resync = false, true
		case err != nil:
			return nil, apperr.New(apperr.Unavailable, "live events are not available right now")
		}
		for _, rec := range recs {
			o.replay = append(o.replay, newEntry(rec))
		}
	}
	if o.resume && !h.replayAllowed(ctx, c, o.replay) { // replay.go
		o.resume, o.resync, o.replay = false, true, nil
	}
	var frames []*frame
	snap := snapshotData{Epoch: o.epoch, Resumed: o.resume, Online: o.online, Following: o.following}
	if o.resync {
		h.metrics.resyncs.Inc()
		frames = append(frames, ephemeral("resync", nil))
	}
	if !o.resume {
		state, err := h.snapshot(ctx, c.viewer, c.room.id)
		if err != nil {
			return nil, err
		}
		snap.State = state
	}
	frames = append(frames, newFrame(encodeSnapshot(o.head, snap), time.Time{}))
	if o.resume {
		for _, e := range o.replay {
			frames = append(frames, e.frameFor(c.viewer.UserID))
		}
	}
	return frames, nil
}

// snapshot asks the Snapshotter for the meeting's state, as JSON.
func (h *Hub) snapshot(ctx context.Context, v Viewer, meetingID string) (json.RawMessage, error) {
	if h.opt.Snapshotter == nil {
		return json.RawMessage("null"), nil
	}
	state, err := h.opt.Snapshotter.Snapshot(ctx, v, meetingID)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(state)
	if err != nil {
		return nil, apperr.Internalf(err, "encode live state")
	}
	return b, nil
}
