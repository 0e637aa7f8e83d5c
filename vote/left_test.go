package vote_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

// What a poll shows and counts when participants leave the meeting, or
// change role, while it is open.

// TestVoterWhoLeftKeepsTheirName: in a named poll, a delegate who voted
// and then left the meeting is still listed by name: in the roll call
// while the poll runs, in its results and in the CSV export.
func TestVoterWhoLeftKeepsTheirName(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m, p := livePoll(cast, map[string]any{"title": "Biểu quyết công khai", "secret": false})
		step(cast.Chair, p, "open", ok)
		voteAs(cast.Delegate, p, "agree").Check(t, "the delegate votes", created)
		cast.Secretary.Must(204, "DELETE", "/api/v1/meetings/"+m+"/participants/"+cast.Delegate.UserID, nil)
		const name = "Người delegate" // apptest names the cast's users after their part

		var rc vote.RollCall
		cast.Chair.Get("/api/v1/polls/"+p+"/voters", &rc)
		if len(rc.Voted) != 1 || rc.Voted[0].UserID != cast.Delegate.UserID || rc.Voted[0].FullName != name {
			t.Errorf("roll call after the delegate left: voted %+v, want %s by name", rc.Voted, cast.Delegate.UserID)
		}

		closed := step(cast.Chair, p, "close", ok)
		if len(closed.Votes) != 1 || closed.Votes[0].UserID != cast.Delegate.UserID || closed.Votes[0].FullName != name {
			t.Errorf("named votes after the delegate left: %+v, want theirs by name %q", closed.Votes, name)
		}
		res := cast.Chair.Must(ok, "GET", "/api/v1/polls/"+p+"/results.csv", nil)
		if want := "vote," + cast.Delegate.UserID + "," + name + ",,1,agree"; !strings.Contains(string(res.Body), want) {
			t.Errorf("export lacks %q:\n%s", want, res.Body)
		}
	})
}

// TestProgressAfterRemoval: removing a participant from the meeting, or
// taking their vote, while a poll is open changes how many may still
// vote; a fresh poll.progress (and poll.voters) goes out with the new
// count, without waiting for the next vote.
func TestProgressAfterRemoval(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		pub := newSplitter()
		srv := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := srv.NewCast("pr")
		m, p := livePoll(c, nil)
		extra := crowd(t, srv, c.Secretary, m, 2, true)
		step(c.Chair, p, "open", ok)
		voteAs(c.Chair, p, "agree").Check(t, "the chair votes", created)
		next := func() vote.Progress { t.Helper(); return pub.nextProgress(t) }
		if pr := next(); pr != (vote.Progress{PollID: p, Voted: 1, Eligible: 4}) {
			t.Fatalf("progress after the first vote: %+v", pr)
		}
		time.Sleep(300 * time.Millisecond) // past the interval: what follows goes out at once
		apptest.Drain(pub.live)

		participant := "/api/v1/meetings/" + m + "/participants/"
		c.Secretary.Must(204, "DELETE", participant+c.Delegate.UserID, nil)
		if pr := next(); pr != (vote.Progress{PollID: p, Voted: 1, Eligible: 3}) {
			t.Errorf("progress after a delegate was removed: %+v, want 1 of 3", pr)
		}
		time.Sleep(300 * time.Millisecond)
		apptest.Drain(pub.live)
		c.Secretary.Must(ok, "PUT", participant+extra[0].UserID, map[string]any{"role": "observer", "can_vote": false})
		if pr := next(); pr != (vote.Progress{PollID: p, Voted: 1, Eligible: 2}) {
			t.Errorf("progress after a delegate became an observer: %+v, want 1 of 2", pr)
		}
	})
}

// TestProgressAfterCheckIn: in a poll of the members present (the
// default), a delegate checking in may now vote, and one recorded absent
// may no longer: the chair's count of who has not voted follows at once,
// not at the next vote.
func TestProgressAfterCheckIn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		pub := newSplitter()
		srv := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := srv.NewCast("ci")
		m, p := livePoll(c, nil)
		late := crowd(t, srv, c.Secretary, m, 1, false)[0]
		step(c.Chair, p, "open", ok)
		voteAs(c.Chair, p, "agree").Check(t, "the chair votes", created)
		next := func() vote.Progress { t.Helper(); return pub.nextProgress(t) }
		if pr := next(); pr != (vote.Progress{PollID: p, Voted: 1, Eligible: 2}) {
			t.Fatalf("progress after the first vote: %+v, want 1 of 2 (the chair and the delegate present)", pr)
		}
		time.Sleep(300 * time.Millisecond) // past the interval: what follows goes out at once
		apptest.Drain(pub.live)

		attendance := "/api/v1/meetings/" + m + "/attendance"
		late.Must(ok, "POST", attendance, map[string]any{"state": "present"})
		if pr := next(); pr != (vote.Progress{PollID: p, Voted: 1, Eligible: 3}) {
			t.Errorf("progress after a delegate checked in: %+v, want 1 of 3", pr)
		}
		time.Sleep(300 * time.Millisecond)
		apptest.Drain(pub.live)
		c.Secretary.Must(ok, "POST", attendance, map[string]any{"user_id": c.Delegate.UserID, "state": "absent", "reason": "về sớm"})
		if pr := next(); pr != (vote.Progress{PollID: p, Voted: 1, Eligible: 2}) {
			t.Errorf("progress after a delegate was recorded absent: %+v, want 1 of 2", pr)
		}
	})
}

// removeOnRoll is the meeting as the vote service sees it, but the next
// read of the roll, once armed, is followed by the removal of a
// participant before it answers: a removal that commits between that read
// and whatever the service does next with it.
type removeOnRoll struct {
	*meeting.Service
	actor web.Actor

	mu           sync.Mutex
	armed        string // user to remove
	removed      bool
	removeFailed error
}

func (r *removeOnRoll) Roll(ctx context.Context, meetingID string) ([]meeting.RollEntry, error) {
	entries, err := r.Service.Roll(ctx, meetingID)
	r.mu.Lock()
	user := r.armed
	r.armed = ""
	r.mu.Unlock()
	if err == nil && user != "" {
		rerr := r.RemoveParticipant(ctx, r.actor, meetingID, user)
		r.mu.Lock()
		r.removed, r.removeFailed = rerr == nil, rerr
		r.mu.Unlock()
	}
	return entries, err
}

// TestCloseCountsTheRollAsCommitted: the electorate a close stores is the
// meeting's as the close commits. A participant removed after the
// service has read the roll (the next read of the roll removes the
// delegate, who has not voted) must not be counted: the close reads the
// roll inside its own transaction.
func TestCloseCountsTheRollAsCommitted(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv, cast := apptest.StartCast(t, b)
		m, p := livePoll(cast, nil)
		step(cast.Chair, p, "open", ok)
		voteAs(cast.Chair, p, "agree").Check(t, "the chair votes", created)

		sec := web.Actor{UserID: cast.Secretary.UserID}
		hook := &removeOnRoll{Service: srv.App.Meetings, actor: sec}
		votes := vote.NewService(srv.App.DB, vote.Config{Meetings: hook, Agenda: srv.App.Agenda})
		t.Cleanup(votes.Close)
		hook.mu.Lock()
		hook.armed = cast.Delegate.UserID
		hook.mu.Unlock()
		closed, err := votes.ClosePoll(context.Background(), sec, p)
		if err != nil {
			t.Fatal(err)
		}
		hook.mu.Lock()
		removed, failed := hook.removed, hook.removeFailed
		hook.armed = ""
		hook.mu.Unlock()
		if failed != nil {
			t.Fatalf("remove the delegate: %v", failed)
		}
		// Whether or not the close read the roll through the service: the
		// electorate is the one the close committed with.
		eligible := 2 // the chair, who voted, and the delegate, checked in
		if removed {
			eligible = 1
		}
		if el := closed.Electorate; el == nil || el.Voted != 1 || el.Eligible != eligible || el.Members != eligible {
			t.Errorf("electorate %+v (delegate removed during the close: %v), want 1 voted of %d eligible, %d members",
				el, removed, eligible, eligible)
		}
		if _, err := srv.App.Meetings.Participant(context.Background(), m, cast.Delegate.UserID); (err == nil) == removed {
			t.Errorf("the delegate takes part: %v; the hook removed them: %v", err == nil, removed)
		}
	})
}
