package docs_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// A title names the file in Content-Disposition and in the watermark: one
// with a control character (DEL included) is refused with a 400 that says
// so, on upload (given or taken from the file name) and on change, and
// nothing is written.
func TestTitleWithControlCharactersRefused(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	for _, title := range []string{"Tờ\x7ftrình", "Tờ\ntrình", "Tờ\ttrình", "Tờ\u0085trình"} {
		res := r.upload(r.c.Secretary, "s.pdf", testpdf.Pages(1, "del"), map[string]string{"title": title})
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "control characters") {
			t.Errorf("upload titled %q: %d %s, want 400 naming control characters", title, res.Status, res.Body)
		}
	}
	if res := r.upload(r.c.Secretary, "Tờ\x7ftrình.pdf", testpdf.Pages(1, "del"), nil); res.Status != http.StatusBadRequest {
		t.Errorf("upload of a file named with a DEL and no title: %d %s, want 400", res.Status, res.Body)
	}
	var list struct{ Documents []struct{ ID string } }
	r.c.Secretary.Get("/api/v1/meetings/"+r.m+"/documents", &list)
	if len(list.Documents) != 0 {
		t.Fatalf("refused uploads were stored: %+v", list.Documents)
	}
	d := r.mustUpload(t, "s.pdf", testpdf.Pages(1, "ok"), map[string]string{"title": "  Tờ trình số 5  "})
	if d.Title != "Tờ trình số 5" {
		t.Errorf("title %q", d.Title)
	}
	if res := r.c.Secretary.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Tờ\x7ftrình"}); res.Status != http.StatusBadRequest {
		t.Errorf("PATCH a title with a DEL: %d %s, want 400", res.Status, res.Body)
	}
}

// A title taken from the file name is cleaned as a given title is, so an
// upload never stores a title that PATCH refuses: trimmed, the .pdf taken
// off in any case, and a name that leaves nothing (" .pdf") refused with
// a 400 that asks for a title.
func TestTitleFromFileNameIsCleaned(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	for name, want := range map[string]string{"  Tờ trình  .pdf": "Tờ trình", "Báo cáo.PDF": "Báo cáo", "a.Pdf": "a",
		" .pdf": "", ".PDF": ""} {
		res := r.upload(r.c.Secretary, name, testpdf.Pages(1, name), nil)
		if want == "" {
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "give a title") {
				t.Errorf("file %q, no title: %d %s; want 400 asking for a title", name, res.Status, res.Body)
			}
			continue
		}
		var d docs.Document
		res.JSON(&d)
		if res.Status != http.StatusCreated || d.Title != want {
			t.Errorf("file %q, no title: %d, title %q; want 201 and %q", name, res.Status, d.Title, want)
			continue
		}
		if p := r.c.Secretary.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": d.Title}); p.Status != 200 {
			t.Errorf("file %q: the stored title %q is refused by PATCH: %d", name, d.Title, p.Status)
		}
	}
	// A title given takes the place of a file name that gives none.
	if d := r.mustUpload(t, " .pdf", testpdf.Pages(1, "given"), map[string]string{"title": "Tờ trình số 6"}); d.Title != "Tờ trình số 6" {
		t.Errorf("title %q", d.Title)
	}
}

// A document's title is one line by the rule of meeting.CleanTitle
// (meeting.NotInALine): the Unicode line and paragraph separators (U+2028,
// U+2029), which are not control characters but break a line as a line
// feed does on the watermark, in the minutes and in file names, are
// refused with a 400 on change and on upload (given or taken from the
// file name), and nothing is stored.
func TestTitleWithALineSeparatorRefused(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "to-trinh.pdf", testpdf.Pages(1, "x"), nil)
	for _, sep := range []string{"\u2028", "\u2029"} {
		if res := r.c.Secretary.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Tờ" + sep + "trình"}); res.Status != http.StatusBadRequest {
			t.Errorf("PATCH title with %U: %d %.200s, want 400", []rune(sep)[0], res.Status, res.Body)
		}
		if res := r.upload(r.c.Secretary, "a.pdf", testpdf.Pages(1, "y"), map[string]string{"title": "Tờ" + sep + "trình"}); res.Status != http.StatusBadRequest {
			t.Errorf("upload titled with %U: %d %.200s, want 400", []rune(sep)[0], res.Status, res.Body)
		}
		if res := r.upload(r.c.Secretary, "Tờ"+sep+"trình.pdf", testpdf.Pages(1, "z"), nil); res.Status != http.StatusBadRequest {
			t.Errorf("upload of a file named with %U and no title: %d %.200s, want 400", []rune(sep)[0], res.Status, res.Body)
		}
	}
	var list struct{ Documents []struct{ Title string } }
	r.c.Secretary.Get("/api/v1/meetings/"+r.m+"/documents", &list)
	if len(list.Documents) != 1 || list.Documents[0].Title != "to-trinh" {
		t.Errorf("documents %+v, want only the first, titled %q", list.Documents, "to-trinh")
	}
}
