package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
)

// CrossOrigin refuses unsafe browser requests from another origin (CSRF),
// judged by Sec-Fetch-Site or Origin against Host and the trusted origins.
// Requests with an Authorization header are exempt: a browser never adds
// one to a cross-site request by itself, so they cannot be forged.
func CrossOrigin(p *http.CrossOriginProtection) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Header.Get("Authorization") == "" {
				if err := p.Check(req); err != nil {
					return apperr.Forbiddenf("cross-site request refused")
				}
			}
			return next(c)
		}
	}
}
