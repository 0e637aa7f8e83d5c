// Package apperr is Curia's one error model: an error carries a Kind that
// says what went wrong for the caller, a Message a person can read, and an
// optional internal cause that is logged but never shown to a client.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error for the caller. The web layer maps each kind to
// exactly one HTTP status; services never choose statuses.
type Kind string

// The kinds of error a service may return.
const (
	Invalid         Kind = "invalid"                // the request is malformed or fails validation
	Unauthenticated Kind = "unauthenticated"        // no valid session
	Forbidden       Kind = "forbidden"              // authenticated, but not allowed
	NotFound        Kind = "not_found"              // does not exist, or must stay invisible
	Conflict        Kind = "conflict"               // the state does not allow it (now)
	TooLarge        Kind = "too_large"              // a body or file over its limit
	Unsupported     Kind = "unsupported_media_type" // wrong content type
	Unprocessable   Kind = "unprocessable"          // well-formed but unusable content
	RateLimited     Kind = "rate_limited"           // too many attempts; see RetryAfter
	NotAllowed      Kind = "method_not_allowed"     // the route exists, the method does not
	RequestTimeout  Kind = "request_timeout"        // the request body stopped arriving
	Unavailable     Kind = "unavailable"            // a dependency is down; see RetryAfter
	Internal        Kind = "internal"               // a bug or an outage; details are logged only
)

// Error is the application error. Message is safe to show; Err is not.
type Error struct {
	Kind       Kind
	Message    string
	Reason     string        // optional: a stable, client-safe word that says which case of Kind this is (e.g. "encrypted")
	RetryAfter time.Duration // for RateLimited and Unavailable: when to try again
	Err        error         // internal cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

// Unwrap exposes the internal cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind with a formatted, client-safe message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Internalf wraps an unexpected failure. The client sees only a generic
// message; the cause is logged.
func Internalf(err error, format string, args ...any) *Error {
	return &Error{Kind: Internal, Message: "internal error", Err: fmt.Errorf(format+": %w", append(args, err)...)}
}

// Shorthands for the common kinds.

// Invalidf is New(Invalid, …).
func Invalidf(format string, args ...any) *Error { return New(Invalid, format, args...) }

// NotFoundf is New(NotFound, …).
func NotFoundf(format string, args ...any) *Error { return New(NotFound, format, args...) }

// Conflictf is New(Conflict, …).
func Conflictf(format string, args ...any) *Error { return New(Conflict, format, args...) }

// Forbiddenf is New(Forbidden, …).
func Forbiddenf(format string, args ...any) *Error { return New(Forbidden, format, args...) }

// KindOf returns the kind of err, Internal for errors that are not *Error,
// and "" for nil.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is an application error of the given kind.
func Is(err error, kind Kind) bool { return KindOf(err) == kind }

// WithReason sets the error's Reason and returns it.
func (e *Error) WithReason(reason string) *Error {
	e.Reason = reason
	return e
}

// ReasonOf returns the Reason of an application error, "" otherwise (and
// always for Internal, whose details stay in the logs).
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Reason
	}
	return ""
}

// Public returns the message that may be shown to a client.
func Public(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal && e.Message != "" {
		return e.Message
	}
	return "internal error"
}
