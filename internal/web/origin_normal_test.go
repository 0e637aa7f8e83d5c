package web

import "testing"

// TestNormalOrigin proves that every spelling of one origin an operator
// may write in CURIA_ALLOWED_ORIGINS (capitals, the default port, a
// trailing slash) comes out as the browser's Origin header has it, and
// that what is no origin is refused. The REST cross-origin check and the
// live hub both compare through it.
func TestNormalOrigin(t *testing.T) {
	good := map[string]string{
		"https://app.example":           "https://app.example",
		"https://App.Example":           "https://app.example",
		"HTTPS://APP.EXAMPLE:443":       "https://app.example",
		"https://app.example:443/":      "https://app.example",
		"https://app.example/":          "https://app.example",
		" https://app.example ":         "https://app.example",
		"https://app.example:8443":      "https://app.example:8443",
		"https://app.example:08443":     "https://app.example:8443",
		"http://app.example:80":         "http://app.example",
		"http://app.example:443":        "http://app.example:443",
		"https://app.example:80":        "https://app.example:80",
		"http://10.0.0.7:8080":          "http://10.0.0.7:8080",
		"http://[::1]:8080":             "http://[::1]:8080",
		"https://[2001:DB8::1]:443":     "https://[2001:db8::1]",
		"https://app.curia.example.":    "https://app.curia.example.",
		"http://localhost:8080":         "http://localhost:8080",
		"https://xn--bcher-kva.example": "https://xn--bcher-kva.example",
	}
	for in, want := range good {
		if got, ok := NormalOrigin(in); !ok || got != want {
			t.Errorf("NormalOrigin(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{
		"", "app.example", "localhost:8080", "ftp://app.example", "https://", "https://:443",
		"https://app.example/path", "https://app.example?x=1", "https://app.example?", "https://app.example#f",
		"https://user@app.example", "https://app.example:99999", "https://app.example:0", "https://app.example:",
		"https://app.example:eighty", "null", "//app.example",
	} {
		if got, ok := NormalOrigin(bad); ok {
			t.Errorf("NormalOrigin(%q) = %q, accepted", bad, got)
		}
	}
}
