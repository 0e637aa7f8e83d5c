// Package audit keeps Curia's append-only audit log: who did what, to which
// object, in which meeting, from where. Stores write entries inside the
// transaction of the change they record, so a change and its audit entry
// commit together. Nothing updates or deletes an entry.
package audit

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/web"
)

// Entry is one audit record.
type Entry struct {
	ID        int64          `json:"id"`
	At        time.Time      `json:"at"`
	ActorID   string         `json:"actor_id,omitempty"`
	Action    string         `json:"action"` // e.g. "login.failed", "meeting.created"
	Object    string         `json:"object,omitempty"`
	MeetingID string         `json:"meeting_id,omitempty"`
	Detail    map[string]any `json:"detail,omitempty"`
	ClientIP  string         `json:"client_ip,omitempty"`
}

type row struct {
	ID        int64     `gorm:"primaryKey;autoIncrement"`
	At        time.Time `gorm:"not null;index"`
	ActorID   string    `gorm:"size:64;index"`
	Action    string    `gorm:"size:64;not null;index"`
	Object    string    `gorm:"size:128;index"`
	MeetingID string    `gorm:"size:64;index"`
	Detail    string    `gorm:"type:text"`
	ClientIP  string    `gorm:"size:64"`
}

func (row) TableName() string { return "audit_log" }

// Migration creates the audit table.
func Migration() database.Step {
	return database.Step{Name: "audit", Run: func(tx *gorm.DB) error { return tx.AutoMigrate(&row{}) }}
}

// Write appends e using tx, which should be the transaction of the change
// being recorded. It is meant to be called from store code.
func Write(tx *gorm.DB, e Entry) error {
	r, err := toRow(e)
	if err != nil {
		return err
	}
	return tx.Create(&r).Error
}

// WriteMany appends entries in multi-row inserts, in their order, using
// tx (the transaction of the changes they record). It is on the path of
// every vote and every annotation batch, so it builds the statements
// itself: gorm's batch create reflects over each row and reads every new
// id back, which nobody here needs.
func WriteMany(tx *gorm.DB, es []Entry) error {
	rs := make([]row, len(es))
	for i, e := range es {
		r, err := toRow(e)
		if err != nil {
			return err
		}
		rs[i] = r
	}
	return writeRows(tx, rs)
}

// writeRows is WriteMany on entries already made rows (toRow).
func writeRows(tx *gorm.DB, rs []row) error {
	if tx.Dialector.Name() == "postgres" {
		return writeRowsPG(tx, rs)
	}
	for chunk := range slices.Chunk(rs, rowsPerInsert) {
		var sql strings.Builder
		sql.WriteString("INSERT INTO audit_log (at, actor_id, action, object, meeting_id, detail, client_ip) VALUES ")
		args := make([]any, 0, 7*len(chunk))
		for i, r := range chunk {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, r.At, r.ActorID, r.Action, r.Object, r.MeetingID, r.Detail, r.ClientIP)
		}
		if err := tx.Exec(sql.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// rowsPerInsert keeps one INSERT's parameters (7 a row) under SQLite's
// oldest limit of 999.
const rowsPerInsert = 140

// writeRowsPG is writeRows on PostgreSQL: one statement whatever the
// number of entries, its columns as arrays, so its text never changes and
// the driver prepares it once per connection.
func writeRowsPG(tx *gorm.DB, rs []row) error {
	n := len(rs)
	at := make([]time.Time, n)
	actor, action, object, meeting, detail, ip := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range rs {
		at[i], actor[i], action[i], object[i], meeting[i], detail[i], ip[i] = r.At, r.ActorID, r.Action, r.Object, r.MeetingID, r.Detail, r.ClientIP
	}
	_, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context,
		"INSERT INTO audit_log (at, actor_id, action, object, meeting_id, detail, client_ip) "+
			"SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])",
		at, actor, action, object, meeting, detail, ip)
	return err
}

func toRow(e Entry) (row, error) {
	r := row{At: e.At, ActorID: e.ActorID, Action: e.Action, Object: e.Object, MeetingID: e.MeetingID, ClientIP: e.ClientIP}
	if r.At.IsZero() {
		r.At = time.Now().UTC()
	}
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return row{}, err
		}
		r.Detail = string(b)
	}
	return r, nil
}

// Log reads and appends audit entries outside any other transaction.
type Log struct {
	db *gorm.DB
}

// New returns a Log on db.
func New(db *database.DB) *Log { return &Log{db: db.Gorm} }

// Record appends one entry in its own transaction.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if err := Write(l.db.WithContext(ctx), e); err != nil {
		return apperr.Internalf(err, "write audit entry")
	}
	return nil
}

// Filter selects entries for List.
type Filter struct {
	MeetingID string
	ActorID   string
	Action    string
	Object    string // e.g. "document:ID": who opened that document
	BeforeID  int64  // page backwards from this id
	Limit     int    // default 100, at most 1000
}

// List returns entries newest first.
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, error) {
	q := l.db.WithContext(ctx).Model(&row{}).Order("id DESC")
	if f.MeetingID != "" {
		q = q.Where("meeting_id = ?", f.MeetingID)
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Object != "" {
		q = q.Where("object = ?", f.Object)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var rows []row
	if err := q.Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "list audit entries")
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{ID: r.ID, At: r.At, ActorID: r.ActorID, Action: r.Action, Object: r.Object, MeetingID: r.MeetingID, ClientIP: r.ClientIP}
		if r.Detail != "" {
			_ = json.Unmarshal([]byte(r.Detail), &out[i].Detail)
		}
	}
	return out, nil
}

// For makes the entry of a change that actor a made in a meeting at a
// time, with the request's client address.
func For(a web.Actor, at time.Time, meetingID, action, object string, detail map[string]any) Entry {
	return Entry{At: at, ActorID: a.UserID, Action: action, Object: object, MeetingID: meetingID, Detail: detail, ClientIP: a.ClientIP}
}
