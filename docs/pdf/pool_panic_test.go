package pdf

// Review tests for commit 4ebe632 (the long-lived worker pool). Each test
// here fails on that commit and describes the fix it expects.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// lockWorkerEnv makes the test binary serve lockOps instead of
// testOps: main_test.go's table has no op that leaves state behind.
const lockWorkerEnv = "CURIA_PDF_LOCK_WORKER"

func init() {
	if os.Getenv(lockWorkerEnv) == "1" {
		if err := serveWorker(context.Background(), os.Stdin, os.Stdout, lockOps()); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// lockGlobal stands for a process-wide lock of a library (pdfcpu keeps
// several: font metrics, user fonts, configuration).
var lockGlobal sync.Mutex

func lockOps() map[string]opFunc {
	ops := defaultOps()
	// A panic half-way through library code that holds a global lock
	// without defer: recover() returns, the lock stays held.
	ops["wedge"] = func(context.Context, request) (any, error) {
		lockGlobal.Lock()
		panic("panic while holding a process-wide lock")
	}
	ops["uselock"] = func(context.Context, request) (any, error) {
		lockGlobal.Lock()
		defer lockGlobal.Unlock()
		return "ok", nil
	}
	return ops
}

// TestPoolRecoveredPanicRetiresWorker: a request whose operation panicked
// (recovered in the worker) must not hand its worker to the next caller.
// A recovered panic can leave a global half-updated or a lock held; on
// 4ebe632 the worker is put back (TestPoolCrash even asserts it), and the
// next, innocent request on another document hangs until its timeout and
// gets KindTimeout. Fix: retire a long-lived worker after a response with
// reasonCrashed (runPooled), as after any other failure.
func TestPoolRecoveredPanicRetiresWorker(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Command: []string{exe}, Env: []string{lockWorkerEnv + "=1"}, Parallel: 1, Pool: 1,
		Timeout: 3 * time.Second}
	if raceEnabled {
		r.Timeout = 6 * time.Second
	}
	t.Cleanup(r.Close)
	ctx := context.Background()
	if err := r.callPooled(ctx, request{Op: "uselock"}, nil); err != nil {
		t.Fatalf("warm-up: %v (%s)", err, detailOf(err))
	}
	err = r.callPooled(ctx, request{Op: "wedge"}, nil)
	wantKind(t, err, KindUnreadable)
	var got string
	if err := r.callPooled(ctx, request{Op: "uselock"}, &got); err != nil || got != "ok" {
		t.Fatalf("the request after a recovered panic got %q, %v (%s): the panicked worker served it",
			got, err, detailOf(err))
	}
}

// TestStampReuseSameInodeSizeAndTime: lastRead is keyed by (device,
// inode, size, mtime). A file rewritten in place with a different
// document of the same size whose mtime ends up unchanged (a restore or
// rsync -t / cp -p onto the existing file, a coarse-clock filesystem, or
// an inode reused by the next downloaded blob of a non-FS Blobs) is
// served from the cache: the copy is the new file's bytes followed by an
// update built from the OLD document's page dictionaries (its
// resources, annotations, content references). Fix: key on ctime too
// (it cannot be set by utimes and changes on every write), e.g. compare
// Stat_t.Ctim and Ino in parsedCache.get.
func TestStampReuseSameInodeSizeAndTime(t *testing.T) {
	servingFonts(true)
	defer servingFonts(false)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	a := docSpec{pages: 3, pageExtra: "/Rotate 0 "}.build()
	b := docSpec{pages: 3, pageExtra: "/Rotate 90"}.build()
	if len(a) != len(b) || bytes.Equal(a, b) {
		t.Fatalf("test documents: %d and %d bytes", len(a), len(b))
	}
	if err := os.WriteFile(in, a, 0o600); err != nil {
		t.Fatal(err)
	}
	stamp := func(id string) []byte {
		t.Helper()
		out := filepath.Join(dir, id+".pdf")
		res, err := watermarkFile(context.Background(), in, watermarkArgs{Out: out, Lines: testLines, CopyID: id})
		if err != nil || !res.Incremental {
			t.Fatalf("%s: %+v, %v (%s)", id, res, err, detailOf(err))
		}
		return mustRead(t, out)
	}
	stamp("FIRST111")
	before, err := os.Stat(in)
	if err != nil {
		t.Fatal(err)
	}
	// The same inode, another document of the same size, the same mtime.
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(in, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(in)
	if !os.SameFile(before, after) || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		t.Skip("could not rewrite the file in place with the same size and time")
	}
	lastRead.mu.Lock()
	h := lastRead.hits
	lastRead.mu.Unlock()
	out := stamp("SECOND22")
	lastRead.mu.Lock()
	reused := lastRead.hits != h
	lastRead.mu.Unlock()
	update := out[len(b):]
	if reused || bytes.Contains(update, []byte("/Rotate 0")) || !bytes.Contains(update, []byte("/Rotate 90")) {
		t.Errorf("changed file stamped from the cached parse of the old one (reused %v); update carries the old pages: %v",
			reused, bytes.Contains(update, []byte("/Rotate 0")))
	}
}
