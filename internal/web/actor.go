package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
)

// Actor is who makes a request: the authenticated user and their session.
// Services take an Actor and decide what it may do.
type Actor struct {
	UserID    string
	Username  string
	FullName  string
	IsAdmin   bool
	SessionID string // the stored hash of the session token
	ClientIP  string // where the request came from, for the audit log
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.UserID != ""
}

// CurrentActor returns the request's actor or an Unauthenticated error.
func CurrentActor(c echo.Context) (Actor, error) {
	a, ok := ActorFrom(c.Request().Context())
	if !ok {
		return Actor{}, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	return a, nil
}
