package vote

import (
	"context"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// storeFixture is a live meeting with two polls, on one backend: one
// open, one still a draft.
type storeFixture struct {
	st          *store
	meetingID   string
	open, draft string
}

func newStoreFixture(t *testing.T, b testdb.Backend) *storeFixture {
	t.Helper()
	db := b.Open(t, audit.Migration(), meeting.Migration(), Migration())
	ctx, sec := context.Background(), web.Actor{UserID: "secretary"}
	meetings := meeting.NewService(db, meeting.Config{})
	m, err := meetings.Create(ctx, sec, meeting.NewMeeting{Title: "Conformance"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"scheduled", "live"} {
		if _, err := meetings.SetStatus(ctx, sec, m.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	f := &storeFixture{st: &store{db: db.Gorm}, meetingID: m.ID}
	f.open, f.draft = f.poll(t, true), f.poll(t, false)
	return f
}

func (f *storeFixture) poll(t *testing.T, open bool) string {
	t.Helper()
	st := Settings{Title: "Motion", Kind: Motion, Options: motionOptions(), MaxChoices: 1, Majority: Simple, Eligibility: AllMembers}
	r := newPollRow(ids.New(), f.meetingID, "secretary", st, time.Now())
	ctx := context.Background()
	if err := f.st.createPoll(ctx, r, st.Options, audit.Entry{ActorID: "secretary", Action: "poll.created"}); err != nil {
		t.Fatal(err)
	}
	if open {
		_, _, err := f.st.change(ctx, r.ID, false, func(pollRow, meeting.Status, *votesSoFar) (decision, error) {
			return decision{fields: map[string]any{"status": string(Open)}, entry: audit.Entry{ActorID: "secretary", Action: "poll.opened"}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return r.ID
}

func vote(pollID, meetingID, user, option string) castRequest {
	return castRequest{PollID: pollID, MeetingID: meetingID, UserID: user, Secret: true, Weight: 2, Options: []string{option},
		Entry: audit.Entry{ActorID: user, Action: "vote.cast", Object: "poll:" + pollID}}
}

// TestCastBatch is the storage's conformance suite, on every backend:
// within one batch, a vote is recorded or refused on its own.
func TestCastBatch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newStoreFixture(t, b)
		ctx := context.Background()
		first := []castRequest{vote(f.open, f.meetingID, "u1", Agree)}
		if res, err := f.st.castBatch(ctx, first); err != nil || res[0] != nil {
			t.Fatalf("first vote: %v %v", res, err)
		}
		batch := []castRequest{
			vote(f.open, f.meetingID, "u1", Disagree),  // voted in an earlier batch
			vote(f.open, f.meetingID, "u2", Disagree),  // fine
			vote(f.open, f.meetingID, "u2", Agree),     // twice in this batch
			vote(f.draft, f.meetingID, "u3", Agree),    // poll not open
			vote("nope", f.meetingID, "u4", Agree),     // no such poll
			vote(f.open, "no-meeting", "u5", Disagree), // no such meeting
			vote(f.open, f.meetingID, "u6", Abstain),   // fine
		}
		res, err := f.st.castBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		want := []apperr.Kind{apperr.Conflict, "", apperr.Conflict, apperr.Conflict, apperr.NotFound, apperr.NotFound, ""}
		for i, k := range want {
			if got := apperr.KindOf(res[i]); got != k {
				t.Errorf("vote %d: %q (%v), want %q", i, got, res[i], k)
			}
		}
		v, err := loadVotes(f.st.db, f.open)
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := map[string]Count{Agree: {1, 2}, Disagree: {1, 2}, Abstain: {1, 2}}
		for o, c := range wantCounts {
			if v.counts[o] != c {
				t.Errorf("counter %s = %+v, want %+v", o, v.counts[o], c)
			}
		}
		if len(v.voters) != 3 {
			t.Errorf("%d voters recorded, want 3", len(v.voters))
		}
	})
}
