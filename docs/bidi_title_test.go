package docs_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// A document's title is printed in the minutes, where a text-direction
// control in it (U+202E …) would reorder what follows it on the line
// ("(1 trang) [Mật]"). A title given with one is refused with a 400 that
// names text-direction controls, on upload and on change, and nothing is
// written.
func TestTitleWithBidiControlRefused(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "to-trinh.pdf", testpdf.Pages(1, "x"), map[string]string{"title": "Tờ trình số 1"})
	before := r.c.AuditActions(t, r.m)
	for i, c := range []string{"\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"} {
		for _, title := range []string{"Tờ trình" + c, c + "Tờ trình", "Tờ" + c + " trình"} {
			what := fmt.Sprintf("title %q", title)
			if res := r.upload(r.c.Secretary, "a.pdf", testpdf.Pages(1, fmt.Sprint("bidi", i)), map[string]string{"title": title}); res.Status != http.StatusBadRequest ||
				!strings.Contains(string(res.Body), "text-direction controls") {
				t.Errorf("upload, %s: %d %.300s; want 400 naming text-direction controls", what, res.Status, res.Body)
			}
			if res := r.c.Secretary.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": title}); res.Status != http.StatusBadRequest ||
				!strings.Contains(string(res.Body), "text-direction controls") {
				t.Errorf("PATCH, %s: %d %.300s; want 400 naming text-direction controls", what, res.Status, res.Body)
			}
		}
	}
	var list struct{ Documents []struct{ Title string } }
	r.c.Secretary.Get("/api/v1/meetings/"+r.m+"/documents", &list)
	if len(list.Documents) != 1 || list.Documents[0].Title != "Tờ trình số 1" {
		t.Errorf("documents %+v, want only the first, titled as uploaded", list.Documents)
	}
	if after := r.c.AuditActions(t, r.m); len(after) != len(before) {
		t.Errorf("refused requests were audited: %v", after[len(before):])
	}
}

// A title taken from a file name leaves out its text-direction controls
// instead of refusing them: the user did not type them into Curia, and
// the system that named the file does not show them (cleanTitle). The
// title stored is one PATCH takes; a name that leaves nothing once they,
// the .pdf and the spaces are taken off is refused with a 400 asking for
// a title; a title given takes the place of the file name's.
func TestTitleFromFileNameDropsBidiControls(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	for i, tc := range []struct{ name, want string }{
		{"\u200fTờ trình\u200e.pdf", "Tờ trình"},
		{"Báo cáo\u202e.PDF", "Báo cáo"},
		{"\u2067\u0627\u0644\u062a\u0642\u0631\u064a\u0631\u2069 số 2.pdf", "\u0627\u0644\u062a\u0642\u0631\u064a\u0631 số 2"},
		{"Nghị\u061c quyết.pdf\u200e", "Nghị quyết"},
	} {
		res := r.upload(r.c.Secretary, tc.name, testpdf.Pages(1, fmt.Sprint("name", i)), nil)
		if res.Status != http.StatusCreated {
			t.Errorf("file %q, no title: %d %.300s, want 201", tc.name, res.Status, res.Body)
			continue
		}
		var d docs.Document
		res.JSON(&d)
		if d.Title != tc.want {
			t.Errorf("file %q: title %q, want %q", tc.name, d.Title, tc.want)
		}
		if p := r.c.Secretary.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": d.Title}); p.Status != http.StatusOK {
			t.Errorf("file %q: the stored title %q is refused by PATCH: %d", tc.name, d.Title, p.Status)
		}
	}
	for _, name := range []string{"\u202e.pdf", " \u200e .pdf\u200f"} {
		if res := r.upload(r.c.Secretary, name, testpdf.Pages(1, "empty"), nil); res.Status != http.StatusBadRequest ||
			!strings.Contains(string(res.Body), "give a title") {
			t.Errorf("file %q, no title: %d %.300s; want 400 asking for a title", name, res.Status, res.Body)
		}
	}
	if d := r.mustUpload(t, "\u202eTờ.pdf", testpdf.Pages(1, "given"), map[string]string{"title": "Tờ trình số 6"}); d.Title != "Tờ trình số 6" {
		t.Errorf("a given title and a file name with a bidi control: title %q", d.Title)
	}
	// A given title is typed: its controls are refused, whatever the file's name.
	if res := r.upload(r.c.Secretary, "a.pdf", testpdf.Pages(1, "typed"), map[string]string{"title": "\u200fTờ trình"}); res.Status != http.StatusBadRequest {
		t.Errorf("a given title with a bidi control: %d, want 400", res.Status)
	}
}
