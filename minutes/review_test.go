package minutes_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// TestReviewMinutesIsolatesBidiControls proves that text-direction
// controls typed into titles reach the printable minutes unisolated, where
// they reorder the words the minutes put after them on the same line. Names
// refuse them for exactly that reason (account.offLine: they "would change
// how ... a row of the minutes is drawn"), but an agenda item's title, a
// document's title, a poll's title and its option labels accept U+202E
// (RIGHT-TO-LEFT OVERRIDE, not a control character to meeting.NotInALine),
// and html/template does not touch it: a confidential document titled
// "Tờ trình\u202e" is printed as "Tờ trình" followed by "(1 trang) [Mật]"
// drawn backwards, and a poll's title turns "— Biểu quyết công khai;
// Trạng thái: …" around. Either the input is refused (4xx) or the page
// isolates each such text (<bdi>, or the controls left out).
func TestReviewMinutesIsolatesBidiControls(t *testing.T) {
	_, c := apptest.StartCast(t, testdb.Backends()[0])
	sec := c.Secretary
	m := c.Meeting("Kỳ họp thường kỳ")
	var item struct{ ID string }
	if res := sec.Do("POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Nhân sự \u202e"}); res.Status == created {
		res.JSON(&item)
	} else {
		sec.Must(created, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Nhân sự"}).JSON(&item)
	}
	res := sec.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(1, "bidi"),
		map[string]string{"title": "Tờ trình\u202e", "agenda_item_id": item.ID, "confidential": "true", "reader_ids": c.Delegate.UserID})
	if res.Status != created && res.Status/100 != 4 {
		t.Fatalf("upload: %d %s", res.Status, res.Body)
	}
	res = sec.Do("POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Bầu tổ trưởng\u202e", "secret": false,
		"agenda_item_id": item.ID, "options": []map[string]any{{"id": "a", "label": "Ông A\u202e"}, {"id": "b", "label": "Bà B"}}})
	if res.Status != created && res.Status/100 != 4 {
		t.Fatalf("poll: %d %s", res.Status, res.Body)
	}
	for _, lang := range []string{"vi", "en"} {
		page := string(sec.Must(ok, "GET", "/api/v1/meetings/"+m+"/minutes?lang="+lang, nil).Body)
		outside := regexp.MustCompile(`(?s)<bdi[^>]*>.*?</bdi>`).ReplaceAllString(page, "")
		for i, r := range outside {
			if unicode.Is(unicode.Bidi_Control, r) {
				t.Errorf("lang=%s: the minutes hold %U outside any isolate: …%s…", lang, r, strings.ToValidUTF8(outside[max(0, i-60):min(len(outside), i+60)], "?"))
			}
		}
	}
}
