// Package agenda owns a meeting's agenda: a tree of items with derived
// numbers ("1", "1.1" …), their order, the current item and its timing,
// and the speaker queues of each item. It asks package meeting who may do
// what.
package agenda

import (
	"context"
	"encoding/json"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// Meetings is what the agenda needs from package meeting. Access is
// NotFound for a meeting the actor may not see; Participant is NotFound
// for a user who does not take part.
type Meetings interface {
	Access(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error)
	Participant(ctx context.Context, meetingID, userID string) (meeting.Participant, error)
}

// Users names people (presenters, speakers) in one lookup; errors are Internal.
type Users interface {
	UsersByIDs(ctx context.Context, ids []string) ([]account.User, error)
}

// Config wires a Service.
type Config struct {
	Meetings  Meetings
	Users     Users
	Publisher event.Publisher // nil means event.Nop
	Now       func() time.Time
}

// Service implements the agenda rules for REST, the live hub and the CLI.
type Service struct {
	store        *store
	meetings     Meetings
	users        Users
	pub          event.Publisher
	now          func() time.Time
	deleteGuards guards
}

// NewService returns a Service on db.
func NewService(db *database.DB, cfg Config) *Service {
	if cfg.Publisher == nil {
		cfg.Publisher = event.Nop{}
	}
	if cfg.Now == nil {
		// Microseconds: what PostgreSQL keeps, so an answer shows the stored time.
		cfg.Now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	}
	return &Service{store: &store{db: db.Gorm}, meetings: cfg.Meetings, users: cfg.Users, pub: cfg.Publisher, now: cfg.Now}
}

// OptionalID is a JSON field that may be absent (Set false), null (Set,
// ID "") or an id, so PATCH can tell "leave it" from "clear it".
type OptionalID struct {
	Set bool
	ID  string
}

// UnmarshalJSON records that the field was given.
func (o *OptionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.ID = ""
		return nil
	}
	return json.Unmarshal(b, &o.ID)
}

// access returns the actor's access to the meeting of an object found by
// id. The object hides behind NotFound, as its meeting does.
func (s *Service) access(ctx context.Context, a web.Actor, meetingID, what string) (meeting.Access, error) {
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if apperr.Is(err, apperr.NotFound) {
		return acc, apperr.NotFoundf("%s not found", what)
	}
	return acc, err
}

// manager returns the actor's access when they may prepare the meeting,
// and it is not closed.
func (s *Service) manager(ctx context.Context, a web.Actor, meetingID, what string) (meeting.Access, error) {
	acc, err := s.access(ctx, a, meetingID, what)
	if err != nil {
		return acc, err
	}
	if !acc.CanManage() {
		return acc, apperr.Forbiddenf("only the meeting's secretary or chair can change the agenda")
	}
	return acc, acc.Writable()
}

// names maps user ids to full names in one lookup.
func (s *Service) names(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	users, err := s.users.UsersByIDs(ctx, ids)
	for _, u := range users {
		out[u.ID] = u.FullName
	}
	return out, err
}

func (s *Service) entry(a web.Actor, meetingID, action, object string, detail map[string]any) audit.Entry {
	return audit.For(a, s.now(), meetingID, action, object, detail)
}

// publish sends one event; call it only after the change has committed.
func (s *Service) publish(ctx context.Context, meetingID, typ string, data any) {
	s.pub.Publish(ctx, event.Event{MeetingID: meetingID, Type: typ, Data: data})
}
