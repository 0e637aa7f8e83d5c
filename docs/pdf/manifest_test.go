package pdf

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// manifestEntry is one line of MANIFEST.tsv: a file and its page count as
// qpdf and poppler agree on it, or reject (-1) when they refuse it.
type manifestEntry struct {
	file  string
	pages int
}

func readManifest(t *testing.T, dir string) []manifestEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []manifestEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, pages, ok := strings.Cut(sc.Text(), "\t")
		if !ok || name == "file" {
			continue
		}
		e := manifestEntry{file: name, pages: -1}
		if pages != "reject" {
			if e.pages, err = strconv.Atoi(pages); err != nil {
				t.Fatalf("manifest line %q: %v", sc.Text(), err)
			}
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestManifest runs every corpus file through the Runner, i.e. through
// real worker subprocesses.
func TestManifest(t *testing.T) {
	dir := corpusDir(t)
	entries := readManifest(t, dir)
	r := testRunner(t)
	r.Parallel = 4
	// Generous: a -race worker on a loaded 2-core CI machine is slow, and
	// timeouts have their own test.
	r.Timeout = 2 * time.Minute

	type result struct {
		info Info
		err  error
	}
	results := make([]result, len(entries))
	start := time.Now()
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Go(func() {
			info, err := r.Inspect(context.Background(), filepath.Join(dir, e.file))
			results[i] = result{info, err}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	var readable, accepted, wrong, rejects, refused int
	for i, e := range entries {
		res := results[i]
		if e.pages < 0 {
			rejects++
			if res.err == nil {
				t.Errorf("%s: manifest says reject, but accepted with %d pages", e.file, res.info.Pages)
				continue
			}
			refused++
			t.Logf("%s: refused as expected: %s (%s)", e.file, KindOf(res.err), detailOf(res.err))
			continue
		}
		readable++
		switch {
		case res.err != nil:
			t.Logf("%s: not accepted: %v (%s)", e.file, res.err, detailOf(res.err))
		case res.info.Pages != e.pages:
			wrong++
			t.Errorf("%s: %d pages, manifest says %d", e.file, res.info.Pages, e.pages)
		default:
			accepted++
		}
	}
	t.Logf("manifest: accepted %d/%d readable (%.1f%%), wrong counts %d, rejects refused %d/%d, wall %v",
		accepted, readable, 100*float64(accepted)/float64(readable), wrong, refused, rejects, elapsed.Round(time.Millisecond))
	if float64(accepted) < 0.99*float64(readable) {
		t.Errorf("accepted %d of %d readable files, want >= 99%%", accepted, readable)
	}
}
