package realtime

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCheckOriginSpellings proves that the live hub lets an allowed
// origin in however CURIA_ALLOWED_ORIGINS spells it (capitals, the
// default port, a trailing slash), the same set the REST API trusts
// (both compare in web.NormalOrigin's form), and that the request's own
// host counts whether or not it names the default port.
func TestCheckOriginSpellings(t *testing.T) {
	for _, allowed := range []string{"https://app.example", "https://App.Example", "https://app.example:443", "https://app.example/"} {
		h := &Hub{opt: Options{AllowedOrigins: []string{allowed}}}
		for origin, ok := range map[string]bool{
			"https://app.example":       true,
			"https://app.example:443":   true,
			"http://app.example":        false,
			"https://app.example:8443":  false,
			"https://evil.app.example":  false,
			"https://app.example.evil":  false,
			"https://curia.example":     true, // its own host
			"https://curia.example:443": true,
		} {
			r := httptest.NewRequest(http.MethodGet, "https://curia.example/api/v1/meetings/m/live", nil)
			r.Header.Set("Origin", origin)
			if got := h.checkOrigin(r); got != ok {
				t.Errorf("allowed %q, origin %q: got %v, want %v", allowed, origin, got, ok)
			}
		}
	}
	h := &Hub{}
	for host, ok := range map[string]bool{"curia.example:443": true, "Curia.Example": true, "curia.example:8443": false, "": false} {
		r := httptest.NewRequest(http.MethodGet, "https://curia.example/api/v1/meetings/m/live", nil)
		r.Host = host
		r.Header.Set("Origin", "https://curia.example")
		if got := h.checkOrigin(r); got != ok {
			t.Errorf("Host %q, origin https://curia.example: got %v, want %v", host, got, ok)
		}
	}
}
