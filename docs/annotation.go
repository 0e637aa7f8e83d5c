package docs

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// Annotation is a participant's mark on one page of one document version:
// ink, a highlight or a note. A private annotation is seen by its author
// only; a shared one by everyone who may see the document.
type Annotation struct {
	ID         string          `json:"id"`
	DocumentID string          `json:"document_id"`
	Version    int             `json:"version"`
	Page       int             `json:"page"`
	Kind       string          `json:"kind"`
	Shared     bool            `json:"shared"`
	AuthorID   string          `json:"author_id"`
	Data       json.RawMessage `json:"data"` // see KindInk, KindHighlight, KindNote
	Rev        int             `json:"rev"`  // 1 when created, one more on every change
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// NewAnnotation is one annotation to create. The client chooses its id
// (1 to 64 of A–Z a–z 0–9 _ -, unique: a UUID or ULID), so that sending
// it again after a dropped connection creates nothing twice; the server
// makes one when it is empty.
type NewAnnotation struct {
	ID      string          `json:"id"`
	Version int             `json:"version"` // 0: the current version
	Page    int             `json:"page"`
	Kind    string          `json:"kind"`
	Shared  bool            `json:"shared"`
	Data    json.RawMessage `json:"data"`
}

// AnnotationChanges is the body of PATCH /annotations/{id}; nil fields
// stay as they are.
type AnnotationChanges struct {
	Shared *bool           `json:"shared"`
	Data   json.RawMessage `json:"data"`
	// Rev, when given, applies the change only to that revision: an
	// offline edit of an annotation changed elsewhere meanwhile is a
	// Conflict instead of a silent overwrite.
	Rev *int `json:"rev"`
}

// maxBatch bounds the annotations of one request.
const maxBatch = 500

var annotationID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Annotate creates annotations on a document the actor may see, all or
// none. An annotation whose id exists already with the same author and
// content is a replay: it is returned as stored and not created again
// (created reports how many were new). The same id with other content,
// a deleted annotation's id, or another user's id is a Conflict.
// Anyone who may see the document may annotate it privately; sharing
// takes a chair, secretary or delegate, in a meeting not yet closed.
func (s *Service) Annotate(ctx context.Context, a web.Actor, docID string, in []NewAnnotation) (out []Annotation, created int, err error) {
	if len(in) == 0 || len(in) > maxBatch {
		return nil, 0, apperr.Invalidf("annotations: give 1 to %d annotations", maxBatch)
	}
	d, acc, err := s.annotationDoc(ctx, a, docID)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.newRows(ctx, a, acc, d, in, mayShare)
	if err != nil {
		if out, ok := s.resent(ctx, a, acc, d, in, err); ok {
			return out, 0, nil
		}
		return nil, 0, err
	}
	entry := func(r annotationRow) *audit.Entry { return s.annotationEntry(a, r, "annotation.created", nil) }
	shared := slices.ContainsFunc(rows, func(r annotationRow) bool { return r.Shared })
	job := &createJob{actor: a, shared: shared, rows: rows, entry: entry, doc: d, check: func(existing map[string]annotationRow) error {
		for i, r := range rows {
			if old, ok := existing[r.ID]; ok && !sameAnnotation(old, r) {
				return replayConflict(i, len(rows), old, r)
			}
		}
		return nil
	}}
	existing, err := s.commits.insert(ctx, s.store, job, s.announceCreated)
	if err != nil {
		return nil, 0, err
	}
	if len(job.fresh) == 0 {
		// A replay writes nothing, so nothing checked the grant again
		// under the write lock; the one used may be a second old.
		if err := s.stillSees(ctx, a, d.ID); err != nil {
			return nil, 0, err
		}
	}
	for i, r := range rows {
		if old, ok := existing[r.ID]; ok {
			rows[i] = old // a replay: as stored
		}
	}
	out = make([]Annotation, len(rows))
	for i, r := range rows {
		out[i] = annotation(r)
	}
	return out, len(job.fresh), nil
}

// maxAnnounceItems bounds the annotations of one annotations.created
// event (about 60 KB of ink), so that a page turn queued behind it for a
// tablet waits for little; more make more events, in order.
const maxAnnounceItems = 100

// AnnotationsCreatedEvent is the type of the live event that carries new
// annotations (strokes while delegates draw); the app has the hub pace
// its fan-out (realtime.Options.Paced).
const AnnotationsCreatedEvent = "annotations.created"

// AnnotationsCreated is the data of the live event annotations.created:
// new annotations of one document, all with the same audience, in the
// order they were created.
type AnnotationsCreated struct {
	DocumentID string       `json:"document_id"`
	Items      []Annotation `json:"items"`
}

// announceCreated publishes the new annotations of a group commit (the
// creates of every request in it) as one annotations.created event per
// document and audience: the shared ones of a document to everyone who
// may see it, the private ones to their author's sessions, one event
// for each author; at most maxAnnounceItems in one event. A batch with
// a single new annotation is announced the same way, with one item.
func (s *Service) announceCreated(ctx context.Context, batch []*createJob) {
	type group struct {
		meetingID string
		audience  []string
		skip      bool // the document is gone: nothing to announce
		data      AnnotationsCreated
	}
	// Who may see a document is read afresh here, not taken from the
	// requests (which may have read it before a change), and no change of
	// it (Update, SetAccess, Delete) runs between that read and the
	// publish: a reader taken off, or a document made confidential while
	// the batch waited, never receives its strokes.
	s.visibility.RLock()
	defer s.visibility.RUnlock()
	// The rows as they are now: one deleted or changed since it was
	// written (its deletion or change is announced under the same lock) is
	// left out or announced as it now is, never after its own removal.
	var ids []string
	for _, j := range batch {
		for _, r := range j.fresh {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	now, err := s.store.liveAnnotations(ctx, ids)
	if err != nil {
		s.log.ErrorContext(ctx, "announce annotations: read them back", "err", err)
		return
	}
	var groups []*group
	index := map[string]*group{}
	for _, j := range batch {
		for _, fresh := range j.fresh {
			r, ok := now[fresh.ID]
			if !ok {
				continue
			}
			key := "s\x00" + j.doc.ID
			if !r.Shared {
				key = "p\x00" + j.doc.ID + "\x00" + r.AuthorID
			}
			g := index[key]
			if g == nil || len(g.data.Items) == maxAnnounceItems {
				g = &group{meetingID: j.doc.MeetingID, data: AnnotationsCreated{DocumentID: j.doc.ID}}
				if r.Shared {
					g.audience, g.skip = s.currentAudience(ctx, j.doc.ID)
				} else {
					g.audience = []string{r.AuthorID}
				}
				index[key] = g
				groups = append(groups, g)
			}
			g.data.Items = append(g.data.Items, annotation(r))
		}
	}
	evs := make([]event.Event, 0, len(groups))
	for _, g := range groups {
		if !g.skip {
			evs = append(evs, event.Event{MeetingID: g.meetingID, Type: AnnotationsCreatedEvent, Data: g.data, Audience: g.audience})
		}
	}
	if len(evs) > 0 {
		s.pub.Publish(ctx, evs...)
	}
}

// currentAudience reads who may see a document now: nil for everyone in
// the meeting. skip is true when the document is gone, or when it cannot
// be read (then nobody is told rather than perhaps too many).
func (s *Service) currentAudience(ctx context.Context, docID string) (audience []string, skip bool) {
	d, err := s.store.document(ctx, docID)
	if err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			s.log.ErrorContext(ctx, "announce annotations: read the document", "err", err, "document", docID)
		}
		return nil, true
	}
	if !d.Confidential {
		return nil, false
	}
	readers, err := s.store.readers(ctx, []string{docID})
	if err != nil {
		s.log.ErrorContext(ctx, "announce annotations: read the readers", "err", err, "document", docID)
		return nil, true
	}
	return s.audience(ctx, d, readers[docID]), false
}

// resent answers a batch refused for sharing (the meeting was closed, or
// the sender made observer, since it was stored) when it is a resend:
// every annotation of it stored already, by the sender, as sent. A
// tablet that lost its connection before the answer sends its batch
// again, and gets what was stored, as any replay does; refused, it would
// show stored strokes as lost. Anything else keeps the refusal.
func (s *Service) resent(ctx context.Context, a web.Actor, acc meeting.Access, d documentRow, in []NewAnnotation, refusal error) ([]Annotation, bool) {
	if !apperr.Is(refusal, apperr.Conflict) && !apperr.Is(refusal, apperr.Forbidden) {
		return nil, false
	}
	rows, err := s.newRows(ctx, a, acc, d, in, func(meeting.Access) error { return nil })
	if err != nil {
		return nil, false
	}
	if s.stillSees(ctx, a, d.ID) != nil {
		return nil, false
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	stored, err := s.store.liveAnnotations(ctx, ids)
	if err != nil {
		return nil, false
	}
	out := make([]Annotation, len(rows))
	for i, r := range rows {
		old, ok := stored[r.ID]
		if !ok || !sameAnnotation(old, r) {
			return nil, false
		}
		out[i] = annotation(old)
	}
	return out, true
}

// stillSees reads afresh whether the actor may see the document: the grant
// Annotate used may be a second old (annotation_cache.go), and one taken
// away since, on another node too, must not get stored rows back.
func (s *Service) stillSees(ctx context.Context, a web.Actor, docID string) error {
	_, _, _, err := s.docFor(ctx, a, docID)
	return err
}

// newRows checks the input and makes the rows to store; share says
// whether the actor may share.
func (s *Service) newRows(ctx context.Context, a web.Actor, acc meeting.Access, d documentRow, in []NewAnnotation, share func(meeting.Access) error) ([]annotationRow, error) {
	seen := make(map[string]bool, len(in))
	now := s.now().Truncate(time.Microsecond) // what both databases keep
	rows := make([]annotationRow, len(in))
	for i, n := range in {
		if n.ID == "" {
			n.ID = ids.New()
		}
		if !annotationID.MatchString(n.ID) || seen[n.ID] {
			return nil, batchError(i, len(in), apperr.Invalidf("id must be 1 to 64 of A-Z a-z 0-9 _ -, once per request"))
		}
		seen[n.ID] = true
		r, err := s.newRow(ctx, acc, d, n, share)
		if err != nil {
			return nil, batchError(i, len(in), err)
		}
		r.AuthorID, r.CreatedAt, r.UpdatedAt = a.UserID, now, now
		rows[i] = r
	}
	return rows, nil
}

func (s *Service) newRow(ctx context.Context, acc meeting.Access, d documentRow, n NewAnnotation, share func(meeting.Access) error) (annotationRow, error) {
	if n.Version == 0 {
		n.Version = d.CurrentVersion
	}
	v, err := s.annotationVersion(ctx, d.ID, n.Version)
	if err != nil {
		return annotationRow{}, err
	}
	if n.Page < 1 || n.Page > v.v.Pages {
		return annotationRow{}, apperr.Invalidf("page must be from 1 to %d", v.v.Pages)
	}
	if n.Shared {
		if err := share(acc); err != nil {
			return annotationRow{}, err
		}
	}
	data, err := cleanData(n.Kind, n.Data, v.b.page(n.Page))
	if err != nil {
		return annotationRow{}, err
	}
	return annotationRow{ID: n.ID, DocumentID: d.ID, Version: v.v.Version, Page: n.Page, MeetingID: d.MeetingID,
		Kind: n.Kind, Shared: n.Shared, Data: string(data), DataSize: len(data), Rev: 1}, nil
}

// mayShare: sharing speaks to the room, so observers and administrators
// outside the meeting annotate privately only; and a closed meeting's
// shared record does not change.
func mayShare(acc meeting.Access) error {
	if !acc.CanSpeak() {
		return apperr.Forbiddenf("only the chair, the secretary and delegates can share annotations; keep it private")
	}
	return acc.Writable()
}

func batchError(i, n int, err error) error {
	if n == 1 || apperr.Is(err, apperr.Internal) {
		return err
	}
	return apperr.New(apperr.KindOf(err), "annotations[%d]: %s", i, apperr.Public(err))
}

func replayConflict(i, n int, old, r annotationRow) error {
	var err error
	switch {
	case old.AuthorID != r.AuthorID:
		err = apperr.Conflictf("id %s is taken; choose another", r.ID)
	case old.DeletedAt != nil:
		err = apperr.Conflictf("annotation %s was deleted", r.ID)
	default:
		err = apperr.Conflictf("annotation %s exists with other content; change it with PATCH", r.ID)
	}
	return batchError(i, n, err)
}

// sameAnnotation reports whether r, sent again, is what old stores.
func sameAnnotation(old, r annotationRow) bool {
	return old.AuthorID == r.AuthorID && old.DeletedAt == nil && old.DocumentID == r.DocumentID &&
		old.Version == r.Version && old.Page == r.Page && old.Kind == r.Kind && old.Shared == r.Shared &&
		bytes.Equal([]byte(old.Data), []byte(r.Data))
}

// AnnotationQuery selects annotations of a document.
type AnnotationQuery struct {
	Version int // 0: the current version
	Page    int // 0: every page
}

// Annotations lists the actor's own annotations on a document version
// and everyone's shared ones, by page and age.
func (s *Service) Annotations(ctx context.Context, a web.Actor, docID string, q AnnotationQuery) ([]Annotation, error) {
	d, _, _, err := s.docFor(ctx, a, docID)
	if err != nil {
		return nil, err
	}
	if q.Version == 0 {
		q.Version = d.CurrentVersion
	}
	if q.Version > d.CurrentVersion { // versions are numbered from 1 without gaps
		return nil, apperr.NotFoundf("document %s has no version %d", d.ID, q.Version)
	}
	rows, err := s.store.annotations(ctx, annotationFilter{DocumentID: d.ID, Version: q.Version, Page: q.Page, ReaderID: a.UserID, Shared: true})
	if err != nil {
		return nil, err
	}
	out := make([]Annotation, len(rows))
	for i, r := range rows {
		out[i] = annotation(r)
	}
	return out, nil
}

// annotationFor loads a live annotation the actor may see, with its
// document: their own, or a shared one on a document they may see.
func (s *Service) annotationFor(ctx context.Context, a web.Actor, id string) (annotationRow, documentRow, meeting.Access, error) {
	r, err := s.store.annotation(ctx, id)
	if err == nil && (r.DeletedAt != nil || (r.AuthorID != a.UserID && !r.Shared)) {
		err = apperr.NotFoundf("annotation not found")
	}
	if err != nil {
		return r, documentRow{}, meeting.Access{}, err
	}
	d, acc, _, err := s.docFor(ctx, a, r.DocumentID) // the audience is read again under the visibility lock
	if apperr.Is(err, apperr.NotFound) {
		err = apperr.NotFoundf("annotation not found")
	}
	return r, d, acc, err
}

// UpdateAnnotation changes the data or the sharing of the actor's own
// annotation. Its kind, document and page stay.
func (s *Service) UpdateAnnotation(ctx context.Context, a web.Actor, id string, ch AnnotationChanges) (Annotation, error) {
	r, d, acc, err := s.annotationFor(ctx, a, id)
	if err != nil {
		return Annotation{}, err
	}
	if r.AuthorID != a.UserID {
		return Annotation{}, apperr.Forbiddenf("only its author can change an annotation")
	}
	if ch.Rev != nil && *ch.Rev != r.Rev {
		return Annotation{}, apperr.Conflictf("the annotation is at revision %d, not %d; reload it", r.Rev, *ch.Rev)
	}
	after, err := s.changed(ctx, acc, r, ch)
	if err != nil {
		return Annotation{}, err
	}
	if sameAnnotation(r, after) {
		return annotation(r), nil // nothing to change: a replayed PATCH
	}
	fields := map[string]any{"shared": after.Shared, "data": after.Data, "data_size": after.DataSize, "updated_at": after.UpdatedAt}
	e := s.updateEntry(a, r, after)
	s.visibility.Lock() // until its event is out: see announceCreated
	defer s.visibility.Unlock()
	d, readers, err := s.stillMay(ctx, a, d.ID, func(acc meeting.Access) error {
		if after.Shared || r.Shared {
			return mayShare(acc)
		}
		return nil
	})
	if err != nil {
		return Annotation{}, err
	}
	if err := s.store.updateAnnotation(ctx, r, fields, e); err != nil {
		return Annotation{}, err
	}
	after.Rev = r.Rev + 1
	s.publishChange(ctx, d, readers, r, after)
	return annotation(after), nil
}

// updateEntry is the audit entry of a change of annotation r into after:
// sharing and unsharing are annotation.shared and annotation.unshared, a
// new content of a shared annotation (which the room reads) is
// annotation.updated; the detail gives the new revision, and whether the
// content changed, never the content. A private annotation's change is
// nobody's business but its author's (nil), as its creation.
func (s *Service) updateEntry(a web.Actor, r, after annotationRow) *audit.Entry {
	detail := map[string]any{"rev": r.Rev + 1}
	dataChanged := !bytes.Equal([]byte(r.Data), []byte(after.Data))
	switch {
	case after.Shared != r.Shared:
		if dataChanged {
			detail["data_changed"] = true
		}
		return s.annotationEntry(a, after, map[bool]string{true: "annotation.shared", false: "annotation.unshared"}[after.Shared], detail)
	case after.Shared && dataChanged:
		return s.annotationEntry(a, after, "annotation.updated", detail)
	}
	return nil
}

// stillMay reads the document and the actor's access again under the
// visibility lock, for a change to one of its annotations that was
// checked before the lock was taken (annotationFor): the document may
// have been made confidential, or the actor taken off its access list or
// out of the meeting, meanwhile. It returns the document and its readers
// as they now are, with which the change is announced; a document the
// actor may no longer see is NotFound, as annotationFor answers; allowed
// checks the actor's rights again.
func (s *Service) stillMay(ctx context.Context, a web.Actor, docID string, allowed func(meeting.Access) error) (documentRow, []string, error) {
	d, acc, readers, err := s.docFor(ctx, a, docID)
	if apperr.Is(err, apperr.NotFound) {
		return documentRow{}, nil, apperr.NotFoundf("annotation not found")
	}
	if err != nil {
		return documentRow{}, nil, err
	}
	if err := allowed(acc); err != nil {
		return documentRow{}, nil, err
	}
	return d, readers, nil
}

func (s *Service) changed(ctx context.Context, acc meeting.Access, r annotationRow, ch AnnotationChanges) (annotationRow, error) {
	after := r
	if ch.Shared == nil && ch.Data == nil {
		return r, apperr.Invalidf("nothing to change: give shared or data")
	}
	if ch.Shared != nil {
		after.Shared = *ch.Shared
	}
	if after.Shared || r.Shared { // sharing, unsharing or changing what the room sees
		if err := mayShare(acc); err != nil {
			return r, err
		}
	}
	if ch.Data != nil {
		v, err := s.store.version(ctx, r.DocumentID, r.Version)
		if err != nil {
			return r, err
		}
		data, err := cleanData(r.Kind, ch.Data, versionBounds(v).page(r.Page))
		if err != nil {
			return r, err
		}
		after.Data, after.DataSize = string(data), len(data)
	}
	after.UpdatedAt = s.now().Truncate(time.Microsecond)
	return after, nil
}

// DeleteAnnotation removes the actor's own annotation; the chair and the
// secretary may also remove a shared one (moderation). For its author,
// deleting an annotation that is gone already succeeds, so a replay is
// safe.
func (s *Service) DeleteAnnotation(ctx context.Context, a web.Actor, id string) error {
	if r, err := s.store.annotation(ctx, id); err == nil && r.DeletedAt != nil && r.AuthorID == a.UserID {
		return nil
	}
	r, d, acc, err := s.annotationFor(ctx, a, id)
	if err != nil {
		return err
	}
	if err := mayDelete(a, acc, r); err != nil {
		return err
	}
	now := s.now().Truncate(time.Microsecond)
	var e *audit.Entry
	if r.Shared {
		e = s.annotationEntry(a, r, "annotation.deleted", map[string]any{"author_id": r.AuthorID})
	}
	s.visibility.Lock() // until its event is out: see announceCreated
	defer s.visibility.Unlock()
	d, readers, err := s.stillMay(ctx, a, d.ID, func(acc meeting.Access) error {
		return mayDelete(a, acc, r)
	})
	if err != nil {
		return err
	}
	if err := s.store.updateAnnotation(ctx, r, map[string]any{"deleted_at": now, "data": "{}", "data_size": len("{}"), "updated_at": now}, e); err != nil {
		return err
	}
	s.publishAnnotations(ctx, d, readers, "annotation.deleted", []annotationRow{r})
	return nil
}

// mayDelete: its author may remove an annotation, and the chair and the
// secretary a shared one (moderation); a shared one not in a closed
// meeting.
func mayDelete(a web.Actor, acc meeting.Access, r annotationRow) error {
	moderator := acc.Role == meeting.Chair || acc.Role == meeting.Secretary
	if r.AuthorID != a.UserID && !moderator {
		return apperr.Forbiddenf("only its author, the chair or the secretary can remove an annotation")
	}
	if r.Shared {
		return acc.Writable()
	}
	return nil
}

func (s *Service) annotationEntry(a web.Actor, r annotationRow, action string, detail map[string]any) *audit.Entry {
	if !r.Shared && action == "annotation.created" {
		return nil // private marks are nobody's business but their author's
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["document_id"], detail["version"], detail["page"], detail["kind"] = r.DocumentID, r.Version, r.Page, r.Kind
	e := audit.For(a, s.now(), r.MeetingID, action, "annotation:"+r.ID, detail)
	return &e
}

// publishAnnotations tells those who may see each annotation: everyone
// who may see the document when it is shared, its author's own sessions
// when it is private.
func (s *Service) publishAnnotations(ctx context.Context, d documentRow, readers []string, typ string, rows []annotationRow) {
	if len(rows) == 0 {
		return
	}
	var room []string
	roomKnown := false
	evs := make([]event.Event, 0, len(rows))
	for _, r := range rows {
		ev := event.Event{MeetingID: d.MeetingID, Type: typ, Data: annotationEvent(typ, r), Audience: []string{r.AuthorID}}
		if r.Shared {
			if !roomKnown {
				room, roomKnown = s.audience(ctx, d, readers), true
			}
			ev.Audience = room
		}
		evs = append(evs, ev)
	}
	s.pub.Publish(ctx, evs...)
}

// publishChange tells who sees an annotation after a change about it, and
// those who saw it before but no longer may that it is gone for them.
func (s *Service) publishChange(ctx context.Context, d documentRow, readers []string, before, after annotationRow) {
	s.publishAnnotations(ctx, d, readers, "annotation.updated", []annotationRow{after})
	if before.Shared && !after.Shared {
		gone := event.Event{MeetingID: d.MeetingID, Type: "annotation.deleted", Data: annotationEvent("annotation.deleted", before),
			Audience: s.audience(ctx, d, readers), Exclude: []string{before.AuthorID}}
		s.pub.Publish(ctx, gone)
	}
}

func annotationEvent(typ string, r annotationRow) any {
	if typ == "annotation.deleted" {
		return map[string]any{"id": r.ID, "document_id": r.DocumentID, "version": r.Version, "page": r.Page}
	}
	return annotation(r)
}

func annotation(r annotationRow) Annotation {
	return Annotation{ID: r.ID, DocumentID: r.DocumentID, Version: r.Version, Page: r.Page, Kind: r.Kind, Shared: r.Shared,
		AuthorID: r.AuthorID, Data: json.RawMessage(r.Data), Rev: r.Rev, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}
