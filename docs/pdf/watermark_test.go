package pdf

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

var testLines = []string{"Nguyễn Thị Hồng Đào", "dao.nguyen", "2026-11-25"}

func TestWatermark(t *testing.T) {
	in := writeTemp(t, "in.pdf", docSpec{pages: 3}.build())
	out := filepath.Join(t.TempDir(), "out.pdf")
	if err := Watermark(in, out, testLines, "copy 7/20 · a1b2c3"); err != nil {
		t.Fatalf("Watermark: %v (%s)", err, detailOf(err))
	}
	info, err := Inspect(out)
	if err != nil || info.Pages != 3 {
		t.Fatalf("stamped copy: %+v, %v (%s)", info, err, detailOf(err))
	}
	if _, err := installUnicodeFont(t.TempDir(), unicodeFontFiles()); err == nil && !embedsTrueType(t, out) {
		t.Errorf("a Unicode TrueType font is installed, but none is embedded")
	}
}

// embedsTrueType reports whether the PDF at path embeds a TrueType font
// program (FontFile2), which the Unicode stamp needs.
func embedsTrueType(t *testing.T, path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err := openDocument(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	for nr := range doc.Table {
		o, _ := doc.Dereference(*types.NewIndirectRef(nr, 0))
		if d, ok := o.(types.Dict); ok && d.HasEntry("FontFile2") {
			return true
		}
	}
	return false
}

// TestWatermarkOwnerPasswordOnly: a file that opens without a password
// can be stamped, and the copy keeps its encryption.
func TestWatermarkOwnerPasswordOnly(t *testing.T) {
	plain := writeTemp(t, "plain.pdf", docSpec{pages: 2}.build())
	enc := filepath.Join(t.TempDir(), "enc.pdf")
	conf := pdfcpuConfiguration()
	conf.OwnerPW = "owner-secret"
	if err := api.EncryptFile(plain, enc, conf); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.pdf")
	if err := Watermark(enc, out, testLines, "c1"); err != nil {
		t.Fatalf("%v (%s)", err, detailOf(err))
	}
	if info, err := Inspect(out); err != nil || info.Pages != 2 || !info.Encrypted {
		t.Errorf("stamped copy: %+v, %v", info, err)
	}
}

func TestRunnerWatermark(t *testing.T) {
	dir := corpusDir(t)
	out := filepath.Join(t.TempDir(), "out.pdf")
	r := testRunner(t)
	// issue14814.pdf fails pdfcpu's validation: stamping must use the
	// same lenient reading as inspection.
	for _, f := range []string{"doc_3_3_pages.pdf", "issue14814.pdf", "issue10438_reduced.pdf"} {
		if err := r.Watermark(context.Background(), filepath.Join(dir, f), out, testLines, "c1"); err != nil {
			t.Errorf("%s: %v (%s)", f, err, detailOf(err))
			continue
		}
		want, _ := Inspect(filepath.Join(dir, f))
		if got, err := r.Inspect(context.Background(), out); err != nil || got.Pages != want.Pages {
			t.Errorf("%s stamped: %+v, %v", f, got, err)
		}
	}
	err := r.Watermark(context.Background(), filepath.Join(dir, "pr6531_1.pdf"), out, testLines, "c1")
	wantKind(t, err, KindEncrypted)
}

// TestWatermarkFallback stamps with no Unicode font available: the
// standard Helvetica and ASCII-folded text.
func TestWatermarkFallback(t *testing.T) {
	wm, err := newWatermark(t.TempDir(), watermarkText(testLines, "c1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if wm.FontName != fallbackFont || wm.TextString != "Nguyen Thi Hong Dao\ndao.nguyen\n2026-11-25\nc1" {
		t.Fatalf("font %q, text %q", wm.FontName, wm.TextString)
	}
	data := docSpec{pages: 2}.build()
	doc, _, err := openDocument(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if err := pdfcpu.AddWatermarks(doc, nil, wm); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.pdf")
	if err := writeDocument(doc, out); err != nil {
		t.Fatal(err)
	}
	if info, err := Inspect(out); err != nil || info.Pages != 2 {
		t.Errorf("stamped copy: %+v, %v", info, err)
	}
}

func TestAsciiFold(t *testing.T) {
	got := asciiFold("Nguyễn Thị Hồng ĐÀO\n2026 · ✓")
	if want := "Nguyen Thi Hong DAO\n2026 ? ?"; got != want {
		t.Errorf("asciiFold = %q, want %q", got, want)
	}
}

func TestWatermarkText(t *testing.T) {
	got := watermarkText([]string{" A ", "", "B\x00C"}, "id-1")
	if want := "A\nB C\nid-1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// BenchmarkWatermark stamps a 100-page document in-process.
func BenchmarkWatermark(b *testing.B) {
	in := makeLargePDF(b, 100)
	out := filepath.Join(b.TempDir(), "out.pdf")
	b.ResetTimer()
	for b.Loop() {
		if err := Watermark(in, out, testLines, "copy 1"); err != nil {
			b.Fatal(err)
		}
	}
}
