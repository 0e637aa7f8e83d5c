// Package vote owns polls and ballots: a meeting's motions and elections,
// counted exactly once, secret when secret, and live for the chair.
//
// # Exactly once
//
// A vote is a row in vote_participations, whose primary key (poll_id,
// user_id) is the database's guarantee that nobody votes twice in a poll:
// the insert says ON CONFLICT DO NOTHING and RETURNING tells which rows
// went in. Votes are written by one writer goroutine per process with
// group commit (writer.go): it takes every vote queued while the previous
// transaction committed (up to maxBatch) and writes them in one
// transaction, and each request is answered only after that commit, so an
// acknowledged vote is durable. The batch reads the poll's status under a
// shared row lock (PostgreSQL) or inside its immediate transaction
// (SQLite) and close takes the same row exclusively, so every vote
// acknowledged before a close is counted and none is taken after it.
//
// # Secrecy
//
// A secret poll keeps no ballots at all: each vote adds to per-option
// counters (vote_counters) in the transaction that records who voted.
// vote_participations says who voted and their weight, nothing else: no
// choice, no time. The counters carry no user, no time and no order, and
// every batch rewrites every counter of the poll (adding zero to the
// options nobody chose), as does the close, so even PostgreSQL's row
// version (xmin) of a counter points at no single voter. Audit entries and
// logs name the voter, never the choice, and the answer to a vote has the
// same size whatever was chosen. What remains is documented in README.md
// in this directory: someone reading the database files or the server's
// memory while the poll runs can still watch counters move.
//
// Named polls also keep each voter's choice in vote_named, shown to the
// managers once the poll is closed and to everyone once it is published.
package vote

import (
	"context"
	"log/slog"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/keylock"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// Meetings is what voting needs from package meeting. Access is NotFound
// for a meeting the actor may not see; Roll lists everyone in the meeting
// with right, weight and attendance (cheap, read often); Participants
// lists them with their names (read now and then); Names names users
// whether or not they still take part (a voter who has left). Errors are
// apperr errors; all of them may block on the database.
type Meetings interface {
	Access(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error)
	Roll(ctx context.Context, meetingID string) ([]meeting.RollEntry, error)
	Participants(ctx context.Context, meetingID string) ([]meeting.Participant, error)
	Names(ctx context.Context, userIDs []string) (map[string]string, error)
}

// Agenda tells which meeting an agenda item belongs to; NotFound when
// there is no such item.
type Agenda interface {
	MeetingOf(ctx context.Context, itemID string) (string, error)
}

// Config wires a Service.
type Config struct {
	Meetings  Meetings
	Agenda    Agenda
	Publisher event.Publisher // nil means event.Nop
	Logger    *slog.Logger
	Now       func() time.Time
	// ProgressEvery is the least time between two poll.progress events of
	// one poll; default 250 ms (four a second).
	ProgressEvery time.Duration
	// MaxBatch bounds the votes written in one transaction; default 500.
	MaxBatch int
}

// Service implements the voting rules for REST, the live hub and the CLI.
type Service struct {
	store    *store
	meetings Meetings
	agenda   Agenda
	pub      event.Publisher
	log      *slog.Logger
	now      func() time.Time
	polls    *pollCache
	rolls    *rolls
	writer   *writer
	progress *progress
	// stops orders the progress of a poll against its end: a close or a
	// cancel holds the poll's lock from before its write until its
	// announcement is published, and a progress send from its read of the
	// poll's status until it has published. So a poll.progress never
	// follows the poll.closed or poll.cancelled that ended its poll. One
	// lock per poll: a close waiting for the vote writer holds up no other
	// poll's progress.
	stops keylock.Map
}

// NewService returns a Service on db and starts its vote writer and its
// progress publisher; Close stops them.
func NewService(db *database.DB, cfg Config) *Service {
	if cfg.Publisher == nil {
		cfg.Publisher = event.Nop{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		// Microseconds: what PostgreSQL keeps, so an answer shows the stored time.
		cfg.Now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 250 * time.Millisecond
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 500
	}
	st := &store{db: db.Gorm}
	s := &Service{store: st, meetings: cfg.Meetings, agenda: cfg.Agenda, pub: cfg.Publisher, log: cfg.Logger,
		now: cfg.Now, polls: newPollCache(st), rolls: newRolls(cfg.Meetings)}
	s.progress = newProgress(cfg.ProgressEvery, s.sendProgress)
	s.writer = newWriter(newPinnedStore(db.Gorm), cfg.MaxBatch, cfg.Logger, s.progress.offer)
	return s
}

// Close stops taking votes, finishes those queued, and stops the progress
// publisher. The server calls it after it stopped serving.
func (s *Service) Close() {
	s.writer.close()
	s.progress.close()
}

// MeetingAccessChanged forgets the meeting's cached roll: its
// participants, their roles or rights, or its status have changed. The
// meeting service calls it after the change commits
// (meeting.Config.AccessChanged, wired in internal/app). It only spares
// this node's votes a stale screening: the vote writer checks each voter
// against the database anyway, which also covers changes made on other
// nodes.
func (s *Service) MeetingAccessChanged(_ context.Context, meetingID string) {
	s.rolls.drop(meetingID)
}

// RollChanged publishes the progress of the meeting's open polls afresh:
// someone was removed from it or given another role or other rights, or
// checked in or out, which changes who may still vote, so the count of
// those who have not voted is out of date. The meeting service calls it
// after the change commits (meeting.Config.Removed and
// AttendanceChanged, wired in internal/app). The progress goes out as
// after a vote, at most once per ProgressEvery.
func (s *Service) RollChanged(ctx context.Context, meetingID string) {
	s.rolls.drop(meetingID) // AccessChanged did so already; this does not rely on it
	ids, err := s.store.openPollIDs(ctx, meetingID)
	if err != nil {
		s.log.WarnContext(ctx, "poll progress not sent after a change of participants", "meeting_id", meetingID, "err", err)
		return
	}
	for _, id := range ids {
		s.progress.offer(id, meetingID)
	}
}

// access returns the actor's access to the meeting of a poll; a meeting
// the actor may not see hides the poll too.
func (s *Service) access(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error) {
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if apperr.Is(err, apperr.NotFound) {
		return acc, errNoPoll()
	}
	return acc, err
}

// manager returns the actor's access when they may run the meeting's
// polls: its chair, its secretary, or an admin.
func (s *Service) manager(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error) {
	acc, err := s.access(ctx, a, meetingID)
	if err != nil {
		return acc, err
	}
	if !acc.CanRun() {
		return acc, apperr.Forbiddenf("only the meeting's chair or secretary can run its polls")
	}
	return acc, nil
}

func errNoPoll() error { return apperr.NotFoundf("poll not found") }

// entry is the audit entry of a poll change or a vote, with the client's
// address like every other entry. A vote's entry has no detail: never
// the choice.
func (s *Service) entry(a web.Actor, meetingID, action, pollID string, detail map[string]any) audit.Entry {
	return audit.For(a, s.now(), meetingID, action, "poll:"+pollID, detail)
}

// publish sends one event to audience (nil: everyone in the meeting);
// call it only after the change has committed.
func (s *Service) publish(ctx context.Context, meetingID, typ string, data any, audience []string) {
	s.pub.Publish(ctx, event.Event{MeetingID: meetingID, Type: typ, Data: data, Audience: audience})
}
