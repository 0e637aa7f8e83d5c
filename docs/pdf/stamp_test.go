package pdf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/curia/curia/internal/testpdf"
)

const stampCopyID = "7KQ2M9XA4B"

// checkStamped checks a stamped copy: pdfcpu reads it with the original's
// page count, qpdf finds no fault that the original does not have, and
// poppler finds the copy id on every page. It returns qpdf's and
// pdftotext's verdicts for the caller to report.
func checkStamped(t *testing.T, name, in, out string, pages int) {
	t.Helper()
	if info, err := Inspect(out); err != nil || info.Pages != pages {
		t.Errorf("%s: stamped copy reads as %+v, %v (%s)", name, info, err, detailOf(err))
		return
	}
	if qpdf, err := exec.LookPath("qpdf"); err == nil {
		orig := exec.Command(qpdf, "--check", in).Run()
		if msg, err := exec.Command(qpdf, "--check", out).CombinedOutput(); err != nil && orig == nil {
			t.Errorf("%s: qpdf --check fails on the stamped copy only: %v\n%s", name, err, msg)
		}
	}
	if bin, err := exec.LookPath("pdfinfo"); err == nil {
		msg, _ := exec.Command(bin, out).CombinedOutput()
		if m := pdfinfoPages.FindSubmatch(msg); m == nil || string(m[1]) != strconv.Itoa(pages) {
			t.Errorf("%s: pdfinfo does not see %d pages:\n%s", name, pages, msg)
		}
	}
	texts := pageTexts(t, out)
	if texts == nil || noText[filepath.Base(in)] {
		return
	}
	if len(texts) != pages {
		t.Errorf("%s: pdftotext sees %d pages, want %d", name, len(texts), pages)
	}
	for i, text := range texts {
		text = strings.Join(strings.Fields(text), "")
		for _, want := range stampTexts {
			if !strings.Contains(text, want) {
				t.Errorf("%s: page %d lacks %q: %.200q", name, i+1, want, text)
				return
			}
		}
	}
}

// stampTexts are what pdftotext must find on every stamped page: the
// reader's name and username (testLines) and the copy id.
var stampTexts = []string{"NguyễnThịHồngĐào", "dao.nguyen", stampCopyID}

// noText lists corpus files whose pages poppler extracts no text from,
// stamped or not: issue2391-1.pdf's content stream ends inside broken
// text operators ("Too few (1) args to 'Tf'"), after which poppler
// ignores everything on the page, pdfcpu's full rewrite included.
var noText = map[string]bool{"issue2391-1.pdf": true}

// pageTexts returns each page's text as poppler extracts it, or nil when
// pdftotext is not installed.
func pageTexts(t *testing.T, path string) []string {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not installed: the stamp's text is not checked")
		return nil
	}
	// -raw: in drawing order, as the stamp is diagonal.
	out, err := exec.Command(bin, "-raw", "-q", path, "-").Output()
	if err != nil {
		t.Errorf("pdftotext %s: %v", filepath.Base(path), err)
		return nil
	}
	pages := strings.Split(string(out), "\f")
	return pages[:len(pages)-1] // each page ends with a form feed
}

// stampInProcess stamps in into out in this process and reports whether
// it was written as an incremental update.
func stampInProcess(t *testing.T, in, out string, rewrite bool) bool {
	t.Helper()
	res, err := watermarkFile(context.Background(), in, watermarkArgs{Out: out, Lines: testLines, CopyID: stampCopyID, Rewrite: rewrite})
	if err != nil {
		t.Fatalf("%s: %v (%s)", filepath.Base(in), err, detailOf(err))
	}
	return res.Incremental
}

// TestStampIncremental stamps files of several shapes as incremental
// updates: the original bytes stay a prefix of the copy, and the copy
// reads back in pdfcpu, qpdf and poppler with the stamp on every page.
func TestStampIncremental(t *testing.T) {
	inherited := buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 842 595] /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Type /Page /Parent 2 0 R /Contents 6 0 R >>",
		"<< /Type /Page /Parent 2 0 R /Contents [6 0 R 7 0 R] /Rotate 270 /CropBox [100 100 700 500] >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Length 45 >>\nstream\nBT /F1 24 Tf 72 500 Td (Landscape text) Tj ET\nendstream",
		"<< /Length 10 >>\nstream\n0 0 1 rg q\nendstream", // leaves a q open and the colour set
	)
	cases := map[string][]byte{
		"no content":       docSpec{pages: 3}.build(),
		"rotated":          docSpec{pages: 2, pageExtra: "/Rotate 90"}.build(),
		"text and images":  testpdf.Pages(2, "stamp"),
		"inherited":        inherited,
		"scanned, 2 pages": mustRead(t, heavyPack(t, 2, 20_000)),
	}
	cases["xref stream"] = mustRead(t, makeLargePDF(t, 4))
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			in := writeTemp(t, "in.pdf", data)
			out := filepath.Join(t.TempDir(), "out.pdf")
			if !stampInProcess(t, in, out, false) {
				t.Fatal("not stamped as an incremental update")
			}
			got := mustRead(t, out)
			if bytes.HasPrefix(got, data) {
				t.Error("the whole original is a prefix of the stamped copy")
			}
			if !bytes.HasPrefix(got, data[:8]) {
				t.Error("the copy does not start with the original's header")
			}
			if len(got)-len(data) > 200<<10 {
				t.Errorf("the update adds %d bytes", len(got)-len(data))
			}
			want, err := Inspect(in)
			if err != nil {
				t.Fatal(err)
			}
			checkStamped(t, name, in, out, want.Pages)
			checkPrefixes(t, name, out, len(data))
		})
	}
}

// TestStampFallback: files an update cannot be trusted on (encrypted, or
// only readable leniently) are rewritten whole, and still stamped.
func TestStampFallback(t *testing.T) {
	plain := writeTemp(t, "plain.pdf", docSpec{pages: 2}.build())
	enc := filepath.Join(t.TempDir(), "enc.pdf")
	conf := pdfcpuConfiguration()
	conf.OwnerPW = "owner-secret"
	if err := api.EncryptFile(plain, enc, conf); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.pdf")
	if stampInProcess(t, enc, out, false) {
		t.Error("an encrypted file was stamped as an incremental update")
	}
	if info, err := Inspect(out); err != nil || info.Pages != 2 || !info.Encrypted {
		t.Errorf("stamped copy: %+v, %v", info, err)
	}
	if stampInProcess(t, plain, out, true) {
		t.Error("Rewrite was not honoured")
	}
	checkStamped(t, "rewritten", plain, out, 2)
}

// TestStampCorpus stamps every readable file of the real-world corpus in
// a worker, as the server does, and reads each copy back: same page count
// (pdfcpu), no new qpdf fault, the copy id on every page (poppler). With
// the race detector, whose workers start slowly, one file in four.
func TestStampCorpus(t *testing.T) {
	dir := corpusDir(t)
	r := testRunner(t)
	r.Timeout = 2 * time.Minute
	outDir := t.TempDir()
	type result struct {
		incremental bool
		err         error
	}
	entries := readManifest(t, dir)
	results := make([]result, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		if e.pages < 0 || (raceEnabled && i%4 != 0) {
			entries[i].pages = -1 // not stamped
			continue
		}
		wg.Go(func() {
			args, _ := json.Marshal(watermarkArgs{Out: filepath.Join(outDir, e.file), Lines: testLines, CopyID: stampCopyID})
			abs, _ := filepath.Abs(filepath.Join(dir, e.file))
			var res watermarkResult
			err := r.call(context.Background(), request{Op: "watermark", Path: abs, Args: args}, &res)
			results[i] = result{res.Incremental, err}
		})
	}
	wg.Wait()
	var stamped, incremental int
	for i, e := range entries {
		if e.pages < 0 {
			continue
		}
		if err := results[i].err; err != nil {
			var pe *Error
			if errors.As(err, &pe) && pe.Kind == KindEncrypted {
				continue // needs a password: never accepted, never stamped
			}
			t.Errorf("%s: %v (%s)", e.file, err, detailOf(err))
			continue
		}
		stamped++
		if results[i].incremental {
			incremental++
		}
		in, out := filepath.Join(dir, e.file), filepath.Join(outDir, e.file)
		checkStamped(t, e.file, in, out, e.pages)
		if results[i].incremental {
			fi, err := os.Stat(in)
			if err != nil {
				t.Fatal(err)
			}
			checkPrefixes(t, e.file, out, int(fi.Size()))
		}
	}
	t.Logf("%d files stamped, %d of them in place (the fast path)", stamped, incremental)
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
