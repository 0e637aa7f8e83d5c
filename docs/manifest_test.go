package docs_test

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/testdb"
)

// corpus is the shared set of real-world PDFs with their page counts.
var corpus = filepath.Join("..", "..", "shared", "testdata", "pdfs")

type manifestEntry struct {
	file  string
	pages int // 0: must be refused
}

func readManifest(t *testing.T) []manifestEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "MANIFEST.tsv"))
	if os.IsNotExist(err) {
		t.Skip("no shared PDF corpus next to the repository")
	}
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
		e := manifestEntry{file: name}
		if pages != "reject" {
			if e.pages, err = strconv.Atoi(pages); err != nil {
				t.Fatalf("manifest line %q", sc.Text())
			}
		}
		out = append(out, e)
	}
	return out
}

// Every file of the corpus goes through the upload API: readable files get
// exactly their page count, the others a 4xx, and nothing a 5xx.
func TestManifestThroughUpload(t *testing.T) {
	entries := readManifest(t)
	r := newRoom(t, testdb.Backends()[0])
	type result struct {
		status int
		pages  int
		body   string
	}
	results := make([]result, len(entries))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, e := range entries {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			content, err := os.ReadFile(filepath.Join(corpus, e.file))
			if err != nil {
				t.Error(err)
				return
			}
			res := r.upload(r.c.Secretary, e.file, content, map[string]string{"title": e.file})
			var d docs.Document
			if res.Status == http.StatusCreated {
				res.JSON(&d)
			}
			results[i] = result{res.Status, d.Pages, string(res.Body)}
		})
	}
	wg.Wait()
	var readable, accepted, wrong, server, rejectsRefused, rejects int
	for i, e := range entries {
		got := results[i]
		if got.status >= 500 {
			server++
			t.Errorf("%s: %d %s", e.file, got.status, got.body)
		}
		if e.pages == 0 {
			rejects++
			if got.status >= 400 && got.status < 500 {
				rejectsRefused++
			} else {
				t.Errorf("%s must be refused, got %d", e.file, got.status)
			}
			continue
		}
		readable++
		if got.status == http.StatusCreated {
			accepted++
			if got.pages != e.pages {
				wrong++
				t.Errorf("%s: %d pages, want %d", e.file, got.pages, e.pages)
			}
		} else {
			t.Logf("%s (%d pages) refused: %d %s", e.file, e.pages, got.status, got.body)
		}
	}
	t.Logf("manifest: %d/%d readable files accepted (%.1f%%), %d wrong page counts, %d/%d rejects refused, %d 5xx",
		accepted, readable, 100*float64(accepted)/float64(readable), wrong, rejectsRefused, rejects, server)
	if float64(accepted) < 0.99*float64(readable) {
		t.Errorf("accepted %d of %d readable files, below 99%%", accepted, readable)
	}
}
