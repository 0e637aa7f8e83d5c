package docs_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// Review 9: an annotated export (GET .../annotated.pdf) of a confidential
// document that is made open while the reader's copy is being stamped.
// A plain read meeting the change is served the original (openMadeOpen);
// the export, which stamps through the same marks.path, answers 404 "this
// document was made open while your copy of it was made: open it again"
// for a document that exists and the reader may see. Before the copies of
// a document made open were withdrawn, the export was served.
func TestReview9ExportMadeOpenDuringStamp(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d, _ := confidentialForDelegate(t, r, "xuất.pdf")
	reached, release := docs.HoldStamping(r.s.App.Docs)
	defer release()
	during := make(chan apptest.Response, 1)
	go func() { during <- r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/annotated.pdf", nil) }()
	held(t, reached)
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": false})
	release()
	res := <-during
	if res.Status != http.StatusOK {
		t.Errorf("the delegate's export during the change: %d %.200s; want 200 (the document exists, is open, and the delegate may read it)",
			res.Status, res.Body)
	}
	if id := res.Header.Get("X-Curia-Copy-Id"); id != "" {
		t.Errorf("export of the document made open names copy %q, whose file is gone", id)
	}
}

// exportDuring asks for the delegate's annotated export of d while hold
// keeps it waiting, runs change once it waits, and returns the answer and
// the copy id it waited with.
func exportDuring(t *testing.T, r *room, d docs.Document, hold func(*docs.Service) (<-chan string, func()), change func()) (apptest.Response, string) {
	t.Helper()
	reached, release := hold(r.s.App.Docs)
	defer release()
	during := make(chan apptest.Response, 1)
	go func() { during <- r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/annotated.pdf", nil) }()
	copyID := held(t, reached)
	change()
	release()
	return <-during, copyID
}

// wantExportedOpen checks the one document.exported entry of d: that of
// an open document (its title, no copy id, not confidential).
func wantExportedOpen(t *testing.T, r *room, d docs.Document) {
	t.Helper()
	var got []map[string]any
	for _, e := range auditOf(t, r, "document:"+d.ID) {
		if e.Action == "document.exported" {
			got = append(got, e.Detail)
		}
	}
	if len(got) != 1 {
		t.Fatalf("document.exported entries of %s: %v, want 1", d.ID, got)
	}
	if e := got[0]; e["title"] != d.Title || e["copy_id"] != nil || e["confidential"] != nil {
		t.Errorf("the export of the document made open is audited as %v; want that of an open document (title %q, no copy id)", e, d.Title)
	}
}

// The export of the review's test is audited as that of the open document
// it served: the title, no copy id.
func TestReview9ExportMadeOpenDuringStampAudited(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d, _ := confidentialForDelegate(t, r, "xuất.pdf")
	res, _ := exportDuring(t, r, d, docs.HoldStamping, func() {
		r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": false})
	})
	if res.Status != http.StatusOK || res.Header.Get("X-Curia-Copy-Id") != "" {
		t.Fatalf("the delegate's export during the change: %d, copy %q %.200s; want 200, no copy",
			res.Status, res.Header.Get("X-Curia-Copy-Id"), res.Body)
	}
	wantExportedOpen(t, r, d)
}

// The narrower race of review 9: the reader's copy is stamped and path
// returns it, then the document is made open and forget removes the copy
// before the PDF worker reads it. The export is drawn into the original,
// with the delegate's annotation, as the export of an open document is:
// not a 500 for a missing input. Deterministic: the export is held between
// path and the worker (docs.HoldExportDrawing) until the change is done.
func TestReview9ExportCopyRemovedBeforeDrawing(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d, _ := confidentialForDelegate(t, r, "vẽ.pdf")
	r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(d.ID), ink("review9-removed", 1, false))
	res, copyID := exportDuring(t, r, d, docs.HoldExportDrawing, func() {
		r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": false})
		if on := copiesOf(t, r, d.ID); len(on) > 0 {
			t.Fatalf("copies left on disk by the change: %v; the test needs the export's copy gone before it is drawn", on)
		}
	})
	if res.Status != http.StatusOK {
		t.Fatalf("the delegate's export whose copy was removed before drawing: %d %.200s; want 200 (the document is open, and the delegate may read it)",
			res.Status, res.Body)
	}
	if id := res.Header.Get("X-Curia-Copy-Id"); id != "" {
		t.Errorf("export of the document made open names copy %q, whose file is gone", id)
	}
	if !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
		t.Errorf("the export is not a PDF: %.16q", res.Body)
	}
	if text := strings.Join(strings.Fields(pdfText(t, res.Body)), ""); strings.Contains(text, copyID) {
		t.Errorf("the export of the document made open carries the watermark of copy %s", copyID)
	}
	wantExportedOpen(t, r, d)
	if tmp, _ := leftovers(t, r.s); len(tmp) != 0 {
		t.Errorf("the export left files: %v", tmp)
	}
}

// The same race with the document deleted: the export answers 404, as a
// read does, not a 500.
func TestReview9ExportCopyRemovedBeforeDrawingDeleted(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d, _ := confidentialForDelegate(t, r, "xoá.pdf")
	res, _ := exportDuring(t, r, d, docs.HoldExportDrawing, func() {
		r.c.Secretary.Must(http.StatusNoContent, "DELETE", "/api/v1/documents/"+d.ID, nil)
	})
	if res.Status != http.StatusNotFound {
		t.Errorf("the delegate's export of a document deleted before drawing: %d %.200s; want 404", res.Status, res.Body)
	}
}
