package web

import "github.com/labstack/echo/v4"

// Call is the body of a thin handler: it binds the JSON body into in
// (unless in is nil), then runs fn with the signed-in actor.
func Call[In any](c echo.Context, in *In, fn func(Actor) error) error {
	a, err := CurrentActor(c)
	if err != nil {
		return err
	}
	if in != nil {
		if err := Bind(c, in); err != nil {
			return err
		}
	}
	return fn(a)
}

// Reply answers with out as JSON, or returns err for the error handler.
func Reply(c echo.Context, status int, out any, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(status, out)
}
