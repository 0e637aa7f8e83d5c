package pdf

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A red ink line drawn at a display position lands there, on its page
// only, whatever the page's crop box and rotation, and even when the
// page's content leaves the coordinate system changed or is shared with
// other pages. Pages are rendered with poppler at 72 dpi: one pixel per
// point of the displayed page.
func TestAnnotatePlacement(t *testing.T) {
	// One content stream for every page that scales by 2 without q/Q.
	content := "<< /Length 15 >>\nstream\n2 0 0 2 0 0 cm\nendstream"
	cases := []struct {
		name      string
		pageExtra string
		w, h      float64 // displayed size
	}{
		{"plain", "", 595.28, 841.89},
		{"crop box", "/CropBox [50 100 450 700]", 400, 600},
		{"rotate 90", "/Rotate 90 /CropBox [50 100 450 700]", 600, 400},
		{"rotate 180", "/Rotate 180 /CropBox [50 100 450 700]", 400, 600},
		{"rotate 270", "/Rotate 270 /CropBox [50 100 450 700]", 600, 400},
		{"rotate -90", "/Rotate -90", 841.89, 595.28},
		{"shared content with a stray cm", "/Contents 6 0 R", 595.28, 841.89},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := writeTemp(t, "in.pdf", docSpec{pages: 3, pageExtra: tc.pageExtra, extra: []string{content}}.build())
			out := filepath.Join(t.TempDir(), "out.pdf")
			marks := []Mark{
				{Page: 2, Kind: MarkInk, Colour: "#ff0000", Width: 6, Strokes: [][]Point{{{60, 80, 0}, {140, 80, 0}}}},
				{Page: 2, Kind: MarkHighlight, Colour: "#0000ff", Opacity: 0.5, Rects: []Rect{{200, 150, 60, 30}}},
			}
			if err := Annotate(in, out, marks); err != nil {
				t.Fatalf("%v (%s)", err, detailOf(err))
			}
			img := render(t, out, 2)
			if math.Abs(float64(img.w)-tc.w) > 1 || math.Abs(float64(img.h)-tc.h) > 1 {
				t.Fatalf("page rendered %dx%d, want %.0fx%.0f", img.w, img.h, tc.w, tc.h)
			}
			wantColour(t, img, 100, 80, "red", isRed)
			wantColour(t, img, 230, 165, "blue (translucent)", isBlue)
			for _, p := range [][2]int{{img.w - 100, 80}, {100, img.h - 80}, {80, 100}} {
				wantColour(t, img, p[0], p[1], "white (a misplaced mark)", isWhite)
			}
			for _, other := range []int{1, 3} {
				wantColour(t, render(t, out, other), 100, 80, fmt.Sprintf("white on page %d", other), isWhite)
			}
		})
	}
}

// Pressure varies the width; a single point is a dot; notes show their
// text on their page and keep the full text as a PDF text annotation.
func TestAnnotateKinds(t *testing.T) {
	in := writeTemp(t, "in.pdf", docSpec{pages: 3}.build())
	out := filepath.Join(t.TempDir(), "out.pdf")
	long := strings.Repeat("rất dài ", 600)
	marks := []Mark{
		{Page: 1, Kind: MarkInk, Colour: "#ff0000", Width: 10, Strokes: [][]Point{
			{{50, 50, 0.1}, {150, 50, 0.1}, {250, 50, 1}, {350, 50, 1}},
			{{100, 300, 0}},
		}},
		{Page: 3, Kind: MarkNote, Colour: "#ffd54f", At: Point{300, 400, 0}, Text: "Đề nghị làm rõ <b>số liệu</b> & nguồn"},
		{Page: 3, Kind: MarkNote, Colour: "#ffd54f", At: Point{580, 830, 0}, Text: long},
	}
	if err := Annotate(in, out, marks); err != nil {
		t.Fatalf("%v (%s)", err, detailOf(err))
	}
	img := render(t, out, 1)
	wantColour(t, img, 100, 53, "white beside a thin stroke", isWhite)
	wantColour(t, img, 300, 54, "red within a pressed stroke", isRed)
	wantColour(t, img, 100, 300, "red (a dot)", isRed)
	if _, err := installUnicodeFont(t.TempDir(), unicodeFontFiles()); err != nil {
		t.Skip("no Unicode font: note text is folded to ASCII")
	}
	text := strings.Join(strings.Fields(pageText(t, out, 3)), " ")
	if !strings.Contains(text, "Đề nghị làm rõ <b>số liệu</b> & nguồn") || !strings.Contains(text, "rất dài …") {
		t.Errorf("page 3 does not show the notes: %q", text)
	}
	if strings.Contains(pageText(t, out, 1)+pageText(t, out, 2), "Đề nghị") {
		t.Error("a note shows on the wrong page")
	}
	if got := textAnnotations(t, out); len(got) != 2 || got[1] != long {
		t.Errorf("text annotations %d, full text kept: %v", len(got), len(got) == 2 && got[1] == long)
	}
}

func TestRunnerAnnotate(t *testing.T) {
	in := writeTemp(t, "in.pdf", docSpec{pages: 2}.build())
	out := filepath.Join(t.TempDir(), "out.pdf")
	r := testRunner(t)
	marks := []Mark{{Page: 2, Kind: MarkNote, Colour: "#ffff00", At: Point{100, 100, 0}, Text: "Ghi chú"}}
	if err := r.Annotate(context.Background(), in, out, marks); err != nil {
		t.Fatalf("%v (%s)", err, detailOf(err))
	}
	if info, err := r.Inspect(context.Background(), out); err != nil || info.Pages != 2 {
		t.Fatalf("%+v %v", info, err)
	}
	if _, err := os.Stat(out + ".marks.json"); !os.IsNotExist(err) {
		t.Errorf("the marks file is left behind: %v", err)
	}
	err := r.Annotate(context.Background(), in, out, []Mark{{Page: 3, Kind: MarkInk}})
	wantKind(t, err, KindInternal)
}

// textAnnotations returns the /Contents of the text annotations in path.
func textAnnotations(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err := openDocument(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := pageLeaves(doc.XRefTable)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, lf := range leaves {
		o, ok := lf.dict.Find("Annots")
		if !ok {
			continue
		}
		arr, _ := doc.DereferenceArray(o)
		for _, a := range arr {
			d, _ := doc.DereferenceDict(a)
			if s, err := doc.DereferenceStringOrHexLiteral(d["Contents"], 0, nil); err == nil {
				out = append(out, s)
			}
		}
	}
	return out
}

type image struct {
	w, h int
	pix  []byte // RGB
}

func (m image) at(x, y int) (r, g, b byte) {
	i := 3 * (y*m.w + x)
	return m.pix[i], m.pix[i+1], m.pix[i+2]
}

// render rasterises one page at 72 dpi, as viewers show it (crop box) with poppler's pdftoppm.
func render(t *testing.T, path string, page int) image {
	t.Helper()
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	prefix := filepath.Join(t.TempDir(), "page")
	p := fmt.Sprint(page)
	if out, err := exec.Command(bin, "-r", "72", "-cropbox", "-f", p, "-l", p, "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(prefix + ".ppm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var m image
	var magic string
	var maxVal int
	if _, err := fmt.Fscan(br, &magic, &m.w, &m.h, &maxVal); err != nil || magic != "P6" || maxVal != 255 {
		t.Fatalf("not a PPM: %v", err)
	}
	br.ReadByte() // the one whitespace after the header
	m.pix = make([]byte, 3*m.w*m.h)
	if _, err := io.ReadFull(br, m.pix); err != nil {
		t.Fatal(err)
	}
	return m
}

func wantColour(t *testing.T, m image, x, y int, what string, ok func(r, g, b byte) bool) {
	t.Helper()
	if x < 0 || y < 0 || x >= m.w || y >= m.h {
		t.Errorf("(%d,%d) is outside the %dx%d page", x, y, m.w, m.h)
		return
	}
	if r, g, b := m.at(x, y); !ok(r, g, b) {
		t.Errorf("pixel (%d,%d) is rgb(%d,%d,%d), want %s", x, y, r, g, b, what)
	}
}

func isRed(r, g, b byte) bool   { return r > 200 && g < 80 && b < 80 }
func isBlue(r, g, b byte) bool  { return b > 200 && r < 180 && g < 180 }
func isWhite(r, g, b byte) bool { return r > 240 && g > 240 && b > 240 }
