package meeting

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
)

// Announcing state in order, in batches.
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
// So a change, once its transaction has committed, does not read and
// publish by itself: it queues what it owes the room (an announcement:
// someone's attendance, the quorum, the participant list, the meeting)
// on its meeting's queue, under a mutex and with no I/O
// (Service.announce). One request per meeting at a time is the sender:
// it takes everything queued, reads the state once for the whole batch
// (the meeting row if any announcement needs it or the quorum, the
// participant rows if any needs the quorum, someone's attendance or the
// list, and the names of the list), builds the events in queue order and
// publishes them in one Publish call; then it answers the batch's
// requests with what was published and hands the lead to the first
// request still waiting in the queue. There is no goroutine per meeting:
// only when every queued request has stopped waiting (or the one handed
// the lead stops as it gets it) does a goroutine send their batch, and it
// ends with that batch, passing the lead on as a request would. The
// queue's entry goes when nothing is queued or being sent.
//
// Every read of a batch begins after the batch was taken, so after the
// commit of every change announced in it; a batch is taken only once the
// one before it has been published, so a later batch reads later state
// and the last event of each kind carries the latest state. A check-in
// storm costs a few batches of two reads and one Publish each, which the
// live hub writes in one commit, instead of a read and a commit per
// check-in one after another. The transactions stay outside (the queue
// holds only what has committed), and so do the hooks
// (Config.AttendanceChanged and the others), which may publish through
// other services.
//
// One batch holds a single state: its meeting.updated, participants.changed
// and quorum.changed events would be copies of one another, so each of
// them is published once. meeting.updated and participants.changed go
// where their first copy was and quorum.changed where its last copy was,
// so that every change's own order holds (its quorum.changed after its
// meeting.updated or participants.changed, api/live.md); every request
// still gets the state that was published. attendance.changed is about
// one person and is published for each change.
//
// A request waits for its batch with its own context: one that gives up
// returns ctx.Err() and its announcement still goes out. A batch runs on
// a context detached from every request, bounded by sharedTimeout.
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

// announceKind is what an announcement tells the room.
type announceKind uint8

const (
	// announceAttendance is attendance.changed for one person, or
	// quorum.changed when they no longer take part (their record is gone).
	announceAttendance   announceKind = iota
	announceQuorum                    // quorum.changed
	announceParticipants              // participants.changed
	announceMeeting                   // meeting.updated
)

// announcement is one event a committed change owes the room and, once
// its batch has been sent, what was published for it.
type announcement struct {
	kind announceKind
	row  participantRow // announceAttendance: the row as the change committed it
	name string         // announceAttendance: the person's full name

	// Set by the sender, to be read once the batch is done.
	change AttendanceChange // announceAttendance: what was published
	list   []Participant    // announceParticipants: the list published (nil: it could not be read)
	err    error            // announceAttendance: the state could not be read; nothing was published
}

// announceJob is one request's announcements, queued together.
type announceJob struct {
	ctx   context.Context // the request's: values for the batch, never its end
	items []*announcement
	done  chan struct{} // closed once its batch is published (or failed)
	lead  chan struct{} // closed when this job's request is to send the next batch
	led   bool          // lead was closed; guarded by announcer.mu
	gone  bool          // its request stopped waiting; guarded by announcer.mu
}

// announcer holds each meeting's queue of announcements. A meeting has an
// entry only while it has announcements queued or being sent.
type announcer struct {
	mu     sync.Mutex
	queues map[string]*announceQueue
}

type announceQueue struct {
	jobs []*announceJob
	busy bool // a sender holds the lead
}

// announce queues items, in this order, on meetingID's queue and returns
// once they are published, or ctx.Err() when ctx ends first (they are
// published all the same). Call it only after the change has committed.
// On nil, each item holds what was published for it; otherwise its
// fields must not be read. A request that is handed the lead sends the
// batch that holds its own items before it returns, whatever ctx does:
// that is its own announcement, bounded by sharedTimeout.
func (s *Service) announce(ctx context.Context, meetingID string, items ...*announcement) error {
	job := &announceJob{ctx: ctx, items: items, done: make(chan struct{}), lead: make(chan struct{})}
	a := &s.announcing
	a.mu.Lock()
	if a.queues == nil {
		a.queues = map[string]*announceQueue{}
	}
	q := a.queues[meetingID]
	if q == nil {
		q = &announceQueue{}
		a.queues[meetingID] = q
	}
	q.jobs = append(q.jobs, job)
	leader := !q.busy
	q.busy = true
	a.mu.Unlock()
	if !leader {
		select {
		case <-job.done:
			return nil
		case <-job.lead:
		case <-ctx.Done():
			select {
			case <-job.done: // published meanwhile: answer with it
				return nil
			default:
			}
			a.mu.Lock()
			job.gone = true
			if job.led { // handed the lead as it gave up: a goroutine sends instead
				go s.sendDetached(ctx, meetingID, q)
			}
			a.mu.Unlock()
			return ctx.Err()
		}
	}
	s.send(ctx, meetingID, q)
	<-job.done // it was queued before the batch was taken, so it was in it
	return nil
}

// sendDetached is send on a goroutine of its own, for requests that no
// longer wait: a panic there (a bug) is logged rather than taking the
// server down; send has answered the batch and passed the lead on.
func (s *Service) sendDetached(ctx context.Context, meetingID string, q *announceQueue) {
	defer func() {
		if p := recover(); p != nil {
			slog.Default().ErrorContext(ctx, "announce a meeting's changes", "meeting_id", meetingID, "panic", fmt.Sprint(p))
		}
	}()
	s.send(ctx, meetingID, q)
}

// send takes every job queued on q, publishes them as one batch, answers
// them and passes the lead on. Its caller holds the lead; ctx gives the
// batch its values, not its end.
func (s *Service) send(ctx context.Context, meetingID string, q *announceQueue) {
	a := &s.announcing
	a.mu.Lock()
	batch := q.jobs
	q.jobs = nil
	a.mu.Unlock()
	var items []*announcement
	for _, j := range batch {
		items = append(items, j.items...)
	}
	for _, it := range items { // until the batch is built (a panic while building it)
		it.err = apperr.Internalf(errors.New("the batch ended before it was built"), "announce")
	}
	defer func() { // however the batch ends, answer it and pass the lead on
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, j := range batch {
			close(j.done)
		}
		for _, j := range q.jobs {
			if !j.gone {
				j.led = true
				close(j.lead)
				return
			}
		}
		if len(q.jobs) > 0 { // every queued request stopped waiting
			go s.sendDetached(q.jobs[0].ctx, meetingID, q)
			return
		}
		q.busy = false
		delete(a.queues, meetingID)
	}()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedTimeout)
	defer cancel()
	if evs := s.buildBatch(ctx, meetingID, items); len(evs) > 0 {
		s.pub.Publish(ctx, evs...)
	}
}

// buildBatch reads the state that items announce, once, sets each item's
// outcome and returns their events in order, each state-only kind once
// (see the file comment).
func (s *Service) buildBatch(ctx context.Context, meetingID string, items []*announcement) []event.Event {
	var needMeeting, needRows, needList bool
	for _, it := range items {
		switch it.kind {
		case announceAttendance, announceQuorum:
			needMeeting, needRows = true, true
		case announceParticipants:
			needRows, needList = true, true
		case announceMeeting:
			needMeeting = true
		}
	}
	// Every read begins now: after the commit of every change in the batch.
	var (
		m          meetingRow
		rows       []participantRow
		list       []Participant
		merr, rerr error
	)
	if needMeeting {
		m, merr = s.store.meeting(ctx, meetingID)
	}
	if needRows {
		rows, rerr = s.store.participants(ctx, meetingID)
	}
	var q Quorum
	qerr := cmp.Or(merr, rerr)
	if qerr == nil {
		q = computeQuorum(m.quorum(), rows)
	}
	if needList && rerr == nil {
		var err error
		if list, err = s.named(ctx, rows); err != nil {
			list = nil // the change is committed; clients refetch on the event
		}
	}
	byUser := make(map[string]participantRow, len(rows))
	for _, r := range rows {
		byUser[r.UserID] = r
	}
	// The quorum.changed of the batch goes where its last copy would.
	lastQuorum := -1
	for i, it := range items {
		_, on := byUser[it.row.UserID]
		if qerr == nil && (it.kind == announceQuorum || it.kind == announceAttendance && !on) {
			lastQuorum = i
		}
	}

	var evs []event.Event
	add := func(typ string, data any) {
		evs = append(evs, event.Event{MeetingID: meetingID, Type: typ, Data: data})
	}
	sentMeeting, sentList := false, false
	for i, it := range items {
		it.err = nil
		switch it.kind {
		case announceAttendance:
			if qerr != nil {
				it.err = qerr // nothing is published for it
				continue
			}
			cur, on := byUser[it.row.UserID]
			if !on {
				// Removed since the change committed: clients add the person
				// of an attendance.changed to their roll, and they are no
				// longer on it. The quorum still moved (quorum.changed).
				cur = it.row
			}
			it.change = AttendanceChange{Attendance: attendanceOf(cur, it.name), Quorum: q}
			if on {
				add("attendance.changed", it.change)
			}
		case announceParticipants:
			it.list = list
			if !sentList {
				sentList = true
				add("participants.changed", map[string]any{"participants": list})
			}
		case announceMeeting:
			// When the row cannot be read, nothing is published and
			// clients keep what they have until the next event or snapshot.
			if merr == nil && !sentMeeting {
				sentMeeting = true
				add("meeting.updated", m.meeting("")) // events carry no one's role
			}
		}
		// announceQuorum: when the count cannot be read, clients keep the
		// last one until the next event or snapshot.
		if i == lastQuorum {
			add("quorum.changed", QuorumChange{Quorum: q})
		}
	}
	return evs
}

// sharedQuorum reads the meeting's quorum with a read that begins after
// it is called (sharedReads), which the snapshots asking at the same
// moment share.
func (s *Service) sharedQuorum(ctx context.Context, meetingID string) (Quorum, error) {
	return s.quorums.do(ctx, meetingID, func(ctx context.Context) (Quorum, error) { return s.quorum(ctx, meetingID) })
}
