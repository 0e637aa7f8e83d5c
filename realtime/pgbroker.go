package realtime

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
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

// note is a NOTIFY payload: events inline when small, otherwise a reference
// (meeting and seq range) that each node reads from the table; or an
// ephemeral message.
type note struct {
	Events  []record `json:"e,omitempty"`
	Meeting string   `json:"m,omitempty"`
	First   int64    `json:"f,omitempty"`
	Last    int64    `json:"l,omitempty"`
	Msg     *message `json:"x,omitempty"`
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
	commit    groupCommit
}

// Append stores recs with group commit and queues their notification in
// the same transaction, so a notification is sent only for committed
// events; every node, this one included, delivers what it hears.
func (b *pgBroker) Append(ctx context.Context, meetingID string, recs []record) error {
	return b.commit.append(ctx, meetingID, recs)
}

// appendGroups writes groups and one notification per meeting.
func (b *pgBroker) appendGroups(ctx context.Context, groups []appendGroup) error {
	return b.st.appendGroupsThen(ctx, groups, func(tx *gorm.DB, g appendGroup) error {
		payload, err := json.Marshal(note{Events: g.recs})
		if err != nil {
			return err
		}
		if len(payload) > maxNotify {
			payload, _ = json.Marshal(note{Meeting: g.meetingID, First: g.recs[0].Seq, Last: g.recs[len(g.recs)-1].Seq})
		}
		return tx.Exec("SELECT pg_notify(?, ?)", b.channel, string(payload)).Error
	})
}

// Broadcast delivers m here at once and notifies the other nodes; a
// message too big for NOTIFY stays on this node.
func (b *pgBroker) Broadcast(ctx context.Context, m message) error {
	b.sink.message(m)
	payload, err := json.Marshal(note{Msg: &m})
	if err != nil {
		return err
	}
	if len(payload) > maxNotify {
		return fmt.Errorf("message of %d bytes is too big to cross nodes", len(payload))
	}
	return b.st.db.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", b.channel, string(payload)).Error
}

// Run listens until ctx ends, reconnecting with backoff.
func (b *pgBroker) Run(ctx context.Context) {
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
		b.log.Warn("realtime: listen connection lost; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
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
// listening, then hands each notification to the sink. Any error returned
// wraps driver.ErrBadConn, so the pool discards the connection instead of
// reusing one that is still listening.
func (b *pgBroker) wait(ctx context.Context, sc *stdlib.Conn) error {
	pc := sc.Conn()
	if _, err := pc.Exec(ctx, "LISTEN "+b.channel); err != nil {
		return fmt.Errorf("%w: listen: %w", driver.ErrBadConn, err)
	}
	b.sink.lost()
	select {
	case <-b.listening:
	default:
		close(b.listening)
	}
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
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
	case n.Msg != nil:
		if n.Msg.Node != b.node { // this node delivered it already
			b.sink.message(*n.Msg)
		}
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
