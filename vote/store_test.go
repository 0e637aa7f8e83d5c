package vote

import (
	"context"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// storeFixture is a live meeting with two polls, on one backend: one
// open, one still a draft. Its delegates u1 … u6 have a vote of weight 2.
type storeFixture struct {
	st          *store
	meetings    *meeting.Service
	meetingID   string
	open, draft string
}

// everyone is a user directory in which every id names a user.
type everyone struct{}

func (everyone) UsersByIDs(_ context.Context, ids []string) ([]account.User, error) {
	out := make([]account.User, len(ids))
	for i, id := range ids {
		out[i] = account.User{ID: id, Username: id, FullName: id}
	}
	return out, nil
}

var secretary = web.Actor{UserID: "secretary"}

func newStoreFixture(t *testing.T, b testdb.Backend) *storeFixture {
	t.Helper()
	db := b.Open(t, audit.Migration(), meeting.Migration(), Migration())
	ctx := context.Background()
	meetings := meeting.NewService(db, meeting.Config{Users: everyone{}})
	m, err := meetings.Create(ctx, secretary, meeting.NewMeeting{Title: "Conformance"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"scheduled", "live"} {
		if _, err := meetings.SetStatus(ctx, secretary, m.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	f := &storeFixture{st: &store{db: db.Gorm}, meetings: meetings, meetingID: m.ID}
	for _, u := range []string{"u1", "u2", "u3", "u4", "u5", "u6"} {
		f.put(t, u, "delegate", true, 2)
	}
	f.open, f.draft = f.poll(t, true), f.poll(t, false)
	return f
}

// put adds a participant or changes their role, vote and weight.
func (f *storeFixture) put(t *testing.T, user, role string, canVote bool, weight int) {
	t.Helper()
	in := meeting.ParticipantInput{Role: role, CanVote: &canVote, Weight: &weight}
	if _, _, err := f.meetings.PutParticipant(context.Background(), secretary, f.meetingID, user, in); err != nil {
		t.Fatal(err)
	}
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

// vote is a vote as Cast queues it, for a poll open to all members. Its
// weight (1) is not the voter's (2): the batch records the weight the
// voter has when it commits.
func vote(pollID, meetingID, user, option string) castRequest {
	return castRequest{PollID: pollID, MeetingID: meetingID, UserID: user, Secret: true, Eligibility: AllMembers, Weight: 1,
		Options: []string{option}, Entry: audit.Entry{ActorID: user, Action: "vote.cast", Object: "poll:" + pollID}}
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

// TestCastBatchChecksVoters: the batch checks every voter against the
// meeting's participants as they are when it commits, whatever the
// (possibly stale) roll that Cast checked said.
func TestCastBatchChecksVoters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newStoreFixture(t, b)
		ctx := context.Background()
		f.put(t, "u3", "observer", false, 1)
		f.put(t, "u4", "delegate", false, 1)
		f.put(t, "u5", "delegate", true, 7)
		if err := f.meetings.RemoveParticipant(ctx, secretary, f.meetingID, "u6"); err != nil {
			t.Fatal(err)
		}
		present := vote(f.open, f.meetingID, "u2", Agree)
		present.Eligibility = PresentMembers
		admin := vote(f.open, f.meetingID, "root", Agree)
		admin.Admin = true
		batch := []castRequest{
			vote(f.open, f.meetingID, "u1", Agree),       // fine, with weight 2
			present,                                      // not checked in, and the poll asks for it
			vote(f.open, f.meetingID, "u3", Agree),       // an observer
			vote(f.open, f.meetingID, "u4", Agree),       // stripped of the vote
			vote(f.open, f.meetingID, "u5", Disagree),    // fine, with the new weight 7
			vote(f.open, f.meetingID, "u6", Disagree),    // removed from the meeting
			vote(f.open, f.meetingID, "stranger", Agree), // never took part
			admin,                                  // an admin who does not take part
			vote(f.open, f.meetingID, "u6", Agree), // removed, and twice in the batch
			vote(f.open, "no-meeting", "u1", Disagree), // no such meeting
		}
		res, err := f.st.castBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		want := []apperr.Kind{"", apperr.Forbidden, apperr.Forbidden, apperr.Forbidden, "", apperr.NotFound,
			apperr.NotFound, apperr.Forbidden, apperr.NotFound, apperr.NotFound}
		for i, k := range want {
			if got := apperr.KindOf(res[i]); got != k {
				t.Errorf("vote %d (%s): %q (%v), want %q", i, batch[i].UserID, got, res[i], k)
			}
		}
		v, err := loadVotes(f.st.db, f.open)
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := map[string]Count{Agree: {1, 2}, Disagree: {1, 7}, Abstain: {}}
		for o, c := range wantCounts {
			if v.counts[o] != c {
				t.Errorf("counter %s = %+v, want %+v", o, v.counts[o], c)
			}
		}
		weights := map[string]int{}
		for _, p := range v.voters {
			weights[p.UserID] = p.Weight
		}
		if len(weights) != 2 || weights["u1"] != 2 || weights["u5"] != 7 {
			t.Errorf("voters recorded %v, want u1 with weight 2 and u5 with 7", weights)
		}

		// Checked in, u2 may vote.
		if _, err := f.meetings.RecordAttendance(ctx, secretary, f.meetingID, meeting.AttendanceInput{UserID: "u2", State: "present"}); err != nil {
			t.Fatal(err)
		}
		if res, err := f.st.castBatch(ctx, []castRequest{present}); err != nil || res[0] != nil {
			t.Errorf("vote after checking in: %v %v", res, err)
		}
	})
}
