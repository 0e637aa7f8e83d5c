// Package web holds what every Curia HTTP route shares: the Echo server and
// its middleware, the one mapping from error kinds to HTTP statuses, JSON
// binding, and the authenticated actor of a request.
package web

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
)

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[apperr.Kind]int{
	apperr.Invalid:         http.StatusBadRequest,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.TooLarge:        http.StatusRequestEntityTooLarge,
	apperr.Unsupported:     http.StatusUnsupportedMediaType,
	apperr.Unprocessable:   http.StatusUnprocessableEntity,
	apperr.RateLimited:     http.StatusTooManyRequests,
	apperr.NotAllowed:      http.StatusMethodNotAllowed,
	apperr.RequestTimeout:  http.StatusRequestTimeout,
	apperr.Unavailable:     http.StatusServiceUnavailable,
	apperr.Internal:        http.StatusInternalServerError,
}

// kindOfStatus maps Echo's own errors (unknown route, wrong method, body
// limit) back into the error model.
var kindOfStatus = map[int]apperr.Kind{
	http.StatusBadRequest:            apperr.Invalid,
	http.StatusUnauthorized:          apperr.Unauthenticated,
	http.StatusForbidden:             apperr.Forbidden,
	http.StatusNotFound:              apperr.NotFound,
	http.StatusMethodNotAllowed:      apperr.NotAllowed,
	http.StatusRequestTimeout:        apperr.RequestTimeout,
	http.StatusRequestEntityTooLarge: apperr.TooLarge,
	http.StatusUnsupportedMediaType:  apperr.Unsupported,
	http.StatusTooManyRequests:       apperr.RateLimited,
	http.StatusServiceUnavailable:    apperr.Unavailable,
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Reason  string `json:"reason,omitempty"`
	} `json:"error"`
}

// StatusOf returns the HTTP status for err.
func StatusOf(err error) int {
	if s, ok := statusOf[apperr.KindOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// fromEcho turns Echo's HTTPError into an application error.
func fromEcho(he *echo.HTTPError) *apperr.Error {
	kind, ok := kindOfStatus[he.Code]
	if !ok {
		kind = apperr.Internal
	}
	msg := http.StatusText(he.Code)
	switch he.Code {
	case http.StatusNotFound:
		msg = "no such route"
	case http.StatusMethodNotAllowed:
		msg = "method not allowed on this route"
	case http.StatusRequestEntityTooLarge:
		msg = "request body too large"
	}
	return &apperr.Error{Kind: kind, Message: msg, Err: he}
}

// ErrorHandler writes err as {"error":{"code","message"}} with the status of
// its kind, and logs internal causes. Internal text never reaches a client.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var he *echo.HTTPError
		if errors.As(err, &he) && apperr.KindOf(err) == apperr.Internal {
			err = fromEcho(he)
		}
		err = unavailable(err)
		status := StatusOf(err)
		if status >= 500 {
			log.ErrorContext(c.Request().Context(), "request failed",
				"err", err, "route", c.Path(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		var ae *apperr.Error
		if errors.As(err, &ae) && (ae.Kind == apperr.RateLimited || ae.Kind == apperr.Unavailable) && ae.RetryAfter > 0 {
			secs := int(math.Ceil(ae.RetryAfter.Seconds()))
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		}
		var body ErrorBody
		body.Error.Code = string(apperr.KindOf(err))
		body.Error.Message = apperr.Public(err)
		body.Error.Reason = apperr.ReasonOf(err)
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}
