package docs_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// sharedPages is a PDF of n pages that are all one page object.
func sharedPages(n int) []byte {
	var kids bytes.Buffer
	for range n {
		kids.WriteString("3 0 R ")
	}
	return rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), n),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] >>",
	)
}

// wantRefusal checks that res is a 422 with the reason and a message
// that starts with prefix and shows nothing internal.
func wantRefusal(t *testing.T, res apptest.Response, reason, prefix string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message, Reason string }
	}
	res.JSON(&body)
	if res.Status != http.StatusUnprocessableEntity || body.Error.Reason != reason || !strings.HasPrefix(body.Error.Message, prefix) {
		t.Errorf("got %d %s; want 422, reason %s, a message starting %q", res.Status, res.Body, reason, prefix)
	}
	for _, leak := range []string{"pdfcpu", ".go:", "goroutine", "worker", "obj#"} {
		if strings.Contains(string(res.Body), leak) {
			t.Errorf("the refusal shows internal text %q: %s", leak, res.Body)
		}
	}
}

// TestPageCapUpload: a PDF of more than pdf.MaxPages pages is refused at
// upload, 422 too_complex, saying why; one of MaxPages pages is taken.
func TestPageCapUpload(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "max.pdf", sharedPages(pdf.MaxPages), nil)
	if d.Pages != pdf.MaxPages {
		t.Errorf("accepted with %d pages, want %d", d.Pages, pdf.MaxPages)
	}
	res := r.upload(r.c.Secretary, "over.pdf", sharedPages(pdf.MaxPages+1), nil)
	wantRefusal(t, res, "too_complex", "the PDF has too many pages (at most 10,000")
	if tmp, _ := leftovers(t, r.s); len(tmp) != 0 {
		t.Errorf("the refused upload left files: %v", tmp)
	}
}

// TestWatermarkRefusedIsNot500: when a reader's watermarked copy cannot
// be made because of a PDF worker's limits (here the stored file has been
// swapped, behind the server's back, for one of too many pages: the same
// too_complex a worker killed above its memory limit gives), the download
// and the annotated export answer 422 with the reason and a message for
// people, not 500, and audit no opening.
func TestWatermarkRefusedIsNot500(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "pack.pdf", rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] >>",
	), nil)
	var got docs.Document
	r.c.Secretary.Get("/api/v1/documents/"+d.ID, &got)
	blob := filepath.Join(r.s.App.Config.DataDir, "blobs", got.SHA256[:2], got.SHA256+".pdf")
	if err := os.WriteFile(blob, sharedPages(pdf.MaxPages+1), 0o600); err != nil {
		t.Fatal(err)
	}
	// Confidential only now, so that no copy is made before the swap.
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})

	const msg = "your watermarked copy of this document could not be made: the PDF has too many pages"
	wantRefusal(t, r.c.Secretary.Do("GET", "/api/v1/documents/"+d.ID+"/file", nil), "too_complex", msg)
	wantRefusal(t, r.c.Secretary.Do("GET", "/api/v1/documents/"+d.ID+"/annotated.pdf", nil), "too_complex", msg)
	var entries struct{ Entries []struct{ Action string } }
	r.c.Admin.Get("/api/v1/audit?action=document.opened&actor_id="+r.c.Secretary.UserID, &entries)
	if len(entries.Entries) != 0 {
		t.Errorf("a refused download was audited: %+v", entries.Entries)
	}
}
