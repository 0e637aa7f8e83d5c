package web

import (
	"net/http"
	"net/url"

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
func CrossOrigin(p *http.CrossOriginProtection) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Header.Get("Authorization") == "" {
				if err := p.Check(byReferer(req)); err != nil {
					return apperr.Forbiddenf("cross-site request refused")
				}
			}
			return next(c)
		}
	}
}

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
