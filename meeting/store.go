package meeting

import (
	"context"
	"maps"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
)

type meetingRow struct {
	ID             string `gorm:"primaryKey;size:64"`
	Title          string `gorm:"size:300;not null"`
	Description    string `gorm:"type:text;not null"`
	Location       string `gorm:"size:300;not null"`
	StartsAt       *time.Time
	Status         string `gorm:"size:16;not null"`
	QuorumRule     string `gorm:"size:16;not null"`
	QuorumCount    int    `gorm:"not null"`
	QuorumByWeight bool   `gorm:"not null"`
	StartedAt      *time.Time
	ClosedAt       *time.Time
	CreatedBy      string    `gorm:"size:64;not null"`
	CreatedAt      time.Time `gorm:"not null;index"`
	UpdatedAt      time.Time `gorm:"not null"`
}

func (meetingRow) TableName() string { return "meetings" }

func (r meetingRow) quorum() QuorumRule {
	return QuorumRule{Rule: QuorumKind(r.QuorumRule), Count: r.QuorumCount, ByWeight: r.QuorumByWeight}
}

func (r meetingRow) meeting(my Role) Meeting {
	return Meeting{ID: r.ID, Title: r.Title, Description: r.Description, Location: r.Location, StartsAt: r.StartsAt,
		Status: Status(r.Status), Quorum: r.quorum(), StartedAt: r.StartedAt, ClosedAt: r.ClosedAt,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, MyRole: my}
}

// participantRow is a participant and their attendance: one row per person
// and meeting, so a check-in is a single-row update that cannot race an insert.
type participantRow struct {
	MeetingID        string    `gorm:"primaryKey;size:64"`
	UserID           string    `gorm:"primaryKey;size:64;index"`
	Role             string    `gorm:"size:16;not null"`
	CanVote          bool      `gorm:"not null"`
	Weight           int       `gorm:"not null"`
	AddedAt          time.Time `gorm:"not null"`
	Attendance       string    `gorm:"size:16;not null"` // "" until recorded
	AttendanceReason string    `gorm:"size:500;not null"`
	CheckedInAt      *time.Time
	AttendanceAt     *time.Time
	RecordedBy       string `gorm:"size:64;not null"`
}

func (participantRow) TableName() string { return "meeting_participants" }

// Migration creates the meeting tables.
func Migration() database.Step {
	return database.Step{Name: "meeting", Run: func(tx *gorm.DB) error {
		return tx.AutoMigrate(&meetingRow{}, &participantRow{})
	}}
}

// store is the meeting package's storage; nothing else in the package
// touches gorm.
type store struct {
	db *gorm.DB
}

func (s *store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// LockOpen locks meeting id inside tx and returns its status: exclusive
// (FOR UPDATE) for changes that must see the meeting still, shared (FOR
// SHARE) otherwise, so a concurrent close waits for them. A closed meeting
// is a Conflict and a missing one NotFound. Other packages' stores call it
// first in their transactions, which keeps one lock order: meeting first.
// On SQLite the immediate transaction already serialises writers.
func LockOpen(tx *gorm.DB, id string, exclusive bool) (Status, error) {
	m, err := lockMeeting(tx, id, exclusive)
	if err != nil {
		return "", err
	}
	return Status(m.Status), writable(Status(m.Status))
}

// WhileOpen is a subquery, for a single statement's condition (WHERE
// EXISTS (?)), that finds meeting id while it is not closed and holds it
// shared (FOR SHARE) as LockOpen does: on PostgreSQL a close in progress
// makes the statement wait and then find nothing, and a later close waits
// for it. On SQLite a write statement is its own immediate transaction,
// wholly before or after the close's. db is the statement's session.
func WhileOpen(db *gorm.DB, id string) *gorm.DB {
	return db.Model(&meetingRow{}).Select("1").Clauses(clause.Locking{Strength: clause.LockingStrengthShare}).
		Where("id = ? AND status <> ?", id, string(Closed))
}

func lockMeeting(tx *gorm.DB, id string, exclusive bool) (meetingRow, error) {
	strength := clause.LockingStrengthShare
	if exclusive {
		strength = clause.LockingStrengthUpdate
	}
	var m meetingRow
	err := tx.Clauses(clause.Locking{Strength: strength}).Where("id = ?", id).Take(&m).Error
	if database.IsNotFound(err) {
		return m, errNoMeeting()
	}
	return m, internal(err, "load meeting")
}

func (s *store) createMeeting(ctx context.Context, m meetingRow, p participantRow, e audit.Entry) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&m).Error; err != nil {
			return apperr.Internalf(err, "create meeting")
		}
		if err := tx.Create(&p).Error; err != nil {
			return apperr.Internalf(err, "add secretary")
		}
		return internal(audit.Write(tx, e), "audit")
	})
}

func (s *store) meeting(ctx context.Context, id string) (meetingRow, error) {
	var m meetingRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&m).Error
	if database.IsNotFound(err) {
		return m, errNoMeeting()
	}
	return m, internal(err, "load meeting")
}

// rolesOf maps the ids of the meetings userID takes part in to their role.
func (s *store) rolesOf(ctx context.Context, userID string) (map[string]string, error) {
	var rows []participantRow
	err := s.db.WithContext(ctx).Select("meeting_id", "role").Where("user_id = ?", userID).Find(&rows).Error
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.MeetingID] = r.Role
	}
	return out, internal(err, "load roles")
}

// listMeetings returns the meetings in roles, or all of them: latest
// date first, undated ones last, then newest first.
func (s *store) listMeetings(ctx context.Context, roles map[string]string, all bool) ([]meetingRow, error) {
	var rows []meetingRow
	q := s.db.WithContext(ctx).Order("CASE WHEN starts_at IS NULL THEN 1 ELSE 0 END, starts_at DESC, created_at DESC")
	if !all {
		if len(roles) == 0 {
			return rows, nil
		}
		ids := make([]string, 0, len(roles))
		for id := range roles {
			ids = append(ids, id)
		}
		q = q.Where("id IN ?", ids)
	}
	return rows, internal(q.Find(&rows).Error, "list meetings")
}

// updateMeeting locks the meeting, lets decide pick the columns to change
// (or refuse), saves them and the audit entry, and returns the new row.
// A non-nil guard runs after decide, in the same transaction, with the
// chosen columns, and may still refuse.
func (s *store) updateMeeting(ctx context.Context, id string, decide func(meetingRow) (map[string]any, audit.Entry, error),
	guard func(tx *gorm.DB, fields map[string]any) error) (meetingRow, error) {
	var m meetingRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if m, err = lockMeeting(tx, id, true); err != nil {
			return err
		}
		fields, e, err := decide(m)
		if err != nil {
			return err
		}
		if guard != nil {
			if err := guard(tx, fields); err != nil {
				return err
			}
		}
		fields = maps.Clone(fields) // the audit entry may share the map
		fields["updated_at"] = e.At
		if err := tx.Model(&m).Updates(fields).Error; err != nil {
			return apperr.Internalf(err, "update meeting")
		}
		return internal(audit.Write(tx, e), "audit")
	})
	if err != nil {
		return meetingRow{}, err
	}
	return s.meeting(ctx, id)
}

// access loads the meeting and userID's participation (nil when none).
func (s *store) access(ctx context.Context, meetingID, userID string) (meetingRow, *participantRow, error) {
	m, err := s.meeting(ctx, meetingID)
	if err != nil {
		return m, nil, err
	}
	var ps []participantRow
	err = s.db.WithContext(ctx).Where("meeting_id = ? AND user_id = ?", meetingID, userID).Limit(1).Find(&ps).Error
	if err != nil || len(ps) == 0 {
		return m, nil, internal(err, "load participant")
	}
	return m, &ps[0], nil
}

func internal(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*apperr.Error); ok {
		return err
	}
	return apperr.Internalf(err, "%s", what)
}
