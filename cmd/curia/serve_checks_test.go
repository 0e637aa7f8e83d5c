package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
)

// startRunLogged is startRun with the server's log kept.
func startRunLogged(t *testing.T, ctx context.Context, args []string, vars map[string]string) (string, <-chan error, *apptest.SyncBuffer) {
	t.Helper()
	logs := &apptest.SyncBuffer{}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, testEnv(vars), strings.NewReader(""), pw, logs)
		pw.CloseWithError(err)
		done <- err
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := addr.FindStringSubmatch(sc.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			return m[1], done, logs
		}
	}
	t.Fatalf("server did not start: %v", <-done)
	return "", nil, nil
}

func stop(t *testing.T, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop")
	}
}

// TestImpossiblePortNamesVariable proves that a listen address whose port
// cannot be (not a number from 0 to 65535) is a configuration error
// (exit 2) naming CURIA_ADDR, or --addr when the flag gave it, before
// anything starts, as the README promises for every bad value.
func TestImpossiblePortNamesVariable(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:99999", "127.0.0.1:eighty", "127.0.0.1:-1"} {
		for _, cmd := range []string{"serve", "demo"} {
			t.Run(cmd+" "+addr, func(t *testing.T) {
				vars := map[string]string{"CURIA_ADDR": addr, "CURIA_DATA_DIR": t.TempDir()}
				err := run(context.Background(), []string{cmd}, testEnv(vars), strings.NewReader(""), io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "CURIA_ADDR") || exitCode(err) != 2 {
					t.Fatalf("CURIA_ADDR=%s: %v, exit %d; want a usage error (exit 2) naming CURIA_ADDR", addr, err, exitCode(err))
				}
				err = run(context.Background(), []string{cmd, "--addr", addr}, testEnv(map[string]string{"CURIA_DATA_DIR": vars["CURIA_DATA_DIR"]}),
					strings.NewReader(""), io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "--addr") || exitCode(err) != 2 {
					t.Fatalf("--addr %s: %v, exit %d; want a usage error (exit 2) naming --addr", addr, err, exitCode(err))
				}
			})
		}
	}
}

// TestAllowedOriginSpellingReachesREST proves that an origin in
// CURIA_ALLOWED_ORIGINS written with the default port or in capitals is
// trusted by the REST API's cross-origin check as it is by the live hub:
// a cookie-authenticated POST from https://app.example is let through.
func TestAllowedOriginSpellingReachesREST(t *testing.T) {
	for _, allowed := range []string{"https://app.example", "https://app.example:443", "https://App.Example", "https://app.example/"} {
		t.Run(allowed, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			url, done := startRun(t, ctx, []string{"serve"}, map[string]string{
				"CURIA_ADDR": "127.0.0.1:0", "CURIA_DATA_DIR": t.TempDir(),
				"CURIA_ADMIN_PASSWORD": "first admin pw", "CURIA_ALLOWED_ORIGINS": allowed,
			})
			res, err := http.Post(url+"/api/v1/auth/login", "application/json",
				strings.NewReader(`{"username":"admin","password":"first admin pw"}`))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var cookie *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == "curia_session" {
					cookie = c
				}
			}
			if cookie == nil {
				t.Fatalf("login %d set no session cookie", res.StatusCode)
			}
			// What the web app served from https://app.example sends
			// (a sibling host of Curia's: same site, another origin).
			for origin, ok := range map[string]bool{"https://app.example": true, "https://evil.example": false} {
				req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/auth/logout", nil)
				req.AddCookie(cookie)
				req.Header.Set("Origin", origin)
				req.Header.Set("Sec-Fetch-Site", "cross-site")
				res, err = http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if refused := res.StatusCode == http.StatusForbidden; refused == ok {
					t.Errorf("CURIA_ALLOWED_ORIGINS=%s: a request from %s answers %d %s", allowed, origin, res.StatusCode, body)
				}
			}
			stop(t, cancel, done)
		})
	}
}

// TestServeWarnsWithoutAdmin proves that `curia serve` on a database with
// no enabled administrator says so at start, and how to make one; and
// that it says nothing of the kind once an administrator exists.
func TestServeWarnsWithoutAdmin(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, done, logs := startRunLogged(t, ctx, []string{"serve"}, map[string]string{"CURIA_ADDR": "127.0.0.1:0", "CURIA_DATA_DIR": dir})
	stop(t, cancel, done)
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "no enabled administrator") ||
		!strings.Contains(l, "CURIA_ADMIN_PASSWORD") || !strings.Contains(l, "curia user add --admin") {
		t.Fatalf("no warning about the missing administrator:\n%s", l)
	}
	ctx, cancel = context.WithCancel(context.Background())
	_, done, logs = startRunLogged(t, ctx, []string{"serve"}, map[string]string{"CURIA_ADDR": "127.0.0.1:0", "CURIA_DATA_DIR": dir,
		"CURIA_ADMIN_PASSWORD": "first admin pw"})
	stop(t, cancel, done)
	if strings.Contains(logs.String(), "no enabled administrator") {
		t.Fatalf("warned with an administrator there:\n%s", logs.String())
	}
}

// TestHeadIsAnswered proves that HEAD (what uptime monitors send) is
// answered like GET, without a body, on /healthz, /readyz and the web
// app's pages, where it was 405.
func TestHeadIsAnswered(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, done := startRun(t, ctx, []string{"serve"}, map[string]string{"CURIA_ADDR": "127.0.0.1:0", "CURIA_DATA_DIR": t.TempDir()})
	for _, path := range []string{"/healthz", "/readyz", "/", "/meetings/abc", "/login"} {
		res, err := http.Head(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes; want 200 without a body", path, res.StatusCode, len(body))
		}
	}
	res, err := http.Head(url + "/api/v1/meetings") // the API is unchanged: sign in first
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		t.Errorf("HEAD /api/v1/meetings without a session: %d", res.StatusCode)
	}
	stop(t, cancel, done)
}

// TestMakeBuildSetsVersion proves that `make build` stamps the binary's
// version (main.version, printed by `curia version`) rather than leaving "dev".
func TestMakeBuildSetsVersion(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	out, err := exec.Command("make", "-n", "-C", "../..", "build").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`-X main\.version=(\S+?)"? `).FindSubmatch(out)
	if m == nil || len(m[1]) == 0 {
		t.Fatalf("make build sets no version:\n%s", out)
	}
}
