package docs_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/testdb"
)

// An export the worker cannot draw (here: the stored file has become
// unreadable since it was accepted) is a 422 through the HTTP route, with
// the worker's reason and a message for people, no internal text, no
// audit entry of an export and no file left behind.
func TestAnnotatedExportRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(r.open.ID), ink("mark", 2, false))
		var d docs.Document
		r.c.Delegate.Get("/api/v1/documents/"+r.open.ID, &d)
		blob := filepath.Join(r.s.App.Config.DataDir, "blobs", d.SHA256[:2], d.SHA256+".pdf")
		if _, err := os.Stat(blob); err != nil {
			t.Fatalf("the stored file: %v", err)
		}
		if err := os.WriteFile(blob, []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"), 0o600); err != nil {
			t.Fatal(err)
		}

		res := r.c.Delegate.Do("GET", "/api/v1/documents/"+r.open.ID+"/annotated.pdf", nil)
		var body struct {
			Error struct{ Code, Message, Reason string }
		}
		res.JSON(&body)
		if res.Status != http.StatusUnprocessableEntity || body.Error.Reason == "" ||
			!strings.HasPrefix(body.Error.Message, "the annotations cannot be drawn into this document") {
			t.Fatalf("export of an unreadable file: %d %s", res.Status, res.Body)
		}
		for _, leak := range []string{"pdfcpu", ".go:", "goroutine", r.s.App.Config.DataDir} {
			if strings.Contains(string(res.Body), leak) {
				t.Errorf("the refusal shows internal text %q: %s", leak, res.Body)
			}
		}
		var entries struct{ Entries []struct{ Action string } }
		r.c.Admin.Get("/api/v1/audit?action=document.exported&actor_id="+r.c.Delegate.UserID, &entries)
		if len(entries.Entries) != 0 {
			t.Errorf("a refused export was audited: %+v", entries.Entries)
		}
		if tmp, _ := leftovers(t, r.s); len(tmp) != 0 {
			t.Errorf("the refused export left files: %v", tmp)
		}
	})
}
