package agenda

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Handler serves the agenda and speaker routes.
type Handler struct {
	svc *Service
}

// NewHandler returns the agenda routes on svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes registers the agenda routes on the signed-in API group.
func (h *Handler) Routes(g *echo.Group) {
	g.POST("/meetings/:id/agenda", h.addItem)
	g.GET("/meetings/:id/agenda", h.agenda)
	g.PUT("/meetings/:id/agenda/order", h.reorder)
	g.PUT("/meetings/:id/agenda/current", h.setCurrent)
	g.PATCH("/agenda-items/:id", h.updateItem)
	g.DELETE("/agenda-items/:id", h.deleteItem)
	g.POST("/agenda-items/:id/speakers", h.enqueue)
	g.GET("/agenda-items/:id/speakers", h.speakers)
	g.POST("/speakers/:id/start", h.startSpeaker)
	g.POST("/speakers/:id/finish", h.finishSpeaker)
	g.POST("/speakers/:id/cancel", h.cancelSpeaker)
}

func (h *Handler) addItem(c echo.Context) error {
	var in NewItem
	return web.Call(c, &in, func(a web.Actor) error {
		it, err := h.svc.AddItem(c.Request().Context(), a, c.Param("id"), in)
		return web.Reply(c, http.StatusCreated, it, err)
	})
}

func (h *Handler) agenda(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		ag, err := h.svc.Agenda(c.Request().Context(), a, c.Param("id"))
		return web.Reply(c, http.StatusOK, ag, err)
	})
}

func (h *Handler) reorder(c echo.Context) error {
	var in struct {
		IDs []string `json:"ids"`
	}
	return web.Call(c, &in, func(a web.Actor) error {
		ag, err := h.svc.Reorder(c.Request().Context(), a, c.Param("id"), in.IDs)
		return web.Reply(c, http.StatusOK, ag, err)
	})
}

func (h *Handler) setCurrent(c echo.Context) error {
	var in struct {
		ItemID OptionalID `json:"item_id"`
	}
	return web.Call(c, &in, func(a web.Actor) error {
		if !in.ItemID.Set {
			return apperr.Invalidf("item_id is required: an agenda item id, or null for none")
		}
		cur, err := h.svc.SetCurrent(c.Request().Context(), a, c.Param("id"), in.ItemID.ID)
		return web.Reply(c, http.StatusOK, cur, err)
	})
}

func (h *Handler) updateItem(c echo.Context) error {
	var in ItemChanges
	return web.Call(c, &in, func(a web.Actor) error {
		it, err := h.svc.UpdateItem(c.Request().Context(), a, c.Param("id"), in)
		return web.Reply(c, http.StatusOK, it, err)
	})
}

func (h *Handler) deleteItem(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		if err := h.svc.DeleteItem(c.Request().Context(), a, c.Param("id")); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

func (h *Handler) enqueue(c echo.Context) error {
	var in SpeakerRequest
	return web.Call(c, &in, func(a web.Actor) error {
		sp, err := h.svc.Enqueue(c.Request().Context(), a, c.Param("id"), in)
		return web.Reply(c, http.StatusCreated, sp, err)
	})
}

func (h *Handler) speakers(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		q, err := h.svc.Speakers(c.Request().Context(), a, c.Param("id"))
		return web.Reply(c, http.StatusOK, q, err)
	})
}

func (h *Handler) startSpeaker(c echo.Context) error {
	var in struct {
		TimeLimitSec int `json:"time_limit_sec"`
	}
	body := &in
	if c.Request().ContentLength == 0 { // the body is optional: no limit
		body = nil
	}
	return web.Call(c, body, func(a web.Actor) error {
		sp, err := h.svc.StartSpeaker(c.Request().Context(), a, c.Param("id"), in.TimeLimitSec)
		return web.Reply(c, http.StatusOK, sp, err)
	})
}

func (h *Handler) finishSpeaker(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		sp, err := h.svc.FinishSpeaker(c.Request().Context(), a, c.Param("id"))
		return web.Reply(c, http.StatusOK, sp, err)
	})
}

func (h *Handler) cancelSpeaker(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		sp, err := h.svc.CancelSpeaker(c.Request().Context(), a, c.Param("id"))
		return web.Reply(c, http.StatusOK, sp, err)
	})
}
