package docs_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// Nobody may make a document confidential who could not see it
// afterwards. An administrator taking part as a delegate manages the
// meeting's documents, but sees a confidential one only when it lists
// them: their PATCH {"confidential": true} and their confidential upload
// are refused (403, with a message that says why, nothing written or
// announced) until they are on the access list; then both work and the
// document stays theirs to see.
func TestConfidentialOnlyBySomeoneWhoStillSeesIt(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	admin := r.c.Admin
	r.c.Secretary.Must(201, "PUT", "/api/v1/meetings/"+r.m+"/participants/"+admin.UserID, map[string]any{"role": "delegate"})
	d := r.mustUpload(t, "a.pdf", testpdf.Pages(1, "admin delegate"), nil)
	apptest.Drain(r.rec)

	res := admin.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
	if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "access list") {
		t.Errorf("PATCH confidential by the delegate-administrator not on the access list: %d %s, want 403 naming the access list",
			res.Status, res.Body)
	}
	var now struct{ Confidential bool }
	r.c.Secretary.Get("/api/v1/documents/"+d.ID, &now)
	if now.Confidential {
		t.Error("the refused change was written")
	}
	up := r.upload(admin, "b.pdf", testpdf.Pages(1, "admin delegate upload"), map[string]string{"confidential": "true",
		"reader_ids": r.c.Delegate.UserID})
	if up.Status != http.StatusForbidden {
		t.Errorf("a confidential upload by the delegate-administrator, not among its readers: %d %s, want 403", up.Status, up.Body)
	}
	var list struct{ Documents []struct{ ID string } }
	r.c.Secretary.Get("/api/v1/meetings/"+r.m+"/documents", &list)
	if len(list.Documents) != 1 {
		t.Errorf("the refused upload was stored: %+v", list.Documents)
	}
	if evs := apptest.EventTypes(r.rec); len(evs) != 0 {
		t.Errorf("refusals announced %v", evs)
	}

	// On the access list, they may: and they still see the document.
	admin.Must(200, "PUT", "/api/v1/documents/"+d.ID+"/access", map[string]any{"user_ids": []string{admin.UserID}})
	admin.Must(200, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
	admin.Must(200, "GET", "/api/v1/documents/"+d.ID, nil)
	up = r.upload(admin, "c.pdf", testpdf.Pages(1, "admin reader upload"), map[string]string{"confidential": "true",
		"reader_ids": admin.UserID})
	if up.Status != http.StatusCreated {
		t.Fatalf("a confidential upload naming its uploader among the readers: %d %s", up.Status, up.Body)
	}
	var c struct{ ID string }
	up.JSON(&c)
	admin.Must(200, "GET", "/api/v1/documents/"+c.ID, nil)
}

// Nobody may leave themselves unable to see a confidential document by
// changing its access list either (the rule of mayConfide). An
// administrator taking part as a delegate, on the list of a confidential
// document, who PUTs a list without themselves is refused (403 naming the
// access list; nothing written or announced): the change could not be
// answered with the document. A list that keeps them is stored, answered
// with the document as stored (the new list in it) and announced before
// the answer: the reader it adds is sent document.added.
func TestAccessListKeepsTheAdministratorWhoChangesIt(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	admin := r.c.Admin
	r.c.Secretary.Must(201, "PUT", "/api/v1/meetings/"+r.m+"/participants/"+admin.UserID, map[string]any{"role": "delegate"})
	d := r.mustUpload(t, "a.pdf", testpdf.Pages(1, "locked out"), map[string]string{"confidential": "true", "reader_ids": admin.UserID})
	apptest.Drain(r.rec)

	res := admin.Do("PUT", "/api/v1/documents/"+d.ID+"/access", map[string]any{"user_ids": []string{r.c.Delegate.UserID}})
	if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "access list") {
		t.Errorf("PUT access leaving the delegate-administrator off: %d %.300s, want 403 naming the access list", res.Status, res.Body)
	}
	var now struct {
		Readers []string `json:"readers"`
	}
	r.c.Secretary.Get("/api/v1/documents/"+d.ID, &now)
	if len(now.Readers) != 1 || now.Readers[0] != admin.UserID {
		t.Errorf("the refused list was written: readers %v, want only the administrator", now.Readers)
	}
	if evs := apptest.EventTypes(r.rec); len(evs) != 0 {
		t.Errorf("the refusal announced %v", evs)
	}

	// Staying on the list, the change is made, answered and announced.
	var got struct {
		Readers []string `json:"readers"`
	}
	admin.Must(200, "PUT", "/api/v1/documents/"+d.ID+"/access",
		map[string]any{"user_ids": []string{r.c.Delegate.UserID, admin.UserID}}).JSON(&got)
	if len(got.Readers) != 2 {
		t.Errorf("answered with readers %v, want the administrator and the delegate", got.Readers)
	}
	added := false
	for _, e := range apptest.Drain(r.rec) {
		if e.Type == "document.added" && slices.Contains(e.Audience, r.c.Delegate.UserID) {
			added = true
		}
	}
	if !added {
		t.Error("the delegate given the document was not sent document.added before the answer")
	}
}
