package meeting_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

const (
	ok        = http.StatusOK
	created   = http.StatusCreated
	noContent = http.StatusNoContent
	forbidden = http.StatusForbidden
	notFound  = http.StatusNotFound
)

// live puts a meeting in session.
func live(c *apptest.Cast, m string) map[string]string {
	c.SetStatus(m, "scheduled", "live")
	return nil
}

// TestRoles tries every meeting route as every part a person can play.
// Outsiders must not learn that a meeting exists (404); participants
// without the right get 403.
func TestRoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		cast.RunRoles(t, []apptest.RoleCase{
			{Name: "get meeting", Method: "GET", Path: "/api/v1/meetings/{m}",
				Want: [6]int{ok, ok, ok, ok, notFound, ok}, Contains: []string{`"id":"{m}"`, `"status":"draft"`}},
			{Name: "update meeting", Method: "PATCH", Path: "/api/v1/meetings/{m}", Body: `{"title":"Kỳ họp bất thường"}`,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"title":"Kỳ họp bất thường"`}},
			{Name: "schedule", Method: "POST", Path: "/api/v1/meetings/{m}/status", Body: `{"status":"scheduled"}`,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"status":"scheduled"`}},
			{Name: "put participant", Method: "PUT", Path: "/api/v1/meetings/{m}/participants/{observer}", Body: `{"role":"delegate"}`,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"role":"delegate"`, `"can_vote":true`}},
			{Name: "list participants", Method: "GET", Path: "/api/v1/meetings/{m}/participants",
				Want: [6]int{ok, ok, ok, ok, notFound, ok}, Contains: []string{`"user_id":"{chair}"`, `"full_name":"Người chair"`}},
			{Name: "remove participant", Method: "DELETE", Path: "/api/v1/meetings/{m}/participants/{observer}",
				Want: [6]int{noContent, noContent, forbidden, forbidden, notFound, noContent}},
			{Name: "record someone's attendance", Method: "POST", Path: "/api/v1/meetings/{m}/attendance",
				Body: `{"user_id":"{delegate}","state":"absent","reason":"công tác"}`,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"state":"absent"`, `"reason":"công tác"`}},
			{Name: "check in", Method: "POST", Path: "/api/v1/meetings/{m}/attendance", Body: `{"state":"present"}`, Setup: live,
				Want: [6]int{ok, ok, ok, ok, notFound, forbidden}, Contains: []string{`"state":"present"`, `"quorum"`}},
			{Name: "list attendance", Method: "GET", Path: "/api/v1/meetings/{m}/attendance",
				Want: [6]int{ok, ok, ok, ok, notFound, ok}, Contains: []string{`"state":"unknown"`}},
			{Name: "quorum", Method: "GET", Path: "/api/v1/meetings/{m}/quorum",
				Want: [6]int{ok, ok, ok, ok, notFound, ok}, Contains: []string{`"eligible":2`, `"required":2`, `"reached":false`}},
		})
	})
}

// TestCreateAndList checks that anyone may create a meeting and becomes
// its secretary, and that lists show only one's own meetings, or all to an admin.
func TestCreateAndList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv, cast := apptest.StartCast(t, b)
		res := cast.Outsider.Do("POST", "/api/v1/meetings", map[string]any{"title": "  Họp giao ban  ", "location": "Phòng 2",
			"starts_at": "2030-05-01T08:00:00+07:00"})
		res.Check(t, "create", created, `"title":"Họp giao ban"`, `"my_role":"secretary"`, `"status":"draft"`,
			`"starts_at":"2030-05-01T01:00:00Z"`, `"quorum":{"rule":"majority","by_weight":false}`)
		m := cast.Meeting("Kỳ họp thứ 12")
		for _, tc := range []struct {
			role        string
			sees, hides []string
		}{
			{"secretary", []string{m}, []string{"Họp giao ban"}},
			{"delegate", []string{m, `"my_role":"delegate"`}, []string{"Họp giao ban"}},
			{"outsider", []string{"Họp giao ban"}, []string{m}},
			{"admin", []string{m, "Họp giao ban", `"my_role":""`}, nil},
		} {
			res := cast.As(tc.role).Do("GET", "/api/v1/meetings", nil)
			res.Check(t, tc.role+" lists", ok, tc.sees...)
			for _, h := range tc.hides {
				if strings.Contains(string(res.Body), h) {
					t.Errorf("%s sees %s: %s", tc.role, h, res.Body)
				}
			}
		}
		srv.Anonymous().Do("GET", "/api/v1/meetings", nil).Check(t, "anonymous", http.StatusUnauthorized)
	})
}
