package pdf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunnerInspectOK(t *testing.T) {
	p := writeTemp(t, "ok.pdf", docSpec{pages: 3, trailerExtra: "/Info 6 0 R",
		extra: []string{"<< /Title (  Biên bản họp  ) /Author <FEFF0041006E0068> >>"}}.build())
	info, err := testRunner(t).Inspect(context.Background(), p)
	if err != nil {
		t.Fatalf("Inspect: %v (%s)", err, detailOf(err))
	}
	if info.Pages != 3 || info.Version != "1.7" || info.Author != "Anh" {
		t.Errorf("got %+v", info)
	}
	if want := []PageSize{{W: 595.28, H: 841.89, Count: 3}}; len(info.PageSizes) != 1 || info.PageSizes[0] != want[0] {
		t.Errorf("page sizes %+v, want %+v", info.PageSizes, want)
	}
}

func TestRunnerNotPDF(t *testing.T) {
	p := writeTemp(t, "notes.pdf", []byte("Meeting notes, definitely not a PDF.\n"))
	_, err := testRunner(t).Inspect(context.Background(), p)
	wantKind(t, err, KindNotPDF)
	_, err = Inspect(p)
	wantKind(t, err, KindNotPDF)
}

func TestRunnerEmpty(t *testing.T) {
	_, err := testRunner(t).Inspect(context.Background(), writeTemp(t, "empty.pdf", nil))
	wantKind(t, err, KindUnreadable)
}

func TestRunnerMissingFile(t *testing.T) {
	_, err := testRunner(t).Inspect(context.Background(), "/nonexistent/curia/x.pdf")
	e := wantKind(t, err, KindInternal)
	if strings.Contains(e.Error(), "nonexistent") {
		t.Errorf("error text leaks the path: %q", e.Error())
	}
}

func TestRunnerTruncated(t *testing.T) {
	data := docSpec{pages: 2}.build()
	for _, n := range []int{20, len(data) / 3, len(data) / 2} {
		p := writeTemp(t, "truncated.pdf", data[:n])
		_, err := testRunner(t).Inspect(context.Background(), p)
		if err == nil {
			t.Fatalf("cut at %d of %d: accepted", n, len(data))
		}
		wantKind(t, err, KindUnreadable)
	}
	// Losing only "startxref" and "%%EOF" loses nothing: like qpdf and
	// poppler, the reader recovers the document.
	p := writeTemp(t, "tail.pdf", data[:bytes.LastIndex(data, []byte("startxref"))])
	if info, err := testRunner(t).Inspect(context.Background(), p); err != nil || info.Pages != 2 {
		t.Errorf("without startxref: %+v, %v", info, err)
	}
}

func TestRunnerNoCommand(t *testing.T) {
	p := writeTemp(t, "ok.pdf", docSpec{pages: 1}.build())
	_, err := (&Runner{}).Inspect(context.Background(), p)
	wantKind(t, err, KindInternal)
	_, err = (&Runner{Command: []string{"/nonexistent/worker"}}).Inspect(context.Background(), p)
	wantKind(t, err, KindInternal)
}

// TestRunnerTimeout checks that a hung worker is killed at the deadline,
// together with the process it started.
func TestRunnerTimeout(t *testing.T) {
	r := testRunner(t)
	r.Timeout = 3 * time.Second // long enough for a loaded machine to start the worker
	if raceEnabled {
		r.Timeout = 8 * time.Second // a -race binary needs over a second to start
	}
	pidFile := writeTemp(t, "pids", nil)
	start := time.Now()
	err := r.call(context.Background(), request{Op: "sleep", Path: pidFile}, nil)
	wantKind(t, err, KindTimeout)
	if d := time.Since(start); d > r.Timeout+3*time.Second {
		t.Errorf("timeout took %v", d)
	}
	b, _ := os.ReadFile(pidFile)
	pids := strings.Fields(string(b))
	if len(pids) != 2 {
		t.Fatalf("worker did not record its pids: %q", b)
	}
	for _, s := range pids {
		pid, _ := strconv.Atoi(s)
		waitGone(t, pid)
	}
}

// waitGone fails t unless pid disappears (or is a zombie awaiting its
// parent) shortly.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for range 100 {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) || zombie(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("process %d still running after the timeout", pid)
}

// zombie reports whether pid has exited but not been reaped: the
// grandchild's parent (the killed worker) is gone, so init reaps it
// eventually, not us.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(rest, "Z") || strings.HasPrefix(rest, "X")
}

func TestRunnerContextCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := testRunner(t).call(ctx, request{Op: "sleep", Path: writeTemp(t, "pids", nil)}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}

// TestRunnerCrash: a panic recover cannot catch kills the worker; the
// caller gets Unreadable and no internals.
func TestRunnerCrash(t *testing.T) {
	err := testRunner(t).call(context.Background(), request{Op: "crash"}, nil)
	e := wantKind(t, err, KindUnreadable)
	if !strings.Contains(e.Detail, "deliberate crash") {
		t.Errorf("detail %q should carry the panic for logs", e.Detail)
	}
}

// TestRunnerRecoveredPanic: a panic the worker recovers arrives as an
// Unreadable response; its detail crosses the protocol for logs but is
// never part of the error text or its JSON.
func TestRunnerRecoveredPanic(t *testing.T) {
	err := testRunner(t).call(context.Background(), request{Op: "panic"}, nil)
	e := wantKind(t, err, KindUnreadable)
	if !strings.Contains(e.Detail, "deliberate panic") {
		t.Errorf("detail %q should carry the panic for logs", e.Detail)
	}
	b, _ := json.Marshal(e)
	if strings.Contains(string(b)+e.Error(), "deliberate") {
		t.Errorf("detail leaks: %s / %s", b, e.Error())
	}
}

func TestRunnerGarbageOutput(t *testing.T) {
	err := testRunner(t).call(context.Background(), request{Op: "garbage"}, nil)
	wantKind(t, err, KindUnreadable)
}

func TestRunnerUnknownOp(t *testing.T) {
	err := testRunner(t).call(context.Background(), request{Op: "no-such-op"}, nil)
	wantKind(t, err, KindInternal)
}

// TestRunnerMemoryLimit: a worker that allocates without bound is
// stopped (by RLIMIT_AS or by the RSS check) and reported TooComplex,
// while this process carries on.
func TestRunnerMemoryLimit(t *testing.T) {
	r := testRunner(t)
	r.MemLimit = 256 << 20
	r.Timeout = time.Minute
	start := time.Now()
	err := r.call(context.Background(), request{Op: "alloc"}, nil)
	e := wantKind(t, err, KindTooComplex)
	t.Logf("stopped after %v: %s", time.Since(start).Round(time.Millisecond), e.Detail)
}

// TestRunnerParallel checks that concurrent calls share the worker
// slots and all succeed.
// TestRunnerAddressSpaceLimit: one enormous allocation fails at once
// under RLIMIT_AS, before any RSS check could see it.
func TestRunnerAddressSpaceLimit(t *testing.T) {
	if raceEnabled {
		t.Skip("RLIMIT_AS is not applied in -race builds (see limitAddressSpace)")
	}
	r := testRunner(t)
	r.MemLimit = 256 << 20
	err := r.call(context.Background(), request{Op: "bigalloc"}, nil)
	e := wantKind(t, err, KindTooComplex)
	t.Logf("%s", e.Detail)
}

func TestRunnerParallel(t *testing.T) {
	r := testRunner(t)
	r.Parallel = 2
	p := writeTemp(t, "ok.pdf", docSpec{pages: 2}.build())
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			info, err := r.Inspect(context.Background(), p)
			if err == nil && info.Pages != 2 {
				err = errors.New("wrong page count")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestServeWorker drives the exported worker entry point directly, with
// a benign generated file.
func TestServeWorker(t *testing.T) {
	p := writeTemp(t, "ok.pdf", docSpec{pages: 4}.build())
	var out bytes.Buffer
	in := strings.NewReader(`{"op":"inspect","path":` + strconv.Quote(p) + `}`)
	if err := ServeWorker(context.Background(), in, &out); err != nil {
		t.Fatal(err)
	}
	lines := responseLines(out.Bytes())
	if len(lines) != 1 {
		t.Fatalf("%d responses in %q", len(lines), out.String())
	}
	var res response
	if err := json.Unmarshal(lines[0], &res); err != nil || res.Error != nil {
		t.Fatalf("response %q: %v", out.String(), err)
	}
	var info Info
	if err := json.Unmarshal(res.Result, &info); err != nil || info.Pages != 4 {
		t.Errorf("result %s: %v", res.Result, err)
	}
}

// TestRunnerSpare: once calls come in series the Runner keeps one worker
// started for the next; that worker serves exactly one call (a fresh process each
// time), Close stops it, and the Runner still works afterwards, cold.
func TestRunnerSpare(t *testing.T) {
	r := testRunner(t)
	p := writeTemp(t, "ok.pdf", docSpec{pages: 2}.build())
	if info, err := r.Inspect(context.Background(), p); err != nil || info.Pages != 2 {
		t.Fatalf("%+v, %v", info, err)
	}
	r.mu.Lock()
	lone := r.spare
	r.mu.Unlock()
	if lone != nil {
		t.Error("a spare was started after a lone call")
	}
	pids := map[int]bool{}
	for range 3 {
		if info, err := r.Inspect(context.Background(), p); err != nil || info.Pages != 2 {
			t.Fatalf("%+v, %v", info, err)
		}
		var spare *worker
		for range 200 { // the spare starts in the background
			r.mu.Lock()
			spare = r.spare
			r.mu.Unlock()
			if spare != nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if spare == nil {
			t.Fatal("no spare worker after a call")
		}
		if pid := spare.cmd.Process.Pid; pids[pid] {
			t.Fatalf("spare %d offered twice", pid)
		} else {
			pids[pid] = true
		}
	}
	if peak := r.PeakRSS(); runtime.GOOS == "linux" && (peak < 1<<20 || peak > 1<<30) {
		t.Errorf("peak RSS of the workers: %d bytes", peak)
	}
	r.mu.Lock()
	spare := r.spare
	r.mu.Unlock()
	r.Close()
	if spare != nil {
		waitGone(t, spare.cmd.Process.Pid)
	}
	if info, err := r.Inspect(context.Background(), p); err != nil || info.Pages != 2 {
		t.Fatalf("after Close: %+v, %v", info, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.spare != nil {
		t.Error("a closed Runner keeps a spare")
	}
}
