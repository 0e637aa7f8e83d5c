package agenda

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

type speakerRow struct {
	ID           string    `gorm:"primaryKey;size:64"`
	MeetingID    string    `gorm:"size:64;not null;index"`
	ItemID       string    `gorm:"size:64;not null;index"`
	UserID       string    `gorm:"size:64;not null"`
	Kind         string    `gorm:"size:16;not null"`
	Status       string    `gorm:"size:16;not null"`
	Seq          int       `gorm:"not null"` // order in the item's queues
	RequestedAt  time.Time `gorm:"not null"`
	StartedAt    *time.Time
	FinishedAt   *time.Time
	TimeLimitSec int    `gorm:"not null"`
	AddedBy      string `gorm:"size:64;not null"`
}

func (speakerRow) TableName() string { return "agenda_speakers" }

func (r speakerRow) speaker(name string) Speaker {
	return Speaker{ID: r.ID, AgendaItemID: r.ItemID, UserID: r.UserID, FullName: name, Kind: Kind(r.Kind),
		Status: SpeakerStatus(r.Status), RequestedAt: r.RequestedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		TimeLimitSec: r.TimeLimitSec, AddedBy: r.AddedBy}
}

// speakers returns an item's speakers in queue order.
func (s *store) speakers(ctx context.Context, itemID string) ([]speakerRow, error) {
	var rows []speakerRow
	err := s.db.WithContext(ctx).Where("item_id = ?", itemID).Order("seq, id").Find(&rows).Error
	return rows, internal(err, "load speakers")
}

// speaker finds a speaker in any meeting; callers check access to its meeting.
func (s *store) speaker(ctx context.Context, id string) (speakerRow, error) {
	var r speakerRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	return r, notFound(err, "speaker")
}

func (w *writer) speaker(id string) (speakerRow, error) {
	var r speakerRow
	err := w.tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("id = ? AND meeting_id = ?", id, w.meetingID).Take(&r).Error
	return r, notFound(err, "speaker")
}

// enqueue appends r to its queue, refusing a second waiting entry of the
// same person in the same queue.
func (w *writer) enqueue(r *speakerRow) error {
	var n int64
	err := w.tx.Model(&speakerRow{}).Where("item_id = ? AND kind = ? AND user_id = ? AND status = ?",
		r.ItemID, r.Kind, r.UserID, string(Waiting)).Count(&n).Error
	if err != nil {
		return apperr.Internalf(err, "check queue")
	}
	if n > 0 {
		return errQueuedTwice()
	}
	var last struct{ Seq *int }
	if err := w.tx.Model(&speakerRow{}).Select("MAX(seq) AS seq").Where("item_id = ?", r.ItemID).Scan(&last).Error; err != nil {
		return apperr.Internalf(err, "number queue")
	}
	if last.Seq != nil {
		r.Seq = *last.Seq + 1
	}
	err = w.tx.Create(r).Error
	if database.IsUniqueViolation(err) {
		return errQueuedTwice()
	}
	return internal(err, "enqueue speaker")
}

func errQueuedTwice() error {
	return apperr.Conflictf("already waiting in this queue")
}

// activeSpeakers returns, locked, whoever has the floor in the meeting:
// one entry at most (an index holds it), none when nobody speaks.
func (w *writer) activeSpeakers() ([]speakerRow, error) {
	var rows []speakerRow
	err := w.tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("meeting_id = ? AND status = ?", w.meetingID, string(Active)).Order("id").Find(&rows).Error
	return rows, internal(err, "load active speaker")
}

// noActiveSpeaker is a Conflict while someone in the meeting has the floor.
func (w *writer) noActiveSpeaker() error {
	var n int64
	err := w.tx.Model(&speakerRow{}).Where("meeting_id = ? AND status = ?", w.meetingID, string(Active)).Count(&n).Error
	if err != nil {
		return apperr.Internalf(err, "check active speaker")
	}
	if n > 0 {
		return errSecondSpeaker()
	}
	return nil
}

// mayStillSpeak is a Conflict unless userID still takes part in the
// meeting with a right to speak (any role but observer). It reads inside
// the transaction, with the meeting locked: a removal or a change of role
// locks the meeting too, so it either committed before (and is seen here)
// or waits until this change has committed.
func (w *writer) mayStillSpeak(userID string) error {
	if why, err := w.noRightToSpeak(userID); err != nil || why == "" {
		return err
	}
	return apperr.Conflictf("that person no longer takes part in this meeting with a right to speak " +
		"(removed from the meeting, or now an observer); take them off the list")
}

// noRightToSpeak reads, as mayStillSpeak does, why userID may not speak
// in the meeting: "removed from the meeting", "role changed to observer",
// or "" when they may.
func (w *writer) noRightToSpeak(userID string) (string, error) {
	acc, err := meeting.AccessIn(w.tx, w.meetingID, []web.Actor{{UserID: userID}})
	if err != nil {
		return "", err
	}
	switch p, ok := acc[userID]; {
	case !ok || !p.IsParticipant():
		return "removed from the meeting", nil
	case !p.CanSpeak():
		return "role changed to " + string(p.Role), nil
	}
	return "", nil
}

// openEntries reports whether userID waits or speaks anywhere in the
// meeting, without locking: a cheap look before a transaction.
func (s *store) openEntries(ctx context.Context, meetingID, userID string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&speakerRow{}).Where("meeting_id = ? AND user_id = ? AND status IN ?",
		meetingID, userID, []string{string(Waiting), string(Active)}).Count(&n).Error
	return n > 0, internal(err, "check speakers")
}

// openEntriesOf returns, locked, userID's waiting and active entries in
// the meeting, in queue order.
func (w *writer) openEntriesOf(userID string) ([]speakerRow, error) {
	var rows []speakerRow
	err := w.tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("meeting_id = ? AND user_id = ? AND status IN ?", w.meetingID, userID, []string{string(Waiting), string(Active)}).
		Order("item_id, seq, id").Find(&rows).Error
	return rows, internal(err, "load speakers")
}

// waitingEntries returns, locked, every waiting entry of the meeting, by
// item and in queue order.
func (w *writer) waitingEntries() ([]speakerRow, error) {
	var rows []speakerRow
	err := w.tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("meeting_id = ? AND status = ?", w.meetingID, string(Waiting)).Order("item_id, seq, id").Find(&rows).Error
	return rows, internal(err, "load waiting speakers")
}

// cancelWaiting cancels every waiting entry of the meeting at now.
func (w *writer) cancelWaiting(now time.Time) error {
	err := w.tx.Model(&speakerRow{}).Where("meeting_id = ? AND status = ?", w.meetingID, string(Waiting)).
		Updates(map[string]any{"status": string(Cancelled), "finished_at": now}).Error
	return internal(err, "cancel waiting speakers")
}

// entriesOn returns the speaker entries of items (any status).
func (w *writer) entriesOn(items []string) ([]speakerRow, error) {
	var rows []speakerRow
	err := w.tx.Where("item_id IN ? AND meeting_id = ?", items, w.meetingID).Order("item_id, seq, id").Find(&rows).Error
	return rows, internal(err, "load speakers")
}

func errSecondSpeaker() error {
	return apperr.Conflictf("someone else has the floor; finish that speaker first")
}

func (w *writer) updateSpeaker(id string, fields map[string]any) error {
	err := w.tx.Model(&speakerRow{}).Where("id = ? AND meeting_id = ?", id, w.meetingID).Updates(fields).Error
	if database.IsUniqueViolation(err) {
		return errSecondSpeaker()
	}
	return internal(err, "update speaker")
}
