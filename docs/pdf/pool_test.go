package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// poolRunner is a Runner with a pool, whose workers are this test binary.
func poolRunner(t *testing.T) *Runner {
	t.Helper()
	r := testRunner(t)
	r.Pool = 2
	return r
}

// whoServes asks a long-lived worker for its pid and private TMPDIR.
func whoServes(t *testing.T, r *Runner) workerID {
	t.Helper()
	var id workerID
	if err := r.callPooled(context.Background(), request{Op: "pid"}, &id); err != nil {
		t.Fatalf("pid: %v (%s)", err, detailOf(err))
	}
	if id.Pid == 0 || id.Pid == os.Getpid() {
		t.Fatalf("pid op ran in %d", id.Pid)
	}
	return id
}

// idlePids returns the pids of the pool's idle workers.
func idlePids(r *Runner) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var pids []int
	for _, w := range r.idle {
		pids = append(pids, w.cmd.Process.Pid)
	}
	return pids
}

// TestPoolReuse: consecutive requests are served by one warm worker; a
// one-shot call (inspection) never is.
func TestPoolReuse(t *testing.T) {
	r := poolRunner(t)
	first := whoServes(t, r)
	for range 3 {
		if id := whoServes(t, r); id.Pid != first.Pid {
			t.Fatalf("served by %d, then by %d: the worker was not kept", first.Pid, id.Pid)
		}
	}
	var once workerID
	if err := r.call(context.Background(), request{Op: "pid"}, &once); err != nil {
		t.Fatal(err)
	}
	if once.Pid == first.Pid {
		t.Error("a one-shot call was given the long-lived worker")
	}
	waitGone(t, once.Pid)
	if _, err := os.Stat(once.Tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("one-shot worker's TMPDIR %s left behind: %v", once.Tmp, err)
	}
}

// TestPoolRecycle: a worker is replaced after Recycle requests, and when
// it is larger than RecycleRSS after a request.
func TestPoolRecycle(t *testing.T) {
	r := poolRunner(t)
	r.Recycle = 3
	var pids []int
	for range 7 {
		pids = append(pids, whoServes(t, r).Pid)
	}
	if pids[0] != pids[1] || pids[1] != pids[2] || pids[3] == pids[2] || pids[3] != pids[5] || pids[6] == pids[5] {
		t.Errorf("pids %v: want three requests per worker", pids)
	}
	waitGone(t, pids[0])
	waitGone(t, pids[3])

	big := poolRunner(t)
	big.RecycleRSS = 1 // every worker is too large after its request
	a, b := whoServes(t, big), whoServes(t, big)
	if a.Pid == b.Pid {
		t.Errorf("worker %d kept above RecycleRSS", a.Pid)
	}
	waitGone(t, a.Pid)
}

// TestPoolCrash: a worker that crashes mid-request gives its caller the
// same error as a one-shot worker, and the next request gets a fresh one.
func TestPoolCrash(t *testing.T) {
	r := poolRunner(t)
	before := whoServes(t, r)
	err := r.callPooled(context.Background(), request{Op: "crash"}, nil)
	e := wantKind(t, err, KindUnreadable)
	if !strings.Contains(e.Detail, "deliberate crash") {
		t.Errorf("detail %q should carry the panic for logs", e.Detail)
	}
	waitGone(t, before.Pid)
	after := whoServes(t, r)
	if after.Pid == before.Pid {
		t.Fatal("the crashed worker served again")
	}
	if _, err := os.Stat(before.Tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("crashed worker's TMPDIR %s left behind: %v", before.Tmp, err)
	}
	// A recovered panic answers its caller, but the worker is retired: the
	// panic may have left a lock held or a global half-updated.
	err = r.callPooled(context.Background(), request{Op: "panic"}, nil)
	wantKind(t, err, KindUnreadable)
	waitGone(t, after.Pid)
	if id := whoServes(t, r); id.Pid == after.Pid {
		t.Errorf("worker %d served again after a recovered panic", after.Pid)
	}
}

// TestPoolTimeout: a hung request is killed at its deadline, with what
// the worker started, and the pool recovers.
func TestPoolTimeout(t *testing.T) {
	r := poolRunner(t)
	r.Timeout = 3 * time.Second
	if raceEnabled {
		r.Timeout = 8 * time.Second
	}
	before := whoServes(t, r)
	pidFile := writeTemp(t, "pids", nil)
	start := time.Now()
	err := r.callPooled(context.Background(), request{Op: "sleep", Path: pidFile}, nil)
	wantKind(t, err, KindTimeout)
	if d := time.Since(start); d < r.Timeout || d > r.Timeout+3*time.Second {
		t.Errorf("killed after %v, timeout %v", d, r.Timeout)
	}
	b, _ := os.ReadFile(pidFile)
	pids := strings.Fields(string(b))
	if len(pids) != 2 || pids[0] != fmt.Sprint(before.Pid) {
		t.Fatalf("pids %q, want the warm worker %d and its child", b, before.Pid)
	}
	for _, s := range pids {
		var pid int
		fmt.Sscan(s, &pid)
		waitGone(t, pid)
	}
	if id := whoServes(t, r); id.Pid == before.Pid {
		t.Error("the killed worker served again")
	}
	// A caller that gives up kills its worker too.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := r.callPooled(ctx, request{Op: "sleep", Path: writeTemp(t, "pids2", nil)}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	whoServes(t, r)
}

// TestPoolMemory: a worker over MemLimit is killed and replaced.
func TestPoolMemory(t *testing.T) {
	r := poolRunner(t)
	r.MemLimit = 256 << 20
	r.Timeout = time.Minute
	before := whoServes(t, r)
	err := r.callPooled(context.Background(), request{Op: "alloc"}, nil)
	wantKind(t, err, KindTooComplex)
	waitGone(t, before.Pid)
	whoServes(t, r)
}

// TestPoolProtocol: a worker that answers another request, or exits
// without answering, is not trusted again.
func TestPoolProtocol(t *testing.T) {
	r := poolRunner(t)
	for _, op := range []string{"liar", "garbage"} {
		before := whoServes(t, r)
		err := r.callPooled(context.Background(), request{Op: op}, nil)
		wantKind(t, err, KindUnreadable)
		waitGone(t, before.Pid)
		if id := whoServes(t, r); id.Pid == before.Pid {
			t.Errorf("%s: the worker served again", op)
		}
	}
}

// TestPoolNoise: output on stderr and junk on stdout (partial lines, a
// line longer than the parent keeps, look-alike lines) do not break the
// framing, and the worker stays in service.
func TestPoolNoise(t *testing.T) {
	r := poolRunner(t)
	before := whoServes(t, r)
	for range 2 {
		var got string
		if err := r.callPooled(context.Background(), request{Op: "noise"}, &got); err != nil || got != "clean" {
			t.Fatalf("noise: %q, %v (%s)", got, err, detailOf(err))
		}
	}
	if id := whoServes(t, r); id.Pid != before.Pid {
		t.Errorf("noise cost the worker %d (now %d)", before.Pid, id.Pid)
	}
}

// TestPoolConcurrent: concurrent requests each get their own answer, and
// no more workers are kept than Pool.
func TestPoolConcurrent(t *testing.T) {
	r := poolRunner(t)
	r.Parallel = 4
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			want := fmt.Sprintf("/request/%d/%s", i, strings.Repeat("z", i))
			var got string
			if err := r.callPooled(context.Background(), request{Op: "echo", Path: want}, &got); err != nil {
				errs <- err
			} else if got != want {
				errs <- fmt.Errorf("asked %q, answered %q", want, got)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(idlePids(r)); n > 2 {
		t.Errorf("%d idle workers, Pool is 2", n)
	}
}

// TestPoolClose: once the Runner is closed no worker process is left,
// nor any worker's TMPDIR, and calls still work, each in its own worker.
func TestPoolClose(t *testing.T) {
	r := poolRunner(t)
	var wg sync.WaitGroup
	ids := make(chan workerID, 4)
	for range 4 {
		wg.Go(func() {
			var id workerID
			if err := r.callPooled(context.Background(), request{Op: "pid"}, &id); err == nil {
				ids <- id
			}
		})
	}
	wg.Wait()
	close(ids)
	idle := idlePids(r)
	if len(idle) == 0 {
		t.Fatal("no idle worker before Close")
	}
	r.Close()
	for id := range ids {
		waitGone(t, id.Pid)
		if _, err := os.Stat(id.Tmp); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("TMPDIR %s left behind: %v", id.Tmp, err)
		}
	}
	for _, pid := range idle {
		waitGone(t, pid)
	}
	if n := len(childrenOf(os.Getpid())); n != 0 {
		t.Errorf("%d child processes left after Close", n)
	}
	id := whoServes(t, r)
	waitGone(t, id.Pid)
	if n := len(idlePids(r)); n != 0 {
		t.Errorf("a closed Runner keeps %d workers", n)
	}
}

// childrenOf lists the live (not zombie) processes whose parent is pid.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range entries {
		var p int
		if _, err := fmt.Sscan(e.Name(), &p); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		_, rest, _ := strings.Cut(string(b), ") ")
		var state string
		var ppid int
		fmt.Sscan(rest, &state, &ppid)
		if ppid == pid && state != "Z" && state != "X" {
			kids = append(kids, p)
		}
	}
	return kids
}

// copyIDOnEveryPage reports how many pages the PDF at path has and
// whether every one shows id (false without pdftotext).
func copyIDOnEveryPage(t *testing.T, path, id string) (pages int, every bool) {
	t.Helper()
	texts := pageTexts(t, path)
	for _, text := range texts {
		if !strings.Contains(strings.Join(strings.Fields(text), ""), id) {
			return len(texts), false
		}
	}
	return len(texts), texts != nil
}

// TestPoolWatermark: readers' copies stamped in turn by a long-lived
// worker each carry their own copy id, never another reader's.
func TestPoolWatermark(t *testing.T) {
	r := poolRunner(t)
	in := writeTemp(t, "in.pdf", docSpec{pages: 3}.build())
	dir := t.TempDir()
	ids := []string{"AAAA1111", "BBBB2222", "CCCC3333"}
	for _, id := range ids {
		if err := r.Watermark(context.Background(), in, filepath.Join(dir, id+".pdf"), testLines, id); err != nil {
			t.Fatalf("%s: %v (%s)", id, err, detailOf(err))
		}
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	for _, id := range ids {
		out := filepath.Join(dir, id+".pdf")
		if n, ok := copyIDOnEveryPage(t, out, id); n != 3 || !ok {
			t.Errorf("%s: %d pages, copy id on every page: %v", id, n, ok)
		}
		for _, other := range ids {
			if _, ok := copyIDOnEveryPage(t, out, other); other != id && ok {
				t.Errorf("%s carries %s's copy id", id, other)
			}
		}
	}
}

// TestStampReuse: inside a worker, the next reader of the same version
// reuses the document read for the previous one; a file changed in place
// or replaced is read again.
func TestStampReuse(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	servingFonts(true)
	defer servingFonts(false)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, docSpec{pages: 3}.build(), 0o600); err != nil {
		t.Fatal(err)
	}
	stamp := func(id string, wantPages int) {
		t.Helper()
		out := filepath.Join(dir, id+".pdf")
		res, err := watermarkFile(context.Background(), in, watermarkArgs{Out: out, Lines: testLines, CopyID: id})
		if err != nil || !res.Incremental || res.Pages != wantPages {
			t.Fatalf("%s: %+v, %v (%s)", id, res, err, detailOf(err))
		}
		if n, ok := copyIDOnEveryPage(t, out, id); n != wantPages || !ok {
			t.Errorf("%s: %d pages, copy id on every page: %v", id, n, ok)
		}
	}
	hits := func() int {
		lastRead.mu.Lock()
		defer lastRead.mu.Unlock()
		return lastRead.hits
	}
	h := hits()
	stamp("FIRST111", 3)
	stamp("SECOND22", 3)
	if hits() != h+1 {
		t.Errorf("second reader: %d reuses, want 1", hits()-h)
	}
	// Changed in place (same inode, other size).
	if err := os.WriteFile(in, docSpec{pages: 5}.build(), 0o600); err != nil {
		t.Fatal(err)
	}
	stamp("CHANGED3", 5)
	// Replaced by another file of the same size and time.
	st, _ := os.Stat(in)
	repl := filepath.Join(dir, "repl.pdf")
	if err := os.WriteFile(repl, docSpec{pages: 5}.build(), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(repl, st.ModTime(), st.ModTime())
	if err := os.Rename(repl, in); err != nil {
		t.Fatal(err)
	}
	h = hits()
	stamp("REPLACED", 5)
	if hits() != h {
		t.Error("a replaced file was not read again")
	}
	stamp("AGAIN444", 5)
	if hits() != h+1 {
		t.Error("the replaced file's next reader did not reuse it")
	}
}

// Close does not wait for a warm-up under way to time out: the worker
// being warmed is stopped at once.
func TestPoolCloseStopsWarmUp(t *testing.T) {
	r := poolRunner(t)
	r.Env = append(r.Env, warmHangsEnv+"=1")
	r.Timeout = 30 * time.Second
	r.Recycle = 1 // the worker retires after one request, and a new one is warmed
	whoServes(t, r)
	r.mu.Lock()
	filling := r.filling
	r.mu.Unlock()
	if filling != 1 {
		t.Fatalf("%d workers being warmed after a retirement, want 1", filling)
	}
	start := time.Now()
	r.Close()
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close waited %v for a hanging warm-up (timeout %v)", d.Round(time.Millisecond), r.Timeout)
	}
}
