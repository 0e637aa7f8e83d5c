package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/ids"
)

// Viewer is an authenticated participant of one meeting.
type Viewer struct {
	UserID string
	Name   string
	Role   string
	// IsAdmin is true for an administrator, whether or not they take part:
	// client message handlers treat them as REST does.
	IsAdmin bool
	// CanManage is true for the chair, the secretary and admins: they see
	// how many people follow the presenter.
	CanManage bool
	// Session names the session the connection was opened with (opaque to
	// the hub), so that DisconnectSession closes it when that session ends,
	// and Options.Sessions keeps it in use while the connection is open.
	Session string
	// SessionExpires is when Session's lifetime ends: the connections
	// opened with it close then (4003), on their own node, whatever their
	// traffic. Zero: the session has no end (and without Session, none is
	// tracked).
	SessionExpires time.Time
}

// Authorizer decides who may open a meeting's live connection. It runs
// before the upgrade, may block on the database, and returns an apperr
// error: Unauthenticated (401) without a valid session, NotFound (404) for
// someone who is not a participant, Forbidden (403), or another kind.
type Authorizer interface {
	Authorize(r *http.Request, meetingID string) (Viewer, error)
}

// Snapshotter returns a meeting's live state as the viewer may see it
// (meeting status, current item, presentation, open poll, speakers). The
// result is marshalled to JSON. It may block on the database; an error
// fails the connection attempt with the status of its apperr kind.
type Snapshotter interface {
	Snapshot(ctx context.Context, v Viewer, meetingID string) (any, error)
}

// ClientHandler handles one app-registered client message type. It runs
// on the connection's reader goroutine, so a slow handler delays only that
// connection's next message. A returned apperr error is sent to the client
// as an error message; its internal cause is only logged.
type ClientHandler func(ctx context.Context, v Viewer, meetingID string, data json.RawMessage) error

// Hub is the websocket hub. It implements event.Publisher.
type Hub struct {
	opt      Options
	log      *slog.Logger
	st       *store
	broker   broker
	node     string
	upgrader websocket.Upgrader
	metrics  *metrics
	pong     *frame

	ctx    context.Context // ends at Close; background work and client handlers
	cancel context.CancelFunc
	bg     sync.WaitGroup // broker and pruner
	conns  sync.WaitGroup // every connection from Serve until its goroutines end

	mu      sync.Mutex
	rooms   map[string]*room
	closing bool

	amu    sync.Mutex
	admits map[*admission]struct{} // connections between authorisation and joining (admit.go)

	hmu      sync.RWMutex
	handlers map[string]ClientHandler

	paced map[string]bool // Options.Paced (pace.go)

	pout presenceOut // presence for other nodes

	smu      sync.Mutex
	sessions map[string]*liveSession // open connections by Viewer.Session (sessions.go)

	rmu       sync.Mutex
	rights    map[rightsKey]time.Time // whose access changed, and when (rights.go)
	rightsAll time.Time               // every untagged resume resyncs until then (rights.go)

	cmu        sync.Mutex    // guards behind and catchingUp (rooms.go, lost)
	behind     map[*room]int // rooms whose catch-up failed, and how many times
	catchingUp bool          // catchUpLater runs
}

var _ event.Publisher = (*Hub)(nil)

// New starts a hub on db, which must have been migrated with Migration().
// On PostgreSQL it listens for other nodes' events until Close.
func New(opt Options) (*Hub, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	opt.setDefaults()
	h := &Hub{opt: opt, log: opt.Logger, node: ids.New(),
		st: &store{db: opt.DB.Gorm, now: opt.Now}, rooms: map[string]*room{}, handlers: map[string]ClientHandler{},
		admits: map[*admission]struct{}{}, sessions: map[string]*liveSession{}, paced: map[string]bool{}}
	for _, t := range opt.Paced {
		h.paced[t] = true
	}
	h.pong = newFrame(encodeEvent(0, "pong", nil), time.Time{})
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Small read buffers and pooled write buffers keep an idle
		// connection cheap; prepared messages bypass the write buffer.
		ReadBufferSize:  1024,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     h.checkOrigin,
		Error:           func(http.ResponseWriter, *http.Request, int, error) {}, // Serve reports errors
	}
	var err error
	if h.broker, err = h.newBroker(); err != nil {
		return nil, err
	}
	if h.metrics, err = newMetrics(opt.Metrics); err != nil {
		return nil, fmt.Errorf("realtime metrics: %w", err)
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.pout = presenceOut{pending: map[string]*presenceNote{}, asks: map[string]bool{}, wake: make(chan struct{}, 1)}
	h.bg.Add(2)
	go func() { defer h.bg.Done(); h.broker.Run(h.ctx) }()
	go func() { defer h.bg.Done(); h.pruneLoop(h.ctx) }()
	if h.multiNode() {
		h.bg.Add(1)
		go func() { defer h.bg.Done(); h.presenceLoop(h.ctx) }()
	}
	if h.opt.Sessions != nil {
		h.bg.Add(1)
		go func() { defer h.bg.Done(); h.sessionLoop(h.ctx) }()
	}
	return h, nil
}

func (h *Hub) newBroker() (broker, error) {
	if h.opt.DB.Dialect != database.Postgres {
		return newLocalBroker(h.st, h, h.opt.PublishTimeout), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	channel, err := channelFor(ctx, h.st.db)
	if err != nil {
		return nil, err
	}
	b := &pgBroker{st: h.st, sink: h, node: h.node, channel: channel, log: h.log, listening: make(chan struct{}),
		heartbeat: h.opt.PresenceHeartbeat, keep: h.opt.controlKeep, unsure: h.unsure, resend: resends{wake: make(chan struct{}, 1)}}
	b.commit = groupCommit{timeout: h.opt.PublishTimeout, write: b.appendGroups}
	b.heard.Store(time.Now().UnixNano()) // a node that cannot listen for long after it starts is deaf too
	return b, nil
}

// Publish stores and sequences events and fans them out to their rooms on
// every node. It blocks while the events are written to the database (at
// most PublishTimeout), never on clients. An event that cannot be stored is
// logged, and its room's clients, on every node, are told to reconnect
// without resuming (4001) so that they refetch the state the event would
// have announced; telling the other nodes takes at most PublishTimeout
// more, and is stored so that a node not listening just then hears of it
// when it listens again (pgcontrols.go).
func (h *Hub) Publish(ctx context.Context, events ...event.Event) {
	base := context.WithoutCancel(ctx)
	ctx, cancel := context.WithTimeout(base, h.opt.PublishTimeout)
	defer cancel()
	for _, batch := range h.batches(events) {
		meetingID := batch[0].MeetingID
		if err := h.broker.Append(ctx, meetingID, batch); err != nil {
			h.metrics.publishFails.Add(float64(len(batch)))
			h.log.ErrorContext(ctx, "realtime: publish failed; resetting room", "meeting", meetingID, "err", err)
			h.resetRoom(meetingID)
			h.resetElsewhere(base, meetingID)
			continue
		}
		h.metrics.published.Add(float64(len(batch)))
	}
}

// resetElsewhere tells the other nodes to reset the meeting's room: an
// event of it could not be stored, so their clients hold state it would
// have changed, and no gap in the seqs shows it. Best effort, bounded by
// PublishTimeout.
func (h *Hub) resetElsewhere(ctx context.Context, meetingID string) {
	if !h.multiNode() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, h.opt.PublishTimeout)
	defer cancel()
	// Audience nobody: a node of an older release, which does not know
	// Reset, takes it for an ephemeral message, and gives it to nobody.
	m := message{Node: h.node, MeetingID: meetingID, Reset: true, Audience: []string{}}
	if err := h.broker.Broadcast(ctx, m); err != nil {
		h.log.ErrorContext(ctx, "realtime: cannot tell the other nodes to reset a room", "meeting", meetingID, "err", err)
	}
}

// batches encodes events and groups them by meeting, keeping their order.
func (h *Hub) batches(events []event.Event) [][]record {
	var out [][]record
	index := map[string]int{}
	now := h.opt.Now()
	for _, e := range events {
		data, err := json.Marshal(e.Data)
		if err != nil || !validType(e.Type) || e.MeetingID == "" {
			h.log.Error("realtime: event dropped", "meeting", e.MeetingID, "type", e.Type, "err", err)
			continue
		}
		rec := record{MeetingID: e.MeetingID, Type: e.Type, Data: data, Audience: e.Audience, Exclude: e.Exclude, At: now}
		i, ok := index[e.MeetingID]
		if !ok {
			i = len(out)
			index[e.MeetingID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], rec)
	}
	return out
}

// Broadcast sends an ephemeral message (no seq, not stored, not replayed) to
// the clients of a meeting on every node, or only to the users in audience
// when it is not nil. It is encoded once. Delivery to other nodes is best
// effort: PostgreSQL carries a message in parts of up to about 5.6 KB, at
// most 64 of them (about 358 KB in all); a bigger one reaches only this
// node's clients and Broadcast returns an error. A message sent while
// another node's listener is reconnecting does not reach that node.
func (h *Hub) Broadcast(ctx context.Context, meetingID, typ string, data any, audience []string) error {
	if !validType(typ) || reserved(typ) {
		return fmt.Errorf("realtime: invalid message type %q", typ)
	}
	if audience != nil && len(audience) == 0 {
		return nil // nobody: nothing to send
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("realtime: encode %s: %w", typ, err)
	}
	m := message{Node: h.node, MeetingID: meetingID, Type: typ, Data: raw, Audience: audience, At: time.Now().UnixNano()}
	return h.broker.Broadcast(ctx, m)
}

// Disconnect closes a user's connections to a meeting on every node with
// 4003, e.g. after they were removed from it or given another role; they
// may reconnect and be authorised again. A connection of theirs being
// admitted meanwhile (authorised, not yet in the room) is authorised
// again before it joins. A reconnection with since whose state was built
// with other rights than the user has now gets resync and a full
// snapshot (rights.go). On PostgreSQL the disconnect is stored for a
// while, so that a node whose listener is reconnecting meanwhile carries
// it out when it listens again (pgcontrols.go); an error means it may
// not have reached the other nodes.
func (h *Hub) Disconnect(ctx context.Context, meetingID, userID string) error {
	if meetingID == "" || userID == "" {
		return errors.New("realtime: disconnect needs a meeting and a user")
	}
	return h.broker.Broadcast(ctx, message{Node: h.node, MeetingID: meetingID, Kick: userID})
}

// DisconnectUser closes a user's connections to every meeting on every
// node with 4003, e.g. after the user was disabled or their administrator
// right changed. Options.UserDisconnected runs on every node first. As
// after Disconnect, reconnections with other rights resync (rights.go).
func (h *Hub) DisconnectUser(ctx context.Context, userID string) error {
	if userID == "" {
		return errors.New("realtime: disconnect needs a user")
	}
	return h.broker.Broadcast(ctx, message{Node: h.node, Kick: userID})
}

// DisconnectSession closes, on every node with 4003, the connections a
// user opened with one session (Viewer.Session), e.g. after a logout. It
// changes no rights: reconnections may resume.
func (h *Hub) DisconnectSession(ctx context.Context, userID, session string) error {
	if userID == "" || session == "" {
		return errors.New("realtime: disconnect needs a user and a session")
	}
	return h.broker.Broadcast(ctx, message{Node: h.node, Kick: userID, Session: session})
}

// Handle registers fn for client messages of type typ. It panics on a
// type the hub handles itself (ping, follow) or an invalid name, like
// http.HandleFunc does on a bad pattern.
func (h *Hub) Handle(typ string, fn ClientHandler) {
	if !validType(typ) || reserved(typ) || fn == nil {
		panic(fmt.Sprintf("realtime: cannot handle message type %q", typ))
	}
	h.hmu.Lock()
	defer h.hmu.Unlock()
	h.handlers[typ] = fn
}

func (h *Hub) handler(typ string) ClientHandler {
	h.hmu.RLock()
	defer h.hmu.RUnlock()
	return h.handlers[typ]
}

// reserved names the types the hub itself sends or handles.
func reserved(typ string) bool {
	switch typ {
	case "ping", "pong", "follow", "follow.changed", "snapshot", "resync", "skip", "error",
		"presence.joined", "presence.left":
		return true
	}
	return false
}

// Close closes every connection with 1001 (going away), stops listening
// for other nodes, and waits for the hub's goroutines to end, or for ctx.
// On PostgreSQL it also tries, within ctx, to store the disconnects and
// room resets that still wait to reach the other nodes (before anything
// else the node stores), and logs those it cannot.
// Connections are hijacked, so http.Server.Shutdown does not wait for them:
// call Close as part of shutting down. Close is idempotent.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	already := h.closing
	h.closing = true
	rooms := h.rooms
	h.rooms = map[string]*room{}
	h.mu.Unlock()
	if !already {
		// What the broker still owes the other nodes (PostgreSQL: the
		// control messages queued) gets a last try, alongside the rest.
		h.bg.Go(func() { h.broker.Closing(ctx) })
		gctx, gcancel := context.WithTimeout(ctx, 2*time.Second)
		h.sayGone(gctx, rooms)
		gcancel()
		for _, r := range rooms {
			r.shutdown(websocket.CloseGoingAway, "server shutting down")
		}
		h.metrics.rooms.Set(0)
		h.cancel()
	}
	done := make(chan struct{})
	go func() { h.conns.Wait(); h.bg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("realtime: close: %w", ctx.Err())
	}
}

// pruneLoop keeps the event table within its retention.
func (h *Hub) pruneLoop(ctx context.Context) {
	t := time.NewTicker(h.opt.PruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, time.Minute)
			n, err := h.st.prune(pctx, h.opt.Retention, h.opt.RetainEvents)
			perr := h.broker.Prune(pctx)
			cancel()
			h.sweepRights()
			if perr != nil && !errors.Is(perr, context.Canceled) {
				h.log.Warn("realtime: prune control messages", "err", perr)
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				h.log.Warn("realtime: prune events", "err", err)
			} else if n > 0 {
				h.log.Debug("realtime: pruned events", "count", n)
			}
		}
	}
}

// discard is the logger used when Options.Logger is nil.
func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
