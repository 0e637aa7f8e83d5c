package agenda

import (
	"context"
	"testing"

	"github.com/curia/curia/account"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// These tests reach the moments between a participant's removal (or
// change of role) committing and ParticipantLeft running, which the
// HTTP tests cannot stop at: the agenda service here is not told of
// removals, and its view of who takes part may be a stale one.

type everyone struct{}

func (everyone) UsersByIDs(_ context.Context, ids []string) ([]account.User, error) {
	out := make([]account.User, len(ids))
	for i, id := range ids {
		out[i] = account.User{ID: id, FullName: "Người " + id}
	}
	return out, nil
}

// stale answers Access and Participant as they were when the request
// came in: frozen answers for some users, the meeting service's for the
// others.
type stale struct {
	*meeting.Service
	frozen map[string]meeting.Access
}

func (s stale) Participant(ctx context.Context, meetingID, userID string) (meeting.Participant, error) {
	if acc, ok := s.frozen[userID]; ok {
		return meeting.Participant{UserID: userID, Role: acc.Role}, nil
	}
	return s.Service.Participant(ctx, meetingID, userID)
}

func (s stale) Access(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error) {
	if acc, ok := s.frozen[a.UserID]; ok {
		return acc, nil
	}
	return s.Service.Access(ctx, a, meetingID)
}

type leftFixture struct {
	ms            *meeting.Service
	svc           *Service
	st            stale
	rec           *event.Recorder
	log           *audit.Log
	sec, chair, d web.Actor
	m, item       string
}

func newLeftFixture(t *testing.T, b testdb.Backend) *leftFixture {
	t.Helper()
	db := b.Open(t, audit.Migration(), meeting.Migration(), Migration())
	ms := meeting.NewService(db, meeting.Config{Users: everyone{}}) // Removed: nobody is told
	f := &leftFixture{ms: ms, rec: event.NewRecorder(100), log: audit.New(db),
		sec: web.Actor{UserID: "sec"}, chair: web.Actor{UserID: "chair"}, d: web.Actor{UserID: "delegate"}}
	f.st = stale{Service: ms, frozen: map[string]meeting.Access{}}
	f.svc = NewService(db, Config{Meetings: f.st, Users: everyone{}, Publisher: f.rec})
	ctx := context.Background()
	m, err := ms.Create(ctx, f.sec, meeting.NewMeeting{Title: "Phiên họp"})
	must(t, err)
	f.m = m.ID
	for who, role := range map[string]string{f.chair.UserID: "chair", f.d.UserID: "delegate"} {
		_, _, err := ms.PutParticipant(ctx, f.sec, f.m, who, meeting.ParticipantInput{Role: role})
		must(t, err)
	}
	for _, s := range []string{"scheduled", "live"} {
		_, err := ms.SetStatus(ctx, f.sec, f.m, s)
		must(t, err)
	}
	it, err := f.svc.AddItem(ctx, f.sec, f.m, NewItem{Title: "Thảo luận"})
	must(t, err)
	f.item = it.ID
	return f
}

func drainEvents(rec *event.Recorder) []event.Event {
	var out []event.Event
	for len(rec.Events()) > 0 {
		out = append(out, <-rec.Events())
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *leftFixture) status(t *testing.T, id string) SpeakerStatus {
	t.Helper()
	r, err := f.svc.store.speaker(context.Background(), id)
	must(t, err)
	return SpeakerStatus(r.Status)
}

// TestStartRechecksTheRightToSpeak: between a removal committing and
// ParticipantLeft, the removed person's entry still waits, and starting
// it is a Conflict. ParticipantLeft then cancels it, audited as the
// actor in ctx did (here nobody: the system) and announced.
func TestStartRechecksTheRightToSpeak(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newLeftFixture(t, b)
		ctx := context.Background()
		sp, err := f.svc.Enqueue(ctx, f.d, f.item, SpeakerRequest{Kind: "speech"})
		must(t, err)
		must(t, f.ms.RemoveParticipant(ctx, f.sec, f.m, f.d.UserID))
		if _, err := f.svc.StartSpeaker(ctx, f.chair, sp.ID, 0); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("start the entry of someone removed: %v, want a Conflict", err)
		}
		if st := f.status(t, sp.ID); st != Waiting {
			t.Fatalf("after a refused start the entry is %s", st)
		}
		drainEvents(f.rec)
		must(t, f.svc.participantLeft(ctx, f.m, f.d.UserID))
		if st := f.status(t, sp.ID); st != Cancelled {
			t.Errorf("after ParticipantLeft the entry is %s, want cancelled", st)
		}
		es, err := f.log.List(ctx, audit.Filter{MeetingID: f.m, Action: "speaker.cancelled"})
		must(t, err)
		if len(es) != 1 || es[0].ActorID != "" || es[0].Object != "speaker:"+sp.ID || es[0].Detail["reason"] != "removed from the meeting" {
			t.Errorf("audit %+v, want the system's cancel of %s", es, sp.ID)
		}
		got := drainEvents(f.rec)
		if len(got) != 1 || got[0].Type != "speakers.changed" || len(got[0].Data.(Queues).Speeches) != 0 {
			t.Errorf("events %+v, want one speakers.changed with nobody waiting", got)
		}
		// Once more does nothing: nobody is left to take off.
		must(t, f.svc.participantLeft(ctx, f.m, f.d.UserID))
		if len(f.rec.Events()) != 0 {
			t.Errorf("a second ParticipantLeft published")
		}
	})
}

// TestEnqueueRechecksTheRightToSpeak: a request for the floor whose
// access was read before its asker was made an observer, but which
// reaches the meeting's lock after that change, is refused and stores
// nothing, so ParticipantLeft (run once that change committed) has no
// entry to miss.
func TestEnqueueRechecksTheRightToSpeak(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newLeftFixture(t, b)
		ctx := context.Background()
		acc, err := f.ms.Access(ctx, f.d, f.m)
		must(t, err)
		f.st.frozen[f.d.UserID] = acc // read while still a delegate
		_, _, err = f.ms.PutParticipant(ctx, f.sec, f.m, f.d.UserID, meeting.ParticipantInput{Role: "observer"})
		must(t, err)
		if _, err := f.svc.Enqueue(ctx, f.d, f.item, SpeakerRequest{Kind: "question"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("ask for the floor, now an observer: %v, want Forbidden", err)
		}
		if _, err := f.svc.Enqueue(ctx, f.chair, f.item, SpeakerRequest{Kind: "speech", UserID: f.d.UserID}); !apperr.Is(err, apperr.Unprocessable) {
			t.Errorf("the chair puts an observer on the list: %v, want Unprocessable", err)
		}
		q, err := f.svc.queues(ctx, f.item)
		must(t, err)
		if len(q.Speeches)+len(q.Questions)+len(q.History) != 0 {
			t.Errorf("queues after refused requests: %+v", q)
		}
	})
}
