package realtime

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// channelFor names the NOTIFY channel: "curia_live", suffixed with the
// schema when it is not public, since channels are per database and two
// Curias in two schemas of one database must not hear each other.
func channelFor(ctx context.Context, db *gorm.DB) (string, error) {
	var schema string
	if err := db.WithContext(ctx).Raw("SELECT current_schema()").Row().Scan(&schema); err != nil {
		return "", fmt.Errorf("realtime: read current schema: %w", err)
	}
	name := "curia_live"
	if schema != "public" {
		name += "_" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
				return r
			}
			return -1
		}, strings.ToLower(schema))
	}
	return name[:min(len(name), 63)], nil
}

// maxNotify stays under PostgreSQL's 8000-byte NOTIFY payload limit.
const maxNotify = 7800

// An ephemeral message too big for one NOTIFY (a presenter's long stroke
// for a confidential document's long list of readers) crosses in parts of
// partBytes (base64 in the payload: under maxNotify with the envelope),
// all sent in one transaction, so that every node hears them together and
// in order. maxParts bounds what one message may take.
const (
	partBytes = 5600
	maxParts  = 64
	// partsWait is how long a node keeps the parts of a message that does
	// not complete (the sender's transaction cannot half-commit, but a
	// listener that reconnects in the middle can miss the start).
	partsWait = 10 * time.Second
)

// note is a NOTIFY payload: events inline when small, otherwise a reference
// (meeting and seq range) that each node reads from the table; or an
// ephemeral message.
type note struct {
	Events  []record  `json:"e,omitempty"`
	Meeting string    `json:"m,omitempty"`
	First   int64     `json:"f,omitempty"`
	Last    int64     `json:"l,omitempty"`
	Msg     *message  `json:"x,omitempty"`
	Part    *notePart `json:"p,omitempty"`
	Ping    string    `json:"ping,omitempty"` // a node's listener checking that it still hears (pgcontrols.go)
}

// notePart is part I of N of a note too big for one NOTIFY.
type notePart struct {
	Node string `json:"n"` // the sender, which delivered the message itself
	ID   string `json:"i"` // the message's id on that node
	I    int    `json:"k"`
	N    int    `json:"c"`
	Data []byte `json:"d"`
}

// partial is a message whose parts are coming in.
type partial struct {
	parts [][]byte
	got   int
	since time.Time
}

// pgBroker shares events between nodes through PostgreSQL: the per-meeting
// counter row orders commits, NOTIFY (sent at commit, in commit order)
// carries them, and every node, this one included, delivers what it hears
// on a dedicated connection.
type pgBroker struct {
	st      *store
	sink    sink
	node    string
	channel string
	log     *slog.Logger
	// listening is closed once the first LISTEN is in place (for tests).
	listening chan struct{}
	sent      atomic.Uint64       // messages sent in parts, for their ids
	partials  map[string]*partial // by node and id; only the listener's goroutine touches it
	commit    groupCommit

	// relisten, when set (nanoseconds; tests), is the least wait before
	// listening again after the listen connection was lost (the backoff
	// starts at 100 ms).
	relisten atomic.Int64
	// heartbeat is how often the listener pings itself (pgcontrols.go).
	heartbeat time.Duration
	// keep is how long control messages are stored for replay.
	keep time.Duration
	// unsure is told when control messages may have been missed that can
	// no longer be replayed (Hub.unsure).
	unsure func()
	// heard is when the listener last heard anything, or replayed the
	// control messages, or, before it first listens, when the broker was
	// made (UnixNano).
	heard atomic.Int64
	// applied holds the stored control messages applied here, by id, and
	// when; swept is when it was last swept. Only the listener's goroutine
	// touches them.
	applied map[int64]time.Time
	swept   time.Time
	// resend holds the control messages whose store failed, for
	// resendLoop (pgcontrols.go).
	resend resends
}

// Append stores recs with group commit and queues their notification in
// the same transaction, so a notification is sent only for committed
// events; every node, this one included, delivers what it hears.
func (b *pgBroker) Append(ctx context.Context, meetingID string, recs []record) error {
	return b.commit.append(ctx, meetingID, recs)
}

// appendGroups writes groups and one notification per meeting.
//
// Control messages that wait to be sent again (pgcontrols.go) go first, in
// the same transaction: no event stored after a disconnect reaches the
// other nodes before it. Those an earlier try committed already are not
// stored, nor notified, again (controlTx).
func (b *pgBroker) appendGroups(ctx context.Context, groups []appendGroup) error {
	var first func(tx *gorm.DB) error
	var q []queuedControl
	if b.queued() > 0 {
		b.resend.sending.Lock()
		defer b.resend.sending.Unlock()
		if q = b.waiting(); len(q) > 0 {
			first = func(tx *gorm.DB) error { return b.controlsFirst(tx, q) }
		}
	}
	err := b.st.appendGroupsThen(ctx, groups, first, func(tx *gorm.DB, g appendGroup) error {
		payload, err := json.Marshal(note{Events: g.recs})
		if err != nil {
			return err
		}
		if len(payload) > maxNotify {
			payload, _ = json.Marshal(note{Meeting: g.meetingID, First: g.recs[0].Seq, Last: g.recs[len(g.recs)-1].Seq})
		}
		return tx.Exec("SELECT pg_notify(?, ?)", b.channel, string(payload)).Error
	})
	switch {
	case len(q) == 0:
	case err == nil:
		b.dequeue(q[len(q)-1].n)
	default:
		b.learnt(q) // the transaction may have committed: their next tries keep their ids
	}
	return err
}

// Broadcast delivers m here at once and notifies the other nodes, in
// parts when it is too big for one NOTIFY. A control message is also
// stored, so that a node that does not hear it replays it (pgcontrols.go).
func (b *pgBroker) Broadcast(ctx context.Context, m message) error {
	if m.Kick != "" || m.Reset {
		return b.broadcastControl(ctx, m)
	}
	b.sink.message(m)
	payload, err := json.Marshal(note{Msg: &m})
	if err != nil {
		return err
	}
	db := b.st.db.WithContext(ctx)
	if len(payload) <= maxNotify {
		return db.Exec("SELECT pg_notify(?, ?)", b.channel, string(payload)).Error
	}
	n := (len(payload) + partBytes - 1) / partBytes
	if n > maxParts {
		return fmt.Errorf("message of %d bytes is too big to cross nodes", len(payload))
	}
	id := strconv.FormatUint(b.sent.Add(1), 36)
	return db.Transaction(func(tx *gorm.DB) error {
		for i := range n {
			part := notePart{Node: b.node, ID: id, I: i, N: n, Data: payload[i*partBytes : min(len(payload), (i+1)*partBytes)]}
			p, err := json.Marshal(note{Part: &part})
			if err != nil {
				return err
			}
			if err := tx.Exec("SELECT pg_notify(?, ?)", b.channel, string(p)).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// assemble keeps part p and returns the whole note once every part of it
// has come; parts left incomplete for partsWait are dropped.
func (b *pgBroker) assemble(p *notePart, now time.Time) ([]byte, error) {
	if p.N < 2 || p.N > maxParts || p.I < 0 || p.I >= p.N {
		return nil, fmt.Errorf("malformed part %d of %d", p.I, p.N)
	}
	for k, q := range b.partials {
		if now.Sub(q.since) > partsWait {
			delete(b.partials, k)
		}
	}
	if b.partials == nil {
		b.partials = map[string]*partial{}
	}
	key := p.Node + "/" + p.ID
	q := b.partials[key]
	if q == nil {
		q = &partial{parts: make([][]byte, p.N), since: now}
		b.partials[key] = q
	}
	if len(q.parts) != p.N || q.parts[p.I] != nil {
		delete(b.partials, key)
		return nil, fmt.Errorf("inconsistent parts of message %s", key)
	}
	q.parts[p.I] = p.Data
	if q.got++; q.got < p.N {
		return nil, nil
	}
	delete(b.partials, key)
	return bytes.Join(q.parts, nil), nil
}

// Run listens until ctx ends, reconnecting with backoff, and sends again
// the control messages whose store failed.
func (b *pgBroker) Run(ctx context.Context) {
	var resending sync.WaitGroup
	resending.Go(func() { b.resendLoop(ctx) })
	defer resending.Wait()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		started := time.Now()
		err := b.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		wait := max(backoff, time.Duration(b.relisten.Load()))
		b.log.Warn("realtime: listen connection lost; reconnecting", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// listen holds one pooled connection for LISTEN until it fails or ctx ends.
func (b *pgBroker) listen(ctx context.Context) error {
	sqlDB, err := b.st.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("realtime: driver connection is %T, not pgx", dc)
		}
		return b.wait(ctx, sc)
	})
}

// wait runs LISTEN, catches up on anything missed while it was not
// listening (the control messages first, so that a user disconnected
// meanwhile is gone before the events are caught up), then hands each
// notification to the sink. It pings itself every heartbeat and gives up
// on a connection that has heard nothing, not even its own ping, for
// deafAfter: a connection silenced without an error (an idle flow
// forgotten by a firewall, a failover) would otherwise leave the node
// deaf until TCP gives up, minutes later. Any error returned wraps
// driver.ErrBadConn, so the pool discards the connection instead of
// reusing one that is still listening.
func (b *pgBroker) wait(ctx context.Context, sc *stdlib.Conn) error {
	pc := sc.Conn()
	if _, err := pc.Exec(ctx, "LISTEN "+b.channel); err != nil {
		return fmt.Errorf("%w: listen: %w", driver.ErrBadConn, err)
	}
	if err := b.replayControls(ctx); err != nil {
		return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
	}
	b.sink.lost()
	clear(b.partials) // what was missed while not listening cannot complete
	select {
	case <-b.listening:
	default:
		close(b.listening)
	}
	pctx, stop := context.WithCancel(ctx)
	var pinging sync.WaitGroup
	pinging.Go(func() { b.pingLoop(pctx) })
	defer pinging.Wait()
	defer stop()
	deaf := b.deafAfter()
	for {
		wctx, cancel := context.WithTimeout(ctx, deaf)
		n, err := pc.WaitForNotification(wctx)
		silent := wctx.Err() == context.DeadlineExceeded
		cancel()
		if err != nil {
			if silent && ctx.Err() == nil {
				return fmt.Errorf("%w: heard nothing for %s, not even its own ping", driver.ErrBadConn, deaf)
			}
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		b.heard.Store(time.Now().UnixNano())
		if err := b.handle(ctx, n.Payload); err != nil {
			b.log.Error("realtime: notification dropped", "err", err)
		}
	}
}

// handle turns one notification into deliveries.
func (b *pgBroker) handle(ctx context.Context, payload string) error {
	var n note
	if err := json.Unmarshal([]byte(payload), &n); err != nil {
		return err
	}
	switch {
	case n.Part != nil:
		if n.Part.Node == b.node { // this node delivered it already
			return nil
		}
		whole, err := b.assemble(n.Part, time.Now())
		if err != nil || whole == nil {
			return err
		}
		var m note
		if err := json.Unmarshal(whole, &m); err != nil || m.Msg == nil {
			return fmt.Errorf("a message sent in parts does not decode: %v", err)
		}
		b.sink.message(*m.Msg)
	case n.Msg != nil:
		if n.Msg.Node == b.node { // this node delivered it already
			return nil
		}
		if n.Msg.Control != 0 && !b.firstTime(n.Msg.Control, time.Now()) {
			return nil // replayed already (pgcontrols.go)
		}
		b.sink.message(*n.Msg)
	case n.Ping != "":
		// heard: that is all a ping is for
	case len(n.Events) > 0:
		b.sink.deliver(n.Events)
	case n.Meeting != "":
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		recs, err := b.st.between(ctx, n.Meeting, n.First-1, n.Last)
		if err != nil {
			b.sink.lost() // the gap check will find and report what is missing
			return err
		}
		b.sink.deliver(recs)
	}
	return nil
}
