package meeting_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/meeting"
)

// TestQuorumChangedFollowsTheRoll proves that every screen's quorum
// follows changes that move it without anyone's attendance changing:
// taking a vote away, changing a weight or a role, adding or removing a
// member, and a new quorum rule each publish quorum.changed, to everyone,
// after the commit, carrying the quorum as GET /quorum then reads it (the
// Quorum that attendance.changed carries too).
func TestQuorumChangedFollowsTheRoll(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		s, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Quorum follows the roll")
		base := "/api/v1/meetings/" + m
		extra := s.SignIn(s.CreateUser("quorum.extra", "Người thêm", false))
		cast.Secretary.Must(created, "PUT", base+"/participants/"+extra.UserID, map[string]any{"role": "delegate"})
		cast.SetStatus(m, "scheduled", "live")
		cast.Delegate.Must(ok, "POST", base+"/attendance", map[string]any{"state": "present"})
		extra.Must(ok, "POST", base+"/attendance", map[string]any{"state": "present"})

		carries := func(what string, eligible int) {
			t.Helper()
			var want meeting.Quorum
			cast.Observer.Get(base+"/quorum", &want)
			if want.Eligible != eligible {
				t.Fatalf("%s: quorum reads %+v, want eligible %d", what, want, eligible)
			}
			var types []string
			for _, e := range apptest.Drain(rec) {
				types = append(types, e.Type)
				if e.Type != "quorum.changed" {
					continue
				}
				if e.Audience != nil || e.Exclude != nil {
					t.Errorf("%s: quorum.changed goes to %v except %v, want everyone", what, e.Audience, e.Exclude)
				}
				if got, isQ := e.Data.(meeting.QuorumChange); !isQ || got.Quorum != want {
					t.Errorf("%s: quorum.changed carries %#v, want %+v", what, e.Data, want)
				}
				return
			}
			t.Errorf("%s: the quorum is now %+v, but no quorum.changed (events: %v)", what, want, types)
		}

		apptest.Drain(rec)
		cast.Secretary.Must(ok, "PUT", base+"/participants/"+extra.UserID, map[string]any{"role": "delegate", "can_vote": false})
		carries("vote taken away", 2) // the chair and the delegate
		cast.Secretary.Must(ok, "PATCH", base, map[string]any{"quorum": map[string]any{"rule": "majority", "by_weight": true}})
		carries("rule by weight", 2)
		cast.Secretary.Must(ok, "PUT", base+"/participants/"+cast.Delegate.UserID, map[string]any{"role": "delegate", "weight": 5})
		carries("weight changed", 6)
		cast.Secretary.Must(ok, "PUT", base+"/participants/"+cast.Chair.UserID, map[string]any{"role": "secretary"})
		carries("role changed", 5) // a secretary has no vote by default
		cast.Secretary.Must(ok, "PUT", base+"/participants/"+extra.UserID, map[string]any{"role": "delegate"})
		carries("vote given back", 6)
		cast.Secretary.Must(noContent, "DELETE", base+"/participants/"+cast.Delegate.UserID, nil)
		carries("member removed", 1)
	})
}
