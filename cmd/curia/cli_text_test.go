package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/curia/curia/internal/apperr"
)

// TestErrorTextHasNoKind proves that what main prints after "curia: " is a
// person's message: an application error shows without its kind
// ("not_found: ", "invalid: "), wherever it sits in the chain, and an
// internal one keeps its cause for the operator.
func TestErrorTextHasNoKind(t *testing.T) {
	vars := map[string]string{"CURIA_DATA_DIR": t.TempDir()}
	if err := run(context.Background(), []string{"migrate"}, testEnv(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	err := run(context.Background(), []string{"copy", "lookup", "XYZ"}, testEnv(vars), nil, io.Discard, io.Discard)
	if err == nil || errorText(err) != "no copy with id XYZ" {
		t.Errorf("copy lookup XYZ: %q", errorText(err))
	}
	err = run(context.Background(), []string{"user", "add", "--username", "an", "--full-name", "An"}, testEnv(vars),
		strings.NewReader("short\n"), io.Discard, io.Discard)
	if err == nil || strings.Contains(errorText(err), string(apperr.Invalid)+":") || !strings.Contains(errorText(err), "8 characters") {
		t.Errorf("user add with a short password: %q", errorText(err))
	}
	for err, want := range map[error]string{
		fmt.Errorf("demo: %w", apperr.NotFoundf("no such meeting")):                           "demo: no such meeting",
		fmt.Errorf("demo: %w", apperr.Internalf(errors.New("disk full"), "write %s", "x")):    "demo: internal error: write x: disk full",
		errors.Join(apperr.Invalidf("one"), fmt.Errorf("two: %w", apperr.Conflictf("three"))): "one\ntwo: three",
		errors.New("listen on x: address in use"):                                             "listen on x: address in use",
	} {
		if got := errorText(err); got != want {
			t.Errorf("errorText(%q) = %q, want %q", err, got, want)
		}
	}
}

// openPTY returns a pseudo-terminal's controller and its terminal end.
func openPTY(t *testing.T) (ctl, term *os.File) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("pseudo-terminals are opened the Linux way here")
	}
	ctl, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ctl.Close() })
	rc, err := ctl.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ioErr error
	if err := rc.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr == nil {
			n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
	}); err != nil || ioErr != nil {
		t.Skipf("no pseudo-terminal: %v %v", err, ioErr)
	}
	term, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { term.Close() })
	return ctl, term
}

// promptWriter is standard error for the command under test: it tells
// when a prompt was written.
type promptWriter struct {
	prompts chan string
}

func (w *promptWriter) Write(p []byte) (int, error) {
	if s := string(p); strings.Contains(s, ": ") {
		w.prompts <- s
	}
	return len(p), nil
}

// TestUserAddAsksWithoutEcho proves that `curia user add` run at a
// terminal asks for the password on standard error, twice, and that what
// is typed is not echoed (the terminal sends nothing back), and that the
// terminal echoes again afterwards.
func TestUserAddAsksWithoutEcho(t *testing.T) {
	ctl, term := openPTY(t)
	vars := map[string]string{"CURIA_DATA_DIR": t.TempDir()}
	if err := run(context.Background(), []string{"migrate"}, testEnv(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	stderr := &promptWriter{prompts: make(chan string, 4)}
	var stdout strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"user", "add", "--username", "thuky2", "--full-name", "Thư ký"},
			testEnv(vars), term, &stdout, stderr)
	}()
	for _, want := range []string{"Password for thuky2: ", "Repeat the password: "} {
		select {
		case p := <-stderr.prompts:
			if p != want {
				t.Fatalf("prompt %q, want %q", p, want)
			}
		case err := <-done:
			t.Fatalf("user add ended before asking %q: %v", want, err)
		case <-time.After(20 * time.Second):
			t.Fatalf("no prompt %q", want)
		}
		if _, err := ctl.Write([]byte("a secret password\n")); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-done:
		if err != nil || !strings.Contains(stdout.String(), "created user thuky2") {
			t.Fatalf("user add: %v; %s", err, stdout.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("user add did not finish")
	}
	if echoed := readAvailable(t, ctl); strings.Contains(echoed, "secret") {
		t.Errorf("the terminal echoed the password: %q", echoed)
	}
	if _, err := ctl.Write([]byte("visible\n")); err != nil {
		t.Fatal(err)
	}
	if echoed := readAvailable(t, ctl); !strings.Contains(echoed, "visible") {
		t.Errorf("the terminal does not echo after user add: %q", echoed)
	}
	if code := signInDirect(t, vars, "thuky2", "a secret password"); code != 200 {
		t.Errorf("thuky2 signs in with %d", code)
	}
}

// readAvailable reads what the terminal sent back within a moment.
func readAvailable(t *testing.T, f *os.File) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 256)
	for {
		if err := f.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
			t.Fatalf("read deadline: %v", err)
		}
		n, err := f.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

// signInDirect serves the data directory and signs username in.
func signInDirect(t *testing.T, vars map[string]string, username, password string) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v := map[string]string{"CURIA_ADDR": "127.0.0.1:0"}
	for k, x := range vars {
		v[k] = x
	}
	url, done := startRun(t, ctx, []string{"serve"}, v)
	code := signIn(t, url, username, password)
	cancel()
	<-done
	return code
}
