package web_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

func newServer(logs *bytes.Buffer) *echo.Echo {
	e := web.New(web.Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), BodyLimit: 1024, Metrics: prometheus.NewRegistry()})
	e.GET("/panic", func(echo.Context) error { panic("secret internal detail") })
	e.GET("/internal", func(echo.Context) error {
		return apperr.Internalf(bytes.ErrTooLarge, "query users table at /var/lib/x")
	})
	e.GET("/conflict", func(echo.Context) error { return apperr.Conflictf("the meeting is closed") })
	e.GET("/limited", func(echo.Context) error {
		return &apperr.Error{Kind: apperr.RateLimited, Message: "slow down", RetryAfter: 1500e6}
	})
	e.POST("/echo", func(c echo.Context) error {
		var v struct {
			Name string `json:"name"`
			N    int    `json:"n"`
		}
		if err := web.Bind(c, &v); err != nil {
			return err
		}
		return c.JSON(200, v)
	})
	return e
}

func do(e *echo.Echo, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestErrorMapping(t *testing.T) {
	var logs bytes.Buffer
	e := newServer(&logs)
	cases := []struct {
		name, method, path, body string
		status                   int
		code, message            string
	}{
		{"unknown route", "GET", "/nope", "", 404, "not_found", "no such route"},
		{"wrong method", "DELETE", "/conflict", "", 405, "method_not_allowed", "method not allowed on this route"},
		{"panic", "GET", "/panic", "", 500, "internal", "internal error"},
		{"internal error", "GET", "/internal", "", 500, "internal", "internal error"},
		{"conflict", "GET", "/conflict", "", 409, "conflict", "the meeting is closed"},
		{"rate limited", "GET", "/limited", "", 429, "rate_limited", "slow down"},
		{"bind ok", "POST", "/echo", `{"name":"a","n":1}`, 200, "", ""},
		{"bind wrong type", "POST", "/echo", `{"n":"1"}`, 400, "invalid", `field "n" must be a whole number, not string`},
		{"bind fraction", "POST", "/echo", `{"n":1.5}`, 400, "invalid", `field "n" must be a whole number, not number 1.5`},
		{"bind array", "POST", "/echo", `[1]`, 400, "invalid", "the request body must be a JSON object"},
		{"bind empty", "POST", "/echo", ` `, 400, "invalid", "the request body is empty; a JSON object is expected"},
		{"bind too large", "POST", "/echo", `{"name":"` + strings.Repeat("x", 2000) + `"}`, 413, "too_large", "request body too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(e, tc.method, tc.path, tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.code == "" {
				return
			}
			var body web.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("not a JSON error body: %s", rec.Body)
			}
			if body.Error.Code != tc.code || body.Error.Message != tc.message {
				t.Fatalf("got %+v, want %s %q", body.Error, tc.code, tc.message)
			}
		})
	}
	if rec := do(e, "GET", "/limited", ""); rec.Header().Get("Retry-After") != "2" {
		t.Errorf("Retry-After = %q, want 2", rec.Header().Get("Retry-After"))
	}
	if !strings.Contains(logs.String(), "secret internal detail") || !strings.Contains(logs.String(), "/var/lib/x") {
		t.Error("internal causes were not logged")
	}
}

func TestSecurityHeaders(t *testing.T) {
	var logs bytes.Buffer
	rec := do(newServer(&logs), "GET", "/conflict", "")
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, part := range []string{"frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, part) {
			t.Errorf("CSP %q lacks %q", csp, part)
		}
	}
	if rec.Header().Get(echo.HeaderXRequestID) == "" {
		t.Error("no request id")
	}
}

func TestCrossOrigin(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = web.ErrorHandler(slog.New(slog.DiscardHandler))
	e.Use(web.CrossOrigin(http.NewCrossOriginProtection(), false))
	e.POST("/x", func(c echo.Context) error { return c.NoContent(204) })
	cases := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"no browser headers", nil, 204},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, 204},
		{"cross site", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, 403},
		{"bearer from anywhere", map[string]string{"Origin": "https://evil.example", "Authorization": "Bearer x"}, 204},
		// Neither Origin nor Sec-Fetch-Site: the Referer's origin decides.
		{"same-origin referer", map[string]string{"Referer": "http://curia.example/meetings/1/desk"}, 204},
		{"cross-site referer", map[string]string{"Referer": "https://evil.example/attack.html"}, 403},
		{"lookalike referer", map[string]string{"Referer": "http://curia.example.evil.example/"}, 403},
		{"referer that is no URL", map[string]string{"Referer": "::not a url"}, 403},
		{"relative referer", map[string]string{"Referer": "/meetings/1"}, 403},
		{"origin wins over referer", map[string]string{"Origin": "http://curia.example", "Referer": "https://evil.example/"}, 204},
		{"fetch metadata wins over referer", map[string]string{"Sec-Fetch-Site": "same-origin", "Referer": "https://evil.example/"}, 204},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "http://curia.example/x", nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("got %d, want %d", rec.Code, tc.status)
			}
		})
	}
}

// A reason set on an application error reaches the client beside its code;
// an internal error never shows one.
func TestErrorReason(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = web.ErrorHandler(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	e.GET("/encrypted", func(echo.Context) error {
		return apperr.New(apperr.Unprocessable, "the PDF is encrypted with a password").WithReason("encrypted")
	})
	e.GET("/internal", func(echo.Context) error {
		return &apperr.Error{Kind: apperr.Internal, Message: "internal error", Reason: "secret detail"}
	})
	for path, want := range map[string]string{
		"/encrypted": `{"error":{"code":"unprocessable","message":"the PDF is encrypted with a password","reason":"encrypted"}}`,
		"/internal":  `{"error":{"code":"internal","message":"internal error"}}`,
	} {
		rec := do(e, "GET", path, "")
		if got := strings.TrimSpace(rec.Body.String()); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
}
