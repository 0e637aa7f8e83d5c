package docs_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// copiesOf lists the finished watermarked copies on disk (copies/ID.pdf)
// that belong to document docID, by their copy ids.
func copiesOf(t *testing.T, r *room, docID string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(r.s.App.Config.DataDir, "copies"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".pdf")
		if !ok {
			continue // a copy being stamped (.pdf.tmp-…)
		}
		c, err := r.s.App.Docs.LookupCopy(context.Background(), id)
		if err == nil && c.DocumentID == docID {
			out = append(out, id)
		}
	}
	return out
}

// waitFor polls cond for up to 60 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// held waits (up to 60 s) until a copy being stamped is held just before
// its rename (docs.HoldStamping), and returns its copy id.
func held(t *testing.T, reached <-chan string) string {
	t.Helper()
	select {
	case id := <-reached:
		return id
	case <-time.After(60 * time.Second):
		t.Fatal("no copy was stamped")
		return ""
	}
}

// A confidential document deleted while its copies are being made ahead
// of time (prewarm, after the upload) leaves no stamped copy behind: the
// copy being stamped when the delete commits is renamed into copies/
// after Delete removed the copies it found, and removes itself once it
// finds its version gone. Deterministic: the stamping is held at the
// rename until the delete is done.
func TestDeleteDuringPrewarmLeavesNoCopy(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	reached, release := docs.HoldStamping(r.s.App.Docs)
	defer release()
	d := r.mustUpload(t, "mật.pdf", testpdf.Pages(3, "prewarm"), map[string]string{"confidential": "true",
		"reader_ids": r.c.Delegate.UserID})
	copyID := held(t, reached)
	r.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+d.ID, nil)
	release()

	// Prewarming goes one document at a time, in order: once a document
	// uploaded after the delete has its copies, the deleted one is done.
	sentinel := r.mustUpload(t, "sau.pdf", testpdf.Pages(1, "sentinel"), map[string]string{"confidential": "true"})
	waitFor(t, "the next document's copies", func() bool { return len(copiesOf(t, r, sentinel.ID)) >= 2 })

	if left := copiesOf(t, r, d.ID); len(left) > 0 {
		t.Fatalf("stamped copies of the deleted confidential document stay on disk: %v (held: %s)", left, copyID)
	}
}

// A reader who opens a confidential document while it is deleted gets a
// 404, not a 500, and the copy stamped for them does not stay on disk.
func TestDeleteDuringOpenLeavesNoCopy(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	// Open, then made confidential: no copy is made ahead of time.
	d := r.mustUpload(t, "mở.pdf", testpdf.Pages(2, "open"), nil)
	r.c.Secretary.Must(200, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
	reached, release := docs.HoldStamping(r.s.App.Docs)
	defer release()
	status := make(chan int, 1)
	go func() { status <- r.c.Chair.Do("GET", "/api/v1/documents/"+d.ID+"/file", nil).Status }()
	held(t, reached)
	r.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+d.ID, nil)
	release()
	if st := <-status; st != http.StatusNotFound {
		t.Errorf("the chair's open of the document deleted meanwhile: %d, want 404", st)
	}
	if left := copiesOf(t, r, d.ID); len(left) > 0 {
		t.Fatalf("the copy stamped for the chair stays on disk after the delete: %v", left)
	}
}

// The daily sweep removes a finished copy whose document version no
// longer exists (as a node that died between the copy's rename and its
// check would leave it), however fresh, and leaves alone the copies of
// documents that exist and files it has no copy row for.
func TestSweepRemovesCopiesOfDeletedVersions(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	dir := filepath.Join(r.s.App.Config.DataDir, "copies")
	var kept, gone string
	for i, name := range []string{"giữ.pdf", "xoá.pdf"} {
		d := r.mustUpload(t, name, testpdf.Pages(1, name), nil)
		r.c.Secretary.Must(200, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
		r.c.Chair.Must(200, "GET", "/api/v1/documents/"+d.ID+"/file", nil)
		ids := copiesOf(t, r, d.ID)
		if len(ids) != 1 {
			t.Fatalf("%s: copies %v, want the chair's", name, ids)
		}
		if i == 0 {
			kept = ids[0]
			continue
		}
		gone = ids[0]
		pages, err := os.ReadFile(filepath.Join(dir, gone+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		r.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+d.ID, nil)
		if err := os.WriteFile(filepath.Join(dir, gone+".pdf"), pages, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stray := filepath.Join(dir, "NOROWFORIT.pdf")
	if err := os.WriteFile(stray, []byte("%PDF-1.7"), 0o600); err != nil {
		t.Fatal(err)
	}

	n, err := r.s.App.Docs.SweepTemp(24 * time.Hour)
	if err != nil || n != 1 {
		t.Errorf("SweepTemp: %d, %v; want 1 file removed", n, err)
	}
	for _, c := range []struct {
		path  string
		there bool
	}{{filepath.Join(dir, gone+".pdf"), false}, {filepath.Join(dir, kept+".pdf"), true}, {stray, true}} {
		if _, err := os.Stat(c.path); (err == nil) != c.there {
			t.Errorf("%s: there %v after the sweep, want %v", filepath.Base(c.path), err == nil, c.there)
		}
	}
}
