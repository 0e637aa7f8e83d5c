package agenda

import (
	"context"
	"maps"
	"unicode/utf8"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// NewItem is the input of AddItem.
type NewItem struct {
	Title       string  `json:"title"`
	ParentID    *string `json:"parent_id"`
	DurationMin int     `json:"duration_min"`
	PresenterID *string `json:"presenter_id"`
	Description string  `json:"description"`
}

// ItemChanges is the input of UpdateItem; absent fields stay. A null
// presenter_id clears the presenter; parent_id moves the item (with its
// sub-items) to the end of another parent's list, null to the top level.
type ItemChanges struct {
	Title       *string    `json:"title"`
	Description *string    `json:"description"`
	DurationMin *int       `json:"duration_min"`
	PresenterID OptionalID `json:"presenter_id"`
	ParentID    OptionalID `json:"parent_id"`
	// Conclusion is the chair's conclusion on the item ("Kết luận"),
	// plain text; "" clears it.
	Conclusion *string `json:"conclusion"`
}

const maxDescription = 10000

// maxConclusion is the longest conclusion, in characters.
const maxConclusion = 10000

// Agenda returns the meeting's agenda tree to anyone who takes part.
func (s *Service) Agenda(ctx context.Context, a web.Actor, meetingID string) (Agenda, error) {
	if _, err := s.access(ctx, a, meetingID, "meeting"); err != nil {
		return Agenda{}, err
	}
	return s.tree(ctx, meetingID)
}

// tree loads and numbers a meeting's agenda with presenter names.
func (s *Service) tree(ctx context.Context, meetingID string) (Agenda, error) {
	rows, err := s.store.items(ctx, meetingID)
	if err != nil {
		return Agenda{}, err
	}
	var presenters []string
	for _, r := range rows {
		if r.PresenterID != nil {
			presenters = append(presenters, *r.PresenterID)
		}
	}
	names, err := s.names(ctx, presenters)
	if err != nil {
		return Agenda{}, err
	}
	return build(meetingID, rows, names), nil
}

// changed publishes the new agenda and returns it with the item id, if any.
func (s *Service) changed(ctx context.Context, meetingID, id string) (Item, error) {
	ag, err := s.tree(ctx, meetingID)
	if err != nil {
		return Item{}, err
	}
	s.publish(ctx, meetingID, "agenda.changed", ag)
	it, _ := find(ag.Items, id)
	return it, nil
}

// AddItem appends an item to the top level or under a parent; the
// secretary, the chair or an admin may. A parent or presenter that is not
// of this meeting is Unprocessable.
func (s *Service) AddItem(ctx context.Context, a web.Actor, meetingID string, in NewItem) (Item, error) {
	if _, err := s.manager(ctx, a, meetingID, "meeting"); err != nil {
		return Item{}, err
	}
	now := s.now()
	r := itemRow{ID: ids.New(), MeetingID: meetingID, DurationMin: in.DurationMin, Status: string(Pending), CreatedAt: now, UpdatedAt: now}
	if err := s.cleanItem(ctx, &r, in.Title, in.Description, in.PresenterID); err != nil {
		return Item{}, err
	}
	if in.ParentID != nil && *in.ParentID != "" {
		r.ParentID = in.ParentID
	}
	e := s.entry(a, meetingID, "agenda.item_created", "agenda_item:"+r.ID, map[string]any{"title": r.Title, "parent_id": r.ParentID})
	err := s.store.inMeeting(ctx, meetingID, func(w *writer) error {
		rows, err := w.items()
		if err != nil {
			return err
		}
		if len(rows) >= MaxItems {
			return apperr.Conflictf("an agenda holds at most %d items", MaxItems)
		}
		if r.Position, err = placeUnder(rows, r.parent(), 1); err != nil {
			return err
		}
		if err := w.checkPresenter(r.PresenterID); err != nil {
			return err
		}
		if err := w.insertItem(r); err != nil {
			return err
		}
		return w.audit(e)
	})
	if err != nil {
		return Item{}, err
	}
	return s.changed(ctx, meetingID, r.ID)
}

// placeUnder checks that a subtree of the given height fits under parent
// ("" for the top level) and returns the position after its last child.
func placeUnder(rows []itemRow, parent string, height int) (int, error) {
	byID := indexRows(rows)
	if _, ok := byID[parent]; parent != "" && !ok {
		return 0, unprocessable("parent_id: no such item in this meeting's agenda")
	}
	if d := depth(byID, parent); d+height-1 > MaxDepth {
		return 0, unprocessable("an agenda is at most %d levels deep", MaxDepth)
	}
	pos := 0
	for _, r := range rows {
		if r.parent() == parent {
			pos = max(pos, r.Position+1)
		}
	}
	return pos, nil
}

// cleanItem validates title, description, duration and presenter into r.
func (s *Service) cleanItem(ctx context.Context, r *itemRow, title, description string, presenter *string) error {
	var err error
	if r.Title, err = meeting.CleanTitle("title", title); err != nil {
		return err
	}
	if r.Description, err = meeting.CleanNote("description", description, maxDescription); err != nil {
		return err
	}
	if err := checkDuration(r.DurationMin); err != nil {
		return err
	}
	r.PresenterID, err = s.presenter(ctx, r.MeetingID, presenter)
	return err
}

func checkDuration(min int) error {
	if min < 0 || min > MaxDuration {
		return apperr.Invalidf("duration_min must be a whole number of minutes from 0 to %d", MaxDuration)
	}
	return nil
}

// presenter checks that id ("" or nil for none) takes part in the
// meeting with a right to speak: an observer "sees, but does not vote or
// speak", and presenting an item is speaking to the room. The writer
// checks it again under the meeting's lock (checkPresenter).
func (s *Service) presenter(ctx context.Context, meetingID string, id *string) (*string, error) {
	if id == nil || *id == "" {
		return nil, nil
	}
	p, err := s.meetings.Participant(ctx, meetingID, *id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, presenterRefused(false)
	} else if err != nil {
		return nil, err
	}
	if !(meeting.Access{Role: p.Role}).CanSpeak() {
		return nil, presenterRefused(true)
	}
	return id, nil
}

// presenterRefused is the Unprocessable answer for a presenter_id whose
// user does not take part in the meeting, or takes part without a right
// to speak (participant).
func presenterRefused(participant bool) error {
	if !participant {
		return unprocessable("presenter_id: that user does not take part in this meeting")
	}
	return unprocessable("presenter_id: that user takes part as an observer, and observers do not present (make them a delegate first)")
}

// checkPresenter checks id (nil for none) again inside the writing
// transaction, which holds the meeting's lock as a change of participant
// does: a removal or a change to observer that commits first is seen here
// and refused, and one that commits after it clears the presenter
// (LeaveHook, PresenterDemoted).
func (w *writer) checkPresenter(id *string) error {
	if id == nil {
		return nil
	}
	acc, err := meeting.AccessIn(w.tx, w.meetingID, []web.Actor{{UserID: *id}})
	if err != nil {
		return err
	}
	switch p, ok := acc[*id]; {
	case !ok || !p.IsParticipant():
		return presenterRefused(false)
	case !p.CanSpeak():
		return presenterRefused(true)
	}
	return nil
}

// UpdateItem changes an item's details or moves it under another parent;
// the secretary, the chair or an admin may. A change that changes nothing
// (every value given is the one the item has, parent_id its current
// parent) writes nothing: no audit entry, no new updated_at, no
// agenda.changed; the answer is the item as it is.
func (s *Service) UpdateItem(ctx context.Context, a web.Actor, id string, ch ItemChanges) (Item, error) {
	r, err := s.store.item(ctx, id)
	if err != nil {
		return Item{}, err
	}
	if _, err := s.manager(ctx, a, r.MeetingID, "agenda item"); err != nil {
		return Item{}, err
	}
	fields, err := s.itemFields(ctx, r.MeetingID, ch)
	if err != nil {
		return Item{}, err
	}
	same := false
	err = s.store.inMeeting(ctx, r.MeetingID, func(w *writer) error {
		rows, err := w.itemsWith(id)
		if err != nil {
			return err
		}
		if ch.ParentID.Set {
			if err := move(rows, id, ch.ParentID.ID, fields); err != nil {
				return err
			}
		}
		if p, ok := fields["presenter_id"].(*string); ok {
			if err := w.checkPresenter(p); err != nil {
				return err
			}
		}
		if same = unchanged(indexRows(rows)[id], fields); same {
			return nil
		}
		e := s.entry(a, r.MeetingID, "agenda.item_updated", "agenda_item:"+id, updatedDetail(fields))
		fields["updated_at"] = e.At
		if err := w.updateItem(id, fields); err != nil {
			return err
		}
		return w.audit(e)
	})
	if err != nil {
		return Item{}, err
	}
	if same {
		ag, err := s.tree(ctx, r.MeetingID)
		if err != nil {
			return Item{}, err
		}
		it, _ := find(ag.Items, id)
		return it, nil
	}
	return s.changed(ctx, r.MeetingID, id)
}

// unchanged reports whether setting fields on r would leave every value
// as it is. move sets position and parent_id only for a real move.
func unchanged(r itemRow, fields map[string]any) bool {
	for k, v := range fields {
		var same bool
		switch k {
		case "title":
			same = v == r.Title
		case "description":
			same = v == r.Description
		case "conclusion":
			same = v == r.Conclusion
		case "duration_min":
			same = v == r.DurationMin
		case "presenter_id":
			p, _ := v.(*string)
			same = (p == nil) == (r.PresenterID == nil) && (p == nil || *p == *r.PresenterID)
		}
		if !same {
			return false
		}
	}
	return true
}

// itemFields validates ch for an item of meetingID and returns the columns to set.
func (s *Service) itemFields(ctx context.Context, meetingID string, ch ItemChanges) (map[string]any, error) {
	f := map[string]any{}
	var err error
	if ch.Title != nil {
		if f["title"], err = meeting.CleanTitle("title", *ch.Title); err != nil {
			return nil, err
		}
	}
	if ch.Description != nil {
		if f["description"], err = meeting.CleanNote("description", *ch.Description, maxDescription); err != nil {
			return nil, err
		}
	}
	if ch.Conclusion != nil {
		if f["conclusion"], err = meeting.CleanNote("conclusion", *ch.Conclusion, maxConclusion); err != nil {
			return nil, err
		}
	}
	if ch.DurationMin != nil {
		if err := checkDuration(*ch.DurationMin); err != nil {
			return nil, err
		}
		f["duration_min"] = *ch.DurationMin
	}
	if ch.PresenterID.Set {
		if f["presenter_id"], err = s.presenter(ctx, meetingID, &ch.PresenterID.ID); err != nil {
			return nil, err
		}
	}
	if len(f) == 0 && !ch.ParentID.Set {
		return nil, apperr.Invalidf("nothing to change: give title, description, conclusion, duration_min, presenter_id or parent_id")
	}
	return f, nil
}

// updatedDetail is the audit detail of an item's change: the columns set,
// except that a conclusion is told by its length in characters
// (conclusion "changed", conclusion_length), not by its text.
func updatedDetail(fields map[string]any) map[string]any {
	d := maps.Clone(fields)
	if c, ok := d["conclusion"].(string); ok {
		d["conclusion"], d["conclusion_length"] = "changed", utf8.RuneCountInString(c)
	}
	return d
}

// move sets fields to put item id (and its subtree) last under parent.
// An item cannot move under itself or one of its own sub-items.
func move(rows []itemRow, id, parent string, fields map[string]any) error {
	f := newForest(rows)
	for _, d := range f.subtree(id) {
		if d == parent {
			return unprocessable("parent_id: an item cannot move under itself or its own sub-items")
		}
	}
	if cur := indexRows(rows)[id]; cur.parent() == parent {
		return nil // already there: keep its place
	}
	pos, err := placeUnder(rows, parent, f.height(id))
	if err != nil {
		return err
	}
	fields["position"], fields["parent_id"] = pos, nilIfEmpty(parent)
	return nil
}

// DeleteItem removes an item with its sub-items and their waiting (and
// withdrawn) speakers; the secretary, the chair or an admin may. The
// audit entry names the entries that went, and each item that had any
// gets speakers.changed with empty queues after agenda.changed. What is
// part of the meeting's record stays, and so does its item: Conflict for
// an item that has been taken up (current or done), one on which someone
// has or had the floor, and, asked of the delete guards (AddDeleteGuard),
// one that a document or a poll names. Nothing is deleted then.
func (s *Service) DeleteItem(ctx context.Context, a web.Actor, id string) error {
	r, err := s.store.item(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.manager(ctx, a, r.MeetingID, "agenda item"); err != nil {
		return err
	}
	var queued []speakerRow // the entries that go with the items: announced empty
	err = s.store.inMeeting(ctx, r.MeetingID, func(w *writer) error {
		rows, err := w.itemsWith(id)
		if err != nil {
			return err
		}
		byID := indexRows(rows)
		gone := newForest(rows).subtree(id)
		for _, d := range gone {
			if ItemStatus(byID[d].Status) != Pending {
				return apperr.Conflictf("%q has been taken up in the session and stays on the record", byID[d].Title)
			}
		}
		spoken, active, err := w.spokenOn(gone)
		if err != nil {
			return err
		}
		if spoken != "" {
			if active {
				return apperr.Conflictf("someone has the floor on %q; an item someone has spoken on stays on the record", byID[spoken].Title)
			}
			return apperr.Conflictf("someone has spoken on %q; it stays on the record", byID[spoken].Title)
		}
		if err := w.guard(ctx, &s.deleteGuards, gone); err != nil {
			return err
		}
		if queued, err = w.entriesOn(gone); err != nil {
			return err
		}
		if err := w.deleteItems(gone); err != nil {
			return err
		}
		return w.audit(s.entry(a, r.MeetingID, "agenda.item_deleted", "agenda_item:"+id, deletedDetail(r.Title, gone, queued)))
	})
	if err != nil {
		return err
	}
	_, err = s.changed(ctx, r.MeetingID, "")
	s.queuesGone(ctx, r.MeetingID, queued)
	return err
}

// Reorder puts the whole agenda in a new order in one step; see order
// for the contract. The secretary, the chair or an admin may.
func (s *Service) Reorder(ctx context.Context, a web.Actor, meetingID string, ids []string) (Agenda, error) {
	if _, err := s.manager(ctx, a, meetingID, "meeting"); err != nil {
		return Agenda{}, err
	}
	if ids == nil {
		return Agenda{}, apperr.Invalidf("ids is required: every item id of the agenda, depth-first")
	}
	err := s.store.inMeeting(ctx, meetingID, func(w *writer) error {
		rows, err := w.items()
		if err != nil {
			return err
		}
		pos, err := order(rows, ids)
		if err != nil {
			return err
		}
		now := s.now()
		for _, r := range rows {
			if r.Position != pos[r.ID] {
				if err := w.updateItem(r.ID, map[string]any{"position": pos[r.ID], "updated_at": now}); err != nil {
					return err
				}
			}
		}
		return w.audit(s.entry(a, meetingID, "agenda.reordered", "meeting:"+meetingID, map[string]any{"ids": ids}))
	})
	if err != nil {
		return Agenda{}, err
	}
	ag, err := s.tree(ctx, meetingID)
	if err == nil {
		s.publish(ctx, meetingID, "agenda.changed", ag)
	}
	return ag, err
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
