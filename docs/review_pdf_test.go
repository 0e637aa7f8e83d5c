package docs_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/curia/curia/internal/testdb"
)

// TestReviewPDFMarkOnAPageWithUserUnit: the client places marks on a page
// at the size pdf.js gives it (frontend/src/viewer/pdf.ts size():
// getViewport({scale: 1})), which pdf.js scales by the page's /UserUnit.
// A 200 × 300 box with /UserUnit 2 is a 400 × 600 page to the client, but
// inspection stores 200 × 300 (it ignores /UserUnit), so a note the
// delegate pins on the lower right of the page they see is refused 400.
func TestReviewPDFMarkOnAPageWithUserUnit(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "drawing.pdf", rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /UserUnit 2 >>",
	), nil)
	res := r.c.Delegate.Do("POST", annotationsPath(d.ID), note("uu", 1, 350, 550))
	if res.Status != http.StatusCreated {
		t.Errorf("a note at (350, 550) on a page pdf.js shows as 400 × 600: %d %.300s, want 201", res.Status, res.Body)
	}
}

// TestReviewPDFConfidentialDownloadOfAcceptedFile: an upload inspection
// accepts must be readable by its readers. A 12 MB file listing one page
// object two million times is accepted (201, 2,000,000 pages), but
// stamping a reader's copy needs more than the PDF worker's default
// 1 GiB, the worker is killed (pdf.KindTooComplex) and the download
// answers 500 (serve.go openVersion wraps every watermark error in
// apperr.Internalf), for ever, for every reader. Either the upload is
// refused (422 too_complex) or the reader gets the file.
func TestReviewPDFConfidentialDownloadOfAcceptedFile(t *testing.T) {
	if testing.Short() {
		t.Skip("two million pages: about 20 s and 1 GiB workers")
	}
	r := newRoom(t, testdb.Backends()[0])
	var kids bytes.Buffer
	const n = 2_000_000
	for range n {
		kids.WriteString("3 0 R ")
	}
	file := rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), n),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] >>",
	)
	res := r.upload(r.c.Secretary, "pack.pdf", file, map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID})
	if res.Status != http.StatusCreated {
		var body struct{ Error struct{ Reason string } }
		res.JSON(&body)
		if res.Status != http.StatusUnprocessableEntity || body.Error.Reason != "too_complex" {
			t.Fatalf("upload: %d %.300s, want 201 or 422 too_complex", res.Status, res.Body)
		}
		return // refused cleanly (more than pdf.MaxPages pages): fine
	}
	var d struct {
		ID    string
		Pages int
	}
	res.JSON(&d)
	got := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/file", nil)
	if got.Status != http.StatusOK {
		t.Errorf("accepted with %d pages, but the reader's download answers %d %.300s", d.Pages, got.Status, got.Body)
	}
}
