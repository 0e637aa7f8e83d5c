package meeting_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// reviewUsers knows every user id it is asked about.
type reviewUsers struct{}

func (reviewUsers) UsersByIDs(_ context.Context, ids []string) ([]account.User, error) {
	out := make([]account.User, len(ids))
	for i, id := range ids {
		out[i] = account.User{ID: id, Username: id, FullName: id}
	}
	return out, nil
}

// heldPublisher records events in the order Publish is called; the first
// event that hold matches waits in Publish until release is closed, as a
// publish does that is slow for a moment (the hub appending to a busy
// database, the goroutine descheduled).
type heldPublisher struct {
	mu      sync.Mutex
	events  []event.Event
	hold    func(event.Event) bool
	held    chan struct{}
	release chan struct{}
	once    sync.Once
}

func (p *heldPublisher) Publish(_ context.Context, evs ...event.Event) {
	for _, e := range evs {
		if p.hold != nil && p.hold(e) {
			first := false
			p.once.Do(func() { first = true })
			if first {
				close(p.held)
				select {
				case <-p.release:
				case <-time.After(10 * time.Second):
				}
			}
		}
		p.mu.Lock()
		p.events = append(p.events, e)
		p.mu.Unlock()
	}
}

func (p *heldPublisher) last(typ string) (event.Event, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.events) - 1; i >= 0; i-- {
		if p.events[i].Type == typ {
			return p.events[i], true
		}
	}
	return event.Event{}, false
}

// afterSecond lets the held publish go once the second change has
// returned, or after a second when the second change waits for the held
// one (as it would if the service kept its announcements in order).
func afterSecond(t *testing.T, pub *heldPublisher, second chan error) {
	t.Helper()
	select {
	case err := <-second:
		close(pub.release)
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		close(pub.release)
		if err := <-second; err != nil {
			t.Fatal(err)
		}
	}
}

// TestReviewMeetingLastQuorumEventIsStale: two delegates check in at
// nearly the same time. The first one's quorum is read right after its
// commit, but published after the second one's event. Every screen
// replaces its quorum with the last attendance.changed (api/live.md), so
// the room is left showing one present and the quorum not reached, while
// two are present and it is. The last event published must carry the
// quorum as it is once both check-ins have committed.
func TestReviewMeetingLastQuorumEventIsStale(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration(), meeting.Migration())
		sec, d1, d2 := web.Actor{UserID: "sec"}, web.Actor{UserID: "d1"}, web.Actor{UserID: "d2"}
		pub := &heldPublisher{held: make(chan struct{}), release: make(chan struct{})}
		pub.hold = func(e event.Event) bool {
			ch, ok := e.Data.(meeting.AttendanceChange)
			return ok && e.Type == "attendance.changed" && ch.Attendance.UserID == d1.UserID
		}
		ms := meeting.NewService(db, meeting.Config{Users: reviewUsers{}, Publisher: pub})
		ctx := context.Background()
		m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Hai đại biểu"})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []web.Actor{d1, d2} {
			if _, _, err := ms.PutParticipant(ctx, sec, m.ID, d.UserID, meeting.ParticipantInput{Role: "delegate"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, st := range []string{"scheduled", "live"} {
			if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan error, 1)
		go func() {
			_, err := ms.RecordAttendance(ctx, d1, m.ID, meeting.AttendanceInput{State: "present"})
			done <- err
		}()
		<-pub.held // d1's check-in has committed and its quorum (one present) was read
		second := make(chan error, 1)
		go func() {
			_, err := ms.RecordAttendance(ctx, d2, m.ID, meeting.AttendanceInput{State: "present"})
			second <- err
		}()
		afterSecond(t, pub, second)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		now, err := ms.Quorum(ctx, sec, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now.Present != 2 || !now.Reached {
			t.Fatalf("quorum after both check-ins: %+v", now)
		}
		e, ok := pub.last("attendance.changed")
		if !ok {
			t.Fatal("no attendance.changed published")
		}
		if got := e.Data.(meeting.AttendanceChange).Quorum; got != now {
			t.Errorf("the last attendance.changed carries quorum %+v (present %d, reached %v), but the quorum is %+v: every screen shows a stale count",
				got, got.Present, got.Reached, now)
		}
	})
}

// TestReviewMeetingLastMeetingUpdatedIsStale: the secretary corrects the
// location while the chair closes the meeting. The correction's row is
// read after its commit but published after the close's event, so the
// last meeting.updated every screen keeps (clients replace the meeting
// with it) says the meeting is live although it is closed: tablets go on
// offering check-in, speaking and voting in a closed meeting until they
// reload.
func TestReviewMeetingLastMeetingUpdatedIsStale(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration(), meeting.Migration())
		sec, chair := web.Actor{UserID: "sec"}, web.Actor{UserID: "chair"}
		pub := &heldPublisher{held: make(chan struct{}), release: make(chan struct{})}
		ms := meeting.NewService(db, meeting.Config{Users: reviewUsers{}, Publisher: pub})
		ctx := context.Background()
		m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Phiên bế mạc"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ms.PutParticipant(ctx, sec, m.ID, chair.UserID, meeting.ParticipantInput{Role: "chair"}); err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{"scheduled", "live"} {
			if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
				t.Fatal(err)
			}
		}
		where := "Hội trường B"
		pub.hold = func(e event.Event) bool {
			mt, ok := e.Data.(meeting.Meeting)
			return ok && e.Type == "meeting.updated" && mt.Location == where
		}
		done := make(chan error, 1)
		go func() {
			_, err := ms.Update(ctx, sec, m.ID, meeting.Changes{Location: &where})
			done <- err
		}()
		<-pub.held // the correction has committed and its row (live) was read
		second := make(chan error, 1)
		go func() {
			_, err := ms.SetStatus(ctx, chair, m.ID, "closed")
			second <- err
		}()
		afterSecond(t, pub, second)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		now, err := ms.Get(ctx, sec, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := pub.last("meeting.updated")
		if !ok {
			t.Fatal("no meeting.updated published")
		}
		if got := e.Data.(meeting.Meeting); got.Status != now.Status || got.Location != now.Location {
			t.Errorf("the last meeting.updated says status %q, location %q; the meeting is %q at %q", got.Status, got.Location, now.Status, now.Location)
		}
	})
}

// TestReviewMeetingLastQuorumChangedIsStale: the same race as
// TestReviewMeetingLastQuorumEventIsStale between a change of the roll
// (quorum.changed) and a check-in (attendance.changed). Both carry the
// quorum that every screen replaces its own with, so the last of either
// must carry the quorum as it is once both have committed.
func TestReviewMeetingLastQuorumChangedIsStale(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration(), meeting.Migration())
		sec, d1, d2 := web.Actor{UserID: "sec"}, web.Actor{UserID: "d1"}, web.Actor{UserID: "d2"}
		pub := &heldPublisher{held: make(chan struct{}), release: make(chan struct{})}
		ms := meeting.NewService(db, meeting.Config{Users: reviewUsers{}, Publisher: pub})
		ctx := context.Background()
		m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Thêm đại biểu"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ms.PutParticipant(ctx, sec, m.ID, d1.UserID, meeting.ParticipantInput{Role: "delegate"}); err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{"scheduled", "live"} {
			if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
				t.Fatal(err)
			}
		}
		pub.hold = func(e event.Event) bool { return e.Type == "quorum.changed" }
		done := make(chan error, 1)
		go func() {
			_, _, err := ms.PutParticipant(ctx, sec, m.ID, d2.UserID, meeting.ParticipantInput{Role: "delegate"})
			done <- err
		}()
		<-pub.held // d2 was added and the quorum (nobody present) was read
		second := make(chan error, 1)
		go func() {
			_, err := ms.RecordAttendance(ctx, d1, m.ID, meeting.AttendanceInput{State: "present"})
			second <- err
		}()
		afterSecond(t, pub, second)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		now, err := ms.Quorum(ctx, sec, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now.Present != 1 || now.Eligible != 2 {
			t.Fatalf("quorum after the check-in and the new delegate: %+v", now)
		}
		pub.mu.Lock()
		var got *meeting.Quorum
		for i := len(pub.events) - 1; i >= 0 && got == nil; i-- {
			switch d := pub.events[i].Data.(type) {
			case meeting.AttendanceChange:
				got = &d.Quorum
			case meeting.QuorumChange:
				got = &d.Quorum
			}
		}
		pub.mu.Unlock()
		if got == nil {
			t.Fatal("no event carried a quorum")
		}
		if *got != now {
			t.Errorf("the last event carrying a quorum says %+v, but the quorum is %+v: every screen shows a stale count", *got, now)
		}
	})
}

// TestReviewMeetingCheckInStormEndsOnTheCount: many tablets check in at
// once. Every check-in is announced, and the last announcement carries
// the final count.
func TestReviewMeetingCheckInStormEndsOnTheCount(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration(), meeting.Migration())
		sec := web.Actor{UserID: "sec"}
		pub := &heldPublisher{}
		ms := meeting.NewService(db, meeting.Config{Users: reviewUsers{}, Publisher: pub})
		ctx := context.Background()
		m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Điểm danh"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 40
		for i := range n {
			id := "d" + string(rune('A'+i))
			if _, _, err := ms.PutParticipant(ctx, sec, m.ID, id, meeting.ParticipantInput{Role: "delegate"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, st := range []string{"scheduled", "live"} {
			if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				d := web.Actor{UserID: "d" + string(rune('A'+i))}
				if _, err := ms.RecordAttendance(ctx, d, m.ID, meeting.AttendanceInput{State: "present"}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		now, err := ms.Quorum(ctx, sec, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now.Present != n {
			t.Fatalf("quorum after %d check-ins: %+v", n, now)
		}
		pub.mu.Lock()
		count := 0
		for _, e := range pub.events {
			if e.Type == "attendance.changed" {
				count++
			}
		}
		pub.mu.Unlock()
		if count != n {
			t.Errorf("%d attendance.changed for %d check-ins", count, n)
		}
		if e, _ := pub.last("attendance.changed"); e.Data.(meeting.AttendanceChange).Quorum != now {
			t.Errorf("the last attendance.changed carries %+v, the quorum is %+v", e.Data.(meeting.AttendanceChange).Quorum, now)
		}
	})
}
