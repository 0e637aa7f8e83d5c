package vote_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/vote"
)

// TestLifecycleEventsAndAudit walks a poll from draft to published: each
// step answers, publishes its event after commit and writes its audit
// entry; a repeated open or close changes nothing; a refused step does
// neither.
func TestLifecycleEventsAndAudit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		pub := newSplitter()
		rec := pub.steps
		srv := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := srv.NewCast("vl")
		m, p := livePoll(c, map[string]any{"title": "Bầu thư ký", "secret": false})
		base := "/api/v1/polls/" + p
		vote1 := map[string]any{"option": "agree"}
		c.RunSteps(t, rec, m, []apptest.Step{
			{Name: "vote in a draft", As: c.Chair, Method: "POST", Path: base + "/votes", Body: vote1, Want: conflict},
			{Name: "open as delegate", As: c.Delegate, Method: "POST", Path: base + "/open", Want: forbidden},
			{Name: "open", As: c.Chair, Method: "POST", Path: base + "/open", Want: ok, Events: []string{"poll.opened"}, Action: "poll.opened"},
			{Name: "open again", As: c.Secretary, Method: "POST", Path: base + "/open", Want: ok},
			{Name: "publish an open poll", As: c.Chair, Method: "POST", Path: base + "/publish", Want: conflict},
			{Name: "vote", As: c.Delegate, Method: "POST", Path: base + "/votes", Body: vote1, Want: created, Action: "vote.cast"},
			{Name: "vote twice", As: c.Delegate, Method: "POST", Path: base + "/votes", Body: vote1, Want: conflict},
			{Name: "observer votes", As: c.Observer, Method: "POST", Path: base + "/votes", Body: vote1, Want: forbidden},
			{Name: "close", As: c.Chair, Method: "POST", Path: base + "/close", Want: ok, Events: []string{"poll.closed"}, Action: "poll.closed",
				Then: func(t *testing.T, es []event.Event) {
					if p := es[0].Data.(vote.Poll); p.Outcome != vote.Adopted || len(p.Votes) != 0 || p.Results[0].Votes != 1 {
						t.Errorf("poll.closed carries outcome %q, votes %v, results %v", p.Outcome, p.Votes, p.Results)
					}
				}},
			{Name: "close again", As: c.Chair, Method: "POST", Path: base + "/close", Want: ok},
			{Name: "vote after close", As: c.Chair, Method: "POST", Path: base + "/votes", Body: vote1, Want: conflict},
			{Name: "publish", As: c.Secretary, Method: "POST", Path: base + "/publish", Want: ok, Events: []string{"poll.published"}, Action: "poll.published",
				Then: func(t *testing.T, es []event.Event) {
					if p := es[0].Data.(vote.Poll); len(p.Votes) != 1 || p.Votes[0].UserID != c.Delegate.UserID {
						t.Errorf("poll.published names votes %v", p.Votes)
					}
				}},
			{Name: "cancel a published poll", As: c.Chair, Method: "POST", Path: base + "/cancel", Want: conflict},
			{Name: "vote again", As: c.Chair, Method: "POST", Path: base + "/again", Want: created, Events: []string{"poll.created"}, Action: "poll.created",
				Then: func(t *testing.T, es []event.Event) {
					if !slices.Equal(es[0].Audience, []string{c.Chair.UserID, c.Secretary.UserID}) &&
						!slices.Equal(es[0].Audience, []string{c.Secretary.UserID, c.Chair.UserID}) {
						t.Errorf("a draft is announced to %v, not just the managers", es[0].Audience)
					}
				}},
		})
	})
}

// TestOutcomeAndExport votes a weighted motion through the API and reads
// the stored result back as JSON and CSV.
func TestOutcomeAndExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vo")
		m, p := livePoll(c, map[string]any{"title": "Dự toán ngân sách", "secret": true, "majority": "absolute"})
		c.Secretary.Must(ok, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Chair.UserID, map[string]any{"role": "chair", "weight": 3})
		step(c.Chair, p, "open", ok)
		voteAs(c.Chair, p, "agree").Check(t, "chair votes", created, `"voted":true`)
		voteAs(c.Delegate, p, "disagree").Check(t, "delegate votes", created)
		got := step(c.Chair, p, "close", ok)
		want := map[string]int64{"agree": 3, "disagree": 1, "abstain": 0}
		if w := got.weights(); !maps.Equal(w, want) {
			t.Errorf("weights %v, want %v", w, want)
		}
		// 4 of 4 members' weight voted; absolute needs more than 2, the chair's 3 carries it.
		if got.Outcome != "adopted" || got.Decision.Required != 3 || got.Electorate.Voted != 2 || got.Electorate.MembersWeight != 4 {
			t.Errorf("outcome %q decision %+v electorate %+v", got.Outcome, got.Decision, got.Electorate)
		}
		var exported poll
		c.Delegate.Get("/api/v1/polls/"+p+"/results.json", &exported)
		if exported.Outcome != "adopted" || len(exported.Votes) != 0 {
			t.Errorf("results.json: %+v", exported)
		}
		res := c.Observer.Must(ok, "GET", "/api/v1/polls/"+p+"/results?format=csv", nil)
		csv := string(res.Body)
		for _, line := range []string{"option,agree,Đồng ý,1,3,", "electorate,voted,,2,4,", "decision,outcome,adopted,,,"} {
			if !strings.Contains(csv, line+"\n") {
				t.Errorf("CSV lacks %q:\n%s", line, csv)
			}
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("CSV served as %q", ct)
		}
	})
}
