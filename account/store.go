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

// deviceRow is a device a user has signed in from (device.go). Like a
// session it stores only a hash of its token.
type deviceRow struct {
	ID         string    `gorm:"primaryKey;size:64"` // sha256 of the token, hex
	UserID     string    `gorm:"size:64;not null;index"`
	CreatedAt  time.Time `gorm:"not null"`
	LastUsedAt time.Time `gorm:"not null;index"` // the last sign-in with it
	User       userRow   `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (deviceRow) TableName() string { return "login_devices" }

// Migration creates the account tables.
func Migration() database.Step {
	return database.Step{Name: "account", Run: func(tx *gorm.DB) error {
		return tx.AutoMigrate(&userRow{}, &sessionRow{}, &deviceRow{})
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

// userChange is what updateUser saves, with what it checks in its
// transaction.
type userChange struct {
	fields  map[string]any // the columns to set, updated_at included
	actorID string         // the administrator making the change
	// operator: the change comes from the server's command line, with no
	// administrator to check (actorID is empty).
	operator bool
	// removesAdmin: the change disables the user or takes the
	// administrator right away, so it may leave no enabled administrator.
	removesAdmin bool
	// endSessions ends the user's sessions (disabled, password reset),
	// all but keep when keep is set: the session of an administrator who
	// resets their own password.
	endSessions bool
	keep        string
}

// updateUser saves a change of user id. In the same transaction it checks
// that the actor is still an enabled administrator (the actor was
// authenticated before, maybe from a cache), that an enabled administrator
// is left when the change may remove one, and ends the user's sessions when
// asked; it returns the ids of the sessions it ended when keep was set.
//
// The rows it reads are locked in the order of their ids, in one
// statement: two administrators who change each other at once wait for
// one another instead of deadlocking (on PostgreSQL; SQLite runs one write
// transaction at a time).
func (s *store) updateUser(ctx context.Context, id string, ch userChange, e audit.Entry) (userRow, []string, error) {
	var r userRow
	var ended []string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Order("id")
		if ch.removesAdmin {
			q = q.Where("id IN ? OR (is_admin = ? AND disabled = ?)", []string{id, ch.actorID}, true, false)
		} else {
			q = q.Where("id IN ?", []string{id, ch.actorID})
		}
		var rows []userRow
		if err := q.Find(&rows).Error; err != nil {
			return apperr.Internalf(err, "load users")
		}
		var actor, target *userRow
		admins := 0 // enabled administrators other than the target
		for i := range rows {
			if rows[i].ID == ch.actorID {
				actor = &rows[i]
			}
			if rows[i].ID == id {
				target = &rows[i]
			} else if rows[i].IsAdmin && !rows[i].Disabled {
				admins++
			}
		}
		if target == nil {
			return apperr.NotFoundf("user not found")
		}
		// The last administrator first: it is what two administrators who
		// disable each other at once run into (the second of them is no
		// longer one either).
		if ch.removesAdmin && target.IsAdmin && !target.Disabled && admins == 0 {
			return apperr.Conflictf("%s is the last enabled administrator: make someone else an administrator first", target.Username)
		}
		if !ch.operator && (actor == nil || !actor.IsAdmin || actor.Disabled) {
			return apperr.Forbiddenf("only an administrator can change users")
		}
		r = *target
		if err := tx.Model(&r).Updates(ch.fields).Error; err != nil {
			return apperr.Internalf(err, "update user")
		}
		if ch.endSessions {
			var err error
			if ended, err = endSessions(tx, id, ch.keep); err != nil {
				return err
			}
			if err := forgetDevices(tx, id); err != nil {
				return err
			}
		}
		return internal(audit.Write(tx, e), "audit")
	})
	if err != nil {
		return userRow{}, nil, err
	}
	r, err = s.userByID(ctx, id)
	return r, ended, err
}

// endSessions deletes the sessions of userID, all of them when keep is
// "", else all but keep, whose ids it then returns (to close their live
// connections; the others are closed user-wide).
func endSessions(tx *gorm.DB, userID, keep string) ([]string, error) {
	if keep == "" {
		if err := tx.Where("user_id = ?", userID).Delete(&sessionRow{}).Error; err != nil {
			return nil, apperr.Internalf(err, "end sessions")
		}
		return nil, nil
	}
	var ended []string
	if err := tx.Model(&sessionRow{}).Where("user_id = ? AND id <> ?", userID, keep).Pluck("id", &ended).Error; err != nil {
		return nil, apperr.Internalf(err, "load sessions")
	}
	if err := tx.Where("user_id = ? AND id <> ?", userID, keep).Delete(&sessionRow{}).Error; err != nil {
		return nil, apperr.Internalf(err, "end sessions")
	}
	return ended, nil
}

// changePassword sets the password hash of userID to next, if it is still
// old (the one the current password was checked against), ends the user's
// sessions but keep (the one that asked; "" for none) and writes e, in
// one transaction. It returns the ids of the sessions it ended.
func (s *store) changePassword(ctx context.Context, userID, old, next, keep string, now time.Time, e audit.Entry) ([]string, error) {
	var ended []string
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u userRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", userID).Take(&u).Error; err != nil {
			if database.IsNotFound(err) {
				return errSessionEnded()
			}
			return apperr.Internalf(err, "load user")
		}
		if u.Disabled {
			return errSessionEnded()
		}
		if keep != "" {
			var n int64
			if err := tx.Model(&sessionRow{}).Where("id = ? AND user_id = ?", keep, userID).Count(&n).Error; err != nil {
				return apperr.Internalf(err, "load session")
			}
			if n == 0 { // ended meanwhile: a logout, a reset
				return errSessionEnded()
			}
		}
		if u.PasswordHash != old {
			return apperr.Conflictf("your password was changed meanwhile; try again with the new one")
		}
		if err := tx.Model(&u).Updates(map[string]any{"password_hash": next, "updated_at": now}).Error; err != nil {
			return apperr.Internalf(err, "change password")
		}
		var err error
		if ended, err = endSessions(tx, userID, keep); err != nil {
			return err
		}
		if err := forgetDevices(tx, userID); err != nil {
			return err
		}
		return internal(audit.Write(tx, e), "audit")
	})
	return ended, err
}

// forgetDevices deletes the device tokens of userID: a password reset or
// change, or disabling the user, ends the trust in the devices that
// signed in before, as it ends their sessions.
func forgetDevices(tx *gorm.DB, userID string) error {
	if err := tx.Where("user_id = ?", userID).Delete(&deviceRow{}).Error; err != nil {
		return apperr.Internalf(err, "forget devices")
	}
	return nil
}

// createSession inserts a session of a user whose password was checked
// against passwordHash, and its audit entry, in one transaction that first
// reads the user again, locked against a change: it reports false, and
// writes nothing, when that hash is no longer the user's (a reset or a
// change committed since it was read) or the user is disabled or gone.
// A password change or reset (updateUser, changePassword) holds the same
// row locked while it ends the sessions, so it either waits for this one
// to commit and ends it too, or commits first and is seen here.
//
// When dev names a device (its ID set), the same transaction records it
// as used now: a new row, or the last-used time of the one the client
// presented; then only the user's maxDevices most recently used devices
// are kept. A reset that commits first thus never sees a device of the
// old password survive it, as with the session.
func (s *store) createSession(ctx context.Context, r sessionRow, passwordHash string, e audit.Entry, dev deviceRow) (bool, error) {
	created := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u userRow
		err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Select("id", "password_hash", "disabled").
			Where("id = ?", r.UserID).Take(&u).Error
		switch {
		case database.IsNotFound(err):
			return nil
		case err != nil:
			return apperr.Internalf(err, "load user")
		case u.PasswordHash != passwordHash || u.Disabled:
			return nil
		}
		if err := tx.Omit("User").Create(&r).Error; err != nil {
			return apperr.Internalf(err, "create session")
		}
		if dev.ID != "" {
			if err := useDevice(tx, dev); err != nil {
				return err
			}
		}
		created = true
		return internal(audit.Write(tx, e), "audit")
	})
	return created && err == nil, err
}

// useDevice records dev as used at dev.LastUsedAt (inserting it when it
// is new) and keeps, besides it, the user's maxDevices-1 most recently
// used devices.
func useDevice(tx *gorm.DB, dev deviceRow) error {
	err := tx.Omit("User").Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.Assignments(map[string]any{"last_used_at": dev.LastUsedAt})}).Create(&dev).Error
	if err != nil {
		return apperr.Internalf(err, "record device")
	}
	var others []string
	if err := tx.Model(&deviceRow{}).Where("user_id = ? AND id <> ?", dev.UserID, dev.ID).Order("last_used_at DESC, id").
		Pluck("id", &others).Error; err != nil {
		return apperr.Internalf(err, "load devices")
	}
	if len(others) < maxDevices {
		return nil
	}
	if err := tx.Where("id IN ?", others[maxDevices-1:]).Delete(&deviceRow{}).Error; err != nil {
		return apperr.Internalf(err, "drop old devices")
	}
	return nil
}

// deviceUser returns the user a device id belongs to (enough of it to
// match a sign-in: username and disabled) and when the device was last
// used; found is false for an unknown id. One indexed read, whatever the
// answer.
func (s *store) deviceUser(ctx context.Context, id string) (username string, disabled bool, lastUsed time.Time, found bool, err error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT u.username, u.disabled, d.last_used_at "+
		"FROM login_devices d JOIN users u ON u.id = d.user_id WHERE d.id = ?", id).Rows()
	if err != nil {
		return "", false, time.Time{}, false, apperr.Internalf(err, "load device")
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&username, &disabled, &lastUsed); err != nil {
			return "", false, time.Time{}, false, apperr.Internalf(err, "read device")
		}
		found = true
	}
	if err := rows.Err(); err != nil {
		return "", false, time.Time{}, false, apperr.Internalf(err, "read device")
	}
	return username, disabled, lastUsed, found, nil
}

// deleteDevice forgets one device.
func (s *store) deleteDevice(ctx context.Context, id string) error {
	err := s.db.WithContext(ctx).Where("id = ?", id).Delete(&deviceRow{}).Error
	return internal(err, "drop device")
}

// deleteStaleDevices forgets the devices unused since before.
func (s *store) deleteStaleDevices(ctx context.Context, before time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("last_used_at < ?", before).Delete(&deviceRow{})
	return res.RowsAffected, internal(res.Error, "delete stale devices")
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
