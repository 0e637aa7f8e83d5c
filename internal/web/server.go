package web

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configure the Echo server.
type Options struct {
	Logger *slog.Logger
	// TrustedProxies are CIDRs whose X-Forwarded-For is believed; the client
	// address of any other peer is the TCP peer itself.
	TrustedProxies []*net.IPNet
	// BodyLimit caps request bodies, except on routes that set their own
	// (document upload), in bytes.
	BodyLimit int64
	// Metrics receives the request counters; nil disables them.
	Metrics prometheus.Registerer
	// LargeBodyPaths are route paths (Echo patterns) exempt from BodyLimit;
	// their handlers enforce their own limit.
	LargeBodyPaths []string
	// BodyIdle is the longest a request body may go without a byte
	// arriving before the request is cut (408, connection closed); zero
	// sets no limit.
	BodyIdle time.Duration
	// BodyMinRate, in bytes a second, is the least a request body must
	// average once it has had BodyIdle to start, so that one trickled a
	// byte at a time, just within BodyIdle, is cut too; zero sets no rate.
	// It applies only with BodyIdle.
	BodyMinRate int64
	// HTTPSOnly says the app is served over HTTPS only: every answer
	// tells the browser so (Strict-Transport-Security), so that it never
	// again asks http://, which anyone on the network could answer.
	HTTPSOnly bool
}

// New returns an Echo instance with Curia's middleware: request ids,
// request logs, panic recovery, security headers, body limits (in size,
// and in time without a byte) and metrics.
func New(opt Options) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = ErrorHandler(opt.Logger)
	e.IPExtractor = ipExtractor(opt.TrustedProxies)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		// Never echo a client-chosen id into logs unchecked.
		RequestIDHandler: func(echo.Context, string) {},
	}))
	e.Use(requestLog(opt.Logger))
	if opt.Metrics != nil {
		e.Use(metricsMiddleware(opt.Metrics))
	}
	e.Use(recoverPanics(opt.Logger))
	e.Use(securityHeaders(opt.HTTPSOnly))
	if opt.BodyIdle > 0 {
		e.Use(bodyIdle(opt.BodyIdle, opt.BodyMinRate))
	}
	if opt.BodyLimit > 0 {
		e.Use(bodyLimit(opt.BodyLimit, opt.LargeBodyPaths))
	}
	e.Use(storableInput)
	return e
}

func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{
		echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false),
	}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// requestLog writes one structured line per request. It logs the path
// without its query string, so nothing secret in a URL reaches the log.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req, res := c.Request(), c.Response()
			attrs := []any{
				"request_id", res.Header().Get(echo.HeaderXRequestID),
				"method", req.Method, "route", c.Path(), "path", req.URL.Path,
				"status", res.Status, "latency_ms", float64(time.Since(start).Microseconds()) / 1000,
				"bytes", res.Size, "ip", c.RealIP(),
			}
			if a, ok := ActorFrom(req.Context()); ok {
				attrs = append(attrs, "user_id", a.UserID)
			}
			level := slog.LevelInfo
			if res.Status >= 500 {
				level = slog.LevelError
			}
			log.Log(req.Context(), level, "request", attrs...)
			return nil
		}
	}
}

// recoverPanics turns a panic in a handler into a logged 500.
func recoverPanics(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.ErrorContext(c.Request().Context(), "panic in handler",
				"err", err, "route", c.Path(), "stack", string(stack))
			return err
		},
	})
}

// csp allows only same-origin scripts, no plugins, no framing; blob: and
// data: images and workers are what pdf.js needs to render pages.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// hsts is the Strict-Transport-Security of an HTTPS-only deployment: a
// year, the usual value (the host's subdomains are not Curia's to name).
const hsts = "max-age=31536000"

func securityHeaders(httpsOnly bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if httpsOnly {
				h.Set("Strict-Transport-Security", hsts)
			}
			if strings.HasPrefix(c.Request().URL.Path, "/api/") {
				h.Set("Cache-Control", "no-store")
			}
			return next(c)
		}
	}
}

// bodyLimit caps bodies at limit bytes; a larger body is a 413 when the
// handler reads it (http.MaxBytesReader), or at once when the declared
// length is already too big.
func bodyLimit(limit int64, exempt []string) echo.MiddlewareFunc {
	skip := make(map[string]bool, len(exempt))
	for _, p := range exempt {
		skip[p] = true
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip[c.Path()] {
				return next(c)
			}
			req := c.Request()
			if req.ContentLength > limit {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			return next(c)
		}
	}
}
