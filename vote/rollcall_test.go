package vote_test

import (
	"slices"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/vote"
)

// TestRollCallOfClosedPollIsFrozen: once a poll is closed, its roll call
// (GET /polls/{id}/voters) is the electorate stored at the close: voted +
// not_voted is the stored eligible count; someone who joins afterwards is
// not listed; someone who had not voted stays among not_voted with the
// attendance they had at the close, also after being marked absent or
// removed from the meeting (then named from their user account).
func TestRollCallOfClosedPollIsFrozen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("rcf")
		m, p := livePoll(c, nil)
		step(c.Chair, p, "open", ok)
		voteAs(c.Chair, p, "agree").Check(t, "the chair votes", created)
		closed := step(c.Chair, p, "close", ok)
		if closed.Electorate == nil || closed.Electorate.Eligible != 2 {
			t.Fatalf("electorate at the close: %+v", closed.Electorate)
		}
		want := vote.RollCall{PollID: p,
			Voted:    []vote.Voter{{UserID: c.Chair.UserID, FullName: "Người chair", State: "present"}},
			NotVoted: []vote.Voter{{UserID: c.Delegate.UserID, FullName: "Người delegate", State: "remote"}}}
		check := func(after string) {
			t.Helper()
			var rc vote.RollCall
			c.Chair.Get("/api/v1/polls/"+p+"/voters", &rc)
			if !equalRollCalls(rc, want) {
				t.Errorf("roll call of the closed poll after %s:\n got %+v\nwant %+v", after, rc, want)
			}
			if n := len(rc.Voted) + len(rc.NotVoted); n != closed.Electorate.Eligible {
				t.Errorf("after %s: %d voted + %d not voted, but the stored electorate has %d eligible",
					after, len(rc.Voted), len(rc.NotVoted), closed.Electorate.Eligible)
			}
		}
		check("the close")

		crowd(t, srv, c.Secretary, m, 1, true) // arrives after the close, checked in
		check("someone joined")
		c.Secretary.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"user_id": c.Delegate.UserID, "state": "absent"})
		check("the delegate was marked absent")
		c.Secretary.Must(204, "DELETE", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, nil)
		check("the delegate was removed")
		step(c.Chair, p, "publish", ok)
		check("the publication")
	})
}

// TestRollCallOfPollCancelledWhileOpenIsFrozen: cancelling an open poll
// stops its votes as a close does, so its roll call is the electorate as
// it stood then, whoever joins, is marked absent or leaves afterwards.
func TestRollCallOfPollCancelledWhileOpenIsFrozen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("rcc")
		m, p := livePoll(c, nil)
		step(c.Chair, p, "open", ok)
		voteAs(c.Chair, p, "agree").Check(t, "the chair votes", created)
		step(c.Chair, p, "cancel", ok)
		want := vote.RollCall{PollID: p,
			Voted:    []vote.Voter{{UserID: c.Chair.UserID, FullName: "Người chair", State: "present"}},
			NotVoted: []vote.Voter{{UserID: c.Delegate.UserID, FullName: "Người delegate", State: "remote"}}}
		check := func(after string) {
			t.Helper()
			var rc vote.RollCall
			c.Chair.Get("/api/v1/polls/"+p+"/voters", &rc)
			if !equalRollCalls(rc, want) {
				t.Errorf("roll call of the cancelled poll after %s:\n got %+v\nwant %+v", after, rc, want)
			}
		}
		check("the cancel")
		crowd(t, srv, c.Secretary, m, 1, true)
		check("someone joined")
		c.Secretary.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"user_id": c.Delegate.UserID, "state": "absent"})
		check("the delegate was marked absent")
		step(c.Chair, p, "cancel", ok)
		check("a second cancel")
		c.Secretary.Must(204, "DELETE", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, nil)
		check("the delegate was removed")
	})
}

// TestRollCallOfPollClosedBeforeElectorsWereStored: a poll closed by an
// earlier version has no stored electorate. Its roll call lists who voted
// and nobody as not having voted (who could have is no longer known),
// rather than today's members.
func TestRollCallOfPollClosedBeforeElectorsWereStored(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("rco")
		_, p := livePoll(c, nil)
		step(c.Chair, p, "open", ok)
		voteAs(c.Chair, p, "agree").Check(t, "the chair votes", created)
		step(c.Chair, p, "close", ok)
		if err := srv.App.DB.Gorm.Exec("DELETE FROM vote_electors WHERE poll_id = ?", p).Error; err != nil {
			t.Fatal(err)
		}
		var rc vote.RollCall
		c.Chair.Get("/api/v1/polls/"+p+"/voters", &rc)
		want := vote.RollCall{PollID: p, Voted: []vote.Voter{{UserID: c.Chair.UserID, FullName: "Người chair", State: "present"}}, NotVoted: []vote.Voter{}}
		if !equalRollCalls(rc, want) {
			t.Errorf("roll call without a stored electorate:\n got %+v\nwant %+v", rc, want)
		}
	})
}

func equalRollCalls(a, b vote.RollCall) bool {
	return a.PollID == b.PollID && slices.Equal(a.Voted, b.Voted) && slices.Equal(a.NotVoted, b.NotVoted)
}
