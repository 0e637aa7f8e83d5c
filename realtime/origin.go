package realtime

import (
	"net/http"
	"strings"

	"github.com/curia/curia/internal/web"
)

// checkOrigin is the Upgrader's CheckOrigin. A browser always sends Origin
// on a websocket handshake and the session cookie rides along, so a page on
// another site could otherwise read a participant's live stream. Allowed:
// no Origin (a non-browser client, which has no ambient cookie to abuse),
// the configured origins, and the request's own origin, unless the
// browser says (Sec-Fetch-Site) the page is not of this origin: a page on
// http://HOST of an HTTPS deployment has the same host, and the REST
// API's check refuses it on that word too. Refused: anything else,
// including "null" (sandboxed frames, file: pages) and lookalikes, since
// hosts are compared whole, never by prefix or suffix. Every origin is
// compared in web.NormalOrigin's form, the one the REST API's
// cross-origin check trusts the configured origins in.
func (h *Hub) checkOrigin(r *http.Request) bool {
	raw := r.Header.Get("Origin")
	if raw == "" {
		return true
	}
	origin, ok := normalOrigin(raw)
	if !ok {
		return false
	}
	for _, a := range h.opt.AllowedOrigins {
		if o, _ := normalOrigin(a); o == origin {
			return true
		}
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	return origin == sameOrigin(r, origin, h.opt.HTTPSOnly)
}

// normalOrigin is web.NormalOrigin: false when s is not an http(s) origin.
func normalOrigin(s string) (string, bool) { return web.NormalOrigin(s) }

// sameOrigin returns the request's own origin in normalOrigin's form. The
// scheme is https when TLS ends here or the deployment is HTTPS only
// (httpsOnly); behind a TLS-terminating proxy otherwise it is unknown, so
// the browser's scheme is taken and only host and port count.
func sameOrigin(r *http.Request, origin string, httpsOnly bool) string {
	scheme := "https"
	if r.TLS == nil && !httpsOnly && strings.HasPrefix(origin, "http://") {
		scheme = "http"
	}
	if r.Host == "" || strings.ContainsAny(r.Host, "/?#@") {
		return ""
	}
	o, ok := normalOrigin(scheme + "://" + r.Host)
	if !ok {
		return ""
	}
	return o
}
