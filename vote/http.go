package vote

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/web"
)

// Handler serves the voting routes.
type Handler struct {
	svc *Service
}

// NewHandler returns the voting routes on svc.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Routes registers the voting routes on the signed-in API group.
func (h *Handler) Routes(g *echo.Group) {
	svc := h.svc
	g.POST("/meetings/:id/polls", withBody(http.StatusCreated, svc.CreatePoll))
	g.GET("/meetings/:id/polls", noBody(http.StatusOK, func(ctx context.Context, a web.Actor, id string) (any, error) {
		ps, err := svc.List(ctx, a, id)
		return map[string]any{"polls": ps}, err
	}))
	g.GET("/polls/:id", noBody(http.StatusOK, svc.Get))
	g.POST("/polls/:id/open", noBody(http.StatusOK, svc.OpenPoll))
	g.POST("/polls/:id/close", noBody(http.StatusOK, svc.ClosePoll))
	g.POST("/polls/:id/publish", noBody(http.StatusOK, svc.PublishPoll))
	g.POST("/polls/:id/cancel", noBody(http.StatusOK, svc.CancelPoll))
	g.POST("/polls/:id/again", noBody(http.StatusCreated, svc.VoteAgain))
	g.POST("/polls/:id/votes", withBody(http.StatusCreated, svc.Cast))
	g.GET("/polls/:id/voters", noBody(http.StatusOK, svc.Voters))
	g.GET("/polls/:id/results", h.results)
	g.GET("/polls/:id/results.json", h.resultsAs("json"))
	g.GET("/polls/:id/results.csv", h.resultsAs("csv"))
}

// noBody serves a route without a request body: the service method gets
// the path's id and its answer is sent with status.
func noBody[Out any](status int, fn func(context.Context, web.Actor, string) (Out, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		return web.Call[any](c, nil, func(a web.Actor) error {
			out, err := fn(c.Request().Context(), a, c.Param("id"))
			return web.Reply(c, status, out, err)
		})
	}
}

// withBody is noBody for a route whose JSON body the method takes too.
func withBody[In, Out any](status int, fn func(context.Context, web.Actor, string, In) (Out, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in In
		return web.Call(c, &in, func(a web.Actor) error {
			out, err := fn(c.Request().Context(), a, c.Param("id"), in)
			return web.Reply(c, status, out, err)
		})
	}
}

// results serves the export in ?format=json (default) or csv.
func (h *Handler) results(c echo.Context) error {
	return h.resultsAs(c.QueryParam("format"))(c)
}

func (h *Handler) resultsAs(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return web.Call[any](c, nil, func(a web.Actor) error {
			p, err := h.svc.Results(c.Request().Context(), a, c.Param("id"), format)
			if err != nil {
				return err
			}
			name := fmt.Sprintf("poll-%s-results", p.ID)
			if format == "csv" {
				c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
				return c.Blob(http.StatusOK, "text/csv; charset=utf-8", CSV(p))
			}
			c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
			return c.JSON(http.StatusOK, p)
		})
	}
}
