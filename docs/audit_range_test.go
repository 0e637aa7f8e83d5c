package docs_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// Every opening of a confidential document is in the audit log. Only a
// request served byte 0 counts as an opening, so a reader who has never
// opened the document asks for "bytes=1-" and gets the whole copy but its
// first byte (always the "%" of "%PDF-") with no document.opened entry.
// Someone with a reader's session can read every confidential document
// of the meeting without a trace in the audit.
func TestWholeCopyWithoutByteZeroIsAudited(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "mat.pdf", testpdf.Pages(3, "evade"), map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID})
	before := openedBy(t, r, r.c.Delegate)
	res := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/file", nil, "Range", "bytes=1-")
	if res.Status != http.StatusPartialContent {
		t.Fatalf("Range bytes=1-: %d %s", res.Status, res.Body)
	}
	doc := append([]byte("%"), res.Body...)
	if !bytes.HasPrefix(doc, []byte("%PDF-")) || !bytes.Contains(doc, []byte("%%EOF")) {
		t.Fatalf("the answer is not the rest of the copy (%d bytes)", len(res.Body))
	}
	if openedBy(t, r, r.c.Delegate) == before {
		t.Fatalf("the whole confidential copy %s (%d bytes) was read with no document.opened audit entry",
			res.Header.Get("X-Curia-Copy-Id"), len(doc))
	}
}

// The first request of a session for a document version is audited
// whatever its Range; the further chunks of that reading are not, HEAD
// never is, and another session of the same reader (another tablet) or
// another version starts a reading of its own.
func TestFirstRequestOfASessionIsAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		d := r.mustUpload(t, "mat.pdf", testpdf.Pages(3, "first"), map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID})
		path := "/api/v1/documents/" + d.ID + "/file"
		reader := r.c.Delegate
		step := func(c *apptest.Client, method, rng string, want int, audited bool) {
			t.Helper()
			before := openedBy(t, r, reader)
			var h []string
			if rng != "" {
				h = []string{"Range", rng}
			}
			res := c.Raw(method, path, "", nil, h...)
			if res.Status != want {
				t.Fatalf("%s %s: %d %s", method, rng, res.Status, res.Body)
			}
			if got := openedBy(t, r, reader) - before; got != map[bool]int{true: 1}[audited] {
				t.Errorf("%s Range %q: %d document.opened entries, want audited %v", method, rng, got, audited)
			}
		}
		step(reader, "HEAD", "", http.StatusOK, false) // no content: no opening
		step(reader, "HEAD", "bytes=10-", http.StatusPartialContent, false)
		step(reader, "GET", "bytes=200-299", http.StatusPartialContent, true) // the first, from the middle
		step(reader, "GET", "bytes=300-399", http.StatusPartialContent, false)
		step(reader, "GET", "bytes=1-", http.StatusPartialContent, false)
		step(reader, "GET", "bytes=0-99", http.StatusPartialContent, true) // byte 0: an opening however recent
		other := r.s.SignIn(reader.UserID)                                 // the same reader on another tablet
		step(other, "GET", "bytes=1-", http.StatusPartialContent, true)
		step(other, "GET", "bytes=400-", http.StatusPartialContent, false)

		// A new version is a new reading, from whatever byte.
		if res := r.c.Secretary.Upload("/api/v1/documents/"+d.ID+"/versions", "v2.pdf", testpdf.Pages(2, "first v2"), nil); res.Status != http.StatusCreated {
			t.Fatalf("new version: %d %s", res.Status, res.Body)
		}
		step(reader, "GET", "bytes=5-", http.StatusPartialContent, true)
		step(reader, "GET", "bytes=6-", http.StatusPartialContent, false)
	})
}

// A confidential copy (the reader's own, stamped) is kept in no cache,
// its earlier versions included; Range and ETag revalidation still
// answer as before. An open document keeps "private, no-cache".
func TestConfidentialCopyIsNotStored(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	conf := r.mustUpload(t, "mat.pdf", testpdf.Pages(2, "store"), map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID})
	if res := r.c.Secretary.Upload("/api/v1/documents/"+conf.ID+"/versions", "v2.pdf", testpdf.Pages(3, "store v2"), nil); res.Status != http.StatusCreated {
		t.Fatalf("new version: %d %s", res.Status, res.Body)
	}
	open := r.mustUpload(t, "open.pdf", testpdf.Pages(2, "open"), nil)
	for _, tc := range []struct{ path, cc string }{
		{"/api/v1/documents/" + conf.ID + "/file", "private, no-store"},
		{"/api/v1/documents/" + conf.ID + "/file?version=1", "private, no-store"},
		{"/api/v1/documents/" + open.ID + "/file", "private, no-cache"},
	} {
		full := r.c.Delegate.Do("GET", tc.path, nil)
		if full.Status != http.StatusOK || full.Header.Get("Cache-Control") != tc.cc {
			t.Errorf("GET %s: %d, Cache-Control %q, want %q", tc.path, full.Status, full.Header.Get("Cache-Control"), tc.cc)
		}
		part := r.c.Delegate.Do("GET", tc.path, nil, "Range", "bytes=10-19")
		if part.Status != http.StatusPartialContent || !bytes.Equal(part.Body, full.Body[10:20]) || part.Header.Get("Cache-Control") != tc.cc {
			t.Errorf("GET %s Range: %d, Cache-Control %q", tc.path, part.Status, part.Header.Get("Cache-Control"))
		}
		etag := full.Header.Get("ETag")
		if res := r.c.Delegate.Do("GET", tc.path, nil, "If-None-Match", etag); etag == "" || res.Status != http.StatusNotModified {
			t.Errorf("GET %s If-None-Match %q: %d", tc.path, etag, res.Status)
		}
	}
}
