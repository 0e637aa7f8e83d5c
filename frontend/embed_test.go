package frontend

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

var script = []byte(strings.Repeat("export const hello = 'world';\n", 200))

func testServer(t *testing.T, built bool) *echo.Echo {
	t.Helper()
	files := fstest.MapFS{
		"index.html":            {Data: []byte("<!doctype html><title>index</title>")},
		"room.html":             {Data: []byte("<!doctype html><title>room</title>")},
		"assets/app-abc123.js":  {Data: script},
		"assets/tiny-abc123.js": {Data: []byte("export {};")},
		"assets/pic-abc123.png": {Data: bytes.Repeat([]byte{0}, 4096)},
		".gitkeep":              {Data: nil},
		"pdfjs/cmaps/x.bcmap":   {Data: []byte{1, 2, 3}},
	}
	e := echo.New()
	register(e, files, built)
	return e
}

func get(e *echo.Echo, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAssetsGzipWhenAccepted(t *testing.T) {
	e := testServer(t, true)
	rec := get(e, "/assets/app-abc123.js", "Accept-Encoding", "gzip, deflate, br")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	h := rec.Header()
	if h.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", h.Get("Content-Encoding"))
	}
	if h.Get("Vary") != "Accept-Encoding" {
		t.Errorf("Vary %q", h.Get("Vary"))
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
	if !strings.Contains(h.Get("Cache-Control"), "immutable") {
		t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
	}
	if rec.Body.Len() >= len(script)/2 {
		t.Errorf("compressed to %d of %d bytes", rec.Body.Len(), len(script))
	}
	if got := gunzip(t, rec.Body.Bytes()); !bytes.Equal(got, script) {
		t.Error("the gzip body does not decompress to the file")
	}
	gzTag := h.Get("ETag")

	plain := get(e, "/assets/app-abc123.js")
	if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), script) {
		t.Fatalf("without Accept-Encoding: encoding %q, %d bytes", plain.Header().Get("Content-Encoding"), plain.Body.Len())
	}
	if plain.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("the identity answer must vary too: %q", plain.Header().Get("Vary"))
	}
	if tag := plain.Header().Get("ETag"); tag == "" || tag == gzTag {
		t.Errorf("ETags: identity %q, gzip %q: each representation needs its own", tag, gzTag)
	}
}

func TestAcceptEncodingNegotiation(t *testing.T) {
	for _, c := range []struct {
		header string
		gzip   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"br, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.0", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false},
		{"identity", false},
		{"deflate, br", false},
		{"x-gzip", true},
		{"gzip;q=bogus", false},
	} {
		if got := acceptsGzip(c.header); got != c.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", c.header, got, c.gzip)
		}
	}
}

func TestConditionalRequests(t *testing.T) {
	e := testServer(t, true)
	for _, enc := range []string{"", "gzip"} {
		first := get(e, "/assets/app-abc123.js", "Accept-Encoding", enc)
		tag := first.Header().Get("ETag")
		again := get(e, "/assets/app-abc123.js", "Accept-Encoding", enc, "If-None-Match", tag)
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("%q: If-None-Match %s: status %d, %d bytes", enc, tag, again.Code, again.Body.Len())
		}
	}
	// A gzip ETag does not validate the identity representation.
	gz := get(e, "/assets/app-abc123.js", "Accept-Encoding", "gzip").Header().Get("ETag")
	if rec := get(e, "/assets/app-abc123.js", "If-None-Match", gz); rec.Code != http.StatusOK {
		t.Errorf("identity with the gzip ETag: status %d, want 200", rec.Code)
	}
	// index.html too: a reload costs a 304.
	idx := get(e, "/")
	if rec := get(e, "/", "If-None-Match", idx.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("index.html revalidation: status %d", rec.Code)
	}
}

func TestSmallAndBinaryFilesAreNotCompressed(t *testing.T) {
	e := testServer(t, true)
	for _, p := range []string{"/assets/tiny-abc123.js", "/assets/pic-abc123.png", "/pdfjs/cmaps/x.bcmap"} {
		rec := get(e, p, "Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", p, rec.Code)
		}
		if rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed", p)
		}
	}
}

func TestPagesAndRoutes(t *testing.T) {
	e := testServer(t, true)
	for path, want := range map[string]string{
		"/":                     "index",
		"/meetings/m1":          "room",
		"/meetings/m1/":         "room",
		"/meetings/m1/chair":    "index",
		"/meetings/m1/display":  "index",
		"/desk/new":             "index",
		"/admin":                "index",
		"/.gitkeep":             "index",
		"/assets":               "index",
		"/assets/missing-1.js":  "index",
		"/assets/../index.html": "index",
	} {
		rec := get(e, path)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<title>"+want+"</title>") {
			t.Errorf("%s: status %d, body %q; want the %s page", path, rec.Code, rec.Body.String(), want)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
	}
	if rec := get(e, "/api/v1/nothing"); rec.Code != http.StatusNotFound {
		t.Errorf("/api/...: status %d, want 404", rec.Code)
	}
}

func TestNotBuilt(t *testing.T) {
	e := testServer(t, false)
	rec := get(e, "/meetings/m1")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "was not built") {
		t.Errorf("status %d, body %q", rec.Code, rec.Body.String())
	}
}

func TestEmbeddedBuild(t *testing.T) {
	if !Built() {
		t.Skip("the web app is not built into this test binary (run the frontend build first)")
	}
	e := echo.New()
	Register(e)
	rec := get(e, "/", "Accept-Encoding", "gzip")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		body = gunzip(t, body)
	}
	if !bytes.Contains(body, []byte(`<div id="app">`)) {
		t.Errorf("index.html: %q", body)
	}
}
