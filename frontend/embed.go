// Package frontend embeds the built web app (frontend/dist, made by the
// frontend build and never committed) and serves it.
package frontend

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed all:dist
var dist embed.FS

// notBuilt is shown when the binary was compiled without a frontend build.
const notBuilt = `<!doctype html><meta charset="utf-8"><title>Curia</title>
<p>The Curia web app was not built into this binary. Run <code>make run</code>,
which builds it, or use the API under <code>/api/v1</code>.</p>`

// Built reports whether the web app is embedded.
func Built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}

// roomPath is the delegate's meeting room (router.ts): its page preloads
// the room's scripts and pdf.js (room.html, written by the build).
var roomPath = regexp.MustCompile(`^/meetings/[^/]+/?$`)

// Register serves the app: assets by path, and index.html for every other
// path that is not under /api, so client-side routes survive a reload.
func Register(e *echo.Echo) {
	sub, _ := fs.Sub(dist, "dist")
	register(e, sub, Built())
}

func register(e *echo.Echo, files fs.FS, built bool) {
	s := &server{files: files, cache: map[string]*asset{}}
	// GET and HEAD (uptime monitors probe with HEAD; ServeContent and the
	// server leave the body out).
	e.Match([]string{http.MethodGet, http.MethodHead}, "/*", func(c echo.Context) error {
		p := c.Request().URL.Path
		if strings.HasPrefix(p, "/api/") {
			return echo.ErrNotFound
		}
		if !built {
			return c.HTML(http.StatusOK, notBuilt)
		}
		name := strings.TrimPrefix(path.Clean("/"+p), "/")
		if name != "" && !hidden(name) {
			if a, err := s.asset(name); err == nil {
				cache := "no-cache"
				if strings.HasPrefix(name, "assets/") {
					// Vite names assets by content hash: cache them for good.
					cache = "public, max-age=31536000, immutable"
				}
				a.serve(c.Response(), c.Request(), cache)
				return nil
			}
		}
		page := "index.html"
		if roomPath.MatchString(p) {
			if _, err := fs.Stat(files, "room.html"); err == nil {
				page = "room.html"
			}
		}
		a, err := s.asset(page)
		if err != nil {
			return err
		}
		a.serve(c.Response(), c.Request(), "no-cache")
		return nil
	})
}

// hidden names files that are not the app's (the build's .gitkeep, any
// dot-file or dot-directory) and the build's brotli copies (.br), which are
// served only in place of their file.
func hidden(name string) bool {
	if strings.HasSuffix(name, brSuffix) {
		return true
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// brSuffix ends the name of a file's brotli copy, written by the build
// (vite.config.ts, curia-precompress) next to each file worth it.
const brSuffix = ".br"

// server keeps each file it served in memory with its gzip-compressed
// copy, made on first use, and the brotli copy the build made, if any:
// the embedded files never change while the binary runs. Brotli at its
// highest level is too slow to make here (seconds for pdf.js), so the
// build makes it; gzip is for the clients that do not take brotli.
type server struct {
	files fs.FS
	mu    sync.Mutex
	cache map[string]*asset
}

// asset is one embedded file, ready to serve.
type asset struct {
	name  string
	ctype string
	raw   []byte
	gz    []byte // nil when gzip does not pay (small or already compressed files)
	br    []byte // the build's brotli copy; nil when there is none
	etag  string // of raw; the gzip copy's is etag with "-gz", the brotli copy's with "-br"
}

// compressMin is the smallest file worth compressing.
const compressMin = 1024

func (s *server) asset(name string) (*asset, error) {
	s.mu.Lock()
	a, ok := s.cache[name]
	s.mu.Unlock()
	if ok {
		return a, nil
	}
	st, err := fs.Stat(s.files, name)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fs.ErrNotExist
	}
	raw, err := fs.ReadFile(s.files, name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	a = &asset{name: name, ctype: contentType(name), raw: raw, etag: hex.EncodeToString(sum[:12])}
	if len(raw) >= compressMin && compressible(a.ctype) {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(raw)
		if zw.Close() == nil && b.Len() < len(raw)*9/10 {
			a.gz = b.Bytes()
		}
	}
	if br, err := fs.ReadFile(s.files, name+brSuffix); err == nil && len(br) < len(raw) {
		a.br = br
	}
	s.mu.Lock()
	if old, ok := s.cache[name]; ok {
		a = old // another request made it meanwhile
	} else {
		s.cache[name] = a
	}
	s.mu.Unlock()
	return a, nil
}

// serve writes the file compressed as the client accepts it (brotli
// first, then gzip), with an ETag per representation (so a conditional
// request is answered 304) and Vary: Accept-Encoding on anything that has
// more than one representation.
func (a *asset) serve(w http.ResponseWriter, r *http.Request, cache string) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cache)
	body, etag := a.raw, a.etag
	if a.gz != nil || a.br != nil {
		h.Add("Vary", "Accept-Encoding")
		switch pickEncoding(r.Header.Get("Accept-Encoding"), a.br != nil, a.gz != nil) {
		case "br":
			body, etag = a.br, a.etag+"-br"
			h.Set("Content-Encoding", "br")
		case "gzip":
			body, etag = a.gz, a.etag+"-gz"
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", `"`+etag+`"`)
	// ServeContent answers If-None-Match (304), HEAD and Range requests.
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
}

// contentType is the file's type by extension; JavaScript modules must be
// served as JavaScript, or the browser refuses them.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".bcmap", ".pfb":
		return "application/octet-stream"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compressible says whether a type is worth gzipping (text, and fonts that
// are not compressed already).
func compressible(ctype string) bool {
	t, _, _ := strings.Cut(ctype, ";")
	switch {
	case strings.HasPrefix(t, "text/"), strings.HasSuffix(t, "+xml"), strings.HasSuffix(t, "json"), strings.HasSuffix(t, "javascript"):
		return true
	case t == "font/ttf", t == "font/otf", t == "application/octet-stream":
		return true
	}
	return false
}

// pickEncoding chooses the representation to send from Accept-Encoding
// and those there are: "br", "gzip" or "" (the file as it is). A coding's
// own entry decides by its q-value, else a "*" entry does, else it is not
// accepted; of two accepted, the higher q wins, and brotli a tie.
func pickEncoding(header string, hasBr, hasGzip bool) string {
	brQ, gzipQ, starQ := -1.0, -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := qValue(params)
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "br":
			brQ = max(brQ, q)
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, q)
		case "*":
			starQ = max(starQ, q)
		}
	}
	if brQ < 0 {
		brQ = starQ
	}
	if gzipQ < 0 {
		gzipQ = starQ
	}
	if !hasBr {
		brQ = 0
	}
	if !hasGzip {
		gzipQ = 0
	}
	switch {
	case brQ > 0 && brQ >= gzipQ:
		return "br"
	case gzipQ > 0:
		return "gzip"
	}
	return ""
}

// qValue is the q parameter of an Accept-Encoding entry: 1 when there is
// none, 0 when it cannot be read.
func qValue(params string) float64 {
	q := 1.0
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || !(f >= 0 && f <= 1) { // NaN too
				return 0
			}
			q = f
		}
	}
	return q
}
