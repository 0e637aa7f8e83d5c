package frontend

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

var script = []byte(strings.Repeat("export const hello = 'world';\n", 200))

var scriptBr = []byte("brotli stand-in: the bytes of the build's copy")

func testServer(t *testing.T, built bool) *echo.Echo {
	t.Helper()
	files := fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><title>index</title>")},
		"room.html":            {Data: []byte("<!doctype html><title>room</title>")},
		"assets/app-abc123.js": {Data: script},
		// The build's brotli copy (vite.config.ts); what it holds is not
		// decoded here, only served in place of the file.
		"assets/app-abc123.js.br": {Data: scriptBr},
		"assets/tiny-abc123.js":   {Data: []byte("export {};")},
		"assets/pic-abc123.png":   {Data: bytes.Repeat([]byte{0}, 4096)},
		".gitkeep":                {Data: nil},
		"pdfjs/cmaps/x.bcmap":     {Data: []byte{1, 2, 3}},
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
	rec := get(e, "/assets/app-abc123.js", "Accept-Encoding", "gzip, deflate")
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
		header       string
		both, gzOnly string // what is sent when there are a brotli and a gzip copy; when there is gzip only
	}{
		{"", "", ""},
		{"gzip", "gzip", "gzip"},
		{"GZIP", "gzip", "gzip"},
		{"x-gzip", "gzip", "gzip"},
		{"gzip, deflate, br, zstd", "br", "gzip"}, // Chromium's
		{"br", "br", ""},
		{"BR;q=1", "br", ""},
		{"br, gzip;q=0.5", "br", "gzip"},
		{"br;q=0.4, gzip;q=0.5", "gzip", "gzip"},
		{"br;q=0.5, gzip;q=0.5", "br", "gzip"},
		{"br;q=0, gzip", "gzip", "gzip"},
		{"gzip;q=0", "", ""},
		{"gzip; q=0.0", "", ""},
		{"*", "br", "gzip"},
		{"*;q=0", "", ""},
		{"gzip;q=0, *", "br", ""},
		{"br;q=0, *", "gzip", "gzip"},
		{"identity", "", ""},
		{"deflate", "", ""},
		{"gzip;q=bogus", "", ""},
		{"br;q=NaN, gzip", "gzip", "gzip"},
		{"br;q=2, gzip", "gzip", "gzip"},
	} {
		if got := pickEncoding(c.header, true, true); got != c.both {
			t.Errorf("Accept-Encoding %q, brotli and gzip copies: %q, want %q", c.header, got, c.both)
		}
		if got := pickEncoding(c.header, false, true); got != c.gzOnly {
			t.Errorf("Accept-Encoding %q, a gzip copy only: %q, want %q", c.header, got, c.gzOnly)
		}
		if got := pickEncoding(c.header, false, false); got != "" {
			t.Errorf("Accept-Encoding %q, no copy: %q, want the file as it is", c.header, got)
		}
	}
}

// The build's brotli copy goes to clients that take brotli, as its own
// representation; the others get gzip or the file as it is, and the copy
// is never served under its own name.
func TestAssetsBrotliWhenAccepted(t *testing.T) {
	e := testServer(t, true)
	const chromium = "gzip, deflate, br, zstd"
	rec := get(e, "/assets/app-abc123.js", "Accept-Encoding", chromium)
	h := rec.Header()
	if rec.Code != http.StatusOK || h.Get("Content-Encoding") != "br" || !bytes.Equal(rec.Body.Bytes(), scriptBr) {
		t.Fatalf("status %d, Content-Encoding %q, body %q: want the brotli copy", rec.Code, h.Get("Content-Encoding"), rec.Body.String())
	}
	if h.Get("Vary") != "Accept-Encoding" || !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(h.Get("Cache-Control"), "immutable") {
		t.Errorf("Vary %q, Content-Type %q, Cache-Control %q", h.Get("Vary"), h.Get("Content-Type"), h.Get("Cache-Control"))
	}
	brTag := h.Get("ETag")
	gz := get(e, "/assets/app-abc123.js", "Accept-Encoding", "gzip")
	plain := get(e, "/assets/app-abc123.js")
	if gz.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, gz.Body.Bytes()), script) {
		t.Errorf("gzip only: Content-Encoding %q", gz.Header().Get("Content-Encoding"))
	}
	if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), script) {
		t.Errorf("no Accept-Encoding: Content-Encoding %q, %d bytes", plain.Header().Get("Content-Encoding"), plain.Body.Len())
	}
	tags := map[string]bool{brTag: true, gz.Header().Get("ETag"): true, plain.Header().Get("ETag"): true}
	if len(tags) != 3 || tags[""] {
		t.Errorf("ETags brotli %q, gzip %q, identity %q: each representation needs its own", brTag, gz.Header().Get("ETag"), plain.Header().Get("ETag"))
	}
	if again := get(e, "/assets/app-abc123.js", "Accept-Encoding", chromium, "If-None-Match", brTag); again.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the brotli ETag: status %d, want 304", again.Code)
	}
	if other := get(e, "/assets/app-abc123.js", "Accept-Encoding", "gzip", "If-None-Match", brTag); other.Code != http.StatusOK {
		t.Errorf("the brotli ETag validated the gzip representation: status %d", other.Code)
	}
	// A Range is of the representation sent.
	part := get(e, "/assets/app-abc123.js", "Accept-Encoding", "br", "Range", "bytes=0-5")
	if part.Code != http.StatusPartialContent || !bytes.Equal(part.Body.Bytes(), scriptBr[:6]) {
		t.Errorf("Range of the brotli copy: status %d, body %q", part.Code, part.Body.String())
	}
	// The copy itself is not a file of the app.
	direct := get(e, "/assets/app-abc123.js.br", "Accept-Encoding", chromium)
	if direct.Header().Get("Content-Encoding") != "" || !strings.Contains(direct.Body.String(), "<title>index</title>") {
		t.Errorf("GET of the .br copy: Content-Encoding %q, body %q; want the index page", direct.Header().Get("Content-Encoding"), direct.Body.String())
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
	// The build wrote a brotli copy of every script worth one, smaller
	// than the gzip one made here, and it is what brotli clients get.
	sub, _ := fs.Sub(dist, "dist")
	scripts, _ := fs.Glob(sub, "assets/*.js")
	checked := 0
	for _, name := range scripts {
		raw, _ := fs.ReadFile(sub, name)
		if len(raw) < 4096 {
			continue
		}
		br, err := fs.ReadFile(sub, name+brSuffix)
		if err != nil {
			t.Errorf("%s (%d bytes): no brotli copy", name, len(raw))
			continue
		}
		gz := get(e, "/"+name, "Accept-Encoding", "gzip")
		if len(br) >= gz.Body.Len() {
			t.Errorf("%s: brotli %d bytes, gzip %d", name, len(br), gz.Body.Len())
		}
		got := get(e, "/"+name, "Accept-Encoding", "gzip, deflate, br, zstd")
		if got.Header().Get("Content-Encoding") != "br" || !bytes.Equal(got.Body.Bytes(), br) {
			t.Errorf("%s: Content-Encoding %q, %d bytes; want the brotli copy", name, got.Header().Get("Content-Encoding"), got.Body.Len())
		}
		checked++
	}
	if checked == 0 {
		t.Error("no script of 4 KB or more in the build")
	}
}
