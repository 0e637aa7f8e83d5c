package agenda_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// withItem adds an item; withLiveItem also puts the meeting in session.
func withItem(c *apptest.Cast, m string) map[string]string {
	return map[string]string{"item": addItem(c.Secretary, m, "Báo cáo kinh tế - xã hội", "")}
}

func withLiveItem(c *apptest.Cast, m string) map[string]string {
	c.SetStatus(m, "scheduled", "live")
	return withItem(c, m)
}

// withSpeaker puts the delegate on the speech queue of a live item, made
// current (the floor is given on the current item only); with speaking,
// they have the floor.
func withSpeaker(speaking bool) func(c *apptest.Cast, m string) map[string]string {
	return func(c *apptest.Cast, m string) map[string]string {
		v := withLiveItem(c, m)
		v["speaker"] = enqueue(c.Delegate, v["item"], "speech", "")
		c.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": v["item"]})
		if speaking {
			c.Chair.Must(ok, "POST", "/api/v1/speakers/"+v["speaker"]+"/start", nil)
		}
		return v
	}
}

// TestRoles tries every agenda and speaker route as every part a person
// can play: outsiders get 404 (the meeting stays invisible), participants
// without the right 403.
func TestRoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		cast.RunRoles(t, []apptest.RoleCase{
			{Name: "add item", Method: "POST", Path: "/api/v1/meetings/{m}/agenda",
				Body:     `{"title":"Khai mạc","duration_min":15,"presenter_id":"{chair}"}`,
				Want:     [6]int{created, created, forbidden, forbidden, notFound, created},
				Contains: []string{`"number":"1"`, `"title":"Khai mạc"`, `"presenter_name":"Người chair"`, `"status":"pending"`}},
			{Name: "read agenda", Method: "GET", Path: "/api/v1/meetings/{m}/agenda", Setup: withItem,
				Want: [6]int{ok, ok, ok, ok, notFound, ok}, Contains: []string{`"id":"{item}"`, `"planned_min":10`}},
			{Name: "update item", Method: "PATCH", Path: "/api/v1/agenda-items/{item}", Setup: withItem, Body: `{"duration_min":45}`,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"duration_min":45`}},
			{Name: "delete item", Method: "DELETE", Path: "/api/v1/agenda-items/{item}", Setup: withItem,
				Want: [6]int{noContent, noContent, forbidden, forbidden, notFound, noContent}},
			{Name: "reorder", Method: "PUT", Path: "/api/v1/meetings/{m}/agenda/order", Setup: withItem, Body: `{"ids":["{item}"]}`,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"id":"{item}"`}},
			{Name: "set current", Method: "PUT", Path: "/api/v1/meetings/{m}/agenda/current", Setup: withLiveItem, Body: `{"item_id":"{item}"}`,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"item_id":"{item}"`, `"became_current_at":"`}},
			{Name: "ask for the floor", Method: "POST", Path: "/api/v1/agenda-items/{item}/speakers", Setup: withItem, Body: `{"kind":"speech"}`,
				Want: [6]int{created, created, created, forbidden, notFound, forbidden}, Contains: []string{`"status":"waiting"`, `"kind":"speech"`}},
			{Name: "put the chair on the list", Method: "POST", Path: "/api/v1/agenda-items/{item}/speakers", Setup: withItem,
				Body: `{"kind":"question","user_id":"{chair}"}`,
				Want: [6]int{created, created, forbidden, forbidden, notFound, created}, Contains: []string{`"user_id":"{chair}"`}},
			{Name: "read speakers", Method: "GET", Path: "/api/v1/agenda-items/{item}/speakers", Setup: withSpeaker(false),
				Want: [6]int{ok, ok, ok, ok, notFound, ok}, Contains: []string{`"speeches":[{"id":"{speaker}"`, `"questions":[]`}},
			{Name: "start speaker", Method: "POST", Path: "/api/v1/speakers/{speaker}/start", Setup: withSpeaker(false),
				Body: `{"time_limit_sec":180}`,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"status":"active"`, `"time_limit_sec":180`}},
			{Name: "finish speaker", Method: "POST", Path: "/api/v1/speakers/{speaker}/finish", Setup: withSpeaker(true),
				Want: [6]int{ok, ok, ok, forbidden, notFound, ok}, Contains: []string{`"status":"done"`}},
			{Name: "cancel speaker", Method: "POST", Path: "/api/v1/speakers/{speaker}/cancel", Setup: withSpeaker(false),
				Want: [6]int{ok, ok, ok, forbidden, notFound, ok}, Contains: []string{`"status":"cancelled"`}},
		})
	})
}
