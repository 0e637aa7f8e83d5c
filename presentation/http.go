package presentation

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/web"
)

// Handler serves the presentation routes.
type Handler struct {
	svc *Service
}

// NewHandler returns the presentation routes.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes registers GET and PUT /meetings/{id}/presentation.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/meetings/:id/presentation", h.get)
	g.PUT("/meetings/:id/presentation", h.put)
}

func (h *Handler) get(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	st, err := h.svc.Get(c.Request().Context(), a, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (h *Handler) put(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	var in Input
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	st, err := h.svc.Set(c.Request().Context(), a, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
