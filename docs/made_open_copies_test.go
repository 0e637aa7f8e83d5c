package docs_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// confidentialForDelegate uploads an open document with two versions,
// puts the delegate on its access list and makes it confidential, in an
// order that makes no copy ahead of time (prewarm): only the reads that
// follow stamp copies. It returns the document and its two versions' PDFs.
func confidentialForDelegate(t *testing.T, r *room, name string) (docs.Document, [2][]byte) {
	t.Helper()
	pdfs := [2][]byte{testpdf.Pages(2, name+" v1"), testpdf.Pages(2, name+" v2")}
	d := r.mustUpload(t, name, pdfs[0], nil)
	if res := r.c.Secretary.Upload("/api/v1/documents/"+d.ID+"/versions", name, pdfs[1], nil); res.Status != http.StatusCreated {
		t.Fatalf("second version: %d %s", res.Status, res.Body)
	}
	r.c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/documents/"+d.ID+"/access", map[string]any{"user_ids": []string{r.c.Delegate.UserID}})
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
	return d, pdfs
}

// A confidential document made open keeps no stamped copy on disk: every
// copy file of every version goes once the change commits, while the copy
// rows stay (who received which copy, to trace a leak), and the delegate
// who had a copy is served the original from then on.
func TestMadeOpenRemovesCopyFiles(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d, pdfs := confidentialForDelegate(t, r, "mật.pdf")
	file := "/api/v1/documents/" + d.ID + "/file"
	var made []string
	for _, read := range []struct {
		who  string
		path string
	}{{"delegate", file + "?version=1"}, {"delegate", file}, {"chair", file}} {
		c := r.c.Delegate
		if read.who == "chair" {
			c = r.c.Chair
		}
		res := c.Must(http.StatusOK, "GET", read.path, nil)
		id := res.Header.Get("X-Curia-Copy-Id")
		if id == "" {
			t.Fatalf("%s reads %s of the confidential document: no copy id", read.who, read.path)
		}
		made = append(made, id)
	}
	if on := copiesOf(t, r, d.ID); len(on) != len(made) {
		t.Fatalf("copies on disk %v, want the %d made (%v)", on, len(made), made)
	}

	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": false})

	if left := copiesOf(t, r, d.ID); len(left) > 0 {
		t.Errorf("stamped copies of the document made open stay on disk: %v", left)
	}
	for _, id := range made {
		c, err := r.s.App.Docs.LookupCopy(context.Background(), id)
		if err != nil || c.DocumentID != d.ID {
			t.Errorf("copy %s: %+v, %v; want its row kept, to trace a leak", id, c, err)
		}
	}
	for i, path := range []string{file + "?version=1", file} {
		res := r.c.Delegate.Must(http.StatusOK, "GET", path, nil)
		if id := res.Header.Get("X-Curia-Copy-Id"); id != "" || !bytes.Equal(res.Body, pdfs[i]) {
			t.Errorf("the delegate reads %s of the open document: copy id %q, %d bytes; want the original (%d bytes)",
				path, id, len(res.Body), len(pdfs[i]))
		}
	}
}

// A document made open and then confidential again gives its reader a
// copy stamped anew (its copy row, and so its copy id, are kept), not an
// error for a copy file removed when it was made open, nor that file.
func TestMadeConfidentialAgainStampsAnew(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d, _ := confidentialForDelegate(t, r, "lại.pdf")
	file := "/api/v1/documents/" + d.ID + "/file"
	first := r.c.Delegate.Must(http.StatusOK, "GET", file, nil).Header.Get("X-Curia-Copy-Id")
	p := filepath.Join(r.s.App.Config.DataDir, "copies", first+".pdf")
	long := time.Now().Add(-time.Hour) // marks the file stamped the first time
	if err := os.Chtimes(p, long, long); err != nil {
		t.Fatal(err)
	}

	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": false})
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})

	res := r.c.Delegate.Do("GET", file, nil)
	if res.Status != http.StatusOK || !bytes.HasPrefix(res.Body, []byte("%PDF-")) {
		t.Fatalf("the delegate reads the document made confidential again: %d, %.60q; want 200 and a PDF", res.Status, res.Body)
	}
	if id := res.Header.Get("X-Curia-Copy-Id"); id != first {
		t.Errorf("copy id %q, want the delegate's copy %q again", id, first)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatalf("the delegate's copy is served but not on disk: %v", err)
	}
	if !st.ModTime().After(long.Add(30 * time.Minute)) {
		t.Errorf("the copy served was stamped at %v, before the document was made open: the old file was kept, want a copy stamped anew",
			st.ModTime())
	}
}

// A copy being stamped when the document is made open leaves no file
// behind: it is renamed into copies/ after the change removed the copies
// it found, and removes itself once it finds the document open. The
// delegate who asked for it while the document was confidential is served
// the original (the document is open now), not a copy that is about to go,
// a 404 or a 500; so is the next read. Deterministic: the stamping is held
// at the rename until the change is done.
func TestMadeOpenDuringStampLeavesNoCopy(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d, pdfs := confidentialForDelegate(t, r, "đang.pdf")
	file := "/api/v1/documents/" + d.ID + "/file"
	reached, release := docs.HoldStamping(r.s.App.Docs)
	defer release()
	during := make(chan apptest.Response, 1)
	go func() { during <- r.c.Delegate.Do("GET", file, nil) }()
	copyID := held(t, reached)
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": false})
	release()
	if res := <-during; res.Status != http.StatusOK || res.Header.Get("X-Curia-Copy-Id") != "" || !bytes.Equal(res.Body, pdfs[1]) {
		t.Errorf("the delegate's read during the change: %d, copy id %q, %.60q; want 200 and the original",
			res.Status, res.Header.Get("X-Curia-Copy-Id"), res.Body)
	}
	if left := copiesOf(t, r, d.ID); len(left) > 0 {
		t.Errorf("the copy being stamped when the document was made open stays on disk: %v (held: %s)", left, copyID)
	}
	if _, err := r.s.App.Docs.LookupCopy(context.Background(), copyID); err != nil {
		t.Errorf("copy %s: %v; want its row kept", copyID, err)
	}
	res := r.c.Delegate.Must(http.StatusOK, "GET", file, nil)
	if id := res.Header.Get("X-Curia-Copy-Id"); id != "" || !bytes.Equal(res.Body, pdfs[1]) {
		t.Errorf("the delegate's next read: copy id %q, %d bytes; want the original", id, len(res.Body))
	}
}
