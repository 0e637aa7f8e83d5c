package audit_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// TestMain lets the test binary serve as the PDF worker of the test
// servers (these tests upload documents).
func TestMain(m *testing.M) { apptest.Main(m) }

// TestAuditKeepsConfidentialTitlesFromOutsideAdmins proves that GET /audit
// tells an administrator who does not take part in a meeting no more
// about its confidential document than the documents service does (GET
// /documents/{id} is 404 to them, and the minutes only count it): the
// document's title is in none of its entries, whether asked for by
// meeting, by object or by action.
func TestAuditKeepsConfidentialTitlesFromOutsideAdmins(t *testing.T) {
	_, c := apptest.StartCast(t, testdb.Backends()[0])
	m := c.Meeting("Họp kỷ luật")
	const title = "Danh sách kỷ luật MẬT"
	var doc struct{ ID string }
	res := c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "k.pdf", testpdf.Pages(1, "k"),
		map[string]string{"title": title, "confidential": "true", "reader_ids": c.Delegate.UserID})
	res.Check(t, "upload", 201)
	res.JSON(&doc)
	c.Admin.Do("GET", "/api/v1/documents/"+doc.ID, nil).Check(t, "the admin reads the document", 404)

	for _, q := range []string{"meeting_id=" + m, "object=document:" + doc.ID, "action=document.uploaded"} {
		body := string(c.Admin.Must(200, "GET", "/api/v1/audit?"+q, nil).Body)
		if strings.Contains(body, title) {
			t.Errorf("GET /audit?%s gives an admin outside the meeting the confidential title %q", q, title)
		}
	}
}

// TestAuditRecordsSharedAnnotationEdits proves that rewriting the text of
// a shared annotation, which the whole room reads, is in the audit log as
// its creation is, so the log tells who wrote what the room read.
func TestAuditRecordsSharedAnnotationEdits(t *testing.T) {
	_, c := apptest.StartCast(t, testdb.Backends()[0])
	m := c.Meeting("Họp")
	var doc struct{ ID string }
	res := c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "o.pdf", testpdf.Pages(1, "o"), map[string]string{"title": "Tờ trình"})
	res.Check(t, "upload", 201)
	res.JSON(&doc)
	c.SetStatus(m, "scheduled", "live")
	c.Delegate.Must(201, "POST", "/api/v1/documents/"+doc.ID+"/annotations", map[string]any{"id": "n1", "page": 1, "kind": "note",
		"shared": true, "data": map[string]any{"x": 10, "y": 10, "text": "Đồng ý phương án 1"}})
	c.Delegate.Must(200, "PATCH", "/api/v1/annotations/n1", map[string]any{"data": map[string]any{"x": 10, "y": 10, "text": "Phản đối phương án 1"}})

	var out struct {
		Entries []struct {
			Action  string
			ActorID string `json:"actor_id"`
		}
	}
	c.Admin.Get("/api/v1/audit?object=annotation:n1", &out)
	if len(out.Entries) != 2 || out.Entries[0].Action != "annotation.updated" || out.Entries[0].ActorID != c.Delegate.UserID {
		t.Errorf("audit of the shared annotation: %+v; want its edit, by its author, after its creation", out.Entries)
	}
}

// TestAuditBeforeIDMustNameAnEntry proves that a before_id that names no
// entry (ids start at 1) is a 400 with a message saying so, instead of
// being taken as "no before_id" and answering the newest page; a valid
// one pages backwards.
func TestAuditBeforeIDMustNameAnEntry(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	s.CreateUser("root", "Root", true)
	admin := s.Login("root")
	for _, q := range []string{"-1", "0", "x", "1.5", "99999999999999999999"} {
		res := admin.Do("GET", "/api/v1/audit?before_id="+q, nil)
		res.Check(t, "before_id="+q, 400)
		if !strings.Contains(string(res.Body), "before_id") {
			t.Errorf("before_id=%s: the message does not name the parameter: %s", q, res.Body)
		}
	}
	var out struct{ Entries []struct{ ID int64 } }
	admin.Get("/api/v1/audit", &out)
	if len(out.Entries) < 2 {
		t.Fatalf("entries: %+v, want at least the user's creation and sign-in", out.Entries)
	}
	newest := out.Entries[0].ID
	admin.Get("/api/v1/audit?before_id="+strconv.FormatInt(newest, 10), &out)
	if len(out.Entries) == 0 || out.Entries[0].ID >= newest {
		t.Errorf("before_id=%d: %+v, want the older entries", newest, out.Entries)
	}
}
