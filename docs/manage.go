package docs

import (
	"context"
	"maps"
	"slices"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// Changes is the input of Update; nil fields stay as they are. An empty
// AgendaItemID detaches the document from its item.
type Changes struct {
	Title        *string `json:"title"`
	AgendaItemID *string `json:"agenda_item_id"`
	Position     *int    `json:"position"`
	Confidential *bool   `json:"confidential"`
}

// Update changes a document's title, agenda item, position or
// confidentiality. Nobody may make a document confidential who could not
// see it afterwards (mayConfide): an administrator outside the meeting,
// or one taking part as a delegate or observer who is not on its access
// list.
func (s *Service) Update(ctx context.Context, a web.Actor, id string, ch Changes) (Document, error) {
	doc, err := s.update(ctx, a, id, ch)
	if err == nil && ch.Confidential != nil {
		s.documentChanged(ctx, a, doc, false)
	}
	return doc, err
}

func (s *Service) update(ctx context.Context, a web.Actor, id string, ch Changes) (Document, error) {
	s.visibility.Lock() // see Service.visibility
	defer s.visibility.Unlock()
	d, acc, _, err := s.managedDoc(ctx, a, id)
	if err != nil {
		return Document{}, err
	}
	// The access list as stored: docFor reads none for an open document,
	// but the list is kept and applies once it is made confidential.
	readers, err := s.accessList(ctx, id)
	if err != nil {
		return Document{}, err
	}
	fields, err := s.changeFields(ctx, acc, d, readers, ch)
	if err != nil {
		return Document{}, err
	}
	fields["updated_at"] = s.now()
	err = s.store.updateDocument(ctx, id, fields, s.entry(a, d.MeetingID, "document.updated", id, updateDetail(d, fields)))
	s.access.invalidate()
	if err != nil {
		return Document{}, err
	}
	if open, ok := fields["confidential"].(bool); ok && !open {
		// Made open: readers are served the original from now on, so
		// their stamped copies go (the copy rows stay, to trace a leak).
		s.marks.forget(ctx, id)
	}
	// Read back as stored, not as the actor: the change is committed and
	// must be announced whatever the answer.
	stored, err := s.store.document(ctx, id)
	if err != nil {
		return Document{}, err
	}
	doc, err := s.full(ctx, stored, true)
	if err != nil {
		return Document{}, err
	}
	s.publishAccessChange(ctx, d, doc, s.audience(ctx, d, readers), s.audience(ctx, stored, readers))
	return doc, nil
}

// updateDetail is the detail of document.updated: the fields changed,
// the title only when the document is open once changed (auditDetail).
func updateDetail(d documentRow, fields map[string]any) map[string]any {
	confidential := d.Confidential
	if c, ok := fields["confidential"].(bool); ok {
		confidential = c
	}
	detail := maps.Clone(fields)
	delete(detail, "title")
	open := map[string]any{}
	if t, ok := fields["title"]; ok {
		open["title"] = t
	}
	return auditDetail(d.ID, d.CurrentVersion, confidential, detail, open)
}

// changeFields checks a change and returns the columns it writes; readers
// is the document's access list as stored (kept while it is open).
func (s *Service) changeFields(ctx context.Context, acc meeting.Access, d documentRow, readers []string, ch Changes) (map[string]any, error) {
	fields := map[string]any{}
	if ch.Title != nil {
		t, err := cleanTitle(*ch.Title, "")
		if err != nil {
			return nil, err
		}
		fields["title"] = t
	}
	if ch.AgendaItemID != nil {
		item, err := s.checkItem(ctx, d.MeetingID, *ch.AgendaItemID)
		if err != nil {
			return nil, err
		}
		fields["agenda_item_id"] = item
	}
	if ch.Position != nil {
		if *ch.Position < 0 || *ch.Position > 100000 {
			return nil, apperr.Invalidf("position must be from 0 to 100000")
		}
		fields["position"] = *ch.Position
	}
	if ch.Confidential != nil {
		if *ch.Confidential {
			if err := mayConfide(acc, readers); err != nil {
				return nil, err
			}
		}
		fields["confidential"] = *ch.Confidential
	}
	if len(fields) == 0 {
		return nil, apperr.Invalidf("nothing to change: give title, agenda_item_id, position or confidential")
	}
	return fields, nil
}

// SetAccess replaces the access list of a document: the participants who,
// besides the chair and the secretary, may read it when it is confidential.
// Nobody may leave themselves unable to see a confidential document
// (mayKeepReading, the rule of mayConfide): an administrator taking part
// as a delegate or observer must stay on its list.
func (s *Service) SetAccess(ctx context.Context, a web.Actor, id string, users []string) (Document, error) {
	doc, err := s.setAccess(ctx, a, id, users)
	if err == nil && doc.Confidential {
		s.documentChanged(ctx, a, doc, false)
	}
	return doc, err
}

func (s *Service) setAccess(ctx context.Context, a web.Actor, id string, users []string) (Document, error) {
	s.visibility.Lock() // see Service.visibility
	defer s.visibility.Unlock()
	d, acc, readers, err := s.managedDoc(ctx, a, id)
	if err != nil {
		return Document{}, err
	}
	users, err = s.checkReaders(ctx, d.MeetingID, users)
	if err != nil {
		return Document{}, err
	}
	if d.Confidential {
		if err := mayKeepReading(acc, users); err != nil {
			return Document{}, err
		}
	}
	e := s.entry(a, d.MeetingID, "document.access_set", id, map[string]any{"user_ids": users})
	err = s.store.setReaders(ctx, id, users, e)
	s.access.invalidate()
	if err != nil {
		return Document{}, err
	}
	// Read back as stored, not as the actor (as update does): the change
	// is committed and must be announced whatever the answer.
	stored, err := s.store.document(ctx, id)
	if err != nil {
		return Document{}, err
	}
	doc, err := s.full(ctx, stored, true)
	if err != nil {
		return Document{}, err
	}
	s.publishAccessChange(ctx, d, doc, s.audience(ctx, d, readers), s.audience(ctx, stored, users))
	if stored.Confidential {
		s.marks.prewarm(id)
	}
	return doc, nil
}

// publishAccessChange tells those who may now see the document about it,
// and those who no longer may that it is gone for them. Events carry the
// public view of the document: no access list, no risks.
func (s *Service) publishAccessChange(ctx context.Context, d documentRow, doc Document, before, after []string) {
	doc = public(doc)
	if after == nil { // open to everyone now
		evs := []event.Event{{MeetingID: d.MeetingID, Type: "document.updated", Data: doc, Audience: before}}
		if before != nil { // it was confidential: everyone else sees it appear
			evs = append(evs, event.Event{MeetingID: d.MeetingID, Type: "document.added", Data: doc, Exclude: before})
		}
		s.pub.Publish(ctx, evs...)
		return
	}
	gone := map[string]any{"id": d.ID}
	if before == nil { // it was open: everyone else loses it, administrators following the meeting too
		s.pub.Publish(ctx,
			event.Event{MeetingID: d.MeetingID, Type: "document.updated", Data: doc, Audience: nonNil(after)},
			event.Event{MeetingID: d.MeetingID, Type: "document.removed", Data: gone, Exclude: nonNil(after)})
		return
	}
	var lost, kept, gained []string
	for _, u := range before {
		if !slices.Contains(after, u) {
			lost = append(lost, u)
		}
	}
	for _, u := range after {
		if slices.Contains(before, u) {
			kept = append(kept, u)
		} else {
			gained = append(gained, u)
		}
	}
	evs := []event.Event{{MeetingID: d.MeetingID, Type: "document.updated", Data: doc, Audience: nonNil(kept)}}
	if len(gained) > 0 {
		evs = append(evs, event.Event{MeetingID: d.MeetingID, Type: "document.added", Data: doc, Audience: gained})
	}
	if len(lost) > 0 {
		evs = append(evs, event.Event{MeetingID: d.MeetingID, Type: "document.removed", Data: gone, Audience: lost})
	}
	s.pub.Publish(ctx, evs...)
}

// public is what every reader of a document may be told about it.
func public(doc Document) Document {
	doc.Risks, doc.Readers, doc.Versions = nil, nil, nil
	return doc
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Delete removes a document with all its versions; blobs no other
// document uses are deleted, and cached watermarked copies with them.
func (s *Service) Delete(ctx context.Context, a web.Actor, id string) error {
	gone, err := s.delete(ctx, a, id)
	if err == nil {
		s.documentChanged(ctx, a, gone, true)
	}
	return err
}

// delete returns what the change hooks are told of the document deleted:
// its id, meeting, title and confidentiality.
func (s *Service) delete(ctx context.Context, a web.Actor, id string) (Document, error) {
	s.visibility.Lock() // see Service.visibility
	defer s.visibility.Unlock()
	d, _, readers, err := s.managedDoc(ctx, a, id)
	if err != nil {
		return Document{}, err
	}
	audience := s.audience(ctx, d, readers)
	e := s.entry(a, d.MeetingID, "document.deleted", id,
		auditDetail(id, d.CurrentVersion, d.Confidential, nil, map[string]any{"title": d.Title}))
	sums, err := s.store.deleteDocument(ctx, id, e)
	s.access.invalidate()
	if err != nil {
		return Document{}, err
	}
	for _, sum := range sums {
		s.dropBlob(ctx, sum)
	}
	s.marks.forget(ctx, id)
	s.pub.Publish(ctx, event.Event{MeetingID: d.MeetingID, Type: "document.removed", Data: map[string]any{"id": id}, Audience: audience})
	return Document{ID: id, MeetingID: d.MeetingID, Title: d.Title, Confidential: d.Confidential}, nil
}
