package docs_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// Each reader of a confidential document gets their own stamped copy,
// made once, traceable by its copy id, and never served to anyone else.
func TestWatermarkedCopies(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	original := testpdf.Pages(3, "mat")
	d := r.mustUpload(t, "mat.pdf", original, map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID})
	path := "/api/v1/documents/" + d.ID + "/file"

	// The delegate's tablet asks several times at once: one copy is made.
	var wg sync.WaitGroup
	got := make([]apptest.Response, 4)
	for i := range got {
		wg.Go(func() { got[i] = r.c.Delegate.Do("GET", path, nil) })
	}
	wg.Wait()
	copyID := got[0].Header.Get("X-Curia-Copy-Id")
	for _, res := range got {
		if res.Status != 200 || res.Header.Get("X-Curia-Copy-Id") != copyID || !bytes.Equal(res.Body, got[0].Body) {
			t.Fatalf("concurrent opens differ: %d %q", res.Status, res.Header.Get("X-Curia-Copy-Id"))
		}
	}
	stamped := got[0].Body
	if copyID == "" || bytes.Equal(stamped, original) || !bytes.HasPrefix(stamped, []byte("%PDF-")) {
		t.Fatalf("the reader got the unstamped original (copy id %q)", copyID)
	}
	chair := r.c.Chair.Do("GET", path, nil)
	if chairID := chair.Header.Get("X-Curia-Copy-Id"); chairID == "" || chairID == copyID || bytes.Equal(chair.Body, stamped) {
		t.Fatalf("the chair got the delegate's copy: %q", chairID)
	}

	// The copy id names the reader and the version.
	c, err := r.s.App.Docs.LookupCopy(context.Background(), copyID)
	if err != nil || c.UserID != r.c.Delegate.UserID || c.DocumentID != d.ID || c.Version != 1 {
		t.Fatalf("lookup %s: %+v %v", copyID, c, err)
	}
	var entries struct {
		Entries []struct{ Detail map[string]any }
	}
	r.c.Admin.Get("/api/v1/audit?action=document.opened&actor_id="+r.c.Delegate.UserID, &entries)
	if len(entries.Entries) == 0 || entries.Entries[0].Detail["copy_id"] != copyID {
		t.Fatalf("the opening is not audited with its copy id: %+v", entries.Entries)
	}

	// The stamped copy is a readable PDF with the same pages.
	res := r.upload(r.c.Secretary, "stamped.pdf", stamped, nil)
	var back docs.Document
	res.JSON(&back)
	if res.Status != 201 || back.Pages != 3 {
		t.Fatalf("the stamped copy does not read back as 3 pages: %d %s", res.Status, res.Body)
	}
	if text := pdfText(t, stamped); text != "" {
		pages := strings.Split(text, "\f") // pdftotext ends each page with a form feed
		if len(pages) != 3+1 {
			t.Fatalf("pdftotext sees %d pages", len(pages)-1)
		}
		for i, page := range pages[:3] {
			page = strings.Join(strings.Fields(page), "")
			for _, want := range []string{"Ngườidelegate(u.delegate)", copyID} {
				if !strings.Contains(page, want) {
					t.Errorf("page %d: the stamp lacks %q: %q", i+1, want, page)
				}
			}
		}
	}
}

// pdfText extracts text with poppler's pdftotext when it is installed.
func pdfText(t *testing.T, pdf []byte) string {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not installed: the stamp's text is not checked")
		return ""
	}
	p := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-raw", p, "-").Output() // -raw: in drawing order, as the stamp is diagonal
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// A reader's copy must not carry the unstamped document inside it. It
// used to be the original, byte for byte, followed by an incremental
// update adding the stamp: cut at the original's length (its %%EOF), with
// `head -c`, it gave back the unstamped, untraceable original. Now no
// prefix of the copy ending where a PDF may end (the original's length,
// any %%EOF or startxref before the copy's own) shows a page without the
// stamp.
func TestWatermarkedCopyCannotBeCutToTheOriginal(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	original := testpdf.Pages(3, "mật")
	d := r.mustUpload(t, "mat.pdf", original, map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID})
	res := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/file", nil)
	copyID := res.Header.Get("X-Curia-Copy-Id")
	if res.Status != http.StatusOK || copyID == "" {
		t.Fatalf("open: %d %v", res.Status, res.Header)
	}
	stamped := res.Body
	if bytes.HasPrefix(stamped, original) {
		t.Errorf("the reader's copy %s (%d bytes) starts with the whole unstamped original (%d bytes): truncating it removes the watermark",
			copyID, len(stamped), len(original))
	}
	cuts := []int{len(original)}
	end := bytes.LastIndex(stamped, []byte("startxref"))
	for _, tok := range []string{"%%EOF", "startxref"} {
		for i := 0; ; {
			j := bytes.Index(stamped[i:], []byte(tok))
			if j < 0 || i+j >= end {
				break
			}
			i += j + len(tok)
			cuts = append(cuts, i)
		}
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed: prefixes not read")
	}
	dir := t.TempDir()
	for _, cut := range cuts {
		if cut >= len(stamped) {
			continue
		}
		p := filepath.Join(dir, "prefix.pdf")
		if err := os.WriteFile(p, stamped[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "-raw", "-q", p, "-").Output()
		if err != nil {
			continue // not a PDF poppler reads
		}
		for i, page := range strings.Split(string(out), "\f") {
			if page = strings.Join(strings.Fields(page), ""); page != "" && !strings.Contains(page, copyID) {
				t.Errorf("the copy cut at %d of %d bytes shows page %d without the stamp: %.100q", cut, len(stamped), i+1, page)
			}
		}
	}
}
