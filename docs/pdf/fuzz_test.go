package pdf

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"
)

// maxSeedSize keeps the seeds small. Bigger files add little structure
// but make each minimization (up to -fuzzminimizetime, 60s by default)
// stall a fuzz worker.
const maxSeedSize = 32 << 10

// FuzzInspect runs in-process inspection behind the same recover guard
// the worker uses (dispatch) and checks the invariants callers rely on.
// A panic that escapes the guard (say, on a pdfcpu goroutine) crashes
// the fuzz process: that is the failure the worker subprocess contains.
func FuzzInspect(f *testing.F) {
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "pdfs")
	entries, _ := os.ReadDir(dir) // no corpus: fuzz from the generated seed alone
	for _, e := range entries {
		if info, err := e.Info(); err != nil || info.Size() > maxSeedSize || filepath.Ext(e.Name()) != ".pdf" {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			f.Add(b)
		}
	}
	f.Add(docSpec{pages: 2, catalogExtra: "/OpenAction << /S /JavaScript /JS (1) >>"}.build())

	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ops := map[string]opFunc{"inspect": func(ctx context.Context, _ request) (any, error) {
			return inspectBytes(ctx, data)
		}}
		start := time.Now()
		res := dispatch(ctx, ops, request{Op: "inspect"})
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("inspection took %v: the worker's deadline would have killed it", d)
		}
		if res.Error != nil {
			checkError(t, res.Error.toError())
			return
		}
		var info Info
		if err := json.Unmarshal(res.Result, &info); err != nil {
			t.Fatalf("result: %v", err)
		}
		checkInfo(t, info)
	})
}

func checkError(t *testing.T, e *Error) {
	known := []Kind{KindNotPDF, KindEncrypted, KindUnreadable, KindTimeout, KindTooComplex, KindInternal}
	if !slices.Contains(known, e.Kind) || e.Reason == "" {
		t.Fatalf("bad error %+v", e)
	}
	if e.Kind == KindInternal {
		t.Fatalf("internal error for file content: %+v", e)
	}
}

func checkInfo(t *testing.T, info Info) {
	if info.Pages <= 0 {
		t.Fatalf("accepted with %d pages", info.Pages)
	}
	sum := 0
	for _, s := range info.PageSizes {
		if s.W <= 0 || s.H <= 0 || s.Count <= 0 {
			t.Fatalf("bad page size %+v", s)
		}
		sum += s.Count
	}
	if len(info.PageSizes) == 0 || len(info.PageSizes) > maxPageSizes || sum > info.Pages {
		t.Fatalf("page sizes %+v for %d pages", info.PageSizes, info.Pages)
	}
	if m := info.PageMap; m.Known() && m.Pages() != info.Pages {
		t.Fatalf("page map of %d pages for %d pages", m.Pages(), info.Pages)
	}
	for _, s := range []string{info.Title, info.Author} {
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxTextLen {
			t.Fatalf("bad metadata text %q", s)
		}
	}
}
