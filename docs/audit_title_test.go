package docs_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// TestAuditTitleOpenedAndExported: document.opened and document.exported
// name an open document by its title at the time, so the audit screen
// names it after it is renamed or deleted; a confidential document's
// entries, which an administrator who may not read it sees, give no
// title, only its id, version and that it is confidential (as its
// upload's entry does).
func TestAuditTitleOpenedAndExported(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	const openTitle, secret = "Tờ trình ngân sách", "Danh sách kỷ luật MẬT"
	open := r.mustUpload(t, "o.pdf", testpdf.Pages(1, "o"), map[string]string{"title": openTitle})
	conf := r.mustUpload(t, "k.pdf", testpdf.Pages(1, "k"),
		map[string]string{"title": secret, "confidential": "true", "reader_ids": r.c.Delegate.UserID})
	for _, id := range []string{open.ID, conf.ID} {
		if res := r.c.Delegate.Do("GET", "/api/v1/documents/"+id+"/file", nil); res.Status != http.StatusOK {
			t.Fatalf("open %s: %d %s", id, res.Status, res.Body)
		}
		if res := r.c.Delegate.Do("GET", "/api/v1/documents/"+id+"/annotated.pdf", nil); res.Status != http.StatusOK {
			t.Fatalf("export %s: %d %s", id, res.Status, res.Body)
		}
	}
	r.c.Secretary.Must(http.StatusNoContent, "DELETE", "/api/v1/documents/"+open.ID, nil)

	reads := map[string]bool{"document.opened": true, "document.exported": true}
	seen := map[string]bool{}
	for _, e := range auditOf(t, r, "document:"+open.ID) {
		if !reads[e.Action] {
			continue
		}
		seen[e.Action] = true
		if e.Detail["title"] != openTitle || e.Detail["version"] != float64(1) {
			t.Errorf("%s of an open document: %v, want its title %q and version 1", e.Action, e.Detail, openTitle)
		}
	}
	for _, e := range auditOf(t, r, "document:"+conf.ID) {
		if !reads[e.Action] {
			continue
		}
		seen["confidential "+e.Action] = true
		if _, ok := e.Detail["title"]; ok || strings.Contains(strings.ToLower(toJSON(t, e.Detail)), strings.ToLower(secret)) {
			t.Errorf("%s of a confidential document gives its title: %v", e.Action, e.Detail)
		}
		if e.Detail["confidential"] != true || e.Detail["document_id"] != conf.ID || e.Detail["version"] != float64(1) ||
			e.Detail["copy_id"] == nil {
			t.Errorf("%s of a confidential document: %v, want its id, version 1, confidential and the copy id", e.Action, e.Detail)
		}
	}
	if len(seen) != 4 {
		t.Errorf("entries seen: %v, want the opening and the export of each document", seen)
	}
}
