package meeting

import (
	"context"
	"sync"
)

// Announcing state in order.
//
// The meeting's events carry state, not deltas: clients replace their
// meeting with the last meeting.updated, their quorum with the last
// attendance.changed or quorum.changed, their roll with the last
// participants.changed (api/live.md). Each of them is read after the
// change commits and published after that. Two changes committing close
// together could otherwise be announced out of order: the first one's
// read (one present) published after the second one's (two present),
// leaving every screen on the older state until the next change.
//
// So, per meeting, "read the state afresh, then publish it" runs one at a
// time (Service.inOrder). The read begins after the lock is taken, so it
// sees every change that committed before; whoever publishes last read
// after every commit that came before its publish. The transactions stay
// outside the lock (a check-in storm serialises only the read and the
// publish) and so do the hooks (Config.AttendanceChanged and the others),
// which may publish through other services. Publishing stays after the
// commit.
//
// This is per node. Several nodes on one PostgreSQL sequence their events
// in the database as they append them (realtime), and one node's read can
// still be appended after another node's later one. Ordering that across
// nodes needs a per-meeting version bumped inside each change's
// transaction and carried in the payload (a column of the meetings table,
// store.go), and clients that drop an older payload than the one they
// hold; the web app and other clients do not read such a field today, so
// adding it here alone would change nothing on their screens. Until then a
// stale announcement across nodes lasts until the meeting's next change of
// the same kind, a reconnection or a refetch, as before this ordering.

// inOrder runs fn, which reads state of meeting meetingID and publishes
// it, after every other inOrder of the meeting on this node that began
// before it has finished, and before any that begins after. fn runs on a
// context that the caller's cancellation does not end (the change has
// committed: its announcement is owed to the room whether or not the
// request is still waited for), bounded by sharedTimeout. fn must not
// call inOrder, nor anything that may.
func (s *Service) inOrder(ctx context.Context, meetingID string, fn func(ctx context.Context)) {
	unlock := s.order.lock(meetingID)
	defer unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedTimeout)
	defer cancel()
	fn(ctx)
}

// sharedQuorum reads the meeting's quorum with a read that begins after
// it is called (sharedReads), which the snapshots asking at the same
// moment share. Called inside inOrder it begins after the lock is taken.
func (s *Service) sharedQuorum(ctx context.Context, meetingID string) (Quorum, error) {
	return s.quorums.do(ctx, meetingID, func(ctx context.Context) (Quorum, error) { return s.quorum(ctx, meetingID) })
}

// keyedLocks is a mutex per key. An entry exists only while someone holds
// or waits for its lock, so memory follows the meetings being announced
// at this moment, not every meeting there ever was.
type keyedLocks struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	mu    sync.Mutex
	users int // holders and waiters; guarded by keyedLocks.mu
}

// lock takes key's lock and returns what releases it; call that once.
func (k *keyedLocks) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
