package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// The API's edges: an unknown path is a JSON 404 for everyone, a known path
// asked with the wrong method is a 405 that says which methods it takes,
// and neither ever falls through to the web app's index.html.
func TestAPIEdges(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0]) // routing does not depend on the database
	s.CreateUser("edge", "Edge Case", false)
	signedIn := s.Login("edge")
	anonymous := s.Anonymous()
	cases := []struct {
		name         string
		c            *apptest.Client
		method, path string
		status       int
		code, allow  string
	}{
		{"unknown path, signed in", signedIn, "GET", "/api/v1/nope", 404, "not_found", ""},
		{"unknown path, anonymous", anonymous, "GET", "/api/v1/nope", 404, "not_found", ""},
		{"unknown path, POST", signedIn, "POST", "/api/v1/nope/deeper", 404, "not_found", ""},
		{"unknown path under a known prefix", signedIn, "GET", "/api/v1/meetings/x/nothing-here", 404, "not_found", ""},
		{"wrong method on a collection", signedIn, "DELETE", "/api/v1/meetings", 405, "method_not_allowed", "GET, POST"},
		{"wrong method on a resource", signedIn, "PUT", "/api/v1/polls/abc", 405, "method_not_allowed", "GET"},
		{"wrong method on login", anonymous, "GET", "/api/v1/auth/login", 405, "method_not_allowed", "POST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.Do(tc.method, tc.path, nil)
			if r.Status != tc.status || r.ErrorCode() != tc.code {
				t.Fatalf("%s %s: %d %s, want %d %s", tc.method, tc.path, r.Status, r.Body, tc.status, tc.code)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" && ct != "application/json; charset=UTF-8" {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			if tc.allow != "" {
				if !strings.Contains(string(r.Body), tc.method+" is not allowed here") {
					t.Errorf("message %s does not say which method is refused", r.Body)
				}
				if !sameMethods(r.Header.Get("Allow"), tc.allow) {
					t.Errorf("Allow %q, want the methods %q", r.Header.Get("Allow"), tc.allow)
				}
			}
		})
	}
}

// sameMethods reports whether an Allow header names the wanted methods
// (OPTIONS, which Echo adds, aside), in any order.
func sameMethods(allow, want string) bool {
	set := func(s string) []string {
		var out []string
		for _, m := range strings.Split(s, ",") {
			if m = strings.TrimSpace(m); m != "" && m != "OPTIONS" {
				out = append(out, m)
			}
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(set(allow), set(want))
}

// Readiness follows the database: 200 while it answers, then a 503 in the
// error shape once it is gone.
func TestReadiness(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	anonymous := s.Anonymous()
	if r := anonymous.Do("GET", "/readyz", nil); r.Status != 200 {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
	if err := s.App.DB.Close(); err != nil {
		t.Fatal(err)
	}
	r := anonymous.Do("GET", "/readyz", nil)
	if r.Status != 503 || r.ErrorCode() != "unavailable" {
		t.Fatalf("readyz without a database: %d %s, want 503 unavailable", r.Status, r.Body)
	}
}
