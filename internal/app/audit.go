package app

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// listAudit serves GET /audit to administrators: the newest entries first,
// filtered by meeting_id, actor_id, action and object, and paged with
// before_id.
func (a *App) listAudit(c echo.Context) error {
	actor, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	if !actor.IsAdmin {
		return apperr.Forbiddenf("only an administrator can read the whole audit log")
	}
	f := audit.Filter{MeetingID: c.QueryParam("meeting_id"), ActorID: c.QueryParam("actor_id"), Action: c.QueryParam("action"),
		Object: c.QueryParam("object")}
	// before_id names an entry (ids start at 1); absent: the newest page.
	f.BeforeID, err = optionalInt(c.QueryParam("before_id"))
	if err != nil || f.BeforeID < 1 && c.QueryParam("before_id") != "" {
		return apperr.Invalidf("before_id must be the id of an entry: a whole number from 1 (leave it out for the newest entries)")
	}
	limit, err := optionalInt(c.QueryParam("limit"))
	if err != nil || limit > 1000 || limit < 1 && c.QueryParam("limit") != "" { // absent: the default
		return apperr.Invalidf("limit must be a whole number from 1 to 1000")
	}
	f.Limit = int(limit)
	entries, err := a.Audit.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries})
}

func optionalInt(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}
