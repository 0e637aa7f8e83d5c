package realtime

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"sync"

	"gorm.io/gorm"
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
// message when Kick is set.
type message struct {
	Node      string          `json:"n"`
	MeetingID string          `json:"m"`
	Type      string          `json:"t,omitempty"`
	Data      json.RawMessage `json:"d,omitempty"`
	Audience  []string        `json:"a,omitempty"` // nil: everyone
	Kick      string          `json:"k,omitempty"` // disconnect this user (code 4003)
	At        int64           `json:"at,omitempty"`
}

// localBroker serves one node on SQLite: the database orders appends, and
// a lock per meeting keeps delivery in seq order.
type localBroker struct {
	st    *store
	sink  sink
	locks [64]sync.Mutex // striped by meeting: bounded, never cleaned up
}

func (b *localBroker) lock(meetingID string) *sync.Mutex {
	h := fnv.New32a()
	_, _ = h.Write([]byte(meetingID))
	return &b.locks[h.Sum32()%uint32(len(b.locks))]
}

// Append stores recs and delivers them while holding the meeting's lock,
// so a later append of the same meeting is delivered after this one.
func (b *localBroker) Append(ctx context.Context, meetingID string, recs []record) error {
	mu := b.lock(meetingID)
	mu.Lock()
	defer mu.Unlock()
	err := b.st.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return b.st.appendTx(tx, meetingID, recs)
	})
	if err != nil {
		return err
	}
	b.sink.deliver(recs)
	return nil
}

// Broadcast delivers m in-process: there is no other node.
func (b *localBroker) Broadcast(_ context.Context, m message) error {
	b.sink.message(m)
	return nil
}

// Run has nothing to do in the background.
func (b *localBroker) Run(ctx context.Context) { <-ctx.Done() }
