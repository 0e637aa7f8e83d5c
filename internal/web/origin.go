package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
)

// CrossOrigin refuses unsafe browser requests from another origin (CSRF),
// judged by Sec-Fetch-Site or Origin against Host and the trusted origins.
// Requests with an Authorization header are exempt: a browser never adds
// one to a cross-site request by itself, so they cannot be forged. A
// request with neither header but a Referer (an old browser, a privacy
// extension that strips Origin) is judged by the Referer's origin, which
// net/http's check ignores: a cross-site Referer is refused like a
// cross-site Origin.
//
// httpsOnly says the app is served over HTTPS only (CURIA_COOKIE_SECURE):
// then an unsafe request whose Origin (or Referer) is http:// is refused
// too. net/http's check, when the browser sends no Sec-Fetch-Site (Safari
// before 16.4, still on iPads that cannot update), compares only the
// Origin's host with Host, so a page on http://HOST, which anyone on the
// meeting Wi-Fi can answer for, would pass as the app itself.
func CrossOrigin(p *http.CrossOriginProtection, httpsOnly bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Header.Get("Authorization") == "" {
				r := byReferer(req)
				if err := p.Check(r); err != nil || httpsOnly && !safeMethod(r.Method) && plainHTTP(r.Header.Get("Origin")) {
					return apperr.Forbiddenf("cross-site request refused")
				}
			}
			return next(c)
		}
	}
}

// safeMethod reports the methods net/http's check lets through: they
// change nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// plainHTTP reports whether origin is an http:// one.
func plainHTTP(origin string) bool { return strings.HasPrefix(strings.ToLower(origin), "http://") }

// byReferer is req, or, when it carries neither Sec-Fetch-Site nor Origin
// but a Referer, a shallow copy whose Origin is the Referer's origin (a
// Referer that is no absolute http(s) URL counts as the origin "null",
// which no host matches).
func byReferer(req *http.Request) *http.Request {
	ref := req.Header.Get("Referer")
	if ref == "" || req.Header.Get("Sec-Fetch-Site") != "" || req.Header.Get("Origin") != "" {
		return req
	}
	origin := "null"
	if u, err := url.Parse(ref); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		origin = u.Scheme + "://" + u.Host
	}
	r := req.Clone(req.Context())
	r.Header.Set("Origin", origin)
	return r
}
