package presentation

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// These tests drive the service with stand-ins that answer as the
// meeting looked when a request came in: the chair of a meeting in
// session. That is the race a page turn must survive: its access was
// read before the meeting closed, its write comes after.

type staleMeetings struct{}

func (staleMeetings) Access(_ context.Context, a web.Actor, meetingID string) (meeting.Access, error) {
	return meeting.Access{MeetingID: meetingID, UserID: a.UserID, Status: meeting.Live, Role: meeting.Chair}, nil
}

type noAgenda struct{}

func (noAgenda) CurrentPresenter(context.Context, string) (string, error) { return "", nil }

// tenPages is every document: ten pages, version 1, of the meeting asked
// about (the document id is "<meeting id>/<name>").
type tenPages struct{}

func (tenPages) Pages(_ context.Context, _ web.Actor, docID string, _ int) (string, int, int, string, error) {
	m, _, _ := strings.Cut(docID, "/")
	return m, 1, 10, "", nil
}

func (tenPages) AuditTitle(context.Context, string) (string, error) { return "", nil }

func (tenPages) Audience(context.Context, string) ([]string, error) { return nil, nil }

type noUsers struct{}

func (noUsers) UsersByIDs(context.Context, []string) ([]account.User, error) { return nil, nil }

type closeFixture struct {
	meetings *meeting.Service
	svc      *Service
	rec      *event.Recorder
	chair    web.Actor
	m        string
	doc      string
}

// newCloseFixture makes a live meeting, shows page 1 of a document in it,
// and drains the event of that.
func newCloseFixture(tb testing.TB, b testdb.Backend) *closeFixture {
	tb.Helper()
	db := b.Open(tb, audit.Migration(), meeting.Migration(), Migration())
	ms := meeting.NewService(db, meeting.Config{Users: noUsers{}})
	rec := event.NewRecorder(100000)
	svc := NewService(db, Config{Meetings: staleMeetings{}, Agenda: noAgenda{}, Documents: tenPages{}, Publisher: rec,
		Coalesce: time.Millisecond})
	tb.Cleanup(svc.Close)
	ctx := context.Background()
	sec := web.Actor{UserID: "secretary"}
	m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Phiên họp"})
	if err != nil {
		tb.Fatal(err)
	}
	for _, st := range []string{"scheduled", "live"} {
		if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
			tb.Fatal(err)
		}
	}
	f := &closeFixture{meetings: ms, svc: svc, rec: rec, chair: web.Actor{UserID: "chair"}, m: m.ID, doc: m.ID + "/to-trinh"}
	if _, err := f.turn(1); err != nil {
		tb.Fatal(err)
	}
	svc.out.close() // sends what it holds
	svc.out = newCoalescer(time.Millisecond, svc.publish)
	drain(rec)
	return f
}

func (f *closeFixture) turn(page int) (State, error) {
	return f.svc.Set(context.Background(), f.chair, f.m, Input{DocumentID: &f.doc, Page: page})
}

func (f *closeFixture) close(tb testing.TB) {
	tb.Helper()
	if _, err := f.meetings.SetStatus(context.Background(), web.Actor{UserID: "secretary"}, f.m, "closed"); err != nil {
		tb.Fatal(err)
	}
}

func (f *closeFixture) stored(tb testing.TB) State {
	tb.Helper()
	st, err := f.svc.store.get(context.Background(), f.m)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func drain(rec *event.Recorder) []event.Event {
	var out []event.Event
	for {
		select {
		case e := <-rec.Events():
			out = append(out, e)
		default:
			return out
		}
	}
}

func isClosedConflict(err error) bool {
	return apperr.Is(err, apperr.Conflict) && apperr.Public(err) == "the meeting is closed; nothing in it can change"
}

// TestPageTurnAfterClose: a turn whose access was read while the meeting
// was in session, but which reaches the database after the close, is
// refused as a closed meeting's change, stores nothing and announces
// nothing. So are a new document and stopping.
func TestPageTurnAfterClose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newCloseFixture(t, b)
		before := f.stored(t)
		f.close(t)
		drain(f.rec)
		other := f.m + "/bien-ban"
		for name, in := range map[string]Input{
			"page turn": {DocumentID: &f.doc, Page: 2},
			"zoom":      {DocumentID: &f.doc, Page: 1, Zoom: &Region{X: 0.1, Y: 0.1, W: 0.5, H: 0.5}},
			"document":  {DocumentID: &other, Page: 1},
			"stop":      {},
		} {
			if _, err := f.svc.Set(context.Background(), f.chair, f.m, in); !isClosedConflict(err) {
				t.Errorf("%s after the close: %v, want the closed meeting's conflict", name, err)
			}
		}
		if after := f.stored(t); after.Page != before.Page || !after.At.Equal(*before.At) || after.Zoom != nil ||
			after.DocumentID == nil || *after.DocumentID != f.doc {
			t.Errorf("stored after the close: %+v, want it as it was: %+v", after, before)
		}
		f.svc.Close()
		if evs := drain(f.rec); len(evs) != 0 {
			t.Errorf("events after the close: %+v, want none", evs)
		}
	})
}

// TestPageTurnsRacingClose turns pages from a few goroutines while the
// meeting closes. Every turn either committed before the close (its page
// is what the room was left with, or was overtaken by a later turn) or
// was refused as a closed meeting's change; what is stored when the close
// has returned stays, and no turn of a later time is announced.
func TestPageTurnsRacingClose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newCloseFixture(t, b)
		const workers, maxTurns = 4, 500
		var (
			wg       sync.WaitGroup
			closed   atomic.Bool
			refused  atomic.Int64
			accepted atomic.Int64
			late     atomic.Int64 // accepted though started after the close returned
		)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := 0 // refusals this worker got
				for i := 0; i < maxTurns && mine < 5; i++ {
					after := closed.Load()
					_, err := f.turn(1 + (w*maxTurns+i)%10)
					switch {
					case err == nil:
						accepted.Add(1)
						if after {
							late.Add(1)
						}
					case isClosedConflict(err):
						refused.Add(1)
						mine++
					default:
						t.Errorf("turn: %v", err)
						return
					}
				}
			}()
		}
		for deadline := time.Now().Add(10 * time.Second); accepted.Load() < 2*workers && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond) // some turns land first
		}
		f.close(t)
		closedAt := time.Now()
		closed.Store(true)
		atClose := f.stored(t)
		wg.Wait()
		f.svc.Close() // sends the last coalesced event
		if n := late.Load(); n > 0 {
			t.Errorf("%d turns started after the close returned were accepted", n)
		}
		if refused.Load() == 0 {
			t.Errorf("no turn was refused (accepted %d): the close did not race the turns", accepted.Load())
		}
		final := f.stored(t)
		if final.Page != atClose.Page || !final.At.Equal(*atClose.At) {
			t.Errorf("stored after the turns: page %d at %v, at the close: page %d at %v", final.Page, final.At, atClose.Page, atClose.At)
		}
		// Every turn announced was stored before the close: none is of a
		// time after it. (Which of two concurrent turns is announced last
		// is not this test's business.)
		var after []State
		for _, e := range drain(f.rec) {
			if st, ok := e.Data.(State); ok && e.Type == "presentation.changed" && st.At.After(closedAt) {
				after = append(after, st)
			}
		}
		if len(after) > 0 {
			t.Errorf("%d presentation.changed for turns after the close (closed by %v), the first: page %d at %v",
				len(after), closedAt, after[0].Page, after[0].At)
		}
	})
}

// BenchmarkPageTurn measures one page turn within the document shown,
// through the service (the coalescer folds the events).
func BenchmarkPageTurn(b *testing.B) {
	for _, be := range testdb.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			f := newCloseFixture(b, be)
			b.ResetTimer()
			for i := range b.N {
				if _, err := f.turn(1 + i%10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSimultaneousTurnsEndOnTheStoredPage: the chair and the presenter
// turn at the same instant. The turn stored last must be the one
// announced last, or every tablet stays on a page the server no longer
// shows (and a late joiner sees another). The first turn is held between
// its store and its announcement while the second is under way: the
// second must wait for it (up to the hold's 300 ms), not overtake it.
func TestSimultaneousTurnsEndOnTheStoredPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newCloseFixture(t, b)
		second := make(chan struct{})
		var holds atomic.Int32
		f.svc.stored = func(st State) {
			if st.Page == 2 && holds.Add(1) == 1 {
				select { // hold the first turn while the second runs
				case <-second:
				case <-time.After(300 * time.Millisecond):
				}
			}
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.turn(2); err != nil {
				t.Error(err)
			}
		}()
		for holds.Load() == 0 { // the first turn is stored and held
			time.Sleep(time.Millisecond)
		}
		if _, err := f.turn(7); err != nil {
			t.Fatal(err)
		}
		close(second)
		wg.Wait()
		f.svc.out.close()
		stored := f.stored(t).Page
		evs := drain(f.rec)
		if len(evs) == 0 {
			t.Fatal("no event announced the turns")
		}
		last := evs[len(evs)-1].Data.(State)
		if last.Page != stored {
			t.Fatalf("the last event shows page %d, the stored state page %d", last.Page, stored)
		}
		if stored != 7 {
			t.Fatalf("stored page %d, want 7 (the turn that came second)", stored)
		}
	})
}
