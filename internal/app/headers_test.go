package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// Every response carries the security headers the README promises (CSP
// with frame-ancestors 'none', nosniff, no-referrer), and nothing a
// signed-in user reads from /api is left in a shared cache.
func TestSecurityHeadersEverywhere(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("hdr")
	m := c.Meeting("Headers")
	var doc docs.Document
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(1, "hdr"), nil).JSON(&doc)
	cases := []struct {
		name string
		c    *apptest.Client
		path string
		api  bool
	}{
		{"API JSON", c.Delegate, "/api/v1/meetings/" + m, true},
		{"API error", c.Outsider, "/api/v1/meetings/" + m, true},
		{"anonymous API error", s.Anonymous(), "/api/v1/me", true},
		{"PDF", c.Delegate, "/api/v1/documents/" + doc.ID + "/file", true},
		{"unknown API path", c.Delegate, "/api/v1/nope", true},
		{"web app", s.Anonymous(), "/", false},
		{"healthz", s.Anonymous(), "/healthz", false},
		{"metrics", s.Anonymous(), "/metrics", false},
	}
	for _, tc := range cases {
		res := tc.c.Do("GET", tc.path, nil)
		h := res.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") && !strings.Contains(csp, "sandbox") {
			t.Errorf("%s: CSP %q", tc.name, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", tc.name)
		}
		if h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q", tc.name, h.Get("Referrer-Policy"))
		}
		if cc := h.Get("Cache-Control"); tc.api && !strings.Contains(cc, "no-store") && !strings.Contains(cc, "private") {
			t.Errorf("%s: Cache-Control %q lets a shared cache keep it", tc.name, cc)
		}
	}
}

// A confidential document is the reader's own stamped copy: it must not
// be written to the browser's disk cache either, where it outlives the
// session on a tablet the next delegate picks up (the annotated export
// of the same copy is "private, no-store" too). The file route once
// answered "private, no-cache", which let the browser store it.
func TestConfidentialPDFIsNotStored(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("cch")
	m := c.Meeting("Cache")
	var doc docs.Document
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(1, "cch"),
		map[string]string{"confidential": "true", "reader_ids": c.Delegate.UserID}).JSON(&doc)
	res := c.Delegate.Do("GET", "/api/v1/documents/"+doc.ID+"/file", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("reader GET file: %d %s", res.Status, res.Body)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Fatalf("a confidential copy is served with Cache-Control %q; want no-store", cc)
	}
}

// /metrics is public: it names routes by their pattern, never by the ids,
// names or paths requests carried.
func TestMetricsNameNoIDs(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("mtr")
	m := c.Meeting("Metrics")
	c.Delegate.Do("GET", "/api/v1/meetings/"+m, nil)
	c.Outsider.Do("GET", "/api/v1/meetings/"+m+"/documents", nil)
	s.Anonymous().Do("GET", "/api/v1/no-such/"+m, nil)
	s.Anonymous().Do("GET", "/no-such-page-"+m, nil)
	s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": "mtr.delegate", "password": "wrong password"})
	res := s.Anonymous().Do("GET", "/metrics", nil)
	body := string(res.Body)
	for _, secret := range []string{m, c.Delegate.UserID, "mtr.delegate", "no-such"} {
		if strings.Contains(body, secret) {
			t.Errorf("/metrics names %q", secret)
		}
	}
}
