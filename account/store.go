package account

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
)

type userRow struct {
	ID           string `gorm:"primaryKey;size:64"`
	Username     string `gorm:"size:64;not null;uniqueIndex"`
	FullName     string `gorm:"size:200;not null"`
	PasswordHash string `gorm:"size:255;not null"`
	IsAdmin      bool   `gorm:"not null;default:false"`
	Disabled     bool   `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) user() User {
	return User{ID: r.ID, Username: r.Username, FullName: r.FullName, IsAdmin: r.IsAdmin,
		Disabled: r.Disabled, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// sessionRow stores only a hash of the session token: a stolen database
// does not hand out live sessions.
type sessionRow struct {
	ID         string    `gorm:"primaryKey;size:64"` // sha256 of the token, hex
	UserID     string    `gorm:"size:64;not null;index"`
	CreatedAt  time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null;index"`
	LastSeenAt time.Time `gorm:"not null"`
	ClientIP   string    `gorm:"size:64"`
	UserAgent  string    `gorm:"size:255"`
	User       userRow   `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (sessionRow) TableName() string { return "sessions" }

// Migration creates the account tables.
func Migration() database.Step {
	return database.Step{Name: "account", Run: func(tx *gorm.DB) error {
		return tx.AutoMigrate(&userRow{}, &sessionRow{})
	}}
}

// store is the account package's storage; nothing else in the package
// touches gorm.
type store struct {
	db *gorm.DB
}

func (s *store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

func (s *store) userByUsername(ctx context.Context, username string) (userRow, error) {
	var r userRow
	err := s.db.WithContext(ctx).Where("username = ?", username).Take(&r).Error
	return r, notFound(err, "user")
}

func (s *store) userByID(ctx context.Context, id string) (userRow, error) {
	var r userRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	return r, notFound(err, "user")
}

func (s *store) usersByIDs(ctx context.Context, ids []string) ([]userRow, error) {
	var rows []userRow
	if len(ids) == 0 {
		return rows, nil
	}
	err := s.db.WithContext(ctx).Where("id IN ?", ids).Order("full_name, username").Find(&rows).Error
	return rows, internal(err, "load users")
}

func (s *store) listUsers(ctx context.Context) ([]userRow, error) {
	var rows []userRow
	err := s.db.WithContext(ctx).Order("username").Find(&rows).Error
	return rows, internal(err, "list users")
}

func (s *store) countAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&userRow{}).Where("is_admin = ? AND disabled = ?", true, false).Count(&n).Error
	return n, internal(err, "count admins")
}

// createUser inserts a user and its audit entry in one transaction.
func (s *store) createUser(ctx context.Context, r userRow, e audit.Entry) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return apperr.Conflictf("the username %q is taken", r.Username)
			}
			return apperr.Internalf(err, "create user")
		}
		return internal(audit.Write(tx, e), "audit")
	})
}

// updateUser saves changed fields; when the user is disabled or the
// password changes, their sessions end in the same transaction.
func (s *store) updateUser(ctx context.Context, id string, fields map[string]any, endSessions bool, e audit.Entry) (userRow, error) {
	var r userRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&r).Error; err != nil {
			return notFound(err, "user")
		}
		fields["updated_at"] = time.Now().UTC()
		if err := tx.Model(&r).Updates(fields).Error; err != nil {
			return apperr.Internalf(err, "update user")
		}
		if endSessions {
			if err := tx.Where("user_id = ?", id).Delete(&sessionRow{}).Error; err != nil {
				return apperr.Internalf(err, "end sessions")
			}
		}
		return internal(audit.Write(tx, e), "audit")
	})
	if err != nil {
		return userRow{}, err
	}
	return s.userByID(ctx, id)
}

func (s *store) createSession(ctx context.Context, r sessionRow, e audit.Entry) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Omit("User").Create(&r).Error; err != nil {
			return apperr.Internalf(err, "create session")
		}
		return internal(audit.Write(tx, e), "audit")
	})
}

// sessionsPerQuery bounds the ids of one session query: well under
// SQLite's oldest limit of 999 parameters, and a short statement.
const sessionsPerQuery = 256

// sessionsWithUsers loads sessions and their users, one query for many
// ids: it runs for the requests whose session is not cached, and a vote
// storm or a join storm brings hundreds at once (batch.Loader gathers
// them). It reads the columns Authenticate needs with a plain row scan:
// gorm's join and reflection cost several times the query.
func (s *store) sessionsWithUsers(ctx context.Context, ids []string) (map[string]sessionRow, error) {
	q := "SELECT s.id, s.user_id, s.expires_at, s.last_seen_at, u.username, u.full_name, u.is_admin, u.disabled " +
		"FROM sessions s JOIN users u ON u.id = s.user_id WHERE "
	var arg any = ids
	if s.db.Dialector.Name() == "postgres" {
		// One statement text whatever the number of ids, so the driver's
		// prepared statement serves every batch. The ids are hex digests
		// (tokenHash), safe in an array literal.
		q += "s.id = ANY(CAST(? AS text[]))"
		arg = "{" + strings.Join(ids, ",") + "}"
	} else {
		q += "s.id IN ?"
	}
	rows, err := s.db.WithContext(ctx).Raw(q, arg).Rows()
	if err != nil {
		return nil, apperr.Internalf(err, "load sessions")
	}
	defer rows.Close()
	out := make(map[string]sessionRow, len(ids))
	for rows.Next() {
		var r sessionRow
		if err := rows.Scan(&r.ID, &r.UserID, &r.ExpiresAt, &r.LastSeenAt, &r.User.Username, &r.User.FullName, &r.User.IsAdmin, &r.User.Disabled); err != nil {
			return nil, apperr.Internalf(err, "read sessions")
		}
		r.User.ID = r.UserID
		out[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Internalf(err, "read sessions")
	}
	return out, nil
}

// touchSessions writes the last-seen time of the sessions ids (at most
// sessionsPerQuery of them) in one statement.
func (s *store) touchSessions(ctx context.Context, ids []string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&sessionRow{}).Where("id IN ?", ids).Update("last_seen_at", at).Error
	return internal(err, "touch sessions")
}

func (s *store) deleteSession(ctx context.Context, id string, e *audit.Entry) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Delete(&sessionRow{}).Error; err != nil {
			return apperr.Internalf(err, "delete session")
		}
		if e == nil {
			return nil
		}
		return internal(audit.Write(tx, *e), "audit")
	})
}

func (s *store) deleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-idle)).Delete(&sessionRow{})
	return res.RowsAffected, internal(res.Error, "delete expired sessions")
}

func (s *store) recordAudit(ctx context.Context, e audit.Entry) error {
	return internal(audit.Write(s.db.WithContext(ctx), e), "audit")
}

func notFound(err error, what string) error {
	if err == nil {
		return nil
	}
	if database.IsNotFound(err) {
		return apperr.NotFoundf("%s not found", what)
	}
	return apperr.Internalf(err, "load %s", what)
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
