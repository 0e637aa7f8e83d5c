package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/ids"
)

// eventRow is one stored event. Payload keeps the publisher's JSON as text
// (jsonb would reorder it); Audience and Exclude are JSON arrays of user
// ids, NULL for none (Audience NULL: everyone).
type eventRow struct {
	MeetingID string    `gorm:"primaryKey;size:64"`
	Seq       int64     `gorm:"primaryKey;autoIncrement:false"`
	Type      string    `gorm:"size:64;not null"`
	Payload   string    `gorm:"type:text;not null"`
	Audience  *string   `gorm:"type:text"`
	Exclude   *string   `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null;index"`
}

func (eventRow) TableName() string { return "live_events" }

// headRow is a meeting's sequence counter. It is never pruned, so seqs keep
// growing after old events are deleted; Epoch names this counter so that a
// client holding seqs from a reset database is told to resync.
type headRow struct {
	MeetingID string `gorm:"primaryKey;size:64"`
	Seq       int64  `gorm:"not null"`
	Epoch     string `gorm:"size:32;not null"`
}

func (headRow) TableName() string { return "live_heads" }

// controlRow is a recent control message between nodes (pgbroker.go,
// controls.go): a disconnect (UserID set) or a room reset (Reset). It is
// written in the transaction that notifies the other nodes, so that a node
// whose listener was reconnecting when the notification went out replays
// it; rows are kept for a bounded time only. On SQLite (one node) the
// table stays empty.
type controlRow struct {
	ID        int64     `gorm:"primaryKey"`
	Node      string    `gorm:"size:64;not null"` // the sender, which applied it at once
	MeetingID string    `gorm:"size:64;not null"` // "" with UserID: every meeting
	UserID    string    `gorm:"type:text;not null"`
	Session   string    `gorm:"type:text;not null"` // with UserID: only this session's connections
	Reset     bool      `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null;index"`
}

func (controlRow) TableName() string { return "live_controls" }

// Migration creates the realtime tables. The app adds it to its steps.
func Migration() database.Step {
	return database.Step{Name: "realtime", Run: func(tx *gorm.DB) error {
		return tx.AutoMigrate(&eventRow{}, &headRow{}, &controlRow{})
	}}
}

// record is one sequenced event as brokers store and carry it.
type record struct {
	MeetingID string          `json:"m"`
	Seq       int64           `json:"s"`
	Type      string          `json:"t"`
	Data      json.RawMessage `json:"d"`
	Audience  []string        `json:"a"`           // nil: everyone; empty: nobody
	Exclude   []string        `json:"x,omitempty"` // never these users
	At        time.Time       `json:"at"`
}

// store is the only code in the package that touches gorm.
type store struct {
	db  *gorm.DB
	now func() time.Time
}

// appendTx gives recs (all of one meeting) the next seqs and inserts them,
// inside tx. The counter row's lock makes concurrent appends to a meeting
// commit in seq order on PostgreSQL; SQLite has one writer anyway.
func (s *store) appendTx(tx *gorm.DB, meetingID string, recs []record) error {
	var last int64
	err := tx.Raw(`INSERT INTO live_heads (meeting_id, seq, epoch) VALUES (?, ?, ?)
		ON CONFLICT (meeting_id) DO UPDATE SET seq = live_heads.seq + excluded.seq
		RETURNING seq`, meetingID, len(recs), ids.Short(12)).Row().Scan(&last)
	if err != nil {
		return fmt.Errorf("advance seq: %w", err)
	}
	rows := make([]eventRow, len(recs))
	for i := range recs {
		recs[i].Seq = last - int64(len(recs)-1-i)
		rows[i], err = toRow(recs[i])
		if err != nil {
			return err
		}
	}
	return tx.Create(&rows).Error
}

// appendGroups stores groups (sorted by meeting) in one transaction.
func (s *store) appendGroups(ctx context.Context, groups []appendGroup) error {
	return s.appendGroupsThen(ctx, groups, nil, nil)
}

// appendGroupsThen is appendGroups with first, when not nil, run inside
// the transaction before the groups, and notify, when not nil, after each
// group.
func (s *store) appendGroupsThen(ctx context.Context, groups []appendGroup, first func(tx *gorm.DB) error, notify func(tx *gorm.DB, g appendGroup) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if first != nil {
			if err := first(tx); err != nil {
				return err
			}
		}
		for _, g := range groups {
			if err := s.appendTx(tx, g.meetingID, g.recs); err != nil {
				return err
			}
			if notify != nil {
				if err := notify(tx, g); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func toRow(r record) (eventRow, error) {
	row := eventRow{MeetingID: r.MeetingID, Seq: r.Seq, Type: r.Type, Payload: string(r.Data), CreatedAt: r.At.UTC()}
	var err error
	if row.Audience, err = idList(r.Audience); err != nil {
		return row, err
	}
	if len(r.Exclude) > 0 {
		row.Exclude, err = idList(r.Exclude)
	}
	return row, err
}

// idList encodes user ids as a JSON array, nil as NULL.
func idList(ids []string) (*string, error) {
	if ids == nil {
		return nil, nil
	}
	b, err := json.Marshal(ids)
	s := string(b)
	return &s, err
}

func (row eventRow) toRecord() (record, error) {
	r := record{MeetingID: row.MeetingID, Seq: row.Seq, Type: row.Type, Data: json.RawMessage(row.Payload), At: row.CreatedAt}
	for _, f := range []struct {
		col *string
		ids *[]string
	}{{row.Audience, &r.Audience}, {row.Exclude, &r.Exclude}} {
		if f.col == nil {
			continue
		}
		*f.ids = []string{}
		if err := json.Unmarshal([]byte(*f.col), f.ids); err != nil {
			return r, fmt.Errorf("event %s/%d recipients: %w", row.MeetingID, row.Seq, err)
		}
	}
	return r, nil
}

// head returns a meeting's current seq and epoch, creating its counter so
// that the epoch a client sees first stays the same.
func (s *store) head(ctx context.Context, meetingID string) (int64, string, error) {
	if seq, epoch, err := s.current(ctx, meetingID); err != nil || epoch != "" {
		return seq, epoch, err
	}
	db := s.db.WithContext(ctx)
	if err := db.Exec(`INSERT INTO live_heads (meeting_id, seq, epoch) VALUES (?, 0, ?)
		ON CONFLICT (meeting_id) DO NOTHING`, meetingID, ids.Short(12)).Error; err != nil {
		return 0, "", fmt.Errorf("create seq counter: %w", err)
	}
	var h headRow
	if err := db.Where("meeting_id = ?", meetingID).Take(&h).Error; err != nil {
		return 0, "", fmt.Errorf("read seq counter: %w", err)
	}
	return h.Seq, h.Epoch, nil
}

// errGone means the events asked for are no longer stored.
var errGone = errors.New("events no longer stored")

// between returns the events after..upTo of a meeting, contiguous, or
// errGone when any of them has been pruned.
func (s *store) between(ctx context.Context, meetingID string, after, upTo int64) ([]record, error) {
	if upTo <= after {
		return nil, nil
	}
	var rows []eventRow
	err := s.db.WithContext(ctx).Where("meeting_id = ? AND seq > ? AND seq <= ?", meetingID, after, upTo).
		Order("seq").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	if int64(len(rows)) != upTo-after {
		return nil, errGone
	}
	recs := make([]record, len(rows))
	for i, row := range rows {
		if recs[i], err = row.toRecord(); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// prune deletes events older than maxAge and all but the last keep of each
// meeting. Several nodes may prune at once; deletes are idempotent.
func (s *store) prune(ctx context.Context, maxAge time.Duration, keep int) (int64, error) {
	db := s.db.WithContext(ctx)
	old := db.Where("created_at < ?", s.now().UTC().Add(-maxAge)).Delete(&eventRow{})
	if old.Error != nil {
		return 0, fmt.Errorf("prune old events: %w", old.Error)
	}
	extra := db.Exec(`DELETE FROM live_events WHERE seq <=
		(SELECT h.seq FROM live_heads h WHERE h.meeting_id = live_events.meeting_id) - ?`, keep)
	if extra.Error != nil {
		return 0, fmt.Errorf("prune surplus events: %w", extra.Error)
	}
	return old.RowsAffected + extra.RowsAffected, nil
}

// current reads a meeting's seq and epoch without creating its counter.
func (s *store) current(ctx context.Context, meetingID string) (int64, string, error) {
	var h headRow
	err := s.db.WithContext(ctx).Where("meeting_id = ?", meetingID).Limit(1).Find(&h).Error
	if err != nil {
		return 0, "", fmt.Errorf("read seq counter: %w", err)
	}
	return h.Seq, h.Epoch, nil
}

// addControlTx stores a control message inside tx and returns its id.
func (s *store) addControlTx(tx *gorm.DB, m message, at time.Time) (int64, error) {
	row := controlRow{Node: m.Node, MeetingID: m.MeetingID, UserID: m.Kick, Session: m.Session, Reset: m.Reset, CreatedAt: at.UTC()}
	if err := tx.Create(&row).Error; err != nil {
		return 0, fmt.Errorf("store control message: %w", err)
	}
	return row.ID, nil
}

// addControlOnceTx stores, inside tx, a control message under its id
// m.Control, unless a row has that id already, and reports whether it
// stored it.
func (s *store) addControlOnceTx(tx *gorm.DB, m message, at time.Time) (bool, error) {
	row := controlRow{ID: m.Control, Node: m.Node, MeetingID: m.MeetingID, UserID: m.Kick, Session: m.Session,
		Reset: m.Reset, CreatedAt: at.UTC()}
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, fmt.Errorf("store control message %d again: %w", m.Control, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// controlsSince returns up to limit control messages stored at or after
// since, oldest first.
func (s *store) controlsSince(ctx context.Context, since time.Time, limit int) ([]message, error) {
	var rows []controlRow
	err := s.db.WithContext(ctx).Where("created_at >= ?", since.UTC()).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read control messages: %w", err)
	}
	out := make([]message, len(rows))
	for i, row := range rows {
		out[i] = message{Node: row.Node, MeetingID: row.MeetingID, Kick: row.UserID, Session: row.Session,
			Reset: row.Reset, Control: row.ID}
	}
	return out, nil
}

// pruneControls deletes the control messages stored before before.
func (s *store) pruneControls(ctx context.Context, before time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", before.UTC()).Delete(&controlRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune control messages: %w", res.Error)
	}
	return res.RowsAffected, nil
}
