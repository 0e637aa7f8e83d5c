package web

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/curia/curia/internal/apperr"
)

// databaseRetryAfter is the Retry-After of a 503 for a database that is
// away: long enough not to hammer it, short enough for a restart.
const databaseRetryAfter = 5 * time.Second

// unavailable turns an internal error whose cause is the database being
// away (not answering, refusing connections, closed, out of disk) into
// an Unavailable error: the client may try again shortly, which a 500
// ("a bug") does not say. Every store wraps database failures as
// Internal; this is the one place that tells an outage from a bug, so
// that the README's "503 when the database is away" holds on every
// route, as it does for /readyz. The cause stays in the logs only.
func unavailable(err error) error {
	if apperr.KindOf(err) != apperr.Internal || !databaseAway(err) {
		return err
	}
	return &apperr.Error{Kind: apperr.Unavailable, RetryAfter: databaseRetryAfter, Err: err,
		Message: "the database is unavailable at the moment; please try again shortly"}
}

// databaseAway reports whether err says that the database could not be
// reached or used at all, rather than that one statement failed.
func databaseAway(err error) bool {
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, pgconn.ErrConnClosed):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		// No request has a deadline of its own; the stores' and
		// batches' timeouts are waits for the database (a connection
		// from the pool, or an answer).
		return true
	case pgconn.Timeout(err), pgconn.SafeToRetry(err):
		// pgconn's connection-level failures: a timeout on the wire, or
		// a failure before anything was sent (the connection was lost).
		return true
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-03: the server is shutting
		// down or starting; class 53: out of disk, memory or connections.
		c := pgErr.Code
		return strings.HasPrefix(c, "08") || strings.HasPrefix(c, "53") ||
			c == "57P01" || c == "57P02" || c == "57P03"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	var sqliteErr interface{ Code() int } // github.com/glebarez/go-sqlite's *Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() & 0xff { // the primary result code
		case 5, 10, 13, 14: // SQLITE_BUSY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
			return true
		}
	}
	// database/sql's own "closed" error is not exported.
	return anyCause(err, func(e error) bool { return e.Error() == "sql: database is closed" })
}

// anyCause reports whether f holds for err or any error it wraps.
func anyCause(err error, f func(error) bool) bool {
	if err == nil {
		return false
	}
	if f(err) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return anyCause(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if anyCause(e, f) {
				return true
			}
		}
	}
	return false
}
