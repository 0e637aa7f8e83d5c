package meeting_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/meeting"
)

// TestTitlesAreOneLine proves that the shared title cleaner (meeting and
// agenda item titles) refuses the Unicode line and paragraph separators
// (U+2028, U+2029) inside a title, as it refuses a line feed: a title is
// one line. At either end they are trimmed like other white space.
func TestTitlesAreOneLine(t *testing.T) {
	for _, sep := range []string{"\u2028", "\u2029", "\n", "\r", "\u0085"} {
		if _, err := meeting.CleanTitle("title", "Kỳ họp"+sep+"thứ hai"); err == nil {
			t.Errorf("CleanTitle accepts %q inside a title", sep)
		}
		if got, err := meeting.CleanTitle("title", sep+"Kỳ họp"+sep); err != nil || got != "Kỳ họp" {
			t.Errorf("CleanTitle(%q around) = %q, %v", sep, got, err)
		}
	}
	if _, err := meeting.CleanNote("description", "một\u2028hai", 100); err != nil {
		t.Errorf("a note may span lines: %v", err)
	}
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Một dòng")
		sec := cast.Secretary
		var it struct{ ID string }
		sec.Must(created, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Mục"}).JSON(&it)
		state := func() string {
			return snapshot(cast, m) + lists(cast) + string(sec.Must(ok, "GET", "/api/v1/meetings/"+m+"/agenda", nil).Body)
		}
		apptest.RunRefusals(t, state, []apptest.Refusal{
			{Name: "create a meeting", As: sec, Method: "POST", Path: "/api/v1/meetings", Body: map[string]any{"title": "a\u2028b"}, Want: invalid},
			{Name: "rename a meeting", As: sec, Method: "PATCH", Path: "/api/v1/meetings/" + m, Body: map[string]any{"title": "a\u2029b"}, Want: invalid},
			{Name: "add an item", As: sec, Method: "POST", Path: "/api/v1/meetings/" + m + "/agenda", Body: map[string]any{"title": "a\u2028b"}, Want: invalid},
			{Name: "rename an item", As: sec, Method: "PATCH", Path: "/api/v1/agenda-items/" + it.ID, Body: map[string]any{"title": "a\u2029b"}, Want: invalid},
		})
	})
}
