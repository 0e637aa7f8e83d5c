package minutes

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/web"
)

// Handler serves the minutes route.
type Handler struct {
	svc *Service
}

// NewHandler returns the minutes route on svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes registers the minutes route on the signed-in API group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/meetings/:id/minutes", h.export)
}

// pageCSP lets the downloaded page style itself and nothing else: no
// script, no image, font or frame from anywhere, should a browser render it.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// export serves the minutes as a download: ?format=html (default) or
// json, ?lang=vi (default) or en, ?tz= an IANA time zone (default UTC).
func (h *Handler) export(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		f, err := h.svc.Export(c.Request().Context(), a, c.Param("id"),
			Request{Format: c.QueryParam("format"), Lang: c.QueryParam("lang"), TZ: c.QueryParam("tz")})
		if err != nil {
			return err
		}
		hdr := c.Response().Header()
		hdr.Set("Content-Disposition", f.Disposition())
		hdr.Set("Content-Security-Policy", pageCSP)
		hdr.Set("Cache-Control", "private, no-store")
		return c.Blob(http.StatusOK, f.ContentType, f.Body)
	})
}
