package realtime

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// checkOrigin is the Upgrader's CheckOrigin. A browser always sends Origin
// on a websocket handshake and the session cookie rides along, so a page on
// another site could otherwise read a participant's live stream. Allowed:
// no Origin (a non-browser client, which has no ambient cookie to abuse),
// the request's own host, and the configured origins. Refused: anything
// else, including "null" (sandboxed frames, file: pages) and lookalikes,
// since hosts are compared whole, never by prefix or suffix.
func (h *Hub) checkOrigin(r *http.Request) bool {
	raw := r.Header.Get("Origin")
	if raw == "" {
		return true
	}
	origin, ok := normalOrigin(raw)
	if !ok {
		return false
	}
	if origin == sameOrigin(r, origin) {
		return true
	}
	for _, a := range h.opt.AllowedOrigins {
		if o, _ := normalOrigin(a); o == origin {
			return true
		}
	}
	return false
}

// normalOrigin returns "scheme://host:port" in lower case with the port
// made explicit, or false when s is not an http(s) origin.
func normalOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.User != nil || u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" ||
		(u.Path != "" && u.Path != "/") {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host, ok := hostPort(u.Host, scheme)
	if !ok {
		return "", false
	}
	return scheme + "://" + host, true
}

// sameOrigin returns the request's own origin in normalOrigin's form. The
// scheme is https when TLS ends here; behind a TLS-terminating proxy it is
// unknown, so the browser's scheme is taken and only host and port count.
func sameOrigin(r *http.Request, origin string) string {
	scheme := "https"
	if r.TLS == nil && strings.HasPrefix(origin, "http://") {
		scheme = "http"
	}
	host, ok := hostPort(r.Host, scheme)
	if !ok {
		return ""
	}
	return scheme + "://" + host
}

// hostPort lower-cases host and adds the scheme's default port.
func hostPort(hostport, scheme string) (string, bool) {
	if hostport == "" {
		return "", false
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
	}
	if host == "" || strings.ContainsAny(host, "/\\@ ") {
		return "", false
	}
	switch {
	case port == "" && scheme == "https":
		port = "443"
	case port == "":
		port = "80"
	case strings.Trim(port, "0123456789") != "":
		return "", false
	}
	return net.JoinHostPort(strings.ToLower(host), port), true
}
