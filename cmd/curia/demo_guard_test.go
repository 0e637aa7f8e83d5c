package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// buildCuria builds the binary into a temporary directory. The demo makes
// its documents with PDF workers (this binary's pdf-worker command), so it
// is run as its own process, not through run() in the test binary.
func buildCuria(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "curia")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// signIn posts a login and returns its status.
func signIn(t *testing.T, base, username, password string) int {
	t.Helper()
	res, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"`+username+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// realDatabase makes a database in a new data directory that belongs to a
// real administrator, "boss", and returns the directory.
func realDatabase(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{"CURIA_DATA_DIR": dir}
	if err := run(context.Background(), []string{"migrate"}, testEnv(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := run(context.Background(), []string{"user", "add", "--username", "boss", "--full-name", "Chánh Văn phòng", "--admin"},
		testEnv(vars), strings.NewReader("the real admin password\n"), io.Discard, io.Discard); err != nil {
		t.Fatalf("user add: %v", err)
	}
	return dir
}

// checkNoDemoLogins serves dir and checks that none of the demo's accounts
// signs in with the demo password.
func checkNoDemoLogins(t *testing.T, dir string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, done := startRun(t, ctx, []string{"serve"}, map[string]string{"CURIA_DATA_DIR": dir, "CURIA_ADDR": "127.0.0.1:0"})
	for _, u := range []string{"admin", "chutri", "thuky", "daibieu1"} {
		if code := signIn(t, url, u, demoPassword); code == http.StatusOK {
			t.Errorf("after a refused `curia demo` against the real database, %s signs in with the demo password %q", u, demoPassword)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop")
	}
}

// TestDemoOnATakenPortWritesNothing proves that `curia demo` binds its
// port before it touches the database: run with a real server's
// CURIA_DATA_DIR (the image sets it) while that server holds the port, it
// fails, and no demo account (password published) was added.
func TestDemoOnATakenPortWritesNothing(t *testing.T) {
	bin := buildCuria(t)
	dir := realDatabase(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0") // the production server holds the port
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	cmd := exec.Command(bin, "demo")
	cmd.Env = append(os.Environ(), "CURIA_DATA_DIR="+dir, "CURIA_ADDR="+busy.Addr().String())
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("curia demo on a taken port exited 0:\n%s", out)
	}
	checkNoDemoLogins(t, dir)
}

// TestDemoRefusesARealDatabase proves that `curia demo` on a free port
// with a database that has users the demo did not make refuses with a
// message that says why and what to do, exits 1, and writes nothing.
func TestDemoRefusesARealDatabase(t *testing.T) {
	dir := realDatabase(t)
	var stdout strings.Builder
	err := run(context.Background(), []string{"demo"}, testEnv(map[string]string{"CURIA_DATA_DIR": dir, "CURIA_ADDR": "127.0.0.1:0"}),
		strings.NewReader(""), &stdout, io.Discard)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "boss") || !strings.Contains(err.Error(), "--data") ||
		!strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("demo on a real database: %v (exit %d); want a refusal naming boss and --data, exit 1", err, exitCode(err))
	}
	if strings.Contains(stdout.String(), "Demo logins") || strings.Contains(stdout.String(), "listening") {
		t.Errorf("the refused demo printed:\n%s", stdout.String())
	}
	checkNoDemoLogins(t, dir)
}

// TestDemoDatabaseCheck proves which databases the demo takes as its own:
// an empty one, one an interrupted seed left, and a seeded one that people
// trying the demo added users and meetings to (the next `make run` goes
// on); and which it refuses: one with a real user, one whose only user is
// the "admin" CURIA_ADMIN_PASSWORD makes (named "Administrator"), and one
// with a meeting the demo did not make.
func TestDemoDatabaseCheck(t *testing.T) {
	ctx := t.Context()
	makeDemoUsers := func(srv *apptest.Server, names ...string) map[string]string {
		ids := map[string]string{}
		for _, u := range demoUsers {
			if len(names) > 0 && !slices.Contains(names, u.username) {
				continue
			}
			ids[u.username] = srv.CreateUser(u.username, u.fullName, u.admin)
		}
		return ids
	}
	type setup func(t *testing.T, srv *apptest.Server)
	for _, tt := range []struct {
		name string
		make setup
		ok   bool
	}{
		{"empty", func(*testing.T, *apptest.Server) {}, true},
		{"interrupted seed", func(t *testing.T, srv *apptest.Server) { makeDemoUsers(srv, "admin", "chutri") }, true},
		{"seeded and tried out", func(t *testing.T, srv *apptest.Server) {
			ids := makeDemoUsers(srv)
			sec := web.Actor{UserID: ids["thuky"], Username: "thuky"}
			for _, title := range []string{demoMeetingTitle, "Họp thử"} {
				if _, err := srv.App.Meetings.Create(ctx, sec, meeting.NewMeeting{Title: title}); err != nil {
					t.Fatal(err)
				}
			}
			srv.CreateUser("khach", "Khách mời", false)
		}, true},
		{"a real user", func(t *testing.T, srv *apptest.Server) { srv.CreateUser("boss", "Chánh Văn phòng", true) }, false},
		{"admin from CURIA_ADMIN_PASSWORD", func(t *testing.T, srv *apptest.Server) {
			if _, err := srv.App.Accounts.EnsureAdmin(ctx, "operator chose this"); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"demo users and a real user", func(t *testing.T, srv *apptest.Server) {
			makeDemoUsers(srv)
			srv.CreateUser("boss", "Chánh Văn phòng", true)
		}, false},
		{"a meeting the demo did not make", func(t *testing.T, srv *apptest.Server) {
			ids := makeDemoUsers(srv, "thuky")
			if _, err := srv.App.Meetings.Create(ctx, web.Actor{UserID: ids["thuky"]}, meeting.NewMeeting{Title: "Họp giao ban"}); err != nil {
				t.Fatal(err)
			}
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := apptest.Start(t, testdb.Backends()[0])
			tt.make(t, srv)
			err := checkDemoDatabase(ctx, srv.App)
			if (err == nil) != tt.ok {
				t.Fatalf("checkDemoDatabase: %v; want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestDemoAdminSignsInAsPrinted proves that the demo's printed logins
// are true for admin even with CURIA_ADMIN_PASSWORD in the environment
// (the Dockerfile's example run line sets it, an operator's shell may
// export it): the demo ignores it, and admin signs in with the demo
// password like the others.
func TestDemoAdminSignsInAsPrinted(t *testing.T) {
	bin := buildCuria(t)
	cmd := exec.Command(bin, "demo")
	cmd.Env = append(os.Environ(), "CURIA_DATA_DIR="+t.TempDir(), "CURIA_ADDR=127.0.0.1:0",
		"CURIA_ADMIN_PASSWORD=operator chose this")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr apptest.SyncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	printed, url := readDemoStart(t, stdout)
	if !strings.Contains(printed, `password "curia-demo" for all`) || !strings.Contains(printed, "admin") {
		t.Fatalf("demo start output: %q", printed)
	}
	if code := signIn(t, url, "admin", demoPassword); code != http.StatusOK {
		t.Fatalf("the demo printed admin with password %q for all, but admin's sign-in answers %d:\n%s", demoPassword, code, printed)
	}
	if !strings.Contains(stderr.String(), "ignores CURIA_ADMIN_PASSWORD") {
		t.Errorf("the demo did not say that it ignores CURIA_ADMIN_PASSWORD:\n%s", stderr.String())
	}
}

// readDemoStart reads the demo's standard output up to its start line and
// returns what it printed and the URL it listens on.
func readDemoStart(t *testing.T, r io.Reader) (string, string) {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 4096)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if i := strings.Index(b.String(), "listening on http://"); i >= 0 {
			rest := b.String()[i+len("listening on "):]
			if j := strings.IndexByte(rest, '\n'); j >= 0 {
				go func() { _, _ = io.Copy(io.Discard, r) }()
				return b.String(), rest[:j]
			}
		}
		if err != nil {
			t.Fatalf("demo did not start: %v\n%s", err, b.String())
		}
	}
	t.Fatalf("demo did not start in time:\n%s", b.String())
	return "", ""
}
