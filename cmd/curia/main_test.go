package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func testEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// startRun runs the program in-process and returns the address it listens on.
func startRun(t *testing.T, ctx context.Context, args []string, vars map[string]string) (string, <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, testEnv(vars), strings.NewReader(""), pw, io.Discard)
		pw.CloseWithError(err)
		done <- err
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := addr.FindStringSubmatch(sc.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			return m[1], done
		}
	}
	t.Fatalf("server did not start: %v", <-done)
	return "", nil
}

func TestServeStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, done := startRun(t, ctx, []string{"serve"}, map[string]string{
		"CURIA_ADDR": "127.0.0.1:0", "CURIA_DATA_DIR": t.TempDir(), "CURIA_ADMIN_PASSWORD": "first admin pw",
	})
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		res, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
	res, err := http.Post(url+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"admin","password":"first admin pw"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("CURIA_ADMIN_PASSWORD admin cannot log in: %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop")
	}
}

func TestBadConfiguration(t *testing.T) {
	cases := []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"bad address", []string{"serve"}, map[string]string{"CURIA_ADDR": "nonsense"}, "host:port"},
		{"bad database URL", []string{"serve"}, map[string]string{"CURIA_DATABASE_URL": "mysql://x"}, "postgres://"},
		{"bad upload limit", []string{"serve"}, map[string]string{"CURIA_MAX_UPLOAD_MB": "lots"}, "CURIA_MAX_UPLOAD_MB"},
		{"bad pool size", []string{"serve"}, map[string]string{"CURIA_DATABASE_MAX_CONNS": "1"}, "CURIA_DATABASE_MAX_CONNS"},
		{"bad login limit", []string{"serve"}, map[string]string{"CURIA_LOGIN_PER_CLIENT": "0"}, "CURIA_LOGIN_PER_CLIENT"},
		{"bad heap floor", []string{"serve"}, map[string]string{"CURIA_HEAP_FLOOR_MB": "-1"}, "CURIA_HEAP_FLOOR_MB"},
		{"bad proxy", []string{"serve"}, map[string]string{"CURIA_TRUSTED_PROXIES": "10.0.0.0/99"}, "CURIA_TRUSTED_PROXIES"},
		{"short admin password", []string{"serve"}, map[string]string{"CURIA_ADMIN_PASSWORD": "short"}, "at least 8"},
		{"long admin password", []string{"serve"}, map[string]string{"CURIA_ADMIN_PASSWORD": strings.Repeat("mật khẩu ", 30)}, "at most 256 bytes"},
		{"admin password with a tab", []string{"serve"}, map[string]string{"CURIA_ADMIN_PASSWORD": "long enough\tpassword"}, "CURIA_ADMIN_PASSWORD: use text only"},
		{"bad origin", []string{"serve"}, map[string]string{"CURIA_ALLOWED_ORIGINS": "curia.example"}, "https://host"},
		{"http origin on HTTPS", []string{"serve"}, map[string]string{"CURIA_ALLOWED_ORIGINS": "http://curia.example", "CURIA_COOKIE_SECURE": "true"}, "must be https://"},
		{"unknown flag", []string{"serve", "--nope"}, nil, "flag provided but not defined"},
		{"unknown command", []string{"frobnicate"}, nil, "unknown command"},
		{"no command", nil, nil, "no command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, testEnv(tc.vars), strings.NewReader(""), io.Discard, io.Discard)
			var u usageError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a usage error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, cmd := range []string{"serve", "demo", "migrate", "user add", "user passwd"} {
		var out strings.Builder
		err := run(context.Background(), append(strings.Fields(cmd), "--help"), testEnv(nil), strings.NewReader(""), &out, &out)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "Usage: curia "+cmd) {
			t.Errorf("%s --help: err %v, output %q", cmd, err, out.String())
		}
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"version"}, testEnv(nil), nil, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "curia ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}

func TestUserAddAndMigrate(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"CURIA_DATA_DIR": dir}
	var out strings.Builder
	if err := run(context.Background(), []string{"migrate"}, testEnv(vars), nil, &out, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	args := []string{"user", "add", "--username", "thu.ky", "--full-name", "Trần Thị Bình", "--admin"}
	if err := run(context.Background(), args, testEnv(vars), strings.NewReader("a long password\n"), &out, io.Discard); err != nil {
		t.Fatalf("user add: %v", err)
	}
	if !strings.Contains(out.String(), "created user thu.ky") {
		t.Fatalf("output: %q", out.String())
	}
	err := run(context.Background(), args, testEnv(vars), strings.NewReader("a long password\n"), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("second user add: %v", err)
	}
	err = run(context.Background(), args[:4], testEnv(vars), strings.NewReader("pw\n"), &out, io.Discard)
	var u usageError
	if !errors.As(err, &u) {
		t.Fatalf("user add without --full-name: %v", err)
	}
}

// startServe builds the binary and starts `curia serve` on a free port
// with a fresh data directory; it returns the process, its address
// (host:port, from its start line) and the rest of its standard output.
// The process is killed at the end of the test if still running.
func startServe(t *testing.T) (*exec.Cmd, string, *bufio.Scanner) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "curia")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "CURIA_ADDR=127.0.0.1:0", "CURIA_DATA_DIR="+t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || !strings.Contains(sc.Text(), "listening on http://") {
		t.Fatalf("no start line: %q", sc.Text())
	}
	return cmd, strings.TrimPrefix(sc.Text()[strings.Index(sc.Text(), "http://"):], "http://"), sc
}

// TestSIGTERM builds the binary and checks that SIGTERM stops it with exit 0.
func TestSIGTERM(t *testing.T) {
	cmd, _, _ := startServe(t)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("did not stop on SIGTERM")
	}
}
