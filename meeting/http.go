package meeting

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/web"
)

// Handler serves the meeting routes.
type Handler struct {
	svc *Service
}

// NewHandler returns the meeting routes on svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes registers the meeting routes on the signed-in API group.
func (h *Handler) Routes(g *echo.Group) {
	g.POST("/meetings", h.create)
	g.GET("/meetings", h.list)
	g.GET("/meetings/:id", h.get)
	g.PATCH("/meetings/:id", h.update)
	g.POST("/meetings/:id/status", h.setStatus)
	g.PUT("/meetings/:id/participants/:user_id", h.putParticipant)
	g.GET("/meetings/:id/participants", h.participants)
	g.DELETE("/meetings/:id/participants/:user_id", h.removeParticipant)
	g.POST("/meetings/:id/attendance", h.recordAttendance)
	g.GET("/meetings/:id/attendance", h.attendance)
	g.GET("/meetings/:id/quorum", h.quorum)
}

func (h *Handler) create(c echo.Context) error {
	var in NewMeeting
	return web.Call(c, &in, func(a web.Actor) error {
		m, err := h.svc.Create(c.Request().Context(), a, in)
		return web.Reply(c, http.StatusCreated, m, err)
	})
}

func (h *Handler) list(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		ms, err := h.svc.List(c.Request().Context(), a)
		return web.Reply(c, http.StatusOK, map[string]any{"meetings": ms}, err)
	})
}

func (h *Handler) get(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		m, err := h.svc.Get(c.Request().Context(), a, c.Param("id"))
		return web.Reply(c, http.StatusOK, m, err)
	})
}

func (h *Handler) update(c echo.Context) error {
	var in Changes
	return web.Call(c, &in, func(a web.Actor) error {
		m, err := h.svc.Update(c.Request().Context(), a, c.Param("id"), in)
		return web.Reply(c, http.StatusOK, m, err)
	})
}

func (h *Handler) setStatus(c echo.Context) error {
	var in struct {
		Status string `json:"status"`
	}
	return web.Call(c, &in, func(a web.Actor) error {
		m, err := h.svc.SetStatus(c.Request().Context(), a, c.Param("id"), in.Status)
		return web.Reply(c, http.StatusOK, m, err)
	})
}

func (h *Handler) putParticipant(c echo.Context) error {
	var in ParticipantInput
	return web.Call(c, &in, func(a web.Actor) error {
		p, created, err := h.svc.PutParticipant(c.Request().Context(), a, c.Param("id"), c.Param("user_id"), in)
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return web.Reply(c, status, p, err)
	})
}

func (h *Handler) participants(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		ps, err := h.svc.ListParticipants(c.Request().Context(), a, c.Param("id"))
		return web.Reply(c, http.StatusOK, map[string]any{"participants": ps}, err)
	})
}

func (h *Handler) removeParticipant(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		if err := h.svc.RemoveParticipant(c.Request().Context(), a, c.Param("id"), c.Param("user_id")); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

func (h *Handler) recordAttendance(c echo.Context) error {
	var in AttendanceInput
	return web.Call(c, &in, func(a web.Actor) error {
		out, err := h.svc.RecordAttendance(c.Request().Context(), a, c.Param("id"), in)
		return web.Reply(c, http.StatusOK, out, err)
	})
}

func (h *Handler) attendance(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		list, err := h.svc.Attendance(c.Request().Context(), a, c.Param("id"))
		return web.Reply(c, http.StatusOK, map[string]any{"attendance": list}, err)
	})
}

func (h *Handler) quorum(c echo.Context) error {
	return web.Call[any](c, nil, func(a web.Actor) error {
		q, err := h.svc.Quorum(c.Request().Context(), a, c.Param("id"))
		return web.Reply(c, http.StatusOK, q, err)
	})
}
