package meeting

import (
	"context"
	"database/sql"
	"sync"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/web"
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

// After is what a hook leaves for after its transaction has committed:
// publishing the events that announce what it changed. The meeting
// service runs it once the change has committed, and never when the
// change failed; nil does nothing.
type After func(ctx context.Context)

// CloseHook settles, inside the closing transaction and once every close
// guard has agreed, what must not outlive the session (a turn still
// running, an item still under discussion), audited as a, the actor who
// closes the meeting. The meeting row is locked (FOR UPDATE), as for a
// CloseGuard. It returns what to announce once the close has committed;
// its error stops the close, and the meeting stays as it was.
type CloseHook func(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) (After, error)

// AdjournHook settles, inside the transaction that adjourns the meeting
// (live → adjourned), what must not run on through the break (the turn of
// whoever has the floor), audited as a, the actor who adjourns it. The
// meeting row is locked (FOR UPDATE), as for a CloseHook. It returns what
// to announce once the adjournment has committed; its error stops the
// adjournment, and the meeting stays as it was.
type AdjournHook func(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) (After, error)

// ResumeHook settles, inside the transaction that resumes an adjourned
// meeting (adjourned → live), what starts again with the session (the
// clock of the item under discussion), audited as a, the actor who
// resumes it. The meeting row is locked (FOR UPDATE), as for an
// AdjournHook. It returns what to announce once the resumption has
// committed; its error stops it, and the meeting stays adjourned.
type ResumeHook func(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) (After, error)

// guards holds the close guards, close hooks, adjourn hooks and resume
// hooks other packages register (the wiring in internal/app), so that
// this package needs to import none of them.
type guards struct {
	mu      sync.RWMutex
	all     []CloseGuard
	hooks   []CloseHook
	adjourn []AdjournHook
	resume  []ResumeHook
}

func (g *guards) add(fn CloseGuard) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.all = append(g.all, fn)
}

func (g *guards) addHook(fn CloseHook) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hooks = append(g.hooks, fn)
}

func (g *guards) addAdjourn(fn AdjournHook) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.adjourn = append(g.adjourn, fn)
}

func (g *guards) addResume(fn ResumeHook) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.resume = append(g.resume, fn)
}

// adjourned runs every adjourn hook and returns what they leave for after
// the commit.
func (g *guards) adjourned(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) ([]After, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return runHooks(ctx, tx, a, meetingID, g.adjourn)
}

// resumed runs every resume hook and returns what they leave for after
// the commit.
func (g *guards) resumed(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) ([]After, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return runHooks(ctx, tx, a, meetingID, g.resume)
}

// runHooks runs hooks in order, stopping at the first error, and returns
// what they leave for after the commit.
func runHooks[H ~func(context.Context, *gorm.DB, web.Actor, string) (After, error)](ctx context.Context, tx *gorm.DB,
	a web.Actor, meetingID string, hooks []H) ([]After, error) {
	var after []After
	for _, fn := range hooks {
		then, err := fn(ctx, tx, a, meetingID)
		if err != nil {
			return nil, err
		}
		if then != nil {
			after = append(after, then)
		}
	}
	return after, nil
}

// check asks every guard, then runs every hook, and returns what the hooks
// leave for after the commit.
func (g *guards) check(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID string) ([]After, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	for _, fn := range g.all {
		if err := fn(ctx, tx, meetingID); err != nil {
			return nil, err
		}
	}
	var after []After
	for _, fn := range g.hooks {
		then, err := fn(ctx, tx, a, meetingID)
		if err != nil {
			return nil, err
		}
		if then != nil {
			after = append(after, then)
		}
	}
	return after, nil
}

// AddCloseGuard registers fn to be asked before any meeting is closed.
func (s *Service) AddCloseGuard(fn CloseGuard) { s.closeGuards.add(fn) }

// AddCloseHook registers fn to run whenever a meeting closes, in the
// closing transaction, after the close guards.
func (s *Service) AddCloseHook(fn CloseHook) { s.closeGuards.addHook(fn) }

// AddAdjournHook registers fn to run whenever a meeting is adjourned, in
// the adjourning transaction.
func (s *Service) AddAdjournHook(fn AdjournHook) { s.closeGuards.addAdjourn(fn) }

// AddResumeHook registers fn to run whenever an adjourned meeting
// resumes (adjourned → live), in the resuming transaction.
func (s *Service) AddResumeHook(fn ResumeHook) { s.closeGuards.addResume(fn) }

// runAfter runs what hooks left for after a commit, in order. The change
// has committed: the announcements go out even if the request ends.
func runAfter(ctx context.Context, after []After) {
	ctx = context.WithoutCancel(ctx)
	for _, fn := range after {
		fn(ctx)
	}
}

// LeaveHook runs inside the transaction that removes a participant from a
// meeting, after their row is deleted, with the meeting locked (FOR
// UPDATE): what must go with them (their place on the access lists of
// confidential documents) goes in the same commit, so nothing can find
// it left over, not even if they are added back at once. Its error undoes
// the removal.
type LeaveHook func(ctx context.Context, tx *gorm.DB, meetingID, userID string) error

// LeaveHookAfter is a LeaveHook that also announces what it changed: it
// runs in the removing transaction as a LeaveHook does, with a, the actor
// who removes the participant, and returns what to publish once the
// removal has committed (nil for nothing).
type LeaveHookAfter func(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID, userID string) (After, error)

// leaveHooks holds the leave hooks other packages register (the wiring in
// internal/app).
type leaveHooks struct {
	mu  sync.RWMutex
	all []LeaveHookAfter
}

// run runs every hook and returns what they leave for after the commit.
func (h *leaveHooks) run(ctx context.Context, tx *gorm.DB, a web.Actor, meetingID, userID string) ([]After, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var after []After
	for _, fn := range h.all {
		then, err := fn(ctx, tx, a, meetingID, userID)
		if err != nil {
			return nil, err
		}
		if then != nil {
			after = append(after, then)
		}
	}
	return after, nil
}

func (h *leaveHooks) add(fn LeaveHookAfter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.all = append(h.all, fn)
}

// AddLeaveHook registers fn to run whenever a participant is removed.
func (s *Service) AddLeaveHook(fn LeaveHook) {
	s.leaveHooks.add(func(ctx context.Context, tx *gorm.DB, _ web.Actor, meetingID, userID string) (After, error) {
		return nil, fn(ctx, tx, meetingID, userID)
	})
}

// AddLeaveHookAfter registers fn to run whenever a participant is
// removed, and what it returns to run once the removal has committed.
func (s *Service) AddLeaveHookAfter(fn LeaveHookAfter) { s.leaveHooks.add(fn) }

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
