package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// sqliteError is shaped like github.com/glebarez/go-sqlite's *Error.
type sqliteError struct{ code int }

func (e *sqliteError) Error() string { return fmt.Sprintf("sqlite error %d", e.code) }
func (e *sqliteError) Code() int     { return e.code }

// refused is a real failure to reach PostgreSQL: nothing listens on
// port 1 of the loopback address.
const refused = "postgres://curia@127.0.0.1:1/curia?connect_timeout=2"

// TestDatabaseAwayIs503 checks the one mapping from "the database cannot
// be reached" to 503 unavailable, with Retry-After and no internal text,
// and that other internal errors stay 500.
func TestDatabaseAwayIs503(t *testing.T) {
	ctx := context.Background()
	_, connectErr := pgconn.Connect(ctx, refused)
	if connectErr == nil {
		t.Fatal("connected to 127.0.0.1:1")
	}
	pool, err := sql.Open("pgx", refused)
	if err != nil {
		t.Fatal(err)
	}
	poolErr := pool.PingContext(ctx)
	_ = pool.Close()
	closedErr := pool.PingContext(ctx)
	for _, e := range []error{poolErr, closedErr} {
		if e == nil {
			t.Fatal("a ping of an unreachable or closed pool succeeded")
		}
	}
	deadline, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	<-deadline.Done()

	cases := []struct {
		name   string
		err    error
		status int
	}{
		{"connect refused", connectErr, 503},
		{"pool cannot connect", poolErr, 503},
		{"pool closed", closedErr, 503},
		{"bad connection", driver.ErrBadConn, 503},
		{"connection done", sql.ErrConnDone, 503},
		{"connection closed", pgconn.ErrConnClosed, 503},
		{"deadline waiting", deadline.Err(), 503},
		{"admin shutdown", &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection"}, 503},
		{"too many connections", &pgconn.PgError{Severity: "FATAL", Code: "53300", Message: "too many clients"}, 503},
		{"connection failure", &pgconn.PgError{Severity: "FATAL", Code: "08006", Message: "connection failure"}, 503},
		{"sqlite cannot open", &sqliteError{14}, 503},
		{"sqlite disk I/O", &sqliteError{10 | 3<<8}, 503}, // SQLITE_IOERR_WRITE
		{"sqlite busy", &sqliteError{5}, 503},
		{"a bug", errors.New("nil map"), 500},
		{"undefined table", &pgconn.PgError{Severity: "ERROR", Code: "42P01", Message: "relation does not exist"}, 500},
		{"unique violation", &pgconn.PgError{Severity: "ERROR", Code: "23505", Message: "duplicate key"}, 500},
		{"sqlite constraint", &sqliteError{19}, 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			e := web.New(web.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			e.GET("/x", func(echo.Context) error { return apperr.Internalf(tc.err, "load things from secret_table") })
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
			if rec.Code != tc.status {
				t.Fatalf("%v: %d %s; want %d", tc.err, rec.Code, rec.Body, tc.status)
			}
			if strings.Contains(rec.Body.String(), "secret_table") || strings.Contains(rec.Body.String(), "127.0.0.1") {
				t.Fatalf("internal text reached the client: %s", rec.Body)
			}
			if !strings.Contains(logs.String(), "secret_table") {
				t.Fatalf("the cause is not logged: %s", logs.String())
			}
			var body web.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if tc.status == 503 {
				if body.Error.Code != "unavailable" || !strings.Contains(body.Error.Message, "try again") || rec.Header().Get("Retry-After") != "5" {
					t.Fatalf("503 as %+v, Retry-After %q", body.Error, rec.Header().Get("Retry-After"))
				}
			} else if body.Error.Code != "internal" || rec.Header().Get("Retry-After") != "" {
				t.Fatalf("500 as %+v, Retry-After %q", body.Error, rec.Header().Get("Retry-After"))
			}
		})
	}
}

// An error of another kind keeps it, whatever its cause.
func TestDatabaseCauseKeepsOtherKinds(t *testing.T) {
	e := web.New(web.Options{Logger: slog.New(slog.DiscardHandler)})
	e.GET("/x", func(echo.Context) error {
		return &apperr.Error{Kind: apperr.NotFound, Message: "no such meeting", Err: driver.ErrBadConn}
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
