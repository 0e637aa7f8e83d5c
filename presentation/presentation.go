// Package presentation owns what the room is shown: the document, version
// and page the chair or the current presenter puts on every tablet, with
// an optional zoom region. The state is stored, so a late joiner or a
// restarted server shows the same page, and rapid page turns are
// coalesced so the last page always arrives.
package presentation

import (
	"context"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/keylock"
	"github.com/curia/curia/internal/priority"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// Region is a zoomed part of the page, in fractions of its width and
// height from the top-left corner, so it fits any screen.
type Region struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// State is what the room is shown. A zero DocumentID means nothing is
// presented. Hidden is set, and the document left out, for a reader who
// may not see the presented confidential document.
type State struct {
	MeetingID  string     `json:"meeting_id"`
	DocumentID *string    `json:"document_id"`
	Version    int        `json:"version,omitempty"`
	Page       int        `json:"page,omitempty"`
	Pages      int        `json:"pages,omitempty"`
	Zoom       *Region    `json:"zoom"`
	Hidden     bool       `json:"hidden,omitempty"`
	By         string     `json:"by,omitempty"`
	At         *time.Time `json:"at"`
}

// Input is the body of PUT /meetings/{id}/presentation. A null document_id
// stops presenting.
type Input struct {
	DocumentID *string `json:"document_id"`
	Page       int     `json:"page"`
	Version    int     `json:"version"` // 0: the current version
	Zoom       *Region `json:"zoom"`
}

// Meetings answers who may do what in a meeting.
type Meetings interface {
	Access(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error)
}

// Agenda names the presenter of the current agenda item ("" when there is
// no current item or it has no presenter).
type Agenda interface {
	CurrentPresenter(ctx context.Context, meetingID string) (string, error)
}

// Documents answers about the documents that can be presented. Pages is
// NotFound when the actor may not see the document.
//
// Pages and AuditTitle also tell the title an audit entry may give a
// document, so that presentation.shown and .stopped name it even once it
// is deleted: its title, or "" when it is confidential (only
// administrators read the audit log, and an administrator may not see a
// confidential document; the documents service knows who may see what).
// Pages reads it with the pages, so a page turn costs no further query;
// AuditTitle reads it alone, for a stop.
type Documents interface {
	Pages(ctx context.Context, a web.Actor, docID string, version int) (meetingID string, v int, pages int, title string, err error)
	AuditTitle(ctx context.Context, docID string) (string, error)
	Audience(ctx context.Context, docID string) ([]string, error)
}

// Config wires a Service.
type Config struct {
	Meetings  Meetings
	Agenda    Agenda
	Documents Documents
	Publisher event.Publisher
	Logger    *slog.Logger
	Now       func() time.Time
	// Coalesce is the shortest time between two presentation.changed
	// events of one meeting (default 40 ms): turns in between are folded
	// into the last one, which is always sent.
	Coalesce time.Duration
	// Urgent, when set, is told of every change while it is stored and
	// handed to the hub, and for FanoutTail after: work that can wait
	// (strokes) waits for it, so that a page turn does not share the
	// node's CPU and database writer with them (package priority).
	Urgent *priority.Gate
}

// FanoutTail is how long a change stays urgent after it was handed to the
// hub: about what its fan-out to a room of 550 tablets takes on two cores
// (the writes run on their own goroutines once handed over).
const FanoutTail = 4 * time.Millisecond

// Service implements the presentation rules.
type Service struct {
	store *store
	cfg   Config
	out   *coalescer
	// order keeps one meeting's changes in one order, on this node: each
	// is stored and announced under its meeting's own lock, so the last
	// event sent is the state last stored even when the chair and the
	// presenter turn at the same instant. Only that meeting's changes wait
	// for it (a turn waiting for its meeting's row holds up no other).
	order keylock.Map
	// stored, in tests, runs between storing a change and offering it.
	stored func(State)
}

// NewService returns a Service on db.
func NewService(db *database.DB, cfg Config) *Service {
	if cfg.Publisher == nil {
		cfg.Publisher = event.Nop{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Coalesce <= 0 {
		cfg.Coalesce = 40 * time.Millisecond
	}
	s := &Service{store: &store{db: db.Gorm}, cfg: cfg}
	s.out = newCoalescer(cfg.Coalesce, s.publish)
	return s
}

// Close stops the coalescer after sending what it holds.
func (s *Service) Close() { s.out.close() }

// Get returns what the meeting is shown, as the actor may see it.
func (s *Service) Get(ctx context.Context, a web.Actor, meetingID string) (State, error) {
	if _, err := s.cfg.Meetings.Access(ctx, a, meetingID); err != nil {
		return State{}, err
	}
	st, err := s.store.get(ctx, meetingID)
	if err != nil {
		return State{}, err
	}
	return s.forViewer(ctx, st, a.UserID), nil
}

// ForViewer returns the state as the user may see it: with the document
// hidden when it is confidential and they are not among its readers. The
// live hub's snapshot uses it.
func (s *Service) ForViewer(ctx context.Context, meetingID, userID string) (State, error) {
	st, err := s.store.get(ctx, meetingID)
	if err != nil {
		return State{}, err
	}
	return s.forViewer(ctx, st, userID), nil
}

func (s *Service) forViewer(ctx context.Context, st State, userID string) State {
	if st.DocumentID == nil {
		return st
	}
	aud, err := s.cfg.Documents.Audience(ctx, *st.DocumentID)
	if err != nil || (aud != nil && !slices.Contains(aud, userID)) {
		return hidden(st)
	}
	return st
}

func hidden(st State) State {
	return State{MeetingID: st.MeetingID, Hidden: true, By: st.By, At: st.At}
}

// Set puts a document page (and zoom region) before the room. The chair
// may, and so may the presenter of the current agenda item unless they
// take part as an observer (who sees, but does not speak). Showing a
// document (or another version of it) and stopping are audited with the
// change; page turns and zooms within the document shown are not. Every
// change takes part in the meeting's lock, so one racing the meeting's
// close either is stored (and announced) before the close commits or is
// the closed meeting's Conflict, with nothing stored or announced. Two
// changes at once (the chair and the presenter) are stored and announced
// in the same order, so the room ends on the page stored. The document is
// checked under the meeting's turn lock, which DocumentChanged takes too:
// a delete that commits before the check makes the turn Unprocessable,
// and one that commits after it finds the turn stored and stops it, so a
// deleted document is never left before the room (on this node).
func (s *Service) Set(ctx context.Context, a web.Actor, meetingID string, in Input) (State, error) {
	acc, err := s.cfg.Meetings.Access(ctx, a, meetingID)
	if err != nil {
		return State{}, err
	}
	if err := s.mayPresent(ctx, acc, meetingID); err != nil {
		return State{}, err
	}
	end := s.cfg.Urgent.Begin()
	defer time.AfterFunc(FanoutTail, end)
	defer s.order.Lock(meetingID)()
	st, named, err := s.validate(ctx, a, meetingID, in)
	if err != nil {
		return State{}, err
	}
	if st.DocumentID == nil {
		named = s.shownTitle(ctx, meetingID)
	}
	now := s.cfg.Now()
	st.By, st.At = a.UserID, &now
	err = s.store.put(ctx, st, func(prevDoc *string, prevVersion int) audit.Entry {
		return shownEntry(a, st, prevDoc, prevVersion, named)
	})
	if err != nil {
		return State{}, err
	}
	if s.stored != nil {
		s.stored(st)
	}
	s.out.offer(meetingID, st)
	return st, nil
}

// docTitle is the title an audit entry may give a document (see
// TitledDocuments): none when Title is "".
type docTitle struct {
	DocumentID string
	Title      string
}

// shownEntry is the audit entry of a change of what the room is shown:
// presentation.shown names the document now shown (with the one shown
// before, if any), presentation.stopped the one no longer shown. Either
// gets "title", the document's title then, when named gives one for the
// document it names: the audit screen names a document deleted since by
// it. named comes from before the change's transaction, so a stop that
// finds another document shown by then (changed on another node) names
// that one by id only.
func shownEntry(a web.Actor, st State, prevDoc *string, prevVersion int, named docTitle) audit.Entry {
	if st.DocumentID == nil {
		var object string
		detail := map[string]any{"version": prevVersion}
		if prevDoc != nil {
			object = "document:" + *prevDoc
			named.addTo(detail, *prevDoc)
		}
		return audit.For(a, *st.At, st.MeetingID, "presentation.stopped", object, detail)
	}
	detail := map[string]any{"version": st.Version, "page": st.Page}
	if prevDoc != nil {
		detail["previous_document_id"], detail["previous_version"] = *prevDoc, prevVersion
	}
	named.addTo(detail, *st.DocumentID)
	return audit.For(a, *st.At, st.MeetingID, "presentation.shown", "document:"+*st.DocumentID, detail)
}

// addTo puts the title into detail if it is docID's and there is one.
func (n docTitle) addTo(detail map[string]any, docID string) {
	if n.Title != "" && n.DocumentID == docID {
		detail["title"] = n.Title
	}
}

// shownTitle is the title (for presentation.stopped) of the document the
// meeting shows, read before a stop: what it costs is spent on stops
// only, never on a page turn. A failure only leaves the title out.
func (s *Service) shownTitle(ctx context.Context, meetingID string) docTitle {
	st, err := s.store.get(ctx, meetingID)
	if err != nil || st.DocumentID == nil {
		return docTitle{}
	}
	title, err := s.cfg.Documents.AuditTitle(ctx, *st.DocumentID)
	if err != nil {
		return docTitle{}
	}
	return docTitle{DocumentID: *st.DocumentID, Title: title}
}

func (s *Service) mayPresent(ctx context.Context, acc meeting.Access, meetingID string) error {
	if err := acc.Writable(); err != nil {
		return err
	}
	if acc.IsChair() || acc.IsAdmin {
		return nil
	}
	presenter, err := s.cfg.Agenda.CurrentPresenter(ctx, meetingID)
	if err != nil {
		return err
	}
	if presenter == "" || presenter != acc.UserID {
		return apperr.Forbiddenf("only the chair or the presenter of the current agenda item can turn the page for everyone")
	}
	if !acc.CanSpeak() { // an observer sees, but does not speak: presenting is speaking to the room
		return apperr.Forbiddenf("an observer cannot present: only the chair or a presenter with a right to speak can turn the page for everyone")
	}
	return nil
}

// validate checks a change and returns the state it stores, with the
// title an audit entry may give the document shown (read with its pages).
func (s *Service) validate(ctx context.Context, a web.Actor, meetingID string, in Input) (State, docTitle, error) {
	st := State{MeetingID: meetingID}
	if in.DocumentID == nil {
		if in.Page != 0 || in.Version != 0 || in.Zoom != nil {
			return State{}, docTitle{}, apperr.Invalidf("page, version and zoom need a document_id (a null document_id stops presenting)")
		}
		return st, docTitle{}, nil
	}
	if in.Version < 0 {
		return State{}, docTitle{}, apperr.Invalidf("version must be 1 or more (or 0 for the current one)")
	}
	docMeeting, version, pages, title, err := s.cfg.Documents.Pages(ctx, a, *in.DocumentID, in.Version)
	if apperr.Is(err, apperr.NotFound) { // a missing version, or a document the actor may not see
		return State{}, docTitle{}, apperr.New(apperr.Unprocessable, "document_id, version: %s", apperr.Public(err))
	}
	if err == nil && docMeeting != meetingID {
		return State{}, docTitle{}, apperr.New(apperr.Unprocessable, "document_id: no such document in this meeting")
	}
	if err != nil {
		return State{}, docTitle{}, err
	}
	if in.Page < 1 || in.Page > pages {
		return State{}, docTitle{}, apperr.Invalidf("page must be from 1 to %d", pages)
	}
	if err := in.Zoom.validate(); err != nil {
		return State{}, docTitle{}, err
	}
	st.DocumentID, st.Version, st.Page, st.Pages, st.Zoom = in.DocumentID, version, in.Page, pages, in.Zoom
	return st, docTitle{DocumentID: *in.DocumentID, Title: title}, nil
}

func (r *Region) validate() error {
	if r == nil {
		return nil
	}
	for _, v := range []float64{r.X, r.Y, r.W, r.H} {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return apperr.Invalidf("zoom: x, y, w and h are fractions of the page from 0 to 1")
		}
	}
	if r.W <= 0 || r.H <= 0 || r.X+r.W > 1.000001 || r.Y+r.H > 1.000001 {
		return apperr.Invalidf("zoom: the region must have a size and lie within the page")
	}
	return nil
}

// publish sends presentation.changed: the full state to those who may see
// the document, and a hidden state to everyone else.
func (s *Service) publish(meetingID string, st State) {
	ctx := context.Background()
	ev := event.Event{MeetingID: meetingID, Type: "presentation.changed", Data: st}
	if st.DocumentID == nil {
		s.cfg.Publisher.Publish(ctx, ev)
		return
	}
	aud, err := s.cfg.Documents.Audience(ctx, *st.DocumentID)
	if err != nil {
		s.cfg.Logger.Error("presentation audience", "err", err)
		aud = []string{}
	}
	if aud == nil {
		s.cfg.Publisher.Publish(ctx, ev)
		return
	}
	ev.Audience = aud
	others := event.Event{MeetingID: meetingID, Type: "presentation.changed", Data: hidden(st), Exclude: aud}
	s.cfg.Publisher.Publish(ctx, ev, others)
}
