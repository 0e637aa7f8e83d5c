package docs_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// An administrator who does not take part in a meeting may manage its
// documents but cannot see a confidential one, so they may not make one
// confidential: the PATCH is refused (403) before anything is written, and
// so is a confidential upload. Made confidential by its secretary, the
// document is announced as removed to those who lose it.
func TestOutsiderAdminCannotMakeDocumentConfidential(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "a.pdf", testpdf.Pages(1, "admin"), nil)
	apptest.Drain(r.rec)
	res := r.c.Admin.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
	if res.Status != http.StatusForbidden {
		t.Fatalf("the admin outside the meeting making a document confidential: %d %s, want 403", res.Status, res.Body)
	}
	var now struct{ Confidential bool }
	r.c.Secretary.Get("/api/v1/documents/"+d.ID, &now)
	if now.Confidential {
		t.Fatal("the refused change was written")
	}
	var entries struct{ Entries []struct{ Action string } }
	r.c.Admin.Get("/api/v1/audit?action=document.updated&actor_id="+r.c.Admin.UserID, &entries)
	if len(entries.Entries) != 0 {
		t.Errorf("the refused change was audited: %+v", entries.Entries)
	}
	if evs := apptest.Drain(r.rec); len(evs) != 0 {
		t.Errorf("the refused change published %d events", len(evs))
	}
	// Other changes stay open to the admin.
	r.c.Admin.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Tờ trình", "confidential": false})
	up := r.upload(r.c.Admin, "b.pdf", testpdf.Pages(1, "admin b"), map[string]string{"confidential": "true"})
	if up.Status != http.StatusForbidden {
		t.Errorf("the admin outside the meeting uploading a confidential document: %d %s, want 403", up.Status, up.Body)
	}

	// The secretary may; those who lose the document are told.
	apptest.Drain(r.rec)
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
	removedFor := map[string]bool{}
	for _, e := range apptest.Drain(r.rec) {
		for _, u := range []string{r.c.Delegate.UserID, r.c.Admin.UserID, r.c.Secretary.UserID} {
			if e.Type == "document.removed" && e.Visible(u) {
				removedFor[u] = true
			}
		}
	}
	if !removedFor[r.c.Delegate.UserID] {
		t.Error("the delegate, who lost the document, was not sent document.removed")
	}
	// The administrator outside the meeting, who may follow it live and
	// saw the open document, loses it too.
	if !removedFor[r.c.Admin.UserID] {
		t.Error("the administrator outside the meeting, who lost the document, was not sent document.removed")
	}
	if removedFor[r.c.Secretary.UserID] {
		t.Error("the secretary, who keeps the document, was sent document.removed")
	}
}

// The access list of an open document applies once it is made
// confidential: the readers on it keep the document and are sent
// document.updated, not document.removed; the others lose it.
func TestMadeConfidentialKeepsItForItsReaders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		d := r.mustUpload(t, "a.pdf", testpdf.Pages(1, "list"), nil)
		r.c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/documents/"+d.ID+"/access", map[string]any{"user_ids": []string{r.c.Delegate.UserID}})
		apptest.Drain(r.rec)
		r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
		if st := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID, nil).Status; st != http.StatusOK {
			t.Fatalf("the reader on the list cannot read the now confidential document: %d", st)
		}
		got := map[string][]string{} // event type -> who sees it
		for _, e := range apptest.Drain(r.rec) {
			for _, c := range []*apptest.Client{r.c.Delegate, r.c.Observer, r.c.Chair} {
				if e.Visible(c.UserID) {
					got[e.Type] = append(got[e.Type], c.UserID)
				}
			}
		}
		if slices.Contains(got["document.removed"], r.c.Delegate.UserID) || !slices.Contains(got["document.updated"], r.c.Delegate.UserID) {
			t.Errorf("the reader on the access list: %v, want document.updated only", got)
		}
		if !slices.Contains(got["document.removed"], r.c.Observer.UserID) || slices.Contains(got["document.updated"], r.c.Observer.UserID) {
			t.Errorf("the observer, who loses the document: %v, want document.removed only", got)
		}
		if !slices.Contains(got["document.updated"], r.c.Chair.UserID) {
			t.Errorf("the chair is not sent document.updated: %v", got)
		}
	})
}

// A new version is announced to those who may see the document when it is
// stored, not when its upload was authorised: a document made confidential
// (and renamed) while the new file was inspected is announced to its
// audience only, with its new title. The inspection is held by a worker
// command that waits for a gate file.
func TestNewVersionAnnouncedToCurrentAudience(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "gate")
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `while [ ! -e '` + gate + `' ]; do /bin/sleep 0.01; done; exec "$0" "$@"`
	r := newRoom(t, testdb.Backends()[0], func(c *app.Config) {
		c.WorkerCmd = append([]string{"/bin/sh", "-c", script}, c.WorkerCmd...)
	})
	d := r.mustUpload(t, "v1.pdf", testpdf.Pages(2, "v1"), nil)
	os.Remove(gate) // the next PDF worker waits
	added := make(chan apptest.Response, 1)
	go func() {
		added <- r.c.Secretary.Upload("/api/v1/documents/"+d.ID+"/versions", "Bí mật v2.pdf", testpdf.Pages(3, "v2"), nil)
	}()
	time.Sleep(200 * time.Millisecond) // authorised, waiting for its inspection
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true, "title": "Mật"})
	apptest.Drain(r.rec)
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if res := <-added; res.Status != http.StatusCreated {
		t.Fatalf("new version: %d %s", res.Status, res.Body)
	}
	announced := false
	for _, e := range apptest.Drain(r.rec) {
		if e.Type != "document.updated" {
			continue
		}
		announced = true
		if e.Visible(r.c.Delegate.UserID) || e.Visible(r.c.Observer.UserID) {
			t.Errorf("document.updated of the confidential document's new version (%s) reaches participants without access: audience %v",
				apptest.JSONString(e.Data), e.Audience)
		}
		if !e.Visible(r.c.Chair.UserID) {
			t.Errorf("the chair is not told about the new version: audience %v", e.Audience)
		}
		s := apptest.JSONString(e.Data)
		for _, want := range []string{`"title":"Mật"`, `"confidential":true`, `"version":2`} {
			if !strings.Contains(s, want) {
				t.Errorf("the new version is announced as the document was before (no %s): %s", want, s)
			}
		}
	}
	if !announced {
		t.Error("the new version was not announced")
	}
	if res := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID, nil); res.Status != http.StatusNotFound {
		t.Fatalf("the delegate still sees the document: %d", res.Status)
	}
}
