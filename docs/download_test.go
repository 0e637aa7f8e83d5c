package docs_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// openedBy counts the document.opened audit entries of a user.
func openedBy(t *testing.T, r *room, c *apptest.Client) int {
	t.Helper()
	var entries struct {
		Entries []struct{ Action string }
	}
	r.c.Admin.Get("/api/v1/audit?action=document.opened&actor_id="+c.UserID, &entries)
	return len(entries.Entries)
}

// Every request that is served byte 0 of a confidential copy is an
// opening and is audited, however its Range is spelled (a suffix range
// longer than the file, a zero-padded start, several ranges, one that is
// ignored); the further chunks a viewer fetches are not.
func TestOpeningIsAuditedHoweverTheRangeIsSpelled(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "mat.pdf", testpdf.Pages(3, "mat"), map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID})
	path := "/api/v1/documents/" + d.ID + "/file"
	for _, tc := range []struct {
		rng   string
		whole bool // the answer is the whole file
		opens bool
	}{
		{"bytes=-100000000", true, true},
		{"bytes=00-", true, true},
		{"bytes=0-", true, true},
		{"bytes=1-,1-", true, true}, // more than the file: ServeContent sends all of it
		{"bytes=100-199,0-9", false, true},
		{"bytes=100-199", false, false},
		{"bytes=5000-", false, false},
	} {
		t.Run(tc.rng, func(t *testing.T) {
			before := openedBy(t, r, r.c.Delegate)
			res := r.c.Delegate.Do("GET", path, nil, "Range", tc.rng)
			if res.Status != http.StatusPartialContent && res.Status != http.StatusOK {
				t.Fatalf("range %s: %d %s", tc.rng, res.Status, res.Body)
			}
			whole := bytes.HasPrefix(res.Body, []byte("%PDF-")) && bytes.Contains(res.Body, []byte("%%EOF"))
			if whole != tc.whole {
				t.Fatalf("range %s: whole file %v, want %v (%d bytes)", tc.rng, whole, tc.whole, len(res.Body))
			}
			if opened := openedBy(t, r, r.c.Delegate) > before; opened != tc.opens {
				t.Errorf("Range %q (%d bytes of copy %s): audited %v, want %v", tc.rng, len(res.Body), res.Header.Get("X-Curia-Copy-Id"), opened, tc.opens)
			}
		})
	}
}

// A title stored before control characters were refused in titles (here
// a DEL) still downloads: the Content-Disposition of the file and of the
// annotated copy leaves the character out, so Go's HTTP client (and any
// strict client or proxy) accepts the answer.
func TestDownloadOfTitleWithControlCharacters(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "s.pdf", testpdf.Pages(1, "del"), map[string]string{"title": "Tờ trình"})
	if err := r.s.App.DB.Gorm.Exec("UPDATE documents SET title = ? WHERE id = ?", "Tờ\x7ftrình\u0085", d.ID).Error; err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/file", "/annotated.pdf"} {
		req, err := http.NewRequest("GET", r.s.URL+"/api/v1/documents/"+d.ID+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+r.c.Delegate.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("GET %s of a document titled with a DEL: %v", path, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
		if cd := res.Header.Get("Content-Disposition"); !bytes.Contains([]byte(cd), []byte(`filename="T_tr_nh`)) {
			t.Errorf("GET %s: Content-Disposition %q", path, cd)
		}
	}
}
