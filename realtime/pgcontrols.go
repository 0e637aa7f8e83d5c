package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Control messages between nodes on PostgreSQL: disconnects (Disconnect,
// DisconnectUser, DisconnectSession) and room resets (a publish that
// could not be stored). Events survive a listener's reconnection because
// they are stored and caught up from the table; a control message sent
// as a bare NOTIFY while another node's listener is reconnecting (a
// network blip, a failover, idle_session_timeout) would be lost there for
// good: a participant removed on node A would keep their connection, and
// the meeting's events, on node B.
//
// So a control message is also stored (live_controls), in the
// transaction that sends its NOTIFY, and kept for controlKeep. Every time
// a listener starts listening, before it catches the events up, it
// replays the stored control messages of that window it has not applied
// yet (it remembers their ids), except its own node's, which were applied
// at once. A message heard both ways is applied once. A listener that was
// deaf for longer than the window (less a margin for the clocks of the
// nodes) cannot know what it missed, so its node makes every connection
// start over (Hub.unsure): 4001, authorised afresh on reconnection.
//
// A listener cannot tell a quiet channel from a dead connection: a
// connection whose traffic is dropped without an error (a firewall that
// forgot an idle flow, a VM migrated, a primary gone in a failover) just
// waits, until TCP keepalive gives up minutes later, and the node, whose
// own events also reach its clients through its listener, is deaf. So
// every heartbeat the listener pings itself (a NOTIFY through the pool
// that carries nothing else), and a listener that has heard nothing for
// deafAfter, not even its ping, reconnects and catches up.

// controlKeep is how long control messages are stored for replay.
const controlKeep = 10 * time.Minute

// maxReplayControls bounds the control messages read at a reconnection;
// more than that within the window is handled as a deaf listener.
const maxReplayControls = 10000

// minDeafAfter is the least silence taken as a dead listener.
const minDeafAfter = time.Second

// controlSlack is the margin kept on controlKeep for the nodes' clocks
// and for a sender's transaction between its timestamp and its commit.
func (b *pgBroker) controlSlack() time.Duration { return b.keep / 5 }

// deafAfter is how long a listener may hear nothing before it is given
// up: three pings.
func (b *pgBroker) deafAfter() time.Duration { return max(3*b.heartbeat, minDeafAfter) }

// A control message that could not be stored (the database did not
// answer within PublishTimeout) has reached no other node: a participant
// removed on node A would keep the meeting's events on node B. So it is
// queued and sent again, oldest first, from resendFirst after the
// failure, doubling to resendMost, until it is stored or the broker
// stops; and no event is stored before it: while any wait, every append
// of events stores and notifies them first, in its own transaction
// (appendGroups), so the other nodes hear a disconnect before the events
// published after it, or hear neither. A disconnect that arrives late
// costs a reconnection at most (the user may have been given their access
// back meanwhile). At most maxResends wait, none longer than the window
// the stored ones are replayed in (keep); beyond that they are given up,
// logged, so that one that can never be stored does not hold the events
// back for good.
//
// A send can fail after its commit: the database committed, and its
// answer was lost (a connection cut, a timeout at the wrong moment). The
// message then reached the other nodes, and sending it again must not
// apply it there twice (one more 4003; worse, a participant given their
// access back meanwhile would be kicked by the stale copy). So a control
// message keeps its row id across its tries: the first try inserts it
// with an id from the table's sequence and records that id before it
// commits (the INSERT answers with it first); every later try inserts
// that same id, ON CONFLICT DO NOTHING, and sends its NOTIFY only when
// the row was in fact inserted: a row already there was committed, and
// notified, by the try whose answer was lost. A try that did not learn
// the id did not commit (it never sent its COMMIT), and the next one takes
// a new id. The id comes from the sequence, so no other row ever takes it;
// a message is given up (waiting: keep after it was queued) before its row
// could be pruned (keep and its margin after its first try).
// Receivers already apply a control id once (firstTime), so this needs
// neither a new column nor a memory of its own; it holds on any number of
// nodes, since only the node that queued a message ever sends it again.
//
// When the hub closes, the queued messages are sent a last time
// (Closing), bounded by Close's context: a node stopped right after
// a failed disconnect would otherwise take it with it.
const (
	resendFirst = 500 * time.Millisecond
	resendMost  = 30 * time.Second
	maxResends  = 10000
)

// resends holds the control messages waiting to be sent again.
type resends struct {
	// sending is held while queued messages are being sent (resendQueued,
	// appendGroups), so that they go once, and in order.
	sending sync.Mutex
	mu      sync.Mutex // guards q, last and closed
	q       []queuedControl
	last    uint64        // the latest queuedControl.n
	wake    chan struct{} // capacity 1: something was queued
	// closed is set once Closing has sent what it could: nothing
	// sends a message queued later again (an append may still carry it).
	closed bool
}

// queuedControl is a control message waiting, numbered so that a send
// removes the one it sent even if the bound gave it up meanwhile. Its
// m.Control, once a try learnt it, is the row id every later try stores
// it under (the try may have committed).
type queuedControl struct {
	m  message
	n  uint64
	at time.Time // when it was queued
}

// broadcastControl applies m here at once, then stores it and notifies
// the other nodes in one transaction; if that fails, it is sent again
// later (resendLoop), and the error is returned. Like Publish, it is not
// cut short by the caller's cancellation (the request that removed a
// participant may end first), only bounded by PublishTimeout.
func (b *pgBroker) broadcastControl(ctx context.Context, m message) error {
	b.sink.message(m)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.commit.timeout)
	defer cancel()
	b.resend.sending.Lock()
	defer b.resend.sending.Unlock()
	var err error
	if b.queued() == 0 { // else it waits behind them, in order
		if err = b.sendControl(ctx, &m); err == nil {
			return nil
		}
	} else {
		err = errors.New("earlier control messages still wait to be stored")
	}
	b.queueResend(m) // with the id the try learnt, if it did
	return err
}

// controlAttrs describes m for the log: not its session, which may be a
// credential.
func controlAttrs(m message) []any {
	kind := "reset"
	switch {
	case m.Kick != "" && m.Session != "":
		kind = "disconnect session"
	case m.Kick != "":
		kind = "disconnect"
	}
	return []any{"meeting", m.MeetingID, "user", m.Kick, "kind", kind}
}

// queued is how many control messages wait.
func (b *pgBroker) queued() int {
	b.resend.mu.Lock()
	defer b.resend.mu.Unlock()
	return len(b.resend.q)
}

// queueResend queues m for resendLoop.
func (b *pgBroker) queueResend(m message) {
	b.resend.mu.Lock()
	if len(b.resend.q) >= maxResends {
		b.log.Error("realtime: too many control messages wait to reach the other nodes; the oldest is given up",
			controlAttrs(b.resend.q[0].m)...)
		b.resend.q = b.resend.q[1:]
	}
	b.resend.last++
	b.resend.q = append(b.resend.q, queuedControl{m: m, n: b.resend.last, at: time.Now()})
	closed := b.resend.closed
	b.resend.mu.Unlock()
	if closed {
		b.log.Error("realtime: a control message could not reach the other nodes, and the hub is closed: "+
			"only an append of events on this node may still carry it", controlAttrs(m)...)
	}
	select {
	case b.resend.wake <- struct{}{}:
	default:
	}
}

// waiting returns a copy of the queue, after giving up the messages that
// waited longer than keep.
func (b *pgBroker) waiting() []queuedControl {
	b.resend.mu.Lock()
	defer b.resend.mu.Unlock()
	for len(b.resend.q) > 0 && time.Since(b.resend.q[0].at) > b.keep {
		c := b.resend.q[0]
		b.log.Error("realtime: a control message could not reach the other nodes in time; given up",
			append(controlAttrs(c.m), "queued", c.at)...)
		b.resend.q = b.resend.q[1:]
	}
	return append([]queuedControl(nil), b.resend.q...)
}

// dequeue removes the queued messages up to and including number n: they
// were stored (those given up meanwhile are gone already).
func (b *pgBroker) dequeue(n uint64) {
	b.resend.mu.Lock()
	defer b.resend.mu.Unlock()
	i := 0
	for i < len(b.resend.q) && b.resend.q[i].n <= n {
		i++
	}
	b.resend.q = b.resend.q[i:]
}

// learnt records the row ids that the tries of the queued messages in q
// learnt (a failed try may have committed): their next tries store them
// under the same ids.
func (b *pgBroker) learnt(q []queuedControl) {
	b.resend.mu.Lock()
	defer b.resend.mu.Unlock()
	for _, c := range q {
		if c.m.Control == 0 {
			continue
		}
		for i := range b.resend.q {
			if b.resend.q[i].n == c.n {
				b.resend.q[i].m.Control = c.m.Control
				break
			}
		}
	}
}

// resendLoop sends the queued control messages again until ctx ends:
// oldest first, each round stopping at the first that fails again, the
// wait between rounds doubling from resendFirst to resendMost while they
// fail.
func (b *pgBroker) resendLoop(ctx context.Context) {
	wait := resendFirst
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.resend.wake:
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			if b.resendQueued(ctx) {
				wait = resendFirst
				break
			}
			wait = min(2*wait, resendMost)
		}
	}
}

// resendQueued sends the queued messages, oldest first, and reports
// whether they all went.
func (b *pgBroker) resendQueued(ctx context.Context) bool { return b.sendQueued(ctx) == nil }

// sendQueued sends the queued messages, oldest first, stopping at the
// first that fails again, and returns its error.
func (b *pgBroker) sendQueued(ctx context.Context) error {
	b.resend.sending.Lock()
	defer b.resend.sending.Unlock()
	for {
		q := b.waiting()
		if len(q) == 0 {
			return nil
		}
		sctx, cancel := context.WithTimeout(ctx, storeTimeout)
		err := b.sendControl(sctx, &q[0].m)
		cancel()
		if err != nil {
			b.learnt(q[:1])
			if ctx.Err() == nil {
				b.log.Warn("realtime: a control message still cannot reach the other nodes; trying again", "err", err)
			}
			return err
		}
		b.dequeue(q[0].n)
	}
}

// Closing sends the queued messages a last time as the hub closes,
// again with backoff while they fail, until they are stored, or ctx ends,
// or PublishTimeout has passed (the bound a control message's first send
// has; the rest of the shutdown, such as the requests still being
// answered, keeps the rest of ctx), and logs, as errors, those that could
// not be. It runs alongside the rest of Close: the order of what the node
// stores on its way out is kept by resend.sending, as always (an append
// stores the waiting messages first).
func (b *pgBroker) Closing(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, b.commit.timeout)
	defer cancel()
	var err error
	for wait := resendFirst; ; wait = min(2*wait, resendMost) {
		if err = b.sendQueued(ctx); err == nil || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	b.resend.mu.Lock()
	b.resend.closed = true
	left := slices.Clone(b.resend.q)
	b.resend.mu.Unlock()
	for _, c := range left {
		b.log.Error("realtime: a control message could not reach the other nodes before the hub closed",
			append(controlAttrs(c.m), "queued", c.at, "err", err)...)
	}
}

// controlsFirst stores and notifies, inside tx, the control messages that
// wait (q), so that they reach the other nodes before the events tx
// stores (appendGroups); it sets the ids it learns in q (appendGroups
// records them should the transaction fail). resend.sending is held.
func (b *pgBroker) controlsFirst(tx *gorm.DB, q []queuedControl) error {
	for i := range q {
		if err := b.controlTx(tx, &q[i].m); err != nil {
			return err
		}
	}
	return nil
}

// sendControl stores m and notifies the other nodes, in one transaction,
// and sets m.Control to its row id as soon as it is known, so that a
// failed send, which may have committed, is tried again under that id.
func (b *pgBroker) sendControl(ctx context.Context, m *message) error {
	return b.st.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return b.controlTx(tx, m) })
}

// controlTx stores m and queues its notification inside tx: under a new
// id, which it sets in m.Control, or, when m.Control is set already (an
// earlier try, which may have committed), under that id, and then only if
// that try did not commit.
func (b *pgBroker) controlTx(tx *gorm.DB, m *message) error {
	if m.Control == 0 {
		id, err := b.st.addControlTx(tx, *m, time.Now())
		if err != nil {
			return err
		}
		m.Control = id
	} else {
		stored, err := b.st.addControlOnceTx(tx, *m, time.Now())
		if err != nil || !stored {
			return err // not stored: an earlier try committed it, and its NOTIFY
		}
	}
	payload, err := json.Marshal(note{Msg: m})
	if err != nil {
		return err
	}
	return tx.Exec("SELECT pg_notify(?, ?)", b.channel, string(payload)).Error
}

// replayControls applies the stored control messages this node has not
// applied yet, or, when it cannot know what it missed, has the sink make
// every connection start over. It runs when the listener starts
// listening, before the events are caught up.
func (b *pgBroker) replayControls(ctx context.Context) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	ms, err := b.st.controlsSince(ctx, start.Add(-b.keep), maxReplayControls+1)
	if err != nil {
		return fmt.Errorf("replay control messages: %w", err)
	}
	deaf := start.Sub(time.Unix(0, b.heard.Load()))
	unsure := deaf > b.keep-b.controlSlack() || len(ms) > maxReplayControls
	b.sweepControls(start)
	for _, m := range ms {
		if m.Node == b.node || !b.firstTime(m.Control, start) {
			continue
		}
		if !unsure {
			b.sink.message(m)
		}
	}
	if unsure {
		b.log.Warn("realtime: the listener was deaf too long to replay what it missed; every connection starts over",
			"deaf", deaf.Round(time.Second), "controls", len(ms))
		b.unsure()
	}
	b.heard.Store(start.UnixNano())
	return nil
}

// firstTime records that the stored control message id is applied here,
// and reports whether it had not been yet.
func (b *pgBroker) firstTime(id int64, now time.Time) bool {
	if _, ok := b.applied[id]; ok {
		return false
	}
	if b.applied == nil {
		b.applied = map[int64]time.Time{}
	}
	b.applied[id] = now
	b.sweepControls(now)
	return true
}

// sweepControls forgets, now and then, the applied ids that the replay
// can no longer read (older than the window and its margin). Should
// there be too many to keep, it forgets them all: replaying one again
// costs a reconnection, not a leak.
func (b *pgBroker) sweepControls(now time.Time) {
	if now.Sub(b.swept) < b.keep/10 && len(b.applied) <= 4*maxReplayControls {
		return
	}
	b.swept = now
	for id, at := range b.applied {
		if now.Sub(at) > b.keep+b.controlSlack() {
			delete(b.applied, id)
		}
	}
	if len(b.applied) > 4*maxReplayControls {
		clear(b.applied)
	}
}

// pingLoop pings the listener every heartbeat until ctx ends, so that a
// quiet channel is not taken for a dead connection: a NOTIFY that every
// node hears (anything heard proves a listener alive) and that carries
// nothing else.
func (b *pgBroker) pingLoop(ctx context.Context) {
	payload, err := json.Marshal(note{Ping: b.node})
	if err != nil {
		return
	}
	t := time.NewTicker(b.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, b.deafAfter())
		err := b.st.db.WithContext(pctx).Exec("SELECT pg_notify(?, ?)", b.channel, string(payload)).Error
		cancel()
		if err != nil && ctx.Err() == nil {
			b.log.Debug("realtime: ping the listener", "err", err)
		}
	}
}

// Prune deletes the control messages no node replays any more.
func (b *pgBroker) Prune(ctx context.Context) error {
	_, err := b.st.pruneControls(ctx, time.Now().Add(-b.keep-b.controlSlack()))
	return err
}
