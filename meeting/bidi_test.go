package meeting_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/meeting"
)

// bidiControls are the runes of unicode.Bidi_Control, named one by one:
// the Arabic letter mark, the left-to-right and right-to-left marks, the
// embeddings, pop and overrides, and the isolates.
var bidiControls = []rune{'\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
	'\u2066', '\u2067', '\u2068', '\u2069'}

// TestNotInALineRefusesBidiControls: one-line text (titles of meetings,
// agenda items, documents and polls; option labels) refuses every
// text-direction control, which would reorder the words printed after it
// in the minutes or on a watermark, as names do; and nothing more than
// before besides them: joiners, the soft hyphen, a no-break space and
// letters of right-to-left scripts are text.
func TestNotInALineRefusesBidiControls(t *testing.T) {
	for _, r := range bidiControls {
		if !meeting.NotInALine(r) {
			t.Errorf("NotInALine(%U) = false", r)
		}
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(unicode.Bidi_Control, r) && !meeting.NotInALine(r) {
			t.Errorf("NotInALine(%U) = false for a bidi control", r)
		}
	}
	for _, r := range "\u200c\u200d\u00ad\u00a0 aờĐ\u0627\u05d0\u0300" {
		if meeting.NotInALine(r) {
			t.Errorf("NotInALine(%U) = true", r)
		}
	}
	for _, r := range bidiControls {
		for _, s := range []string{"Tờ trình" + string(r), string(r) + "Tờ trình", "Tờ" + string(r) + "trình"} {
			_, err := meeting.CleanTitle("title", s)
			if err == nil || !strings.Contains(err.Error(), "text-direction controls") {
				t.Errorf("CleanTitle(%q) = %v, want a refusal naming text-direction controls", s, err)
			}
		}
	}
	if got, err := meeting.CleanTitle("title", " Báo cáo \u0627\u0644\u0639\u0631\u0628\u064a\u0629 "); err != nil || got != "Báo cáo العربية" {
		t.Errorf("a title with Arabic letters: %q, %v", got, err)
	}
}

// TestBidiControlRefusedOverREST: a meeting's, an agenda item's or a
// poll's title, or a poll option's label, holding a text-direction
// control is refused with a 400 when created and when changed, and
// nothing is written: no meeting, item or poll, no change to them, no
// audit entry.
func TestBidiControlRefusedOverREST(t *testing.T) {
	_, cast := apptest.StartCast(t, testdb.Backends()[0])
	m := cast.Meeting("Kỳ họp")
	sec := cast.Secretary
	var it struct{ ID string }
	sec.Must(created, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Nhân sự"}).JSON(&it)
	state := func() string {
		return string(sec.Must(ok, "GET", "/api/v1/meetings", nil).Body) + "\n" +
			string(sec.Must(ok, "GET", "/api/v1/meetings/"+m, nil).Body) + "\n" +
			string(sec.Must(ok, "GET", "/api/v1/meetings/"+m+"/agenda", nil).Body) + "\n" +
			string(sec.Must(ok, "GET", "/api/v1/meetings/"+m+"/polls", nil).Body) + "\n" +
			strings.Join(cast.AuditActions(t, m), ",")
	}
	before := state()
	poll := func(title, label string) map[string]any {
		return map[string]any{"title": title, "secret": false, "agenda_item_id": it.ID,
			"options": []map[string]any{{"id": "a", "label": "Bà A"}, {"id": "b", "label": label}}}
	}
	for _, r := range []rune{'\u202e', '\u2067', '\u200f', '\u061c'} {
		bad := "Nhân sự" + string(r) + " 2026"
		for _, tc := range []struct {
			name, method, path string
			body               map[string]any
			says               string
		}{
			{"create a meeting", "POST", "/api/v1/meetings", map[string]any{"title": bad}, "text-direction controls"},
			{"rename the meeting", "PATCH", "/api/v1/meetings/" + m, map[string]any{"title": bad}, "text-direction controls"},
			{"add an item", "POST", "/api/v1/meetings/" + m + "/agenda", map[string]any{"title": bad}, "text-direction controls"},
			{"add a sub-item", "POST", "/api/v1/meetings/" + m + "/agenda", map[string]any{"title": bad, "parent_id": it.ID}, "text-direction controls"},
			{"rename the item", "PATCH", "/api/v1/agenda-items/" + it.ID, map[string]any{"title": bad}, "text-direction controls"},
			{"create a poll", "POST", "/api/v1/meetings/" + m + "/polls", poll(bad, "Ông B"), "text-direction controls"},
			{"create a poll with a label", "POST", "/api/v1/meetings/" + m + "/polls", poll("Bầu tổ trưởng", bad), "option 2"},
		} {
			sec.Do(tc.method, tc.path, tc.body).Check(t, fmt.Sprintf("%s with %U", tc.name, r), invalid, tc.says)
		}
	}
	if after := state(); after != before {
		t.Fatalf("refused requests changed the state:\n%s\n%s", before, after)
	}
	// The same text without the control is taken.
	sec.Must(created, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Nhân sự 2026"})
	sec.Must(created, "POST", "/api/v1/meetings/"+m+"/polls", poll("Bầu tổ trưởng", "Ông B"))
}
