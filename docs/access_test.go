package docs_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// A confidential document is seen by its readers, the chair and the
// secretary; everyone else gets 404 for its metadata, file, list entry
// and events.
func TestConfidentialAccess(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		reader := r.s.SignIn(r.s.CreateUser("reader", "Người đọc", false))
		r.c.Secretary.Must(201, "PUT", "/api/v1/meetings/"+r.m+"/participants/"+reader.UserID, map[string]any{"role": "delegate"})
		open := r.mustUpload(t, "open.pdf", testpdf.Pages(1, "open"), nil)
		apptest.Drain(r.rec)
		secret := r.mustUpload(t, "secret.pdf", testpdf.Pages(2, "secret"),
			map[string]string{"confidential": "true", "reader_ids": reader.UserID})

		evs := apptest.Drain(r.rec)
		if len(evs) != 1 || evs[0].Audience == nil {
			t.Fatalf("document.added for a confidential document went to everyone: %+v", evs)
		}
		for _, who := range []string{reader.UserID, r.c.Chair.UserID, r.c.Secretary.UserID} {
			if !contains(evs[0].Audience, who) {
				t.Errorf("audience %v lacks %s", evs[0].Audience, who)
			}
		}
		if contains(evs[0].Audience, r.c.Delegate.UserID) || contains(evs[0].Audience, r.c.Observer.UserID) {
			t.Errorf("audience %v includes someone without access", evs[0].Audience)
		}

		who := map[string]*apptest.Client{"reader": reader, "chair": r.c.Chair, "secretary": r.c.Secretary,
			"delegate": r.c.Delegate, "observer": r.c.Observer, "outsider": r.c.Outsider, "admin": r.c.Admin}
		sees := map[string]bool{"reader": true, "chair": true, "secretary": true}
		for name, c := range who {
			t.Run(name, func(t *testing.T) {
				want := http.StatusNotFound
				if sees[name] {
					want = http.StatusOK
				}
				for _, path := range []string{"/api/v1/documents/" + secret.ID, "/api/v1/documents/" + secret.ID + "/file"} {
					if res := c.Do("GET", path, nil); res.Status != want {
						t.Errorf("GET %s: %d, want %d", path, res.Status, want)
					}
				}
				res := c.Do("GET", "/api/v1/meetings/"+r.m+"/documents", nil)
				if name == "outsider" {
					if res.Status != 404 {
						t.Errorf("outsider lists documents: %d", res.Status)
					}
					return
				}
				if listed := strings.Contains(string(res.Body), secret.ID); listed != sees[name] {
					t.Errorf("list shows the confidential document: %v, want %v", listed, sees[name])
				}
				if !strings.Contains(string(res.Body), open.ID) {
					t.Errorf("list lacks the open document")
				}
			})
		}

		// Changing the access list: the delegate gains it, the reader loses it.
		var d docs.Document
		r.c.Secretary.Must(200, "PUT", "/api/v1/documents/"+secret.ID+"/access", map[string]any{"user_ids": []string{r.c.Delegate.UserID}}).JSON(&d)
		if len(d.Readers) != 1 || d.Readers[0] != r.c.Delegate.UserID {
			t.Fatalf("readers after change: %v", d.Readers)
		}
		if res := reader.Do("GET", "/api/v1/documents/"+secret.ID+"/file", nil); res.Status != 404 {
			t.Errorf("a removed reader still reads: %d", res.Status)
		}
		if res := r.c.Delegate.Do("GET", "/api/v1/documents/"+secret.ID, nil); res.Status != 200 {
			t.Errorf("a new reader cannot read: %d", res.Status)
		}
		types := map[string][]string{}
		for _, e := range apptest.Drain(r.rec) {
			types[e.Type] = append(types[e.Type], e.Audience...)
		}
		if !contains(types["document.removed"], reader.UserID) || !contains(types["document.added"], r.c.Delegate.UserID) {
			t.Errorf("access change events: %v", types)
		}

		bad := []struct {
			name   string
			c      *apptest.Client
			body   any
			status int
		}{
			{"delegate sets access", r.c.Delegate, map[string]any{"user_ids": []string{}}, 403},
			{"outsider as reader", r.c.Secretary, map[string]any{"user_ids": []string{r.c.Outsider.UserID}}, 422},
			{"no list", r.c.Secretary, map[string]any{}, 400},
			{"not a list", r.c.Secretary, map[string]any{"user_ids": "all"}, 400},
		}
		for _, tc := range bad {
			if res := tc.c.Do("PUT", "/api/v1/documents/"+secret.ID+"/access", tc.body); res.Status != tc.status {
				t.Errorf("%s: %d, want %d", tc.name, res.Status, tc.status)
			}
		}
		r.c.Secretary.Get("/api/v1/documents/"+secret.ID, &d)
		if len(d.Readers) != 1 || d.Readers[0] != r.c.Delegate.UserID {
			t.Fatalf("refused changes changed the readers: %v", d.Readers)
		}
	})
}

func TestDocumentChangesByRole(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "a.pdf", testpdf.Pages(1, "roles"), nil)
	for _, tc := range []struct {
		c      *apptest.Client
		status int
	}{{r.c.Delegate, 403}, {r.c.Observer, 403}, {r.c.Outsider, 404}, {r.c.Chair, 200}, {r.c.Admin, 200}} {
		if res := tc.c.Do("PATCH", "/api/v1/documents/"+d.ID, map[string]any{"title": "Tờ trình mới"}); res.Status != tc.status {
			t.Errorf("PATCH as %s: %d, want %d", tc.c.UserID, res.Status, tc.status)
		}
	}
	for _, tc := range []struct {
		body   any
		status int
	}{{map[string]any{"title": ""}, 400}, {map[string]any{}, 400}, {map[string]any{"position": -1}, 400}, {map[string]any{"agenda_item_id": "x"}, 422}} {
		if res := r.c.Secretary.Do("PATCH", "/api/v1/documents/"+d.ID, tc.body); res.Status != tc.status {
			t.Errorf("PATCH %v: %d, want %d", tc.body, res.Status, tc.status)
		}
	}
	if res := r.c.Delegate.Do("DELETE", "/api/v1/documents/"+d.ID, nil); res.Status != 403 {
		t.Errorf("delegate DELETE: %d", res.Status)
	}
}

// Serving a file reuses an access decision for a moment (the Range
// requests of one reading), but never past a change: a change to the
// access list, the confidential flag or the document through the service
// applies at once; a participant removed from the meeting loses the file
// within the 2 s window the session cache allows as well.
func TestFileAccessFollowsChanges(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	reader := r.s.SignIn(r.s.CreateUser("reader", "Người đọc", false))
	r.c.Secretary.Must(201, "PUT", "/api/v1/meetings/"+r.m+"/participants/"+reader.UserID, map[string]any{"role": "delegate"})
	d := r.mustUpload(t, "secret.pdf", testpdf.Pages(2, "secret"), map[string]string{"confidential": "true", "reader_ids": reader.UserID})
	file := "/api/v1/documents/" + d.ID + "/file"
	rangeGet := func(c *apptest.Client) int {
		return c.Do("GET", file, nil, "Range", "bytes=100-199").Status
	}
	for range 3 { // the decision is now cached
		if st := rangeGet(reader); st != http.StatusPartialContent {
			t.Fatalf("reader: %d", st)
		}
	}
	if st := rangeGet(r.c.Delegate); st != http.StatusNotFound {
		t.Fatalf("delegate before being given access: %d", st)
	}

	// Taking the reader off the access list: 404 on the very next request.
	r.c.Secretary.Must(200, "PUT", "/api/v1/documents/"+d.ID+"/access", map[string]any{"user_ids": []string{r.c.Delegate.UserID}})
	if st := rangeGet(reader); st != http.StatusNotFound {
		t.Errorf("reader taken off the access list still served: %d", st)
	}
	if st := rangeGet(r.c.Delegate); st != http.StatusPartialContent {
		t.Errorf("delegate put on the access list not served: %d", st) // refusals are never cached
	}

	// Making it open: every participant at once; confidential again: the
	// delegate keeps it (on the list), the observer loses it at once.
	r.c.Secretary.Must(200, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": false})
	if st := rangeGet(r.c.Observer); st != http.StatusPartialContent {
		t.Errorf("observer, open document: %d", st)
	}
	r.c.Secretary.Must(200, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": true})
	if st := rangeGet(r.c.Observer); st != http.StatusNotFound {
		t.Errorf("observer, confidential again: %d", st)
	}

	// Removing the delegate from the meeting (the meeting package tells
	// docs): refused on the very next request.
	if st := rangeGet(r.c.Delegate); st != http.StatusPartialContent {
		t.Fatalf("delegate: %d", st)
	}
	r.c.Secretary.Must(204, "DELETE", "/api/v1/meetings/"+r.m+"/participants/"+r.c.Delegate.UserID, nil)
	if st := rangeGet(r.c.Delegate); st != http.StatusNotFound {
		t.Errorf("a removed participant is still served the file: %d", st)
	}

	// Deleting the document: 404 at once for those who had it cached.
	if st := rangeGet(r.c.Chair); st != http.StatusPartialContent {
		t.Fatalf("chair: %d", st)
	}
	r.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+d.ID, nil)
	if st := rangeGet(r.c.Chair); st != http.StatusNotFound {
		t.Errorf("deleted document still served: %d", st)
	}
}
