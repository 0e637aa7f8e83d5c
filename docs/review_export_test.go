package docs_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestReviewExportResumedDownloadIsOneFile proves that the annotated
// export answered Range requests (http.ServeContent, no ETag, Last-Modified
// to the second) although every request draws a new file whose bytes
// differ (pdfcpu writes a fresh /ID, and object streams can differ in
// length): a download resumed with If-Range set to the Last-Modified it
// was given got a 206 whose bytes belong to another file, and the
// browser stitched a corrupt PDF. Each part was also audited as an export
// of its own. Now the route refuses Range ("Accept-Ranges: none", the
// whole file again): a resumed download is one file, and each request
// one export.
func TestReviewExportResumedDownloadIsOneFile(t *testing.T) {
	r := newAnnRoom(t, testdb.Backends()[0])
	r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(r.open.ID), ink("resume", 1, false))
	path := "/api/v1/documents/" + r.open.ID + "/annotated.pdf"
	full := r.c.Delegate.Do("GET", path, nil)
	if full.Status != http.StatusOK {
		t.Fatalf("export: %d %s", full.Status, full.Body)
	}
	if got := full.Header.Get("Accept-Ranges"); got != "none" {
		t.Errorf("the export offers ranges (Accept-Ranges %q) of a file drawn afresh on every request", got)
	}
	const from = 100
	part := r.c.Delegate.Do("GET", path, nil, "Range", fmt.Sprintf("bytes=%d-", from), "If-Range", full.Header.Get("Last-Modified"))
	switch part.Status {
	case http.StatusOK: // Range refused: the whole of a file
		wholeExport(t, part)
	case http.StatusPartialContent:
		stitched := append(bytes.Clone(full.Body[:from]), part.Body...)
		if !bytes.Equal(stitched, full.Body) {
			t.Fatalf("a resumed download of the annotated export (If-Range: %s, 206) is not the file it resumes: "+
				"%d bytes stitched vs %d, first difference at byte %d",
				full.Header.Get("Last-Modified"), len(stitched), len(full.Body), firstDiff(stitched, full.Body))
		}
	default:
		t.Fatalf("Range request: %d %s", part.Status, part.Body)
	}
	if n := exportsAudited(t, r); n != 2 {
		t.Errorf("two requests of the export: %d document.exported entries, want 2", n)
	}
}

// wholeExport checks that res is a whole annotated PDF, sent as one file
// whose length is told and whose ranges are not offered.
func wholeExport(t *testing.T, res apptest.Response) {
	t.Helper()
	if res.Status != http.StatusOK {
		t.Fatalf("export: %d %s", res.Status, res.Body)
	}
	if got := res.Header.Get("Accept-Ranges"); got != "none" {
		t.Errorf("Accept-Ranges %q, want none", got)
	}
	if got := res.Header.Get("Content-Length"); got != fmt.Sprint(len(res.Body)) {
		t.Errorf("Content-Length %q for %d bytes", got, len(res.Body))
	}
	for _, h := range []string{"Content-Range", "ETag", "Last-Modified"} {
		if v := res.Header.Get(h); v != "" {
			t.Errorf("%s: %q on an export drawn afresh", h, v)
		}
	}
	if !bytes.HasPrefix(res.Body, []byte("%PDF-")) || !bytes.Contains(res.Body[max(0, len(res.Body)-64):], []byte("%%EOF")) {
		t.Errorf("not a whole PDF: %d bytes, starting %q", len(res.Body), res.Body[:min(16, len(res.Body))])
	}
}

// exportsAudited counts the delegate's document.exported entries.
func exportsAudited(t *testing.T, r *annRoom) int {
	t.Helper()
	var entries struct{ Entries []struct{ Action string } }
	r.c.Admin.Get("/api/v1/audit?action=document.exported&actor_id="+r.c.Delegate.UserID, &entries)
	return len(entries.Entries)
}

// Whatever its Range and If-Range headers, and for a confidential copy
// too, a request of the export is answered 200 with the whole of one
// newly drawn file, and audited as one export.
func TestReviewExportIgnoresRange(t *testing.T) {
	r := newAnnRoom(t, testdb.Backends()[0])
	for _, id := range []string{r.open.ID, r.conf.ID} {
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(id), ink("range-"+id, 1, false))
	}
	requests := 0
	for _, id := range []string{r.open.ID, r.conf.ID} {
		path := "/api/v1/documents/" + id + "/annotated.pdf"
		for _, h := range [][]string{
			nil,
			{"Range", "bytes=10-19"},
			{"Range", "bytes=0-0,5-9"},
			{"Range", "bytes=100-"},
			{"Range", "bytes=99999999-"}, // past the end: no 416 either
			{"Range", "bytes=100-", "If-Range", time.Now().UTC().Format(http.TimeFormat)},
			{"Range", "bytes=100-", "If-Range", `"anything"`},
		} {
			res := r.c.Delegate.Do("GET", path, nil, h...)
			requests++
			wholeExport(t, res)
			if id == r.conf.ID && res.Header.Get("X-Curia-Copy-Id") == "" {
				t.Errorf("confidential export %v: no X-Curia-Copy-Id", h)
			}
		}
	}
	if n := exportsAudited(t, r); n != requests {
		t.Errorf("%d requests of the export: %d document.exported entries", requests, n)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestReviewExportHugeAnnotationSetIsNot500 proves that a reader whose own
// annotations (110 ink annotations of 20 000 points, on 4 pages: within
// the counts of AnnotationLimits, and its bytes lifted for the test) make a marks file larger than the worker reads
// (maxMarksFile, 64 MiB) got a 500 "internal error" for their export:
// the worker's decode of the truncated file is KindInternal, which
// exportError does not word. The server also loaded every row and wrote
// the whole file first, whatever its size. It is the 422 "too many
// annotations to draw into one copy" (reason too_many_marks) that a worker
// timeout gives, decided while the rows are read, before the file is
// written; nothing is audited and no file is left.
func TestReviewExportHugeAnnotationSetIsNot500(t *testing.T) {
	r := newAnnRoom(t, testdb.Backends()[0])
	// Many readers' shared marks make such a file too; one author's stand
	// in for them, past the byte budget an author has on a version.
	docs.SetAnnotationLimits(r.s.App.Docs, docs.AnnotationLimits{BytesPerVersion: 1 << 30})
	for i := range 110 {
		strokes := make([][][]float64, 4)
		for s := range strokes {
			pts := make([][]float64, 5000)
			for j := range pts {
				pts[j] = []float64{100 + float64(j%400) + 0.37, 100 + float64(s*100) + float64(j%97) + 0.53, 0.55}
			}
			strokes[s] = pts
		}
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(r.open.ID), map[string]any{"id": fmt.Sprint("big", i),
			"page": 1 + i%4, "kind": "ink", "data": map[string]any{"colour": "#D32F2F", "width": 2, "strokes": strokes}})
	}
	start := time.Now()
	res := r.c.Delegate.Do("GET", "/api/v1/documents/"+r.open.ID+"/annotated.pdf", nil)
	if res.Status >= 500 {
		t.Errorf("export of 110 accepted ink annotations: %d after %v: %s; want 200 or a 422 that says why",
			res.Status, time.Since(start).Round(time.Millisecond), res.Body)
	}
	wantTooMany(t, res)
	if n := exportsAudited(t, r); n != 0 {
		t.Errorf("a refused export was audited: %d entries", n)
	}
	if tmp, _ := leftovers(t, r.s); len(tmp) != 0 {
		t.Errorf("the refused export left files: %v", tmp)
	}
}

// wantTooMany checks that res is the refusal of marks too many to draw.
func wantTooMany(t *testing.T, res apptest.Response) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message, Reason string }
	}
	if res.Status == http.StatusUnprocessableEntity {
		res.JSON(&body)
	}
	if res.Status != http.StatusUnprocessableEntity || body.Error.Code != "unprocessable" || body.Error.Reason != "too_many_marks" ||
		body.Error.Message != "too many annotations to draw into one copy" {
		t.Errorf("got %d %s; want 422 unprocessable, reason too_many_marks: too many annotations to draw into one copy", res.Status, res.Body)
	}
}

// The refusal is the server's, decided while it reads the rows, before a
// marks file is written or a worker asked: with the server's bound
// lowered far below a worker's, marks a worker would draw in no time are
// refused, whether the reader's own or, with shared=true, another
// reader's shared ones take the export over. Within the bound it draws.
func TestReviewExportRefusedBeforeDrawing(t *testing.T) {
	r := newAnnRoom(t, testdb.Backends()[0])
	for i := range 3 {
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(r.open.ID), ink(fmt.Sprint("mine", i), 1+i, false))
	}
	for i := range 20 {
		r.other.Must(http.StatusCreated, "POST", annotationsPath(r.open.ID), ink(fmt.Sprint("theirs", i), 1+i%4, true))
	}
	path := "/api/v1/documents/" + r.open.ID + "/annotated.pdf"
	docs.SetExportMarksLimit(t, 1<<10) // the delegate's 3 inks fit; with the 20 shared ones they do not
	wholeExport(t, r.c.Delegate.Do("GET", path, nil))
	wantTooMany(t, r.c.Delegate.Do("GET", path+"?shared=true", nil))
	docs.SetExportMarksLimit(t, 100) // not even one ink
	wantTooMany(t, r.c.Delegate.Do("GET", path, nil))
	if n := exportsAudited(t, r); n != 1 {
		t.Errorf("one export drawn, two refused: %d document.exported entries, want 1", n)
	}
	if tmp, _ := leftovers(t, r.s); len(tmp) != 0 {
		t.Errorf("the refused exports left files: %v", tmp)
	}
}
