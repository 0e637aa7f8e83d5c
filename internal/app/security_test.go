package app_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// secWorld is a meeting with one of everything a path can name.
type secWorld struct {
	s    *apptest.Server
	c    *apptest.Cast
	ids  map[string]string // route prefix -> id to put in :id
	user string            // for :user_id
}

func newSecWorld(t *testing.T, b testdb.Backend) *secWorld {
	t.Helper()
	s := apptest.Start(t, b)
	c := s.NewCast("rev")
	m := c.Meeting("Review meeting")
	var item, doc, poll, sp, ann struct{ ID string }
	c.Secretary.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Mục 1"}).JSON(&item)
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(2, "rev"), nil).JSON(&doc)
	c.Secretary.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Biểu quyết"}).JSON(&poll)
	c.Delegate.Must(http.StatusCreated, "POST", "/api/v1/agenda-items/"+item.ID+"/speakers", map[string]any{"kind": "speech"}).JSON(&sp)
	res := c.Delegate.Do("POST", "/api/v1/documents/"+doc.ID+"/annotations", map[string]any{"id": "ann-review-1", "page": 1, "kind": "ink", "shared": true,
		"data": map[string]any{"colour": "#D32F2F", "width": 3, "strokes": [][][]float64{{{60, 80}, {140, 80.004, 0.5}}}}})
	if res.Status >= 300 {
		t.Fatalf("annotation: %d %s", res.Status, res.Body)
	}
	ann.ID = "ann-review-1"
	if strings.Contains(string(res.Body), `"annotations"`) {
		var out struct{ Annotations []struct{ ID string } }
		res.JSON(&out)
		if len(out.Annotations) > 0 {
			ann.ID = out.Annotations[0].ID
		}
	}
	return &secWorld{s: s, c: c, user: c.Delegate.UserID, ids: map[string]string{
		"/api/v1/meetings/":     m,
		"/api/v1/agenda-items/": item.ID,
		"/api/v1/documents/":    doc.ID,
		"/api/v1/polls/":        poll.ID,
		"/api/v1/speakers/":     sp.ID,
		"/api/v1/annotations/":  ann.ID,
		"/api/v1/users/":        c.Delegate.UserID,
	}}
}

// apiRoutes lists the assembled app's /api/v1 routes (method, path),
// without the catch-all.
func secAPIRoutes(s *apptest.Server) [][2]string {
	e := s.App.Handler().(*echo.Echo)
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead:
		default:
			continue
		}
		k := [2]string{r.Method, r.Path}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][1]+out[i][0] < out[j][1]+out[j][0] })
	return out
}

func (w *secWorld) fill(path string) string {
	for prefix, id := range w.ids {
		if strings.HasPrefix(path, prefix+":id") {
			path = prefix + id + strings.TrimPrefix(path, prefix+":id")
			break
		}
	}
	return strings.ReplaceAll(path, ":user_id", w.user)
}

// send makes a request that would be accepted from someone allowed to: a
// JSON object for JSON routes, a small PDF for the upload routes.
func secSend(c *apptest.Client, method, path string, headers ...string) apptest.Response {
	if method == http.MethodPost && (strings.HasSuffix(path, "/documents") || strings.HasSuffix(path, "/versions")) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "x.pdf")
		_, _ = fw.Write(testpdf.Pages(1, "x"))
		_ = mw.Close()
		return c.Raw(method, path, mw.FormDataContentType(), &body, headers...)
	}
	var body any
	if method != http.MethodGet && method != http.MethodHead && method != http.MethodDelete {
		body = "{}"
		switch {
		case strings.HasSuffix(path, "/access"):
			body = `{"user_ids":[]}`
		case strings.HasSuffix(path, "/agenda/current"):
			body = `{"item_id":null}`
		}
	}
	return c.Do(method, path, body, headers...)
}

// Every /api/v1 route but login needs a session: anonymous callers, a
// made-up token and a cookie that names no session all get 401, never a
// 2xx, a 400 that reads the body first, or a 500.
func TestEveryRouteNeedsASession(t *testing.T) {
	w := newSecWorld(t, testdb.Backends()[0])
	anon := w.s.Anonymous()
	bogus := &apptest.Client{Token: "not-a-session-token"}
	*bogus = *w.s.Anonymous()
	bogus.Token = "not-a-session-token"
	for _, r := range secAPIRoutes(w.s) {
		method, path := r[0], w.fill(r[1])
		if r[1] == "/api/v1/auth/login" {
			continue
		}
		var hdr []string
		if strings.HasSuffix(r[1], "/live") {
			hdr = []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
		}
		for name, c := range map[string]*apptest.Client{"anonymous": anon, "bogus token": bogus} {
			res := secSend(c, method, path, hdr...)
			if res.Status != http.StatusUnauthorized {
				t.Errorf("%s %s %s: %d %s, want 401", name, method, r[1], res.Status, res.Body)
			}
		}
		res := secSend(anon, method, path, append(hdr, "Cookie", "curia_session=nope")...)
		if res.Status != http.StatusUnauthorized {
			t.Errorf("bad cookie %s %s: %d %s, want 401", method, r[1], res.Status, res.Body)
		}
	}
}

// Someone who does not take part in the meeting gets 404 (403 where the
// route is about users) for every route that names the meeting or
// something in it, never a 2xx or a 5xx.
func TestOutsiderIsRefusedEverywhere(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		w := newSecWorld(t, b)
		// The outsider runs a meeting of their own: a secretary elsewhere.
		w.c.Outsider.Must(http.StatusCreated, "POST", "/api/v1/meetings", map[string]any{"title": "Other"})
		if res := w.c.Outsider.Do("GET", "/api/v1/meetings", nil); strings.Contains(string(res.Body), w.ids["/api/v1/meetings/"]) {
			t.Errorf("the outsider's list of meetings names the meeting: %s", res.Body)
		}
		for _, r := range secAPIRoutes(w.s) {
			method, tpl := r[0], r[1]
			if !strings.Contains(tpl, ":id") || strings.HasPrefix(tpl, "/api/v1/users/") {
				continue
			}
			var hdr []string
			if strings.HasSuffix(tpl, "/live") {
				hdr = []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
			}
			res := secSend(w.c.Outsider, method, w.fill(tpl), hdr...)
			if res.Status != http.StatusNotFound {
				t.Errorf("outsider %s %s: %d %s, want 404", method, tpl, res.Status, res.Body)
			}
		}
	})
}

// Every unsafe route refuses a request authenticated by the session
// cookie that a page on another site made: a foreign Origin, a "null"
// Origin (sandboxed frame), Sec-Fetch-Site: cross-site, multipart uploads
// and DELETE included. The same requests by Bearer token (which no other
// site can attach) are not affected.
func TestCrossSiteCookieRefusedOnEveryUnsafeRoute(t *testing.T) {
	w := newSecWorld(t, testdb.Backends()[0])
	cookie := "curia_session=" + w.c.Secretary.Token
	anon := w.s.Anonymous()
	variants := [][]string{
		{"Origin", "https://evil.example"},
		{"Origin", "null"},
		{"Origin", "http://127.0.0.1.evil.example"},
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site", "Origin", "https://sub.evil.example"},
	}
	for _, r := range secAPIRoutes(w.s) {
		method, tpl := r[0], r[1]
		if method == http.MethodGet || method == http.MethodHead || tpl == "/api/v1/auth/login" {
			continue
		}
		for _, v := range variants {
			res := secSend(anon, method, w.fill(tpl), append([]string{"Cookie", cookie}, v...)...)
			if res.Status != http.StatusForbidden {
				t.Errorf("cookie %s %s with %v: %d %s, want 403", method, tpl, v, res.Status, res.Body)
			}
		}
	}
	// The session still works: nothing above logged it out.
	if res := anon.Do("GET", "/api/v1/me", nil, "Cookie", cookie); res.Status != http.StatusOK {
		t.Fatalf("the cookie session after the refusals: %d", res.Status)
	}
}

// A browser that sends no Origin (older browsers on some requests) still
// sends a Referer: a cookie-authenticated unsafe request whose only
// provenance is a cross-site Referer must be refused too.
func TestCrossSiteRefererOnlyRefused(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	id := s.CreateUser("ref.sec", "Ref", false)
	c := s.SignIn(id)
	cookie := "curia_session=" + c.Token
	res := s.Anonymous().Do("POST", "/api/v1/meetings", map[string]any{"title": "CSRF by Referer"},
		"Cookie", cookie, "Referer", "https://evil.example/attack.html")
	if res.Status != http.StatusForbidden {
		t.Fatalf("cookie POST with only a cross-site Referer: %d %s, want 403", res.Status, res.Body)
	}
}

// A session token in the URL (where it ends up in logs, history and
// Referer headers) is accepted nowhere: not by REST, not by the live
// endpoint.
func TestTokenInQueryIgnored(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("qtk")
	m := c.Meeting("Query token")
	anon := s.Anonymous()
	for _, q := range []string{"token=", "access_token=", "session=", "curia_session="} {
		if res := anon.Do("GET", "/api/v1/me?"+q+c.Delegate.Token, nil); res.Status != http.StatusUnauthorized {
			t.Errorf("GET /me?%s…: %d, want 401", q, res.Status)
		}
		if _, status, err := anon.DialLive(m, q+c.Delegate.Token); err == nil || status != http.StatusUnauthorized {
			t.Errorf("live ?%s…: %d %v, want 401", q, status, err)
		}
	}
}

// A participant who is not among a confidential document's readers gets
// 404 from every route that names the document or an annotation on it
// (bytes, versions, annotations, the annotated export, changes), exactly
// as for a document that does not exist.
func TestNonReaderRefusedOnEveryDocumentRoute(t *testing.T) {
	w := newSecWorld(t, testdb.Backends()[0])
	m := w.ids["/api/v1/meetings/"]
	var doc struct{ ID string }
	w.c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "c.pdf", testpdf.Pages(2, "conf-routes"),
		map[string]string{"confidential": "true", "reader_ids": w.c.Delegate.UserID}).JSON(&doc)
	res := w.c.Delegate.Do("POST", "/api/v1/documents/"+doc.ID+"/annotations", map[string]any{"id": "conf-ann-1", "page": 1, "kind": "ink", "shared": true,
		"data": map[string]any{"colour": "#D32F2F", "width": 3, "strokes": [][][]float64{{{60, 80}, {140, 80.004, 0.5}}}}})
	if res.Status != http.StatusCreated {
		t.Fatalf("annotation: %d %s", res.Status, res.Body)
	}
	w.ids["/api/v1/documents/"] = doc.ID
	w.ids["/api/v1/annotations/"] = "conf-ann-1"
	for _, who := range []struct {
		name string
		c    *apptest.Client
	}{{"observer", w.c.Observer}, {"admin outside the meeting", w.c.Admin}} {
		for _, r := range secAPIRoutes(w.s) {
			method, tpl := r[0], r[1]
			if !strings.HasPrefix(tpl, "/api/v1/documents/:id") && !strings.HasPrefix(tpl, "/api/v1/annotations/:id") {
				continue
			}
			for _, q := range []string{"", "?version=1"} {
				if q != "" && method != http.MethodGet {
					continue
				}
				res := secSend(who.c, method, w.fill(tpl)+q)
				if res.Status != http.StatusNotFound {
					t.Errorf("%s %s %s%s: %d %s, want 404", who.name, method, tpl, q, res.Status, res.Body)
				}
			}
		}
	}
}
