package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/apperr"
)

// failingReader fails the test that reads it: nothing may be asked for.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("the password was read although the command could not succeed")
	return 0, io.EOF
}

// TestUserAddChecksNamesBeforeThePassword: a username or full name the
// server would refuse is refused before anyone types a password.
func TestUserAddChecksNamesBeforeThePassword(t *testing.T) {
	vars := map[string]string{"CURIA_DATA_DIR": t.TempDir()}
	for _, args := range [][]string{
		{"user", "add", "--username", "Thư Ký", "--full-name", "Trần Thị Bình"},
		{"user", "add", "--username", "thuky", "--full-name", "Trần\nThị Bình"},
	} {
		err := run(context.Background(), args, testEnv(vars), failingReader{t}, io.Discard, io.Discard)
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%q: %v, want a refusal of the name", args, err)
		}
	}
}

// TestUserPasswd: `curia user passwd` sets a user's password from the
// command line and ends their sessions; an unknown user is refused before
// the password is asked for, and a bad password changes nothing.
func TestUserPasswd(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"CURIA_DATA_DIR": dir}
	ctx := context.Background()
	if err := run(ctx, []string{"migrate"}, testEnv(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	add := []string{"user", "add", "--username", "chanh.vp", "--full-name", "Chánh Văn phòng", "--admin"}
	if err := run(ctx, add, testEnv(vars), strings.NewReader("the first password\n"), io.Discard, io.Discard); err != nil {
		t.Fatalf("user add: %v", err)
	}

	// A taken username is refused before the password is asked for.
	if err := run(ctx, add, testEnv(vars), failingReader{t}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Errorf("user add of a taken username: %v, want taken", err)
	}

	err := run(ctx, []string{"user", "passwd", "--username", "nobody"}, testEnv(vars), failingReader{t}, io.Discard, io.Discard)
	if !apperr.Is(err, apperr.NotFound) {
		t.Errorf("passwd of an unknown user: %v, want not found", err)
	}
	err = run(ctx, []string{"user", "passwd"}, testEnv(vars), failingReader{t}, io.Discard, io.Discard)
	var u usageError
	if !errors.As(err, &u) {
		t.Errorf("passwd without --username: %v, want a usage error", err)
	}
	err = run(ctx, []string{"user", "passwd", "--username", "chanh.vp"}, testEnv(vars), strings.NewReader("short\n"), io.Discard, io.Discard)
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("a short password: %v, want invalid", err)
	}

	// A session opened with the first password ends with the change.
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	url, done := startRun(t, sctx, []string{"serve"}, map[string]string{"CURIA_ADDR": "127.0.0.1:0", "CURIA_DATA_DIR": dir})
	old, code := cookieLogin(t, url, "chanh.vp", "the first password")
	if code != http.StatusOK || me(t, url, old) != http.StatusOK {
		t.Fatalf("sign-in before: %d", code)
	}
	var out strings.Builder
	// Typed with capitals and spaces: found as at sign-in.
	err = run(ctx, []string{"user", "passwd", "--username", " Chanh.VP"}, testEnv(vars), strings.NewReader("the second password\n"), &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "set the password of chanh.vp") {
		t.Fatalf("passwd: %v, %q", err, out.String())
	}
	// A running server trusts a session it has read for a moment (2 s).
	for deadline := time.Now().Add(5 * time.Second); me(t, url, old) != http.StatusUnauthorized; {
		if time.Now().After(deadline) {
			t.Error("/me with a session from before the change still answers 5 s later")
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, code := cookieLogin(t, url, "chanh.vp", "the first password"); code == http.StatusOK {
		t.Error("the old password still signs in")
	}
	if _, code := cookieLogin(t, url, "chanh.vp", "the second password"); code != http.StatusOK {
		t.Errorf("the new password does not sign in: %d", code)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// cookieLogin signs in at url and returns the session cookie and the status.
func cookieLogin(t *testing.T, url, username, password string) (*http.Cookie, int) {
	t.Helper()
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)
	res, err := http.Post(url+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == account.CookieName {
			return c, res.StatusCode
		}
	}
	return nil, res.StatusCode
}

// me asks /api/v1/me with the session cookie.
func me(t *testing.T, url string, session *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1/me", nil)
	if session != nil {
		req.AddCookie(session)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
