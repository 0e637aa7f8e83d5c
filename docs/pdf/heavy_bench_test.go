package pdf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/curia/curia/internal/testpdf"
)

// heavyPack writes a pack like the server benchmarks use: n A4 pages with
// about perPage bytes of image noise each.
func heavyPack(tb testing.TB, n, perPage int) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "heavy.pdf")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	if err := testpdf.Write(f, n, perPage, "bench"); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkInspectHeavy inspects a 500-page, 110 MB pack in-process.
func BenchmarkInspectHeavy(b *testing.B) {
	path := heavyPack(b, 500, 220_000)
	for b.Loop() {
		info, err := Inspect(path)
		if err != nil || info.Pages != 500 {
			b.Fatalf("%+v, %v", info, err)
		}
	}
}

// BenchmarkWatermarkHeavy stamps a 100-page, 13 MB pack in-process.
func BenchmarkWatermarkHeavy(b *testing.B) {
	path := heavyPack(b, 100, 130_000)
	out := filepath.Join(b.TempDir(), "out.pdf")
	for b.Loop() {
		if err := Watermark(path, out, testLines, "7KQ2M9XA4B"); err != nil {
			b.Fatalf("%v (%s)", err, detailOf(err))
		}
	}
}
