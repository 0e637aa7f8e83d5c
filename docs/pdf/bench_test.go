package pdf

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
)

// textPage returns a one-page document with a little text, the unit the
// large benchmark documents are merged from.
func textPage(n int) []byte {
	content := fmt.Sprintf("BT /F1 24 Tf 72 760 Td (Agenda item %d) Tj ET", n)
	return buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	)
}

// makeLargePDF has pdfcpu merge copies of a text page into one document
// of the given size, written as pdfcpu writes (object and xref streams).
func makeLargePDF(tb testing.TB, pages int) string {
	tb.Helper()
	page := writeTemp(tb, "page.pdf", textPage(1))
	out := filepath.Join(tb.TempDir(), fmt.Sprintf("large-%d.pdf", pages))
	if err := api.MergeCreateFile(slices.Repeat([]string{page}, pages), out, false, pdfcpuConfiguration()); err != nil {
		tb.Fatalf("generate: %v", err)
	}
	return out
}

// BenchmarkInspect measures in-process inspection of a 500-page document.
func BenchmarkInspect(b *testing.B) {
	path := makeLargePDF(b, 500)
	b.ResetTimer()
	for b.Loop() {
		info, err := Inspect(path)
		if err != nil || info.Pages != 500 {
			b.Fatalf("%+v, %v", info, err)
		}
	}
}

// BenchmarkRunnerInspect measures the same through a worker subprocess,
// i.e. what the server pays per upload.
func BenchmarkRunnerInspect(b *testing.B) {
	path := makeLargePDF(b, 500)
	r := testRunner(b)
	b.ResetTimer()
	for b.Loop() {
		info, err := r.Inspect(context.Background(), path)
		if err != nil || info.Pages != 500 {
			b.Fatalf("%+v, %v", info, err)
		}
	}
}
