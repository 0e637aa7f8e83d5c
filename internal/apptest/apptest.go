// Package apptest starts the whole Curia server in-process on a free
// loopback port with a fresh database, for HTTP scenario tests.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/testdb"
)

// Server is a running test server.
type Server struct {
	URL  string
	App  *app.App
	Logs *SyncBuffer // everything the server logged
	t    testing.TB
}

// Option adjusts the configuration before the server starts.
type Option func(*app.Config)

// Start runs Curia on 127.0.0.1:0 with a fresh database on b, and stops it
// when the test ends.
func Start(tb testing.TB, b testdb.Backend, opts ...Option) *Server {
	tb.Helper()
	dbURL, dir := b.URL(tb)
	cfg := app.Config{Addr: "127.0.0.1:0", DataDir: dir, DatabaseURL: dbURL, Hash: account.FastHashParams(),
		LogLevel: "debug", LogFormat: "json"}
	cfg.WorkerCmd, cfg.WorkerEnv = WorkerCommand()
	for _, o := range opts {
		o(&cfg)
	}
	logs := &SyncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		tb.Fatalf("open database: %v", err)
	}
	a, err := app.New(ctx, cfg, log, db)
	if err != nil {
		tb.Fatalf("start app: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
		_ = a.Close()
	})
	return &Server{URL: "http://" + ln.Addr().String(), App: a, Logs: logs, t: tb}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// CreateUser makes a user directly through the service and returns its id.
func (s *Server) CreateUser(username, fullName string, admin bool) string {
	s.t.Helper()
	u, err := s.App.Accounts.CreateUser(context.Background(), nil,
		account.NewUser{Username: username, Password: Password, FullName: fullName, IsAdmin: admin}, "")
	if err != nil {
		s.t.Fatalf("create user %s: %v", username, err)
	}
	return u.ID
}

// Password is the password of users made by CreateUser.
const Password = "correct horse battery"

// Client is an API client that signs in with a Bearer token.
type Client struct {
	s      *Server
	Token  string
	UserID string
}

// Login signs username in through the API.
func (s *Server) Login(username string) *Client {
	s.t.Helper()
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	c := &Client{s: s}
	res := c.Do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": Password})
	if res.Status != http.StatusOK {
		s.t.Fatalf("login %s: %d %s", username, res.Status, res.Body)
	}
	res.JSON(&out)
	c.Token, c.UserID = out.Token, out.User.ID
	return c
}

// Anonymous returns a client without a session.
func (s *Server) Anonymous() *Client { return &Client{s: s} }

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	t      testing.TB
}

// JSON decodes the body into v, failing the test when it cannot.
func (r Response) JSON(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorCode returns error.code of a JSON error body, or "".
func (r Response) ErrorCode() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Do sends a request with a JSON body (nil for none; a string or []byte is
// sent as is) and returns the response.
func (c *Client) Do(method, path string, body any, headers ...string) Response {
	c.s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			c.s.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(buf)
	}
	ct := ""
	if body != nil {
		ct = "application/json"
	}
	return c.Raw(method, path, ct, rd, headers...)
}
