// Package app assembles Curia: it opens the database, builds every domain
// service, and mounts their routes on one Echo server. cmd/curia parses
// the command line and calls it; tests start it on port 0.
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/heapfloor"
	"github.com/curia/curia/internal/web"
)

// Config is everything Curia needs to run. Zero values take defaults.
type Config struct {
	Addr           string        // CURIA_ADDR, default 127.0.0.1:8080
	DataDir        string        // CURIA_DATA_DIR, default ./data
	DatabaseURL    string        // CURIA_DATABASE_URL, default SQLite in DataDir
	DatabaseConns  int           // CURIA_DATABASE_MAX_CONNS, default 8 (SQLite) or 10 (PostgreSQL)
	AdminPassword  string        // CURIA_ADMIN_PASSWORD: creates "admin" when no admin exists
	AllowedOrigins []string      // CURIA_ALLOWED_ORIGINS: other origins the web app is served from
	TrustedProxies []*net.IPNet  // CURIA_TRUSTED_PROXIES: CIDRs whose X-Forwarded-For is believed
	SecureCookie   bool          // CURIA_COOKIE_SECURE: set when served over HTTPS
	MaxUploadBytes int64         // CURIA_MAX_UPLOAD_MB, default 200 MB
	SessionTTL     time.Duration // CURIA_SESSION_TTL, default 12h
	IdleTimeout    time.Duration // CURIA_SESSION_IDLE, default 2h
	LogLevel       string        // CURIA_LOG_LEVEL: debug, info, warn, error
	LogFormat      string        // CURIA_LOG_FORMAT: text or json
	HeapFloorMB    int           // CURIA_HEAP_FLOOR_MB, zero: 128; negative (0 in the environment): off

	// Set by programs, not by the environment.
	Hash        account.HashParams // password hashing cost; zero = default
	LoginLimits account.LoginLimits
	WorkerCmd   []string // argv that starts a PDF worker; default: this binary's pdf-worker command
	WorkerEnv   []string // extra environment of a PDF worker ("KEY=VALUE")
	// Publisher receives every domain event after its change commits;
	// nil drops them (event.Nop). Tests pass an event.Recorder.
	Publisher event.Publisher
	// BodyIdleTimeout is the longest a request body may go without a
	// byte arriving before the request is cut (408); zero = 30 s.
	BodyIdleTimeout time.Duration
	// BodyMinRate is the least a request body must average, in bytes a
	// second, once it has had BodyIdleTimeout to start; zero = 1 KiB/s.
	BodyMinRate int64
	// AnnotationLimits bound one author's annotations on a document
	// (zero: docs.DefaultAnnotationLimits). The drawing bench lifts them.
	AnnotationLimits docs.AnnotationLimits
}

// Env lists the variables FromEnv reads, for --help.
const Env = `Environment:
  CURIA_ADDR              listen address (default 127.0.0.1:8080)
  CURIA_DATA_DIR          data directory for SQLite and PDFs (default ./data)
  CURIA_DATABASE_URL      postgres://… to use PostgreSQL (default: SQLite in the data dir)
  CURIA_DATABASE_MAX_CONNS  database connections for requests (default 8 for SQLite, 10 for PostgreSQL)
  CURIA_ADMIN_PASSWORD    creates user "admin" on start when no admin exists
  CURIA_ALLOWED_ORIGINS   comma-separated extra origins allowed for the web app and websocket
  CURIA_TRUSTED_PROXIES   comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted
  CURIA_COOKIE_SECURE     true when Curia is served over HTTPS
  CURIA_MAX_UPLOAD_MB     largest PDF upload in megabytes (default 200)
  CURIA_SESSION_TTL       session lifetime (default 12h)
  CURIA_SESSION_IDLE      idle timeout of a session (default 2h)
  CURIA_LOGIN_PER_CLIENT  sign-in attempts per client address per minute (default 30; raise it when many
                          tablets reach Curia through one address, e.g. a NAT without CURIA_TRUSTED_PROXIES)
  CURIA_LOG_LEVEL         debug, info, warn or error (default info)
  CURIA_LOG_FORMAT        text or json (default text)
  CURIA_HEAP_FLOOR_MB     the Go runtime collects once the heap has grown by this much and what it
                          keeps (default 128; 0 turns it off; ignored when GOGC is set)
`

// FromEnv reads the CURIA_* variables and validates them.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:          getenv("CURIA_ADDR"),
		DataDir:       getenv("CURIA_DATA_DIR"),
		DatabaseURL:   getenv("CURIA_DATABASE_URL"),
		AdminPassword: getenv("CURIA_ADMIN_PASSWORD"),
		LogLevel:      getenv("CURIA_LOG_LEVEL"),
		LogFormat:     getenv("CURIA_LOG_FORMAT"),
	}
	var errs []error
	c.AllowedOrigins = splitList(getenv("CURIA_ALLOWED_ORIGINS"))
	proxies, err := parseCIDRs(splitList(getenv("CURIA_TRUSTED_PROXIES")))
	errs = append(errs, err)
	c.TrustedProxies = proxies
	c.SecureCookie, err = parseBool("CURIA_COOKIE_SECURE", getenv("CURIA_COOKIE_SECURE"))
	errs = append(errs, err)
	if v := getenv("CURIA_MAX_UPLOAD_MB"); v != "" {
		mb, perr := strconv.Atoi(v)
		if perr != nil || mb < 1 || mb > 10_000 {
			errs = append(errs, fmt.Errorf("CURIA_MAX_UPLOAD_MB must be a whole number of megabytes from 1 to 10000, not %q", v))
		}
		c.MaxUploadBytes = int64(mb) << 20
	}
	if v := getenv("CURIA_DATABASE_MAX_CONNS"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 2 || n > 1000 {
			errs = append(errs, fmt.Errorf("CURIA_DATABASE_MAX_CONNS must be a whole number from 2 to 1000, not %q", v))
		}
		c.DatabaseConns = n
	}
	if v := getenv("CURIA_LOGIN_PER_CLIENT"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 100_000 {
			errs = append(errs, fmt.Errorf("CURIA_LOGIN_PER_CLIENT must be a whole number of attempts from 1 to 100000, not %q", v))
		}
		c.LoginLimits.PerClient = n
	}
	if v := getenv("CURIA_HEAP_FLOOR_MB"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 || n > 65_536 {
			errs = append(errs, fmt.Errorf("CURIA_HEAP_FLOOR_MB must be a whole number of megabytes from 0 (off) to 65536, not %q", v))
		}
		c.HeapFloorMB = n
		if n == 0 {
			c.HeapFloorMB = -1
		}
	}
	c.SessionTTL, err = parseDuration("CURIA_SESSION_TTL", getenv("CURIA_SESSION_TTL"))
	errs = append(errs, err)
	c.IdleTimeout, err = parseDuration("CURIA_SESSION_IDLE", getenv("CURIA_SESSION_IDLE"))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate fills defaults and checks values that flags may have set.
func (c *Config) Validate() error {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.MaxUploadBytes == 0 {
		c.MaxUploadBytes = 200 << 20
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
	}
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("listen address %q must be host:port, e.g. 127.0.0.1:8080", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, fmt.Errorf("listen address %q must end in a port number from 0 to 65535, e.g. 127.0.0.1:8080", c.Addr))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log format must be text or json, not %q", c.LogFormat))
	}
	// Each allowed origin is kept in web.NormalOrigin's form, the one
	// both the REST API's cross-origin check and the live hub compare in.
	origins := make([]string, 0, len(c.AllowedOrigins))
	for _, o := range c.AllowedOrigins {
		n, ok := web.NormalOrigin(o)
		if !ok {
			errs = append(errs, fmt.Errorf("allowed origin %q must look like https://host[:port]", o))
			continue
		}
		if c.SecureCookie && strings.HasPrefix(n, "http://") {
			// Served over HTTPS only, the API refuses http:// pages.
			errs = append(errs, fmt.Errorf("allowed origin %q must be https:// when CURIA_COOKIE_SECURE is true", o))
			continue
		}
		origins = append(origins, n)
	}
	if len(c.AllowedOrigins) > 0 {
		c.AllowedOrigins = origins
	}
	if u := c.DatabaseURL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") && !strings.HasPrefix(u, "sqlite:") {
		errs = append(errs, errors.New("CURIA_DATABASE_URL must start with postgres:// or sqlite: as in sqlite:/var/lib/curia/curia.db"))
	}
	if p := c.AdminPassword; p != "" {
		if err := account.ValidatePassword("CURIA_ADMIN_PASSWORD", p); err != nil {
			errs = append(errs, errors.New(apperr.Public(err)))
		}
	}
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseCIDRs(list []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range list {
		if !strings.Contains(s, "/") {
			if ip := net.ParseIP(s); ip != nil && ip.To4() != nil {
				s += "/32"
			} else {
				s += "/128"
			}
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("CURIA_TRUSTED_PROXIES: %q is not an address or CIDR", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseBool(name, v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, not %q", name, v)
	}
	return b, nil
}

func parseDuration(name, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute {
		return 0, fmt.Errorf("%s must be a duration of at least 1m, like 8h or 90m, not %q", name, v)
	}
	return d, nil
}

// HeapFloor is the heap floor in bytes (package heapfloor), 0 when off.
func (c Config) HeapFloor() uint64 {
	switch {
	case c.HeapFloorMB < 0:
		return 0
	case c.HeapFloorMB == 0:
		return defaultHeapFloorMB << 20
	}
	return uint64(c.HeapFloorMB) << 20
}

// defaultHeapFloorMB: a node of a few hundred tablets keeps about 10 MB;
// with a floor of 128 MB it collects every few seconds while fifty
// delegates draw instead of three times a second.
const defaultHeapFloorMB = 128

// StartHeapFloor applies cfg's heap floor to this process (package
// heapfloor); the function it returns takes it back. getenv is read for
// GOGC, which turns the floor off.
func StartHeapFloor(cfg Config, log *slog.Logger, getenv func(string) string) (stop func()) {
	floor := heapfloor.Effective(cfg.HeapFloor(), getenv)
	if floor == 0 {
		log.Debug("no heap floor", "configured_mb", cfg.HeapFloor()>>20, "gogc", getenv("GOGC"))
		return func() {}
	}
	log.Debug("heap floor", "mb", floor>>20)
	return heapfloor.Start(floor)
}
