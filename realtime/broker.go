package realtime

import (
	"context"
	"encoding/json"
	"time"
)

// broker gives events their seqs, stores them, and carries them to the hub
// of every node; it also carries ephemeral messages between nodes. The hub
// picks one by dialect: localBroker for SQLite (one node), pgBroker for
// PostgreSQL (LISTEN/NOTIFY between nodes).
type broker interface {
	// Append stores recs (one meeting, in order) under the meeting's next
	// seqs and sets their Seq. Once it returns nil, every node's sink
	// receives them in seq order. It blocks on the database and returns its
	// error, in which case nothing was stored.
	Append(ctx context.Context, meetingID string, recs []record) error
	// Broadcast carries m to every node's sink, this node's at once. Best
	// effort: an error means other nodes may not have it.
	Broadcast(ctx context.Context, m message) error
	// Run does the broker's background work until ctx ends.
	Run(ctx context.Context)
	// Prune drops what the broker keeps for other nodes beyond its time
	// (pruneLoop).
	Prune(ctx context.Context) error
	// Closing sends, within ctx, what the broker still owes the other
	// nodes as the hub closes, and logs what it cannot.
	Closing(ctx context.Context)
}

// sink receives what a broker delivers. Its methods must not block on
// clients; deliver may read the store to fill a gap.
type sink interface {
	// deliver gets records of one meeting in seq order.
	deliver(recs []record)
	// message gets an ephemeral message.
	message(m message)
	// lost says deliveries may have been missed (a broker reconnected):
	// the sink catches up from the store.
	lost()
}

// message is an ephemeral, seq-less message for a room, or a control
// message: when Kick is set, disconnect that user from MeetingID, or from
// every meeting when MeetingID is empty, and then only the connections
// opened with Session when it is set; when Reset is set, the room of
// MeetingID lost an event that could not be stored and its clients start
// over (4001). On PostgreSQL a control message is also stored for a while
// (Control is its id) so that a node that was not listening when it was
// sent replays it (pgcontrols.go). Its JSON (what crosses nodes) keeps
// an empty Audience apart from a nil one: omitzero leaves out only nil,
// so "nobody" stays nobody on every node rather than becoming everyone.
type message struct {
	Node      string          `json:"n"`
	MeetingID string          `json:"m"`
	Type      string          `json:"t,omitempty"`
	Data      json.RawMessage `json:"d,omitempty"`
	Audience  []string        `json:"a,omitzero"`  // nil (absent): everyone; empty ([]): nobody
	Kick      string          `json:"k,omitempty"` // disconnect this user (code 4003)
	Session   string          `json:"s,omitempty"` // with Kick: only this session's connections
	Reset     bool            `json:"r,omitempty"` // the room lost an event: its clients start over (4001)
	Control   int64           `json:"c,omitempty"` // the stored control message's id (PostgreSQL)
	Presence  *presenceNote   `json:"p,omitempty"` // a node's people in the room (nodes_presence.go)
	At        int64           `json:"at,omitempty"`
}

// localBroker serves one node on SQLite: group commit orders appends,
// and delivers each group before the next is written, so a meeting's
// events are delivered in seq order.
type localBroker struct {
	st     *store
	sink   sink
	commit groupCommit
}

func newLocalBroker(st *store, sink sink, timeout time.Duration) *localBroker {
	b := &localBroker{st: st, sink: sink}
	b.commit = groupCommit{timeout: timeout, write: st.appendGroups, delivered: func(groups []appendGroup) {
		for _, g := range groups {
			sink.deliver(g.recs)
		}
	}}
	return b
}

// Append stores recs with group commit and delivers them.
func (b *localBroker) Append(ctx context.Context, meetingID string, recs []record) error {
	return b.commit.append(ctx, meetingID, recs)
}

// Broadcast delivers m in-process: there is no other node.
func (b *localBroker) Broadcast(_ context.Context, m message) error {
	b.sink.message(m)
	return nil
}

// Run has nothing to do in the background.
func (b *localBroker) Run(ctx context.Context) { <-ctx.Done() }

// Prune has nothing to prune: control messages never leave this node.
func (b *localBroker) Prune(context.Context) error { return nil }

// Closing owes nothing: there are no other nodes.
func (b *localBroker) Closing(context.Context) {}
