package meeting_test

import (
	"context"
	"fmt"
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

// review2Users knows every user id it is asked about.
type review2Users struct{}

func (review2Users) UsersByIDs(_ context.Context, ids []string) ([]account.User, error) {
	out := make([]account.User, len(ids))
	for i, id := range ids {
		out[i] = account.User{ID: id, Username: id, FullName: id}
	}
	return out, nil
}

// durablePublisher takes a fixed time per Publish call, whatever the
// number of callers at once, as the live hub does: Publish returns once
// the events are stored, and the calls that arrive together share one
// commit (realtime/commit.go, group commit).
type durablePublisher struct {
	commit time.Duration
	mu     sync.Mutex
	n      int // events
	calls  int // Publish calls
}

func (p *durablePublisher) Publish(_ context.Context, evs ...event.Event) {
	p.mu.Lock()
	d := p.commit
	p.mu.Unlock()
	time.Sleep(d)
	p.mu.Lock()
	p.n += len(evs)
	p.calls++
	p.mu.Unlock()
}

// TestReviewSecondCheckInStormWaitsForEveryEarlierPublish: a room of
// delegates checks in at the opening (the check-in storm). Each check-in
// used to wait for a per-meeting order lock held across the re-read and
// across Publish, a durable write of the event that the hub group-commits
// when calls arrive together: the n-th tablet's check-in was answered
// only after n-1 event commits (and n-1 quorum reads of the whole roll)
// one after the other, about a second with 24 delegates and a publish
// that takes 40 ms. Announcements are now queued and sent in batches
// (meeting/publish_order.go): one read and one Publish per batch, so the
// storm costs a few commits, not one per check-in.
func TestReviewSecondCheckInStormWaitsForEveryEarlierPublish(t *testing.T) {
	db := testdb.Backends()[0].Open(t, audit.Migration(), meeting.Migration())
	const delegates, commit = 24, 40 * time.Millisecond
	pub := &durablePublisher{}
	ms := meeting.NewService(db, meeting.Config{Users: review2Users{}, Publisher: pub})
	ctx := context.Background()
	sec := web.Actor{UserID: "sec"}
	m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Kỳ họp thứ nhất"})
	if err != nil {
		t.Fatal(err)
	}
	ds := make([]web.Actor, delegates)
	for i := range ds {
		ds[i] = web.Actor{UserID: fmt.Sprintf("d%02d", i)}
		if _, _, err := ms.PutParticipant(ctx, sec, m.ID, ds[i].UserID, meeting.ParticipantInput{Role: "delegate"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []string{"scheduled", "live"} {
		if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	pub.mu.Lock()
	pub.commit, pub.n, pub.calls = commit, 0, 0 // from here on, each publish is a durable write
	pub.mu.Unlock()

	var wg sync.WaitGroup
	var mu sync.Mutex
	var slowest time.Duration
	start := make(chan struct{})
	for _, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t0 := time.Now()
			_, err := ms.RecordAttendance(ctx, d, m.ID, meeting.AttendanceInput{State: "present"})
			took := time.Since(t0)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			slowest = max(slowest, took)
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	pub.mu.Lock()
	events, calls := pub.n, pub.calls
	pub.mu.Unlock()
	t.Logf("%d check-ins: slowest answer %v; %d events in %d Publish calls", delegates, slowest.Round(time.Millisecond), events, calls)
	// Serialised publishes cost delegates*commit (960 ms) at least. In
	// batches they cost a commit for each batch (the first one, often of a
	// single check-in, then one or two of all that committed meanwhile)
	// plus the check-ins' own transactions. Half the serialised time
	// leaves ample room for those.
	if limit := delegates * commit / 2; slowest > limit {
		t.Errorf("the slowest of %d simultaneous check-ins took %v (a publish takes %v, %d Publish calls): "+
			"check-ins waited for one another's read and publish", delegates, slowest.Round(time.Millisecond), commit, calls)
	}
	// The same bound in calls: as many calls as that time allows would be
	// batches of two check-ins.
	if events != delegates || calls > delegates/2 {
		t.Errorf("%d events in %d Publish calls for %d check-ins: the announcements were not sent in batches", events, calls, delegates)
	}
}

// gatePublisher keeps each Publish call's events since hold was called;
// the first call after hold waits until release is closed.
type gatePublisher struct {
	mu      sync.Mutex
	calls   [][]event.Event
	held    chan struct{} // closed when the held call has begun
	release chan struct{}
	holding bool
}

func newGatePublisher() *gatePublisher {
	return &gatePublisher{held: make(chan struct{}), release: make(chan struct{})}
}

func (p *gatePublisher) hold() {
	p.mu.Lock()
	p.holding, p.calls = true, nil
	p.mu.Unlock()
}

func (p *gatePublisher) Publish(_ context.Context, evs ...event.Event) {
	p.mu.Lock()
	wait := p.holding
	p.holding = false
	p.mu.Unlock()
	if wait {
		close(p.held)
		<-p.release
	}
	p.mu.Lock()
	p.calls = append(p.calls, evs)
	p.mu.Unlock()
}

// find returns a published event that match accepts, waiting up to
// five seconds for it.
func (p *gatePublisher) find(match func(event.Event) bool) (event.Event, bool) {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if e, ok := p.published(match); ok || time.Now().After(deadline) {
			return e, ok
		}
	}
}

// published returns a published event that match accepts.
func (p *gatePublisher) published(match func(event.Event) bool) (event.Event, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, call := range p.calls {
		for _, e := range call {
			if match(e) {
				return e, true
			}
		}
	}
	return event.Event{}, false
}

// review2Room is a live meeting with the given delegates, on pub, with
// hooks told after each commit.
func review2Room(t *testing.T, pub event.Publisher, cfg meeting.Config, delegates ...string) (*meeting.Service, string) {
	t.Helper()
	db := testdb.Backends()[0].Open(t, audit.Migration(), meeting.Migration())
	cfg.Users, cfg.Publisher = review2Users{}, pub
	ms := meeting.NewService(db, cfg)
	ctx := context.Background()
	sec := web.Actor{UserID: "sec"}
	m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Phiên thứ hai"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range delegates {
		if _, _, err := ms.PutParticipant(ctx, sec, m.ID, d, meeting.ParticipantInput{Role: "delegate"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []string{"scheduled", "live"} {
		if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	return ms, m.ID
}

func attendanceOf(e event.Event, userID string) bool {
	ch, ok := e.Data.(meeting.AttendanceChange)
	return ok && e.Type == "attendance.changed" && ch.Attendance.UserID == userID
}

// TestReviewSecondGivenUpCheckInIsStillAnnounced: a check-in whose
// request gives up while it waits for its announcement returns at once;
// the announcement goes out all the same, once the batch before it is
// published, though nobody waits for it any more.
func TestReviewSecondGivenUpCheckInIsStillAnnounced(t *testing.T) {
	pub := newGatePublisher()
	ms, id := review2Room(t, pub, meeting.Config{}, "d1", "d2")
	pub.hold()
	first := make(chan error, 1)
	go func() {
		_, err := ms.RecordAttendance(context.Background(), web.Actor{UserID: "d1"}, id, meeting.AttendanceInput{State: "present"})
		first <- err
	}()
	<-pub.held // d1's batch is being published
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := ms.RecordAttendance(ctx, web.Actor{UserID: "d2"}, id, meeting.AttendanceInput{State: "present"})
		second <- err
	}()
	time.Sleep(50 * time.Millisecond) // d2 commits and waits behind d1's batch
	cancel()
	select {
	case err := <-second:
		if err == nil {
			t.Error("d2's check-in was answered as announced while d1's batch was still being published")
		}
	case <-time.After(2 * time.Second):
		t.Error("d2's request did not stop waiting when its context ended")
	}
	close(pub.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	e, ok := pub.find(func(e event.Event) bool { return attendanceOf(e, "d2") })
	if !ok {
		t.Fatal("d2's check-in was never announced")
	}
	if q := e.Data.(meeting.AttendanceChange).Quorum; q.Present != 2 {
		t.Errorf("d2's attendance.changed carries %+v; both are present", q)
	}
}

// TestReviewSecondRemovedBeforeAnnouncedIsQuorumChanged: a delegate
// checks in and is removed before the check-in is announced. The roll no
// longer has them, so no attendance.changed puts them back on it; a
// quorum.changed carries the count, and the check-in is answered with its
// record.
func TestReviewSecondRemovedBeforeAnnouncedIsQuorumChanged(t *testing.T) {
	pub := newGatePublisher()
	checkedIn, removed := make(chan struct{}, 64), make(chan struct{}, 64)
	cfg := meeting.Config{
		AttendanceChanged: func(context.Context, string) { checkedIn <- struct{}{} },
		AccessChanged:     func(context.Context, string) { removed <- struct{}{} },
	}
	ms, id := review2Room(t, pub, cfg, "d1", "d2", "x")
	for len(removed) > 0 { // the setup's
		<-removed
	}
	pub.hold()
	first := make(chan error, 1)
	go func() {
		_, err := ms.RecordAttendance(context.Background(), web.Actor{UserID: "d1"}, id, meeting.AttendanceInput{State: "present"})
		first <- err
	}()
	<-pub.held
	<-checkedIn
	type answer struct {
		ch  meeting.AttendanceChange
		err error
	}
	x := make(chan answer, 1)
	go func() {
		ch, err := ms.RecordAttendance(context.Background(), web.Actor{UserID: "x"}, id, meeting.AttendanceInput{State: "present"})
		x <- answer{ch, err}
	}()
	<-checkedIn // x's check-in has committed
	gone := make(chan error, 1)
	go func() { gone <- ms.RemoveParticipant(context.Background(), web.Actor{UserID: "sec"}, id, "x") }()
	<-removed // and so has x's removal, before anything of x was announced
	close(pub.release)
	for _, c := range []chan error{first, gone} {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	got := <-x
	if got.err != nil {
		t.Fatal(got.err)
	}
	if got.ch.Attendance.UserID != "x" || got.ch.Attendance.State != meeting.Present {
		t.Errorf("x's check-in was answered with %+v", got.ch.Attendance)
	}
	if got.ch.Quorum.Eligible != 2 || got.ch.Quorum.Present != 1 {
		t.Errorf("x's check-in was answered with quorum %+v; d1 of d1 and d2 is present", got.ch.Quorum)
	}
	// x was answered: its batch has been published.
	if _, ok := pub.published(func(e event.Event) bool { return attendanceOf(e, "x") }); ok {
		t.Error("x's check-in was announced as attendance.changed after x was removed")
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	last := pub.calls[len(pub.calls)-1]
	if e := last[len(last)-1]; e.Type != "quorum.changed" || e.Data.(meeting.QuorumChange).Quorum != got.ch.Quorum {
		t.Errorf("the last event is %s %+v; want quorum.changed with %+v", e.Type, e.Data, got.ch.Quorum)
	}
}

// TestReviewSecondBatchSendsEachStateOnce: changes of the roll that
// queue behind one announcement are sent together, in one Publish call:
// the list and the quorum once each, the quorum after the list (api/live.md),
// and each change is answered from the list that was published.
func TestReviewSecondBatchSendsEachStateOnce(t *testing.T) {
	pub := newGatePublisher()
	removed := make(chan struct{}, 64)
	ms, id := review2Room(t, pub, meeting.Config{Removed: func(context.Context, string, string) { removed <- struct{}{} }}, "d1")
	for len(removed) > 0 { // the setup's
		<-removed
	}
	pub.hold()
	first := make(chan error, 1)
	go func() {
		_, err := ms.RecordAttendance(context.Background(), web.Actor{UserID: "d1"}, id, meeting.AttendanceInput{State: "present"})
		first <- err
	}()
	<-pub.held
	added := []string{"n1", "n2", "n3"}
	type answer struct {
		p   meeting.Participant
		err error
	}
	answers := make([]chan answer, len(added))
	for i, u := range added {
		answers[i] = make(chan answer, 1)
		go func() {
			p, _, err := ms.PutParticipant(context.Background(), web.Actor{UserID: "sec"}, id, u, meeting.ParticipantInput{Role: "observer"})
			answers[i] <- answer{p, err}
		}()
	}
	for range added {
		<-removed // committed; what follows is queuing the announcement
	}
	time.Sleep(100 * time.Millisecond)
	close(pub.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, u := range added {
		a := <-answers[i]
		if a.err != nil {
			t.Fatal(a.err)
		}
		if a.p.UserID != u || a.p.Role != meeting.Observer || a.p.FullName != u {
			t.Errorf("adding %s was answered with %+v", u, a.p)
		}
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	if len(pub.calls) != 2 {
		t.Fatalf("%d Publish calls after the held one; want the three changes in one", len(pub.calls)-1)
	}
	if len(pub.calls[0]) != 1 || !attendanceOf(pub.calls[0][0], "d1") {
		t.Errorf("the held call published %v; want d1's check-in", pub.calls[0])
	}
	var types []string
	for _, e := range pub.calls[1] {
		types = append(types, e.Type)
	}
	if fmt.Sprint(types) != "[participants.changed quorum.changed]" {
		t.Errorf("the batch of three changes of the roll published %v", types)
	}
	if list := pub.calls[1][0].Data.(map[string]any)["participants"].([]meeting.Participant); len(list) != 5 {
		t.Errorf("participants.changed lists %d people; want sec, d1 and the three observers", len(list))
	}
}
