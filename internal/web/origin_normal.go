package web

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// NormalOrigin returns the origin s in the one form Curia compares
// origins in, which is the form a browser sends in its Origin header:
// scheme and host in lower case, the scheme's default port (443 for
// https, 80 for http) left out, no trailing "/". ok is false when s is
// not an http(s) origin: no host, a port that is not a number from 1 to
// 65535, user info, a path other than "/", a query or a fragment.
//
// Both the REST API's cross-origin check (CURIA_ALLOWED_ORIGINS handed
// to http.CrossOriginProtection, which compares byte for byte) and the
// live hub's Origin check use it, so the two cannot disagree on how an
// origin may be written.
func NormalOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.User != nil || u.Opaque != "" || u.RawQuery != "" || u.ForceQuery ||
		u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	var defaultPort string
	switch scheme {
	case "https":
		defaultPort = "443"
	case "http":
		defaultPort = "80"
	default:
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" || strings.ContainsAny(host, "/\\@ ") || strings.HasSuffix(u.Host, ":") {
		return "", false
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", false
		}
		port = strconv.Itoa(n)
	}
	if port == defaultPort {
		port = ""
	}
	if port != "" {
		return scheme + "://" + net.JoinHostPort(host, port), true
	}
	if strings.Contains(host, ":") { // IPv6
		return scheme + "://[" + host + "]", true
	}
	return scheme + "://" + host, true
}
