package agenda

import (
	"context"
	"log/slog"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// transition is one step in a speaker's life: who may take it, and what it
// changes given the speaker and the time, inside the meeting's transaction.
type transition struct {
	action  string
	allowed func(acc meeting.Access, r speakerRow) error
	apply   func(w *writer, r speakerRow, now time.Time) (map[string]any, error)
}

// StartSpeaker gives a waiting speaker the floor, with an optional time
// limit in seconds, while the meeting is in session. Whoever runs the
// session may. The floor is given on the current item only (Conflict
// otherwise; SetCurrent ends the turn when the item changes), so every
// screen, and the live snapshot, shows who has it with the current
// item's queues. Only one speaker per meeting has the floor (Conflict), and
// only someone who still takes part with a right to speak gets it: a
// participant removed, or made an observer, since they asked is a
// Conflict (ParticipantLeft takes their entries off the list as soon as
// that change has committed).
func (s *Service) StartSpeaker(ctx context.Context, a web.Actor, id string, timeLimitSec int) (Speaker, error) {
	if timeLimitSec < 0 || timeLimitSec > MaxTimeLimit {
		return Speaker{}, apperr.Invalidf("time_limit_sec must be a whole number of seconds from 0 (no limit) to %d", MaxTimeLimit)
	}
	return s.step(ctx, a, id, transition{action: "speaker.started", allowed: runsSession,
		apply: func(w *writer, r speakerRow, now time.Time) (map[string]any, error) {
			if w.status != meeting.Live {
				return nil, apperr.Conflictf("the meeting is not in session (it is %s)", w.status)
			}
			if err := from(r, Waiting, "only a waiting speaker can be given the floor"); err != nil {
				return nil, err
			}
			if err := w.mayStillSpeak(r.UserID); err != nil {
				return nil, err
			}
			if err := w.onCurrentItem(r); err != nil {
				return nil, err
			}
			if err := w.noActiveSpeaker(); err != nil {
				return nil, err
			}
			return map[string]any{"status": string(Active), "started_at": now, "time_limit_sec": timeLimitSec}, nil
		}})
}

// FinishSpeaker ends the active speaker's turn; whoever runs the session
// may, and so may the speaker.
func (s *Service) FinishSpeaker(ctx context.Context, a web.Actor, id string) (Speaker, error) {
	return s.step(ctx, a, id, transition{action: "speaker.finished", allowed: runsSessionOrSelf,
		apply: func(_ *writer, r speakerRow, now time.Time) (map[string]any, error) {
			return map[string]any{"status": string(Finished), "finished_at": now},
				from(r, Active, "only the speaker who has the floor can finish")
		}})
}

// CancelSpeaker takes a waiting speaker off the queue; whoever runs the
// session may, and so may the speaker, withdrawing.
func (s *Service) CancelSpeaker(ctx context.Context, a web.Actor, id string) (Speaker, error) {
	return s.step(ctx, a, id, transition{action: "speaker.cancelled", allowed: runsSessionOrSelf,
		apply: func(_ *writer, r speakerRow, now time.Time) (map[string]any, error) {
			return map[string]any{"status": string(Cancelled), "finished_at": now},
				from(r, Waiting, "only a waiting speaker can be taken off the list; finish an active one")
		}})
}

// ParticipantLeft takes someone who no longer takes part in a meeting
// with a right to speak (removed from it, or made an observer) off its
// speaker lists: their waiting entries, speeches and questions on every
// item, are cancelled, and a turn they have is finished, each audited
// like the chair's cancel or finish, in one transaction that holds the
// meeting. The audit names the actor in ctx (whoever removed them or
// changed their role), else nobody (the system). Then each item whose
// queues changed gets speakers.changed. The meeting service calls it
// (Config.Removed, wired in internal/app) after a participant's removal
// or any change of their role commits; the right to speak is read again
// inside the transaction, so a participant who may still speak keeps
// their place, and an entry that waits for the meeting's lock meanwhile
// (Enqueue checks again) is seen here or refused there. In a closed
// meeting nothing can change: it does nothing. A failure is logged on log
// (the change that caused it has committed; the chair can still cancel
// the entries by hand). First, one made an observer is taken off as
// presenter of the meeting's items (PresenterDemoted).
func (s *Service) ParticipantLeft(ctx context.Context, log *slog.Logger, meetingID, userID string) {
	ctx = context.WithoutCancel(ctx) // the removal is committed: finish its consequence
	s.PresenterDemoted(ctx, log, meetingID, userID)
	if err := s.participantLeft(ctx, meetingID, userID); err != nil {
		log.ErrorContext(ctx, "take a participant who may no longer speak off the speaker lists",
			"err", err, "meeting", meetingID, "user", userID)
	}
}

func (s *Service) participantLeft(ctx context.Context, meetingID, userID string) error {
	if open, err := s.store.openEntries(ctx, meetingID, userID); err != nil || !open {
		return err
	}
	actor, _ := web.ActorFrom(ctx)
	var changed []speakerRow // one entry of each item whose queues changed
	err := s.store.inMeeting(ctx, meetingID, func(w *writer) error {
		why, err := w.noRightToSpeak(userID)
		if err != nil || why == "" {
			return err
		}
		rows, err := w.openEntriesOf(userID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, r := range rows {
			action, fields := "speaker.cancelled", map[string]any{"status": string(Cancelled), "finished_at": now}
			if SpeakerStatus(r.Status) == Active {
				action, fields = "speaker.finished", map[string]any{"status": string(Finished), "finished_at": now}
			}
			if err := w.updateSpeaker(r.ID, fields); err != nil {
				return err
			}
			e := s.entry(actor, meetingID, action, "speaker:"+r.ID,
				map[string]any{"agenda_item_id": r.ItemID, "user_id": r.UserID, "reason": why})
			if err := w.audit(e); err != nil {
				return err
			}
			if len(changed) == 0 || changed[len(changed)-1].ItemID != r.ItemID {
				changed = append(changed, r)
			}
		}
		return nil
	})
	if apperr.Is(err, apperr.Conflict) { // closed meanwhile: its record stays as it is
		return nil
	}
	if err != nil {
		return err
	}
	for _, r := range changed {
		if _, err := s.speakersChanged(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// step loads speaker id, checks the actor, applies m under the meeting's
// lock, audits it, and publishes the item's queues.
func (s *Service) step(ctx context.Context, a web.Actor, id string, m transition) (Speaker, error) {
	r, err := s.store.speaker(ctx, id)
	if err != nil {
		return Speaker{}, err
	}
	acc, err := s.access(ctx, a, r.MeetingID, "speaker")
	if err != nil {
		return Speaker{}, err
	}
	if err := m.allowed(acc, r); err != nil {
		return Speaker{}, err
	}
	if err := acc.Writable(); err != nil {
		return Speaker{}, err
	}
	err = s.store.inMeeting(ctx, r.MeetingID, func(w *writer) error {
		cur, err := w.speaker(id)
		if err != nil {
			return err
		}
		fields, err := m.apply(w, cur, s.now())
		if err != nil {
			return err
		}
		if err := w.updateSpeaker(id, fields); err != nil {
			return err
		}
		return w.audit(s.entry(a, r.MeetingID, m.action, "speaker:"+id, map[string]any{"agenda_item_id": r.ItemID, "user_id": r.UserID}))
	})
	if err != nil {
		return Speaker{}, err
	}
	return s.speakersChanged(ctx, r)
}

// onCurrentItem is a Conflict unless r waits on the meeting's current item.
func (w *writer) onCurrentItem(r speakerRow) error {
	cur, err := w.currentItemID()
	if err != nil {
		return err
	}
	if cur != r.ItemID {
		return apperr.Conflictf("the floor is given only on the current agenda item: make this speaker's item current first")
	}
	return nil
}

// endTurn finishes the turn of whoever has the floor in the meeting, as a
// finish does, audited as a's speaker.finished with why; it returns the
// entries it ended (none when nobody has the floor).
func (s *Service) endTurn(w *writer, a web.Actor, why string) ([]speakerRow, error) {
	rows, err := w.activeSpeakers()
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	now := s.now()
	for _, r := range rows {
		if err := w.updateSpeaker(r.ID, map[string]any{"status": string(Finished), "finished_at": now}); err != nil {
			return nil, err
		}
		e := s.entry(a, w.meetingID, "speaker.finished", "speaker:"+r.ID,
			map[string]any{"agenda_item_id": r.ItemID, "user_id": r.UserID, "reason": why})
		if err := w.audit(e); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// cancelWaiting takes every waiting entry of the meeting (speeches and
// questions, on every item) off the lists, as a cancel does, each
// audited as a's speaker.cancelled with why; it returns the entries it
// cancelled, by item and in queue order.
func (s *Service) cancelWaiting(w *writer, a web.Actor, why string) ([]speakerRow, error) {
	rows, err := w.waitingEntries()
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if err := w.cancelWaiting(s.now()); err != nil {
		return nil, err
	}
	for _, r := range rows {
		e := s.entry(a, w.meetingID, "speaker.cancelled", "speaker:"+r.ID,
			map[string]any{"agenda_item_id": r.ItemID, "user_id": r.UserID, "reason": why})
		if err := w.audit(e); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// itemsOf returns one entry of each item that rows are on, in the order
// the items first appear.
func itemsOf(rows []speakerRow) []speakerRow {
	var out []speakerRow
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.ItemID] {
			seen[r.ItemID] = true
			out = append(out, r)
		}
	}
	return out
}

func runsSession(acc meeting.Access, _ speakerRow) error {
	if !acc.CanRun() {
		return apperr.Forbiddenf("only the chair or the secretary can give the floor")
	}
	return nil
}

func runsSessionOrSelf(acc meeting.Access, r speakerRow) error {
	if !acc.CanRun() && r.UserID != acc.UserID {
		return apperr.Forbiddenf("only the chair, the secretary or the speaker can do this")
	}
	return nil
}

// from is a Conflict unless r is in status want.
func from(r speakerRow, want SpeakerStatus, msg string) error {
	if SpeakerStatus(r.Status) != want {
		return apperr.Conflictf("%s (this one is %s)", msg, r.Status)
	}
	return nil
}
