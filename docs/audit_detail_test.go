package docs_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

type auditEntry struct {
	Action string
	Object string
	Detail map[string]any
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func auditOf(t *testing.T, r *room, object string) []auditEntry {
	t.Helper()
	var out struct{ Entries []auditEntry }
	r.c.Admin.Get("/api/v1/audit?limit=1000&object="+object, &out)
	return out.Entries
}

// TestAuditNamesOnlyOpenDocuments proves that the audit log, which an
// administrator outside the meeting reads, never holds a confidential
// document's title or file hash: its upload, new version, change and
// deletion name it by id and version with "confidential": true, while an
// open document's entries keep its title (and its upload the SHA-256).
// A document made open by a change is named by that change.
func TestAuditNamesOnlyOpenDocuments(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	const secret, renamed = "Danh sách kỷ luật MẬT", "Danh sách kỷ luật MẬT (sửa)"
	d := r.mustUpload(t, "k.pdf", testpdf.Pages(1, "k"), map[string]string{"title": secret, "confidential": "true", "reader_ids": r.c.Delegate.UserID})
	res := r.c.Secretary.Upload("/api/v1/documents/"+d.ID+"/versions", "k2.pdf", testpdf.Pages(2, "k2"), nil)
	res.Check(t, "new version", http.StatusCreated)
	var v2 struct{ SHA256 string }
	res.JSON(&v2)
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": renamed, "position": 3})
	r.c.Secretary.Must(http.StatusNoContent, "DELETE", "/api/v1/documents/"+d.ID, nil)

	got := auditOf(t, r, "document:"+d.ID)
	want := map[string]float64{"document.uploaded": 1, "document.version_added": 2, "document.updated": 2, "document.deleted": 2}
	for _, e := range got {
		for _, leak := range []string{secret, d.SHA256, v2.SHA256} {
			if strings.Contains(strings.ToLower(toJSON(t, e.Detail)), strings.ToLower(leak)) {
				t.Errorf("%s of a confidential document gives %q: %v", e.Action, leak, e.Detail)
			}
		}
		if n, ok := want[e.Action]; ok {
			delete(want, e.Action)
			if e.Detail["document_id"] != d.ID || e.Detail["version"] != n || e.Detail["confidential"] != true {
				t.Errorf("%s of a confidential document: %v, want its id, version %v and confidential", e.Action, e.Detail, n)
			}
		}
		if e.Action == "document.updated" && e.Detail["position"] != float64(3) {
			t.Errorf("the change of a confidential document lost what changed besides its title: %v", e.Detail)
		}
	}
	if len(want) > 0 {
		t.Errorf("no entries for %v among %+v", want, got)
	}

	open := r.mustUpload(t, "o.pdf", testpdf.Pages(1, "o"), map[string]string{"title": "Tờ trình"})
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+open.ID, map[string]any{"title": "Tờ trình (sửa)"})
	titles := map[string]any{}
	for _, e := range auditOf(t, r, "document:"+open.ID) {
		titles[e.Action] = e.Detail["title"]
		if e.Action == "document.uploaded" && e.Detail["sha256"] != open.SHA256 {
			t.Errorf("the upload of an open document lost its SHA-256: %v", e.Detail)
		}
	}
	if titles["document.uploaded"] != "Tờ trình" || titles["document.updated"] != "Tờ trình (sửa)" {
		t.Errorf("the entries of an open document do not name it: %v", titles)
	}

	hidden := r.mustUpload(t, "h.pdf", testpdf.Pages(1, "h"), map[string]string{"title": "Mật rồi công khai", "confidential": "true"})
	r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+hidden.ID, map[string]any{"confidential": false, "title": "Công khai"})
	for _, e := range auditOf(t, r, "document:"+hidden.ID) {
		if e.Action == "document.updated" && (e.Detail["title"] != "Công khai" || e.Detail["confidential"] != false) {
			t.Errorf("a document made open is not named by the change: %v", e.Detail)
		}
	}
}

// TestAgendaDeleteNamesOnlyVisibleDocuments proves that the 409 refusing
// to delete an agenda item that a confidential document is filed under
// names the document to the secretary, who may read it, and to an
// administrator outside the meeting, who may not, says only that a
// confidential document is filed there.
func TestAgendaDeleteNamesOnlyVisibleDocuments(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	var it struct{ ID string }
	r.c.Secretary.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+r.m+"/agenda", map[string]any{"title": "Kỷ luật"}).JSON(&it)
	const title = "Danh sách kỷ luật MẬT"
	r.mustUpload(t, "k.pdf", testpdf.Pages(1, "k"), map[string]string{"title": title, "confidential": "true", "agenda_item_id": it.ID})

	res := r.c.Secretary.Do("DELETE", "/api/v1/agenda-items/"+it.ID, nil)
	res.Check(t, "the secretary deletes the item", http.StatusConflict)
	if !strings.Contains(string(res.Body), title) {
		t.Errorf("the secretary, who may read the document, is not told which it is: %s", res.Body)
	}
	res = r.c.Admin.Do("DELETE", "/api/v1/agenda-items/"+it.ID, nil)
	res.Check(t, "an admin outside the meeting deletes the item", http.StatusConflict)
	if body := string(res.Body); strings.Contains(body, title) || !strings.Contains(body, "a confidential document is filed") {
		t.Errorf("the refusal to an admin outside the meeting: %s", body)
	}
}

// TestSharedAnnotationEditsAreAudited proves that a new content of a
// shared annotation is audited as annotation.updated (with the new
// revision, never the content), while a private annotation's edits are
// not audited at all, as its creation is not.
func TestSharedAnnotationEditsAreAudited(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "o.pdf", testpdf.Pages(1, "o"), map[string]string{"title": "Tờ trình"})
	r.c.SetStatus(r.m, "scheduled", "live")
	note := func(id string, shared bool, text string) {
		r.c.Delegate.Must(http.StatusCreated, "POST", "/api/v1/documents/"+d.ID+"/annotations", map[string]any{"id": id, "page": 1, "kind": "note",
			"shared": shared, "data": map[string]any{"x": 10, "y": 10, "text": text}})
	}
	edit := func(id, text string) {
		r.c.Delegate.Must(http.StatusOK, "PATCH", "/api/v1/annotations/"+id, map[string]any{"data": map[string]any{"x": 10, "y": 10, "text": text}})
	}
	note("shared1", true, "Đồng ý phương án 1")
	edit("shared1", "Phản đối phương án 1")
	note("mine1", false, "ghi chú riêng")
	edit("mine1", "ghi chú riêng, sửa")

	got := auditOf(t, r, "annotation:shared1")
	if len(got) != 2 || got[0].Action != "annotation.updated" || got[0].Detail["rev"] != float64(2) {
		t.Fatalf("audit of the shared annotation: %+v, want annotation.updated at rev 2 after annotation.created", got)
	}
	if s := toJSON(t, got[0].Detail); strings.Contains(s, "phương án") {
		t.Errorf("the entry gives the annotation's content: %s", s)
	}
	if got := auditOf(t, r, "annotation:mine1"); len(got) != 0 {
		t.Errorf("a private annotation's edit is audited: %+v", got)
	}
}
