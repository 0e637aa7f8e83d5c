package vote_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/vote"
)

// TestReviewSecondCancelledPollCountsFollowTheLiveRoll: cancelling an
// open poll now freezes its roll call (867bf50: the electorate is stored,
// GET /polls/{id}/voters lists it "as it stood at the cancel"), but the
// poll itself (GET /polls/{id}, the list, the minutes) still counts
// `voted` and `eligible` against the live roll (view → countNow), because
// a cancel stores no tally. So once someone joins or checks in after the
// cancel, the poll says 3 eligible while its roll call lists 2; before
// 867bf50 both followed the live roll and agreed. A stopped poll's counts
// must be those of its frozen roll call.
func TestReviewSecondCancelledPollCountsFollowTheLiveRoll(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("r2c")
		m, p := livePoll(c, nil)
		step(c.Chair, p, "open", ok)
		voteAs(c.Chair, p, "agree").Check(t, "the chair votes", created)
		cancelled := step(c.Chair, p, "cancel", ok)
		if cancelled.Voted != 1 || cancelled.Eligible != 2 {
			t.Fatalf("at the cancel: voted %d of %d, want 1 of 2", cancelled.Voted, cancelled.Eligible)
		}
		crowd(t, srv, c.Secretary, m, 1, true) // joins after the cancel, checked in

		var rc vote.RollCall
		c.Chair.Get("/api/v1/polls/"+p+"/voters", &rc)
		got := readPoll(c.Chair, p)
		if n := len(rc.Voted) + len(rc.NotVoted); got.Eligible != n || got.Voted != len(rc.Voted) {
			t.Errorf("the cancelled poll says %d voted of %d eligible, its frozen roll call %d voted + %d not voted",
				got.Voted, got.Eligible, len(rc.Voted), len(rc.NotVoted))
		}
		if got.Eligible != cancelled.Eligible {
			t.Errorf("eligible of the cancelled poll went from %d at the cancel to %d after someone joined",
				cancelled.Eligible, got.Eligible)
		}
	})
}
