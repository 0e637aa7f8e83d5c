package pdf

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// workerEnv switches the test binary into worker mode, so the tests run
// the real subprocess isolation with the test binary as the worker.
const workerEnv = "CURIA_PDF_WORKER"

// warmHangsEnv makes the test worker's warm-up hang.
const warmHangsEnv = "CURIA_PDF_TEST_WARM_HANGS"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := serveWorker(context.Background(), os.Stdin, os.Stdout, testOps()); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testOps is the production table plus operations that misbehave on
// purpose. They exist only in the test binary.
func testOps() map[string]opFunc {
	ops := defaultOps()
	ops["sleep"] = opSleep
	ops["crash"] = opCrash
	ops["panic"] = func(context.Context, request) (any, error) { panic("deliberate panic") }
	ops["alloc"] = opAlloc
	ops["bigalloc"] = func(context.Context, request) (any, error) {
		b := make([]byte, 64<<30) // address space only: RSS stays small
		b[len(b)-1] = 1
		return len(b), nil
	}
	ops["pid"] = func(context.Context, request) (any, error) {
		return workerID{Pid: os.Getpid(), Tmp: os.TempDir()}, nil
	}
	ops["echo"] = func(_ context.Context, req request) (any, error) {
		time.Sleep(time.Duration(len(req.Path)%7) * 3 * time.Millisecond)
		return req.Path, nil
	}
	ops["noise"] = opNoise
	if os.Getenv(warmHangsEnv) == "1" {
		ops["warm"] = func(context.Context, request) (any, error) { time.Sleep(time.Hour); return nil, nil }
	}
	ops["liar"] = func(context.Context, request) (any, error) {
		os.Stdout.WriteString("\n" + responseMark + `{"id":999999999,"result":"forged"}` + "\n")
		return "honest", nil
	}
	ops["garbage"] = func(context.Context, request) (any, error) {
		os.Stdout.WriteString("this is not json\n")
		os.Exit(0)
		return nil, nil
	}
	return ops
}

// workerID is what the "pid" test op reports.
type workerID struct {
	Pid int    `json:"pid"`
	Tmp string `json:"tmp"`
}

// opNoise writes to stderr and stdout as a chatty library would: partial
// lines, junk lines, a line far longer than the parent keeps, and a line
// that only looks like a response, before answering normally.
func opNoise(context.Context, request) (any, error) {
	for i := range 200 {
		fmt.Fprintf(os.Stderr, "warning %d: something odd in this file\n", i)
	}
	os.Stdout.WriteString("partial output without a newline... ")
	os.Stdout.WriteString("{\"id\": 99, \"result\": 1}\n")
	os.Stdout.WriteString("curia-pdf-respons")
	os.Stdout.WriteString(strings.Repeat("x", maxStdout+10) + "\n")
	os.Stdout.WriteString("  " + responseMark + "{}\n")
	return "clean", nil
}

// opSleep starts a grandchild, records both pids in req.Path and hangs,
// to show that a timeout kills the whole process group.
func opSleep(_ context.Context, req request) (any, error) {
	child := exec.Command("sleep", "300")
	if err := child.Start(); err != nil {
		return nil, err
	}
	pids := fmt.Sprintf("%d %d", os.Getpid(), child.Process.Pid)
	if err := os.WriteFile(req.Path, []byte(pids), 0o600); err != nil {
		return nil, err
	}
	time.Sleep(time.Hour)
	return nil, nil
}

// opCrash panics on another goroutine, where no recover can reach: the
// worker process dies, as it would on such a bug in pdfcpu.
func opCrash(context.Context, request) (any, error) {
	go func() { panic("deliberate crash outside recover") }()
	time.Sleep(time.Hour)
	return nil, nil
}

// opAlloc allocates and touches memory until something stops it.
func opAlloc(context.Context, request) (any, error) {
	var keep [][]byte
	for range 4096 { // 64 GiB: far beyond any test limit
		b := make([]byte, 16<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		keep = append(keep, b)
	}
	return len(keep), nil
}

// testRunner returns a Runner whose worker is this test binary.
func testRunner(t testing.TB) *Runner {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Command: []string{exe}, Env: []string{workerEnv + "=1"}, Parallel: 4}
	t.Cleanup(r.Close)
	return r
}

// buildPDF assembles a classic-xref PDF whose object n is objs[n-1] and
// whose catalog is object 1. trailerExtra is added to the trailer.
func buildPDF(trailerExtra string, objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailerExtra, xref)
	return b.Bytes()
}

// docSpec describes a simple generated document.
type docSpec struct {
	pages        int
	catalogExtra string   // added to the catalog dictionary
	pageExtra    string   // added to every page dictionary
	extra        []string // further objects, numbered from 3+pages
	trailerExtra string
}

func (s docSpec) build() []byte {
	kids := make([]string, s.pages)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R " + s.catalogExtra + " >>",
		"", // page tree root, below
	}
	for i := range s.pages {
		kids[i] = fmt.Sprintf("%d 0 R", 3+i)
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] "+s.pageExtra+" >>")
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), s.pages)
	objs = append(objs, s.extra...)
	return buildPDF(s.trailerExtra, objs...)
}

// writeTemp writes data to a file in t's temporary directory.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// corpusDir is the shared real-world corpus, next to the repository.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "pdfs")
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		t.Skipf("PDF corpus not found at %s (expected shared/ next to the repository): %v", dir, err)
	}
	return dir
}

// wantKind fails t unless err is an *Error of the given kind with a
// reason free of internals.
func wantKind(t *testing.T, err error, kind Kind) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	e, ok := err.(*Error)
	if !ok || e.Kind != kind {
		t.Fatalf("got %v (%T, kind %q), want kind %s", err, err, KindOf(err), kind)
	}
	for _, bad := range []string{"/", "goroutine", ".go:", "panic", "obj#"} {
		if strings.Contains(e.Reason, bad) {
			t.Errorf("reason %q leaks internals (%q)", e.Reason, bad)
		}
	}
	return e
}

// responseLines returns the response lines of a worker's stdout, without
// their mark.
func responseLines(out []byte) [][]byte {
	var lines [][]byte
	for _, l := range bytes.Split(out, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(l, []byte(responseMark)); ok {
			lines = append(lines, rest)
		}
	}
	return lines
}
