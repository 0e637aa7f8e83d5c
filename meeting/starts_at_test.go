package meeting_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestStartsAtWithinTheYears proves that a starts_at outside the years 1
// to 9999 once in UTC is a 400 that stores nothing, on create and on
// PATCH. "9999-12-31T23:59:59-10:00" is year 10000 in UTC, which JSON
// cannot encode: stored, it made every list that shows the meeting a 500,
// for its creator and for every administrator. A valid time is kept to the
// microsecond, as PostgreSQL keeps it.
func TestStartsAtWithinTheYears(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Ordinary")
		base := "/api/v1/meetings/" + m
		sec, del := cast.Secretary, cast.Delegate
		state := func() string { return snapshot(cast, m) + lists(cast) }
		apptest.RunRefusals(t, state, []apptest.Refusal{
			{Name: "patch year 10000", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"starts_at": "9999-12-31T23:59:59-10:00"}, Want: invalid},
			{Name: "patch year 0", As: sec, Method: "PATCH", Path: base, Body: map[string]any{"starts_at": "0001-01-01T00:30:00+01:00"}, Want: invalid},
			{Name: "create year 10000", As: del, Method: "POST", Path: "/api/v1/meetings", Body: map[string]any{"title": "Far", "starts_at": "9999-12-31T23:59:59-10:00"}, Want: invalid},
			{Name: "create year 0", As: del, Method: "POST", Path: "/api/v1/meetings", Body: map[string]any{"title": "Far", "starts_at": "0001-01-01T00:30:00+01:00"}, Want: invalid},
		})

		var got struct {
			StartsAt string `json:"starts_at"`
		}
		sec.Must(ok, "PATCH", base, map[string]any{"starts_at": "9999-12-31T13:59:59.123456789-10:00"}).JSON(&got)
		if want := "9999-12-31T23:59:59.123456Z"; got.StartsAt != want {
			t.Errorf("starts_at %q, want %q (UTC, to the microsecond)", got.StartsAt, want)
		}
		del.Must(created, "POST", "/api/v1/meetings", map[string]any{"title": "Early", "starts_at": "0001-01-01T01:00:00.0000009+01:00"}).JSON(&got)
		if want := "0001-01-01T00:00:00Z"; got.StartsAt != want {
			t.Errorf("starts_at %q, want %q", got.StartsAt, want)
		}
		lists(cast) // everyone's list still reads (200)
	})
}
