// Package meeting owns meetings: their lifecycle, participants and roles,
// attendance and quorum. Other domain packages (agenda, docs, voting) ask
// it who may do what through Access; it imports none of them.
package meeting

import (
	"context"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
)

// Meeting is one sitting of a council, board or cabinet.
type Meeting struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Location    string     `json:"location"`
	StartsAt    *time.Time `json:"starts_at"`
	Status      Status     `json:"status"`
	Quorum      QuorumRule `json:"quorum"`
	StartedAt   *time.Time `json:"started_at"` // first time it went live
	ClosedAt    *time.Time `json:"closed_at"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// MyRole is the asking user's role; "" for an admin who is not a participant.
	MyRole Role `json:"my_role"`
}

// Users is what the meeting service needs from accounts: the people it
// names. UsersByIDs returns only the users that exist; errors are Internal.
type Users interface {
	UsersByIDs(ctx context.Context, ids []string) ([]account.User, error)
}

// Config wires a Service.
type Config struct {
	Users     Users
	Publisher event.Publisher // nil means event.Nop
	// Removed is told, after the change commits, that a user no longer
	// takes part in a meeting (the live hub closes their connections).
	Removed func(ctx context.Context, meetingID, userID string)
	// AccessChanged is told, after the change commits, that who may do
	// what in a meeting has changed: a participant added, removed or
	// given another role, the meeting's status changed. Whoever caches
	// grants (the documents service) forgets them.
	AccessChanged func(ctx context.Context, meetingID string)
	// AttendanceChanged is told, after the change commits, that someone's
	// attendance in a meeting changed (checked in, out, absent): who may
	// vote in a poll of the members present has changed.
	AttendanceChanged func(ctx context.Context, meetingID string)
	Now               func() time.Time
}

// Service implements the meeting rules for REST, the live hub and the CLI.
type Service struct {
	store   *store
	users   Users
	pub     event.Publisher
	removed func(ctx context.Context, meetingID, userID string)
	changed func(ctx context.Context, meetingID string) // Config.AccessChanged
	present func(ctx context.Context, meetingID string) // Config.AttendanceChanged
	now     func() time.Time

	closeGuards guards
	leaveHooks  leaveHooks
	quorums     sharedReads[Quorum] // a join storm's snapshots share their reads
	announcing  announcer           // per meeting: what committed changes owe the room, sent in batches (announce)
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
	if cfg.Removed == nil {
		cfg.Removed = func(context.Context, string, string) {}
	}
	if cfg.AccessChanged == nil {
		cfg.AccessChanged = func(context.Context, string) {}
	}
	if cfg.AttendanceChanged == nil {
		cfg.AttendanceChanged = func(context.Context, string) {}
	}
	return &Service{store: &store{db: db.Gorm}, users: cfg.Users, pub: cfg.Publisher, removed: cfg.Removed,
		changed: cfg.AccessChanged, present: cfg.AttendanceChanged, now: cfg.Now}
}

// NewMeeting is the input of Create.
type NewMeeting struct {
	Title       string     `json:"title"`
	StartsAt    *time.Time `json:"starts_at"`
	Location    string     `json:"location"`
	Description string     `json:"description"`
}

// Create makes a draft meeting; any signed-in user may, and becomes its
// secretary.
func (s *Service) Create(ctx context.Context, a web.Actor, in NewMeeting) (Meeting, error) {
	m := meetingRow{ID: ids.New(), Status: string(Draft), QuorumRule: string(Majority), CreatedBy: a.UserID}
	var err error
	if m.StartsAt, err = startsAt(in.StartsAt); err != nil {
		return Meeting{}, err
	}
	if m.Title, err = CleanTitle("title", in.Title); err != nil {
		return Meeting{}, err
	}
	if m.Location, err = CleanNote("location", in.Location, maxLocation); err != nil {
		return Meeting{}, err
	}
	if m.Description, err = CleanNote("description", in.Description, maxDescription); err != nil {
		return Meeting{}, err
	}
	now := s.now()
	m.CreatedAt, m.UpdatedAt = now, now
	p := participantRow{MeetingID: m.ID, UserID: a.UserID, Role: string(Secretary), Weight: 1, AddedAt: now}
	e := s.entry(a, m.ID, "meeting.created", "meeting:"+m.ID, map[string]any{"title": m.Title})
	if err := s.store.createMeeting(ctx, m, p, e); err != nil {
		return Meeting{}, err
	}
	s.meetingUpdated(ctx, m.ID, false)
	return m.meeting(Secretary), nil
}

// List returns the meetings the actor takes part in, or every meeting for
// an admin, newest first.
func (s *Service) List(ctx context.Context, a web.Actor) ([]Meeting, error) {
	roles, err := s.store.rolesOf(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.listMeetings(ctx, roles, a.IsAdmin)
	if err != nil {
		return nil, err
	}
	out := make([]Meeting, len(rows))
	for i, r := range rows {
		out[i] = r.meeting(Role(roles[r.ID]))
	}
	return out, nil
}

// Get returns one meeting the actor may see.
func (s *Service) Get(ctx context.Context, a web.Actor, id string) (Meeting, error) {
	acc, err := s.Access(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	r, err := s.store.meeting(ctx, id)
	return r.meeting(acc.Role), err
}

// Changes is the input of Update; nil fields stay as they are.
type Changes struct {
	Title       *string     `json:"title"`
	StartsAt    *time.Time  `json:"starts_at"`
	Location    *string     `json:"location"`
	Description *string     `json:"description"`
	Quorum      *QuorumRule `json:"quorum"`
}

// fields validates ch and returns the columns to set.
func (ch Changes) fields() (map[string]any, error) {
	f := map[string]any{}
	texts := []struct {
		col string
		val *string
		max int
	}{{"title", ch.Title, 0}, {"location", ch.Location, maxLocation}, {"description", ch.Description, maxDescription}}
	for _, t := range texts {
		if t.val == nil {
			continue
		}
		v, err := cleanField(t.col, *t.val, t.max)
		if err != nil {
			return nil, err
		}
		f[t.col] = v
	}
	if ch.StartsAt != nil {
		t, err := startsAt(ch.StartsAt)
		if err != nil {
			return nil, err
		}
		f["starts_at"] = t
	}
	if ch.Quorum != nil {
		q, err := ch.Quorum.normalize()
		if err != nil {
			return nil, err
		}
		f["quorum_rule"], f["quorum_count"], f["quorum_by_weight"] = string(q.Rule), q.Count, q.ByWeight
	}
	if len(f) == 0 {
		return nil, apperr.Invalidf("nothing to change: give title, starts_at, location, description or quorum")
	}
	return f, nil
}

// Update changes a meeting's details; the secretary, the chair or an admin may.
func (s *Service) Update(ctx context.Context, a web.Actor, id string, ch Changes) (Meeting, error) {
	acc, err := s.manager(ctx, a, id)
	if err != nil {
		return Meeting{}, err
	}
	f, err := ch.fields()
	if err != nil {
		return Meeting{}, err
	}
	e := s.entry(a, id, "meeting.updated", "meeting:"+id, f)
	r, err := s.store.updateMeeting(ctx, id, func(m meetingRow) (map[string]any, audit.Entry, error) {
		return f, e, writable(Status(m.Status))
	}, nil)
	if err != nil {
		return Meeting{}, err
	}
	s.meetingUpdated(ctx, id, ch.Quorum != nil) // a new rule: the counts under it too
	return r.meeting(acc.Role), nil
}

// meetingUpdated publishes the meeting as it is now (meeting.updated)
// and, with quorum, the quorum after it (quorum.changed), read afresh in
// order with the meeting's other announcements (announce): the row a
// change read back after its commit may be older than one already
// announced by a change that committed after it. The change is
// committed; what cannot be read is not published, and clients keep
// what they have until the next event or snapshot.
func (s *Service) meetingUpdated(ctx context.Context, id string, quorum bool) {
	items := []*announcement{{kind: announceMeeting}}
	if quorum {
		items = append(items, &announcement{kind: announceQuorum})
	}
	_ = s.announce(ctx, id, items...) // nothing to answer with: the caller answers with its own row
}

// manager returns the actor's access when they may manage the meeting.
func (s *Service) manager(ctx context.Context, a web.Actor, id string) (Access, error) {
	acc, err := s.Access(ctx, a, id)
	if err != nil {
		return Access{}, err
	}
	if !acc.CanManage() {
		return Access{}, apperr.Forbiddenf("only the meeting's secretary or chair can do this")
	}
	return acc, nil
}

// entry is an audit entry by a in meeting id.
func (s *Service) entry(a web.Actor, meetingID, action, object string, detail map[string]any) audit.Entry {
	return audit.For(a, s.now(), meetingID, action, object, detail)
}

// startsAt is t in UTC, to the microsecond as PostgreSQL keeps it (and
// as now() is). A time outside the years 1 to 9999 in UTC is Invalid:
// JSON cannot carry year 10000, which "9999-12-31T23:59:59-10:00" is,
// nor can PostgreSQL store year 0; such a meeting would break every list
// that shows it.
func startsAt(t *time.Time) (*time.Time, error) {
	if t == nil {
		return nil, nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	if y := u.Year(); y < 1 || y > 9999 {
		return nil, apperr.Invalidf("starts_at must be a time between the years 1 and 9999 (in UTC)")
	}
	return &u, nil
}
