package agenda

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// Kind is which queue a speaker waits in.
type Kind string

// The speaker queues of an item.
const (
	Speech   Kind = "speech"   // a contribution to the debate
	Question Kind = "question" // a question to the presenter
)

// SpeakerStatus is where a speaker is.
type SpeakerStatus string

// The statuses of a speaker entry. Done and cancelled entries stay as history.
const (
	Waiting   SpeakerStatus = "waiting"
	Active    SpeakerStatus = "active" // has the floor; one per meeting
	Finished  SpeakerStatus = "done"
	Cancelled SpeakerStatus = "cancelled"
)

// MaxTimeLimit caps a speaking time, in seconds.
const MaxTimeLimit = 7200

// Speaker is one request for the floor.
type Speaker struct {
	ID           string        `json:"id"`
	AgendaItemID string        `json:"agenda_item_id"`
	UserID       string        `json:"user_id"`
	FullName     string        `json:"full_name"`
	Kind         Kind          `json:"kind"`
	Status       SpeakerStatus `json:"status"`
	RequestedAt  time.Time     `json:"requested_at"`
	StartedAt    *time.Time    `json:"started_at"`
	FinishedAt   *time.Time    `json:"finished_at"`
	TimeLimitSec int           `json:"time_limit_sec"` // 0: no limit
	AddedBy      string        `json:"added_by"`
}

// Queues are an item's speakers: the one speaking, the two queues in
// order, and the history in the order it happened.
type Queues struct {
	AgendaItemID string    `json:"agenda_item_id"`
	Active       *Speaker  `json:"active"`
	Speeches     []Speaker `json:"speeches"`
	Questions    []Speaker `json:"questions"`
	History      []Speaker `json:"history"`
}

// SpeakerRequest is the input of Enqueue; without UserID it asks for
// the floor for oneself.
type SpeakerRequest struct {
	Kind   string `json:"kind"`
	UserID string `json:"user_id"`
}

func parseKind(s string) (Kind, error) {
	if k := Kind(s); k == Speech || k == Question {
		return k, nil
	}
	return "", apperr.Invalidf("kind must be speech or question, not %s", web.Quote(s))
}

// Enqueue puts a speaker at the end of an item's queue. Participants who
// may speak (not observers) ask for themselves; whoever runs the session
// may add another participant. Nobody waits twice in one queue (Conflict).
func (s *Service) Enqueue(ctx context.Context, a web.Actor, itemID string, in SpeakerRequest) (Speaker, error) {
	item, err := s.store.item(ctx, itemID)
	if err != nil {
		return Speaker{}, err
	}
	acc, err := s.access(ctx, a, item.MeetingID, "agenda item")
	if err != nil {
		return Speaker{}, err
	}
	kind, err := parseKind(in.Kind)
	if err != nil {
		return Speaker{}, err
	}
	target, err := s.speakerFor(ctx, acc, in.UserID)
	if err != nil {
		return Speaker{}, err
	}
	if err := acc.Writable(); err != nil {
		return Speaker{}, err
	}
	r := speakerRow{ID: ids.New(), MeetingID: item.MeetingID, ItemID: itemID, UserID: target, Kind: string(kind),
		Status: string(Waiting), RequestedAt: s.now(), AddedBy: a.UserID}
	err = s.store.inMeeting(ctx, item.MeetingID, func(w *writer) error {
		if _, err := w.itemsWith(itemID); err != nil {
			return err
		}
		// Again under the meeting's lock: a removal or a change of role
		// that committed since is seen here; one that waits for this
		// change is followed by ParticipantLeft, which sees the entry.
		if why, err := w.noRightToSpeak(target); err != nil {
			return err
		} else if why != "" {
			return noFloorFor(target == acc.UserID)
		}
		if err := w.enqueue(&r); err != nil {
			return err
		}
		return w.audit(s.entry(a, r.MeetingID, "speaker.enqueued", "speaker:"+r.ID,
			map[string]any{"agenda_item_id": itemID, "user_id": target, "kind": kind}))
	})
	if err != nil {
		return Speaker{}, err
	}
	return s.speakersChanged(ctx, r)
}

// speakerFor returns whom a request is for, when the actor may ask for them.
func (s *Service) speakerFor(ctx context.Context, acc meeting.Access, userID string) (string, error) {
	if userID == "" || userID == acc.UserID {
		if !acc.CanSpeak() {
			return "", noFloorFor(true)
		}
		return acc.UserID, nil
	}
	if !acc.CanRun() {
		return "", apperr.Forbiddenf("only the chair or the secretary can put someone else on the list")
	}
	p, err := s.meetings.Participant(ctx, acc.MeetingID, userID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && p.Role == meeting.Observer) {
		return "", noFloorFor(false)
	}
	return userID, err
}

// noFloorFor is the refusal of a request for the floor for someone who
// may not speak: oneself (Forbidden) or another participant (Unprocessable).
func noFloorFor(self bool) error {
	if self {
		return apperr.Forbiddenf("observers and non-participants cannot ask for the floor")
	}
	return unprocessable("user_id: that user does not take part in this meeting with a right to speak")
}

// Speakers returns an item's queues to anyone who takes part.
func (s *Service) Speakers(ctx context.Context, a web.Actor, itemID string) (Queues, error) {
	item, err := s.store.item(ctx, itemID)
	if err != nil {
		return Queues{}, err
	}
	if _, err := s.access(ctx, a, item.MeetingID, "agenda item"); err != nil {
		return Queues{}, err
	}
	return s.queues(ctx, itemID)
}

func (s *Service) queues(ctx context.Context, itemID string) (Queues, error) {
	rows, err := s.store.speakers(ctx, itemID)
	if err != nil {
		return Queues{}, err
	}
	people := make([]string, len(rows))
	for i, r := range rows {
		people[i] = r.UserID
	}
	names, err := s.names(ctx, people)
	if err != nil {
		return Queues{}, err
	}
	return buildQueues(itemID, rows, names), nil
}

func buildQueues(itemID string, rows []speakerRow, names map[string]string) Queues {
	q := Queues{AgendaItemID: itemID, Speeches: []Speaker{}, Questions: []Speaker{}, History: []Speaker{}}
	for _, r := range rows {
		sp := r.speaker(names[r.UserID])
		switch {
		case sp.Status == Active:
			q.Active = &sp
		case sp.Status != Waiting:
			q.History = append(q.History, sp)
		case sp.Kind == Speech:
			q.Speeches = append(q.Speeches, sp)
		default:
			q.Questions = append(q.Questions, sp)
		}
	}
	slices.SortStableFunc(q.History, func(a, b Speaker) int { return cmp.Compare(unixNano(a.FinishedAt), unixNano(b.FinishedAt)) })
	return q
}

func unixNano(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixNano()
}

// speakersChanged publishes the item's queues and returns speaker r as it is now.
func (s *Service) speakersChanged(ctx context.Context, r speakerRow) (Speaker, error) {
	q, err := s.queues(ctx, r.ItemID)
	if err != nil {
		return Speaker{}, err
	}
	s.publish(ctx, r.MeetingID, "speakers.changed", q)
	for _, sp := range append(append(append(q.Speeches, q.Questions...), q.History...), activeList(q)...) {
		if sp.ID == r.ID {
			return sp, nil
		}
	}
	return r.speaker(""), nil
}

func activeList(q Queues) []Speaker {
	if q.Active == nil {
		return nil
	}
	return []Speaker{*q.Active}
}

// queuesGone publishes speakers.changed with empty queues for each item
// of rows (sorted by item), whose entries went with it: a screen that
// shows its queues clears them.
func (s *Service) queuesGone(ctx context.Context, meetingID string, rows []speakerRow) {
	for i, r := range rows {
		if i == 0 || rows[i-1].ItemID != r.ItemID {
			s.publish(ctx, meetingID, "speakers.changed", buildQueues(r.ItemID, nil, nil))
		}
	}
}

// deletedDetail is the audit detail of an item's deletion: its title, the
// items that went, and the speaker entries that went with them, if any.
func deletedDetail(title string, items []string, entries []speakerRow) map[string]any {
	d := map[string]any{"title": title, "items": items}
	if len(entries) > 0 {
		sp := make([]map[string]any, len(entries))
		for i, r := range entries {
			sp[i] = map[string]any{"id": r.ID, "agenda_item_id": r.ItemID, "user_id": r.UserID, "kind": r.Kind, "status": r.Status}
		}
		d["speakers"] = sp
	}
	return d
}
