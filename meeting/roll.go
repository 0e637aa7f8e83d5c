package meeting

import (
	"context"
	"database/sql"
	"sync"

	"gorm.io/gorm"
)

// RollEntry is one participant as a poll counts them: role, right to
// vote, weight and attendance, without a name.
type RollEntry struct {
	UserID  string
	Role    Role
	CanVote bool
	Weight  int
	State   State // Unknown until recorded
}

// Roll returns every participant of a meeting with their role, vote,
// weight and attendance, in one query of five columns and without names:
// the cheap read that voting repeats while a poll is open. It checks no
// access: it is for packages that already did.
func (s *Service) Roll(ctx context.Context, meetingID string) ([]RollEntry, error) {
	return s.store.roll(ctx, meetingID)
}

// Names returns the full names of users by id, whether or not they take
// part in a meeting now: a record that names someone (a vote in a named
// poll) still names them after they have left it. Unknown ids are
// missing. It checks no access: it is for packages that already did.
func (s *Service) Names(ctx context.Context, userIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	users, err := s.users.UsersByIDs(ctx, userIDs)
	for _, u := range users {
		out[u.ID] = u.FullName
	}
	return out, err
}

// CloseGuard may refuse to close a meeting. It runs inside the closing
// transaction after the meeting row is locked (FOR UPDATE), so nothing it
// checks can start meanwhile in a transaction that locks the meeting
// first. Its error, normally an apperr Conflict with a message for the
// user, stops the close; the meeting stays as it was.
type CloseGuard func(ctx context.Context, tx *gorm.DB, meetingID string) error

// guards holds the close guards other packages register (the wiring in
// internal/app), so that this package needs to import none of them.
type guards struct {
	mu  sync.RWMutex
	all []CloseGuard
}

func (g *guards) add(fn CloseGuard) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.all = append(g.all, fn)
}

func (g *guards) check(ctx context.Context, tx *gorm.DB, meetingID string) error {
	g.mu.RLock()
	defer g.mu.RUnlock()
	for _, fn := range g.all {
		if err := fn(ctx, tx, meetingID); err != nil {
			return err
		}
	}
	return nil
}

// AddCloseGuard registers fn to be asked before any meeting is closed.
func (s *Service) AddCloseGuard(fn CloseGuard) { s.closeGuards.add(fn) }

// LeaveHook runs inside the transaction that removes a participant from a
// meeting, after their row is deleted, with the meeting locked (FOR
// UPDATE): what must go with them (their place on the access lists of
// confidential documents) goes in the same commit, so nothing can find
// it left over, not even if they are added back at once. Its error undoes
// the removal.
type LeaveHook func(ctx context.Context, tx *gorm.DB, meetingID, userID string) error

// leaveHooks holds the leave hooks other packages register (the wiring in
// internal/app).
type leaveHooks struct {
	mu  sync.RWMutex
	all []LeaveHook
}

func (h *leaveHooks) run(ctx context.Context, tx *gorm.DB, meetingID, userID string) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, fn := range h.all {
		if err := fn(ctx, tx, meetingID, userID); err != nil {
			return err
		}
	}
	return nil
}

// AddLeaveHook registers fn to run whenever a participant is removed.
func (s *Service) AddLeaveHook(fn LeaveHook) {
	s.leaveHooks.mu.Lock()
	defer s.leaveHooks.mu.Unlock()
	s.leaveHooks.all = append(s.leaveHooks.all, fn)
}

// roll reads the participants' roll columns with a plain row scan: at
// thousands of participants gorm's reflection costs more than the query.
func (s *store) roll(ctx context.Context, meetingID string) ([]RollEntry, error) {
	return RollTx(s.db.WithContext(ctx), meetingID)
}

// scanRoll reads rows of (user_id, role, can_vote, weight, attendance)
// into roll entries, closing rows.
func scanRoll(rows *sql.Rows, add func(RollEntry)) error {
	defer rows.Close()
	for rows.Next() {
		var e RollEntry
		var role, state string
		if err := rows.Scan(&e.UserID, &role, &e.CanVote, &e.Weight, &state); err != nil {
			return internal(err, "read roll")
		}
		e.Role, e.State = Role(role), State(state)
		if e.State == "" {
			e.State = Unknown
		}
		add(e)
	}
	return internal(rows.Err(), "read roll")
}
