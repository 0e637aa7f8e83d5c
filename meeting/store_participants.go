package meeting

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/web"
)

func (s *store) participants(ctx context.Context, meetingID string) ([]participantRow, error) {
	var rows []participantRow
	err := s.db.WithContext(ctx).Where("meeting_id = ?", meetingID).Find(&rows).Error
	return rows, internal(err, "load participants")
}

func (s *store) participant(ctx context.Context, meetingID, userID string) (participantRow, error) {
	return findParticipant(s.db.WithContext(ctx), meetingID, userID, false)
}

// findParticipant loads one participant, locked FOR UPDATE when lock is
// set; NotFound when the user does not take part.
func findParticipant(tx *gorm.DB, meetingID, userID string, lock bool) (participantRow, error) {
	if lock {
		tx = tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var r participantRow
	err := tx.Where("meeting_id = ? AND user_id = ?", meetingID, userID).Take(&r).Error
	if database.IsNotFound(err) {
		return r, apperr.NotFoundf("that user does not take part in this meeting")
	}
	return r, internal(err, "load participant")
}

func whereParticipant(tx *gorm.DB, r participantRow) *gorm.DB {
	return tx.Model(&participantRow{}).Where("meeting_id = ? AND user_id = ?", r.MeetingID, r.UserID)
}

// putParticipant inserts row or replaces the role and rights of the
// existing participant (keeping their attendance); it reports an insert,
// and whether anything changed: a participant who already has exactly
// row's role, vote and weight is left alone, and nothing is audited.
// The meeting is locked so that two secretaries demoting each other at once
// cannot leave it with none.
func (s *store) putParticipant(ctx context.Context, row participantRow, e audit.Entry) (created, changed bool, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		created, changed = false, false
		if _, err := LockOpen(tx, row.MeetingID, true); err != nil {
			return err
		}
		old, err := findParticipant(tx, row.MeetingID, row.UserID, false)
		switch {
		case apperr.Is(err, apperr.NotFound):
			created = true
			err = internal(tx.Create(&row).Error, "add participant")
		case err == nil && old.Role == row.Role && old.CanVote == row.CanVote && old.Weight == row.Weight:
			return nil
		case err == nil:
			if err = keepSecretary(tx, old, Role(row.Role)); err == nil {
				err = internal(whereParticipant(tx, row).Updates(map[string]any{
					"role": row.Role, "can_vote": row.CanVote, "weight": row.Weight}).Error, "update participant")
			}
		}
		if err != nil {
			return err
		}
		changed = true
		return internal(audit.Write(tx, e), "audit")
	})
	return created, changed, err
}

// removeParticipant deletes a participant and their attendance, runs the
// leave hooks in the same transaction (as a) and returns what they leave
// for after the commit.
func (s *store) removeParticipant(ctx context.Context, a web.Actor, meetingID, userID string, e audit.Entry, hooks *leaveHooks) ([]After, error) {
	var after []After
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if _, err := LockOpen(tx, meetingID, true); err != nil {
			return err
		}
		old, err := findParticipant(tx, meetingID, userID, false)
		if err != nil {
			return err
		}
		if err := keepSecretary(tx, old, ""); err != nil {
			return err
		}
		if err := whereParticipant(tx, old).Delete(&participantRow{}).Error; err != nil {
			return apperr.Internalf(err, "remove participant")
		}
		if after, err = hooks.run(ctx, tx, a, meetingID, userID); err != nil {
			return err
		}
		return internal(audit.Write(tx, e), "audit")
	})
	if err != nil {
		return nil, err
	}
	return after, nil
}

// keepSecretary counts the secretaries when old would stop being one.
func keepSecretary(tx *gorm.DB, old participantRow, next Role) error {
	if Role(old.Role) != Secretary || next == Secretary {
		return nil
	}
	var n int64
	err := tx.Model(&participantRow{}).Where("meeting_id = ? AND role = ?", old.MeetingID, string(Secretary)).Count(&n).Error
	if err != nil {
		return apperr.Internalf(err, "count secretaries")
	}
	return lastSecretary(n)
}

// recordAttendance applies rec to the participant's row, locked, and
// reports whether it changed anything.
func (s *store) recordAttendance(ctx context.Context, rec attendanceRecord, e audit.Entry) (participantRow, bool, error) {
	var r participantRow
	changed := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		m, err := lockMeeting(tx, rec.meetingID, false)
		if err != nil {
			return err
		}
		if err := rec.allowedIn(Status(m.Status)); err != nil {
			return err
		}
		r, err = findParticipant(tx, rec.meetingID, rec.userID, true)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.Unprocessable, "that user does not take part in this meeting")
		} else if err != nil {
			return err
		}
		if changed = rec.apply(&r); !changed {
			return nil
		}
		err = whereParticipant(tx, r).Updates(map[string]any{"attendance": r.Attendance, "attendance_reason": r.AttendanceReason,
			"checked_in_at": r.CheckedInAt, "attendance_at": r.AttendanceAt, "recorded_by": r.RecordedBy}).Error
		if err != nil {
			return apperr.Internalf(err, "record attendance")
		}
		return internal(audit.Write(tx, e), "audit")
	})
	return r, changed, err
}
