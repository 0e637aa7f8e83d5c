package minutes_test

import (
	"html"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/minutes"
)

// The chair's conclusion on each agenda item ends that item in the
// minutes: under a "Kết luận" / "Conclusion" heading on the page, escaped,
// its lines kept; as `conclusion` in JSON. An item without one shows no
// heading.

// The conclusions of the scenario below: markup that must come out
// escaped, lines broken three ways, and a blank line.
const (
	conclusionLines = `Thống nhất <b>thông qua</b> báo cáo & "dự thảo" <script>alert(1)</script>`
	conclusion1     = conclusionLines + "\nGiao Văn phòng hoàn thiện.\r\nBáo cáo lại tại kỳ họp sau.\r\rHết."
	conclusion11    = "Ghi nhận ý kiến của đại biểu."
)

// concluded is a meeting with three items: the first with a conclusion,
// its sub-item with another, and the last with none.
type concluded struct {
	c                    *apptest.Cast
	m                    string
	item1, item11, item2 string
}

func setupConcluded(t *testing.T, b testdb.Backend) concluded {
	t.Helper()
	_, c := apptest.StartCast(t, b)
	m := c.Meeting("Kỳ họp có kết luận")
	sc := concluded{c: c, m: m}
	sc.item1 = addItem(c.Secretary, m, map[string]any{"title": "Báo cáo tình hình", "duration_min": 30})
	sc.item11 = addItem(c.Secretary, m, map[string]any{"title": "Thảo luận", "parent_id": sc.item1})
	sc.item2 = addItem(c.Secretary, m, map[string]any{"title": "Các vấn đề khác"})
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(ok, "PATCH", "/api/v1/agenda-items/"+sc.item1, map[string]any{"conclusion": conclusion1})
	c.Secretary.Must(ok, "PATCH", "/api/v1/agenda-items/"+sc.item11, map[string]any{"conclusion": conclusion11})
	return sc
}

func (sc concluded) page(t *testing.T, query string) string {
	t.Helper()
	res := sc.c.Secretary.Do("GET", "/api/v1/meetings/"+sc.m+"/minutes?"+query, nil)
	res.Check(t, "minutes "+query, ok)
	return string(res.Body)
}

// itemSection is the part of the page from item title's heading (the
// title isolated in its <bdi>) to the next item's (or the end of the
// agenda).
func itemSection(t *testing.T, page, number, title string) string {
	t.Helper()
	h := "<h3>" + number + ". <bdi>" + html.EscapeString(title) + "</bdi></h3>"
	i := strings.Index(page, h)
	if i < 0 {
		t.Fatalf("no heading %s in the page", h)
	}
	rest := page[i+len(h):]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func TestConclusionInMinutesJSON(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		sc := setupConcluded(t, b)
		for _, lang := range []string{"vi", "en"} {
			res := sc.c.Chair.Do("GET", "/api/v1/meetings/"+sc.m+"/minutes?format=json&lang="+lang, nil)
			res.Check(t, "JSON minutes "+lang, ok)
			var m minutes.Minutes
			res.JSON(&m)
			if len(m.Items) != 2 || len(m.Items[0].Items) != 1 {
				t.Fatalf("%s: items %+v", lang, m.Items)
			}
			// The text as written, whatever the language: it is the chair's.
			if got := m.Items[0].Conclusion; got != conclusion1 {
				t.Errorf("%s: item 1 conclusion %q, want %q", lang, got, conclusion1)
			}
			if got := m.Items[0].Items[0].Conclusion; got != conclusion11 {
				t.Errorf("%s: item 1.1 conclusion %q, want %q", lang, got, conclusion11)
			}
			if got := m.Items[1].Conclusion; got != "" {
				t.Errorf("%s: item 2 conclusion %q, want none", lang, got)
			}
			// The field is there for an item without one too: "".
			if n := strings.Count(string(res.Body), `"conclusion": `); n != 3 {
				t.Errorf("%s: %d conclusion fields in the JSON, want one per item (3)", lang, n)
			}
			if !strings.Contains(string(res.Body), `"conclusion": ""`) {
				t.Errorf("%s: the item without a conclusion has no empty conclusion field", lang)
			}
		}
	})
}

func TestConclusionInMinutesHTML(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		sc := setupConcluded(t, b)
		// Each line in its own <bdi>, the empty one too.
		wantLines := "<bdi>" + html.EscapeString(conclusionLines) + "</bdi><br>\n<bdi>Giao Văn phòng hoàn thiện.</bdi><br>\n" +
			"<bdi>Báo cáo lại tại kỳ họp sau.</bdi><br>\n<bdi></bdi><br>\n<bdi>Hết.</bdi>"
		for _, tc := range []struct{ lang, heading, other string }{
			{"vi", "Kết luận", "Conclusion"},
			{"en", "Conclusion", "Kết luận"},
		} {
			page := sc.page(t, "lang="+tc.lang)
			heading := "<strong>" + tc.heading + "</strong>"
			if n := strings.Count(page, heading); n != 2 {
				t.Errorf("%s: %d %q headings, want one for each item with a conclusion (2)", tc.lang, n, tc.heading)
			}
			if strings.Contains(page, "<strong>"+tc.other+"</strong>") {
				t.Errorf("%s: the page has the other language's heading %q", tc.lang, tc.other)
			}
			one := itemSection(t, page, "1", "Báo cáo tình hình")
			if !strings.Contains(one, heading) || !strings.Contains(one, wantLines) {
				t.Errorf("%s: item 1 lacks its conclusion, escaped with its lines kept (%q):\n%s", tc.lang, wantLines, one)
			}
			if h, c := strings.Index(one, heading), strings.Index(one, "Giao Văn phòng"); h > c {
				t.Errorf("%s: item 1's conclusion comes before its heading", tc.lang)
			}
			sub := itemSection(t, page, "1.1", "Thảo luận")
			if !strings.Contains(sub, heading) || !strings.Contains(sub, conclusion11) {
				t.Errorf("%s: item 1.1 lacks its conclusion:\n%s", tc.lang, sub)
			}
			if strings.Contains(sub, "Giao Văn phòng") {
				t.Errorf("%s: item 1.1 shows its parent's conclusion", tc.lang)
			}
			if two := itemSection(t, page, "2", "Các vấn đề khác"); strings.Contains(two, heading) || strings.Contains(two, `class="conclusion"`) {
				t.Errorf("%s: item 2 has no conclusion but shows a heading:\n%s", tc.lang, two)
			}
			// The markup in the text is text: nothing of it reaches the page as markup.
			for _, raw := range []string{"<b>thông qua</b>", "<script>alert(1)</script>", `& "dự thảo"`} {
				if strings.Contains(page, raw) {
					t.Errorf("%s: the page holds %q unescaped", tc.lang, raw)
				}
			}
		}
	})
}

// TestConclusionInFinalMinutes: a conclusion written in session is in the
// minutes of the closed meeting, which nothing can change any more.
func TestConclusionInFinalMinutes(t *testing.T) {
	sc := setupConcluded(t, testdb.Backends()[0])
	sc.c.SetStatus(sc.m, "closed")
	var m minutes.Minutes
	sc.c.Secretary.Must(ok, "GET", "/api/v1/meetings/"+sc.m+"/minutes?format=json", nil).JSON(&m)
	if m.Draft || len(m.Items) != 2 || m.Items[0].Conclusion != conclusion1 {
		t.Fatalf("final minutes: draft %v, items %+v", m.Draft, m.Items)
	}
	page := sc.page(t, "lang=vi")
	if !strings.Contains(itemSection(t, page, "1.1", "Thảo luận"), conclusion11) {
		t.Error("the final minutes page lacks item 1.1's conclusion")
	}
}
