package vote_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// Setups for the role table: each returns the {p} of a poll in the state
// the route needs.

func withDraft(c *apptest.Cast, m string) map[string]string {
	return map[string]string{"p": newPoll(c.Secretary, m, nil)}
}

// withLive puts the meeting in session and checks the chair and the
// delegate in (the secretary has no vote by default, the observer none).
func withLive(c *apptest.Cast, m string) map[string]string {
	c.SetStatus(m, "scheduled", "live")
	for _, cl := range []*apptest.Client{c.Chair, c.Delegate} {
		cl.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"state": "present"})
	}
	return withDraft(c, m)
}

func withOpen(c *apptest.Cast, m string) map[string]string {
	v := withLive(c, m)
	step(c.Chair, v["p"], "open", ok)
	return v
}

func withClosed(c *apptest.Cast, m string) map[string]string {
	v := withOpen(c, m)
	voteAs(c.Delegate, v["p"], "agree")
	step(c.Chair, v["p"], "close", ok)
	return v
}

// TestRoles tries every voting route as every part a person can play:
// outsiders get 404 (the meeting and its polls stay invisible),
// participants without the right 403.
func TestRoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		cast := srv.NewCast("vr")
		run, read := [6]int{ok, ok, forbidden, forbidden, notFound, ok}, [6]int{ok, ok, ok, ok, notFound, ok}
		cast.RunRoles(t, []apptest.RoleCase{
			{Name: "create", Method: "POST", Path: "/api/v1/meetings/{m}/polls", Body: `{"title":"Biểu quyết","secret":true}`,
				Want: [6]int{created, created, forbidden, forbidden, notFound, created}, Contains: []string{`"status":"draft"`, `"secret":true`}},
			{Name: "list", Method: "GET", Path: "/api/v1/meetings/{m}/polls", Setup: withOpen, Want: read, Contains: []string{`"id":"{p}"`}},
			{Name: "get", Method: "GET", Path: "/api/v1/polls/{p}", Setup: withOpen, Want: read,
				Contains: []string{`"status":"open"`, `"voted":0`, `"eligible":2`}},
			{Name: "get a draft", Method: "GET", Path: "/api/v1/polls/{p}", Setup: withDraft,
				Want: [6]int{ok, ok, notFound, notFound, notFound, ok}},
			{Name: "open", Method: "POST", Path: "/api/v1/polls/{p}/open", Setup: withLive, Want: run, Contains: []string{`"status":"open"`}},
			{Name: "close", Method: "POST", Path: "/api/v1/polls/{p}/close", Setup: withOpen, Want: run,
				Contains: []string{`"status":"closed"`, `"outcome":"rejected"`}},
			{Name: "publish", Method: "POST", Path: "/api/v1/polls/{p}/publish", Setup: withClosed, Want: run, Contains: []string{`"status":"published"`}},
			{Name: "cancel", Method: "POST", Path: "/api/v1/polls/{p}/cancel", Setup: withOpen, Want: run, Contains: []string{`"status":"cancelled"`}},
			{Name: "vote again", Method: "POST", Path: "/api/v1/polls/{p}/again", Setup: withClosed,
				Want: [6]int{created, created, forbidden, forbidden, notFound, created}, Contains: []string{`"again_of":"{p}"`, `"status":"draft"`}},
			{Name: "vote", Method: "POST", Path: "/api/v1/polls/{p}/votes", Setup: withOpen, Body: `{"option":"abstain"}`,
				Want: [6]int{forbidden, created, created, forbidden, notFound, forbidden}, Contains: []string{`"poll_id":"{p}"`, `"voted":true`}},
			{Name: "voters", Method: "GET", Path: "/api/v1/polls/{p}/voters", Setup: withOpen, Want: run,
				Contains: []string{`"voted":[]`, `"user_id":"{delegate}"`}},
			{Name: "results", Method: "GET", Path: "/api/v1/polls/{p}/results.json", Setup: withClosed, Want: read,
				Contains: []string{`"results":[{"option":"agree"`}},
			{Name: "results as CSV", Method: "GET", Path: "/api/v1/polls/{p}/results.csv", Setup: withClosed, Want: read,
				Contains: []string{"option,agree,Đồng ý,1,1,"}},
		})
	})
}
