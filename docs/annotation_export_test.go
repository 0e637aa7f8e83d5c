package docs_test

import (
	"bufio"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curia/curia/internal/testdb"
)

// A delegate downloads the document with their own annotations drawn in
// (and the shared ones if they ask), at the right places on the right
// pages, never another's private ones; a confidential document's export
// is their watermarked copy. Checked by rendering the export.
func TestAnnotatedExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		red := func(id string, page int, shared bool, y float64) map[string]any {
			return map[string]any{"id": id, "page": page, "kind": "ink", "shared": shared,
				"data": map[string]any{"colour": "#ff0000", "width": 6, "strokes": [][][]float64{{{60, y}, {160, y}}}}}
		}
		path := annotationsPath(r.open.ID)
		r.c.Delegate.Must(http.StatusCreated, "POST", path, red("mine", 2, false, 300))
		r.other.Must(http.StatusCreated, "POST", path, red("theirs-shared", 3, true, 400))
		r.other.Must(http.StatusCreated, "POST", path, map[string]any{"id": "theirs-private", "page": 1, "kind": "note",
			"data": map[string]any{"x": 300, "y": 300, "text": "Bí mật của tôi"}})

		own := r.c.Delegate.Do("GET", "/api/v1/documents/"+r.open.ID+"/annotated.pdf", nil)
		if own.Status != 200 || own.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(own.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("export: %d %v", own.Status, own.Header)
		}
		wantPixel(t, own.Body, 2, 110, 300, true)
		for _, p := range []int{1, 3, 4} {
			wantPixel(t, own.Body, p, 110, 300, false)
		}
		wantPixel(t, own.Body, 3, 110, 400, false) // shared, not asked for
		withShared := r.c.Delegate.Do("GET", "/api/v1/documents/"+r.open.ID+"/annotated.pdf?shared=true", nil)
		wantPixel(t, withShared.Body, 2, 110, 300, true)
		wantPixel(t, withShared.Body, 3, 110, 400, true)
		if text := pdfText(t, withShared.Body); strings.Contains(text, "Bí mật") {
			t.Error("another delegate's private note is in the export")
		}
		// The two copies download under names of their own.
		_, ownName, _ := mime.ParseMediaType(own.Header.Get("Content-Disposition"))
		_, sharedName, _ := mime.ParseMediaType(withShared.Header.Get("Content-Disposition"))
		if !strings.HasSuffix(ownName["filename"], " – ghi chú.pdf") || !strings.HasSuffix(sharedName["filename"], " – ghi chú chung.pdf") {
			t.Errorf("file names %q and %q, want … – ghi chú.pdf and … – ghi chú chung.pdf", ownName["filename"], sharedName["filename"])
		}

		// A confidential document: the reader's stamped copy, with marks.
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(r.conf.ID), red("conf", 1, false, 500))
		res := r.c.Delegate.Do("GET", "/api/v1/documents/"+r.conf.ID+"/annotated.pdf", nil)
		copyID := res.Header.Get("X-Curia-Copy-Id")
		opened := r.c.Delegate.Do("GET", "/api/v1/documents/"+r.conf.ID+"/file", nil)
		if res.Status != 200 || copyID == "" || copyID != opened.Header.Get("X-Curia-Copy-Id") {
			t.Fatalf("confidential export: %d, copy %q (file's %q)", res.Status, copyID, opened.Header.Get("X-Curia-Copy-Id"))
		}
		wantPixel(t, res.Body, 1, 110, 500, true)
		if text := strings.Join(strings.Fields(pdfText(t, res.Body)), ""); text != "" && !strings.Contains(text, copyID) {
			t.Errorf("the export lacks the watermark %s", copyID)
		}
		if res := r.c.Observer.Do("GET", "/api/v1/documents/"+r.conf.ID+"/annotated.pdf", nil); res.Status != 404 {
			t.Errorf("an observer exported a confidential document: %d", res.Status)
		}
		if res := r.c.Delegate.Do("GET", "/api/v1/documents/"+r.open.ID+"/annotated.pdf?shared=perhaps", nil); res.Status != 400 {
			t.Errorf("shared=perhaps: %d", res.Status)
		}

		var entries struct {
			Entries []struct{ Detail map[string]any }
		}
		r.c.Admin.Get("/api/v1/audit?action=document.exported&actor_id="+r.c.Delegate.UserID, &entries)
		if len(entries.Entries) != 3 || entries.Entries[0].Detail["copy_id"] != copyID {
			t.Errorf("exports audited: %+v", entries.Entries)
		}
		if tmp, _ := leftovers(t, r.s); len(tmp) != 0 {
			t.Errorf("exports left files: %v", tmp)
		}
	})
}

// wantPixel renders one page of pdf at 72 dpi (a pixel per point of the
// displayed page) and checks whether (x, y) is red.
func wantPixel(t *testing.T, pdf []byte, page, x, y int, red bool) {
	t.Helper()
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	p := fmt.Sprint(page)
	if out, err := exec.Command(bin, "-r", "72", "-cropbox", "-f", p, "-l", p, "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.ppm"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var magic string
	var w, h, maxVal int
	if _, err := fmt.Fscan(br, &magic, &w, &h, &maxVal); err != nil || magic != "P6" || x >= w || y >= h {
		t.Fatalf("render: %v %s %dx%d", err, magic, w, h)
	}
	br.ReadByte()
	if _, err := br.Discard(3 * (y*w + x)); err != nil {
		t.Fatal(err)
	}
	var rgb [3]byte
	if _, err := io.ReadFull(br, rgb[:]); err != nil {
		t.Fatal(err)
	}
	if got := rgb[0] > 200 && rgb[1] < 80 && rgb[2] < 80; got != red {
		t.Errorf("page %d at (%d,%d) is rgb%v; want red: %v", page, x, y, rgb, red)
	}
}
