// Package minutes drafts a meeting's minutes ("biên bản"), the record the
// secretary closes a meeting with: who took part and who attended, the
// quorum, the agenda in order with the documents filed under each item,
// who had the floor and the polls with their results. It keeps nothing of
// its own: it reads the record the other services keep, through their
// exported read methods and as the requesting actor, so each service
// still decides what that actor may see (a confidential title, a named
// vote). The result is served as one printable HTML page or as JSON.
package minutes

import (
	"context"
	"time"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

// Meetings is what the minutes read from package meeting. Access is
// NotFound for a meeting the actor may not see.
type Meetings interface {
	Access(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error)
	Get(ctx context.Context, a web.Actor, meetingID string) (meeting.Meeting, error)
	Attendance(ctx context.Context, a web.Actor, meetingID string) ([]meeting.Attendance, error)
	Quorum(ctx context.Context, a web.Actor, meetingID string) (meeting.Quorum, error)
}

// Agenda is what the minutes read from package agenda: the numbered tree
// and each item's speakers.
type Agenda interface {
	Agenda(ctx context.Context, a web.Actor, meetingID string) (agenda.Agenda, error)
	Speakers(ctx context.Context, a web.Actor, itemID string) (agenda.Queues, error)
}

// Documents is what the minutes read from package docs: the documents the
// actor may see, and how many confidential ones they may not, by item.
type Documents interface {
	List(ctx context.Context, a web.Actor, meetingID string) ([]docs.Document, error)
	Withheld(ctx context.Context, a web.Actor, meetingID string) (map[string]int, error)
}

// Polls is what the minutes read from package vote: the polls as the
// actor sees them (results once closed, named votes to whom the results
// export gives them).
type Polls interface {
	List(ctx context.Context, a web.Actor, meetingID string) ([]vote.Poll, error)
}

// Auditor appends an audit entry and returns once it is durable.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Config wires a Service. Every port is required.
type Config struct {
	Meetings  Meetings
	Agenda    Agenda
	Documents Documents
	Polls     Polls
	Audit     Auditor
	Now       func() time.Time
}

// Service assembles and exports minutes.
type Service struct {
	meetings Meetings
	agenda   Agenda
	docs     Documents
	polls    Polls
	auditor  Auditor
	now      func() time.Time
}

// NewService returns a Service on the other services' read methods.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	}
	return &Service{meetings: cfg.Meetings, agenda: cfg.Agenda, docs: cfg.Documents, polls: cfg.Polls,
		auditor: cfg.Audit, now: cfg.Now}
}

// Minutes is a meeting's minutes as JSON. Codes (status, role,
// attendance, kind, outcome) are the API's own words, the same whatever
// the language asked for; labels of poll options are the poll's own.
type Minutes struct {
	Lang        string      `json:"lang"`
	GeneratedAt time.Time   `json:"generated_at"`
	Draft       bool        `json:"draft"` // until the meeting is closed
	Meeting     MeetingInfo `json:"meeting"`
	Chairs      []Person    `json:"chairs"`
	Secretaries []Person    `json:"secretaries"`
	// Participants are in roll order: chairs, secretaries, delegates,
	// observers, each by name.
	Participants []Participant `json:"participants"`
	Quorum       Quorum        `json:"quorum"`
	Items        []Item        `json:"items"`
	// Unfiled holds the documents and polls that name no agenda item.
	Unfiled Unfiled `json:"unfiled"`
}

// MeetingInfo is the meeting itself.
type MeetingInfo struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Status    meeting.Status `json:"status"`
	StartsAt  *time.Time     `json:"starts_at"`
	Location  string         `json:"location"`
	StartedAt *time.Time     `json:"started_at"`
	ClosedAt  *time.Time     `json:"closed_at"`
}

// Person names a participant.
type Person struct {
	UserID   string `json:"user_id"`
	FullName string `json:"full_name"`
}

// Participant is one participant's part and attendance.
type Participant struct {
	UserID      string        `json:"user_id"`
	FullName    string        `json:"full_name"`
	Role        meeting.Role  `json:"role"`
	CanVote     bool          `json:"can_vote"`
	Attendance  meeting.State `json:"attendance"` // present, remote, absent, unknown (not recorded)
	Reason      string        `json:"reason"`
	CheckedInAt *time.Time    `json:"checked_in_at"`
}

// Quorum is the quorum when the minutes were made. Present counts the
// members with a vote who attend, in the room or remote (Remote of them),
// as the quorum counts them: by head, or by weight when ByWeight.
type Quorum struct {
	Rule     meeting.QuorumKind `json:"rule"`
	ByWeight bool               `json:"by_weight"`
	Present  int                `json:"present"`
	Remote   int                `json:"remote"`
	Eligible int                `json:"eligible"`
	Required int                `json:"required"`
	Reached  bool               `json:"reached"`
}

// Item is one agenda item with what happened under it, and its sub-items.
type Item struct {
	ID            string            `json:"id"`
	Number        string            `json:"number"`
	Title         string            `json:"title"`
	PresenterID   *string           `json:"presenter_id"`
	PresenterName string            `json:"presenter_name"`
	DurationMin   int               `json:"duration_min"` // planned; 0 when not planned
	Status        agenda.ItemStatus `json:"status"`
	Conclusion    string            `json:"conclusion"` // the chair's conclusion, as written; "" when none
	Documents     []Document        `json:"documents"`
	// WithheldDocuments counts the confidential documents filed here that
	// the requesting actor may not read; nothing else of them is given.
	WithheldDocuments int       `json:"withheld_documents"`
	Speakers          []Speaker `json:"speakers"`
	Polls             []Poll    `json:"polls"`
	Items             []Item    `json:"items"`
}

// Unfiled is what names no agenda item.
type Unfiled struct {
	Documents         []Document `json:"documents"`
	WithheldDocuments int        `json:"withheld_documents"`
	Polls             []Poll     `json:"polls"`
}

// Document is a document of the meeting pack.
type Document struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Pages        int    `json:"pages"`
	Confidential bool   `json:"confidential"`
}

// Speaker is one turn at the floor, in the order they were given.
type Speaker struct {
	UserID     string      `json:"user_id"`
	FullName   string      `json:"full_name"`
	Kind       agenda.Kind `json:"kind"` // speech or question
	StartedAt  time.Time   `json:"started_at"`
	FinishedAt *time.Time  `json:"finished_at"` // null while they still speak
}

// Poll is one poll, with its results once it is closed or published.
type Poll struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Kind     vote.Kind     `json:"kind"` // motion or choice
	Secret   bool          `json:"secret"`
	Status   vote.Status   `json:"status"`
	Majority vote.Majority `json:"majority"`
	Options  []Option      `json:"options"`
	// Results, Electorate and Outcome are set once the poll is closed or
	// published; Elected and Tied name option ids for a choice.
	Results    []Result     `json:"results,omitempty"`
	Electorate *Electorate  `json:"electorate,omitempty"`
	Outcome    vote.Outcome `json:"outcome,omitempty"`
	Elected    []string     `json:"elected,omitempty"`
	Tied       []string     `json:"tied,omitempty"`
	// Votes is who chose what in a named poll, exactly when the poll's
	// results export shows it to the requesting actor; never for a
	// secret poll.
	Votes []Vote `json:"votes,omitempty"`
}

// Option is one answer of a poll.
type Option struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Result is one option's total.
type Result struct {
	Option string `json:"option"`
	Label  string `json:"label"`
	Votes  int64  `json:"votes"`
	Weight int64  `json:"weight"`
}

// Electorate is who could and who did vote, by head.
type Electorate struct {
	Members  int `json:"members"`
	Present  int `json:"present"`
	Eligible int `json:"eligible"`
	Voted    int `json:"voted"`
}

// Vote is one voter's choice in a named poll.
type Vote struct {
	UserID   string   `json:"user_id"`
	FullName string   `json:"full_name"`
	Options  []string `json:"options"` // option ids
	Weight   int      `json:"weight"`
}
