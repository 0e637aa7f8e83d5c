package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
)

// probed are the methods NotFound looks a path up with.
var probed = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// NotFound is the catch-all of an API group, registered as Any(path) (for
// example "/api/v1/*"): a JSON 404 for a path no route has, and a 405 with
// Allow for a path that is a route for other methods. Echo lets a
// catch-all win over its own 405, so the catch-all looks the path up for
// each method itself; this runs only for requests that were going to fail.
func NotFound(e *echo.Echo, path string) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		var allow []string
		for _, m := range probed {
			if m == req.Method {
				continue
			}
			probe := e.NewContext(nil, nil)
			e.Router().Find(m, echo.GetPath(req), probe)
			if p := probe.Path(); p != path && p != "" && probe.Handler() != nil && !isFallback(probe) {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			return apperr.NotFoundf("no such route")
		}
		c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
		return apperr.New(apperr.NotAllowed, "%s is not allowed here; use %s", req.Method, strings.Join(allow, " or "))
	}
}

// isFallback reports whether Find settled on Echo's own 404 or 405
// handler, or on a route outside the API (the web app's "/*").
func isFallback(c echo.Context) bool {
	return c.Path() == "/*" || c.Get(echo.ContextKeyHeaderAllow) != nil
}
