package pdf

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// A page tree may name one page object for several pages (inspection
// accepts it). Drawing on such a page gives it a page object of its own,
// with what it inherits along its own path in the tree, so the marks show
// on that page only and the other pages keep their content.
func TestAnnotateSharedPageObject(t *testing.T) {
	text := "BT /F1 24 Tf 72 700 Td (Shared page) Tj ET"
	content := fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(text), text)
	page := "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
	red := Mark{Kind: MarkInk, Colour: "#ff0000", Width: 6, Strokes: [][]Point{{{60, 80, 0}, {140, 80, 0}}}}
	blue := Mark{Kind: MarkHighlight, Colour: "#0000ff", Opacity: 0.5, Rects: []Rect{{200, 150, 60, 30}}}
	on := func(m Mark, page int) Mark { m.Page = page; return m }
	cases := []struct {
		name  string
		objs  []string
		marks []Mark
		sizes [2][2]float64 // displayed size of pages 1 and 2
	}{
		{"one parent, marks on page 1", []string{
			"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>", page, content, font,
		}, []Mark{on(red, 1)}, [2][2]float64{{595.28, 841.89}, {595.28, 841.89}}},
		{"one parent, marks on both pages", []string{
			"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>", page, content, font,
		}, []Mark{on(red, 1), on(blue, 2)}, [2][2]float64{{595.28, 841.89}, {595.28, 841.89}}},
		// Listed again under a rotated node, but the page's /Parent is the
		// root: pdf.js inherits along /Parent, so page 2 is upright too.
		{"reached through a rotated node", []string{
			"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>", page, content, font,
			"<< /Type /Pages /Parent 2 0 R /Kids [3 0 R] /Count 1 /Rotate 90 >>",
		}, []Mark{on(blue, 1), on(red, 2)}, [2][2]float64{{595.28, 841.89}, {595.28, 841.89}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := writeTemp(t, "in.pdf", buildPDF("", tc.objs...))
			if info, err := inspectFile(context.Background(), in); err != nil || info.Pages != 2 {
				t.Fatalf("the input is not an accepted two-page PDF: %+v %v", info, err)
			}
			out := filepath.Join(t.TempDir(), "out.pdf")
			if err := Annotate(in, out, tc.marks); err != nil {
				t.Fatalf("%v (%s)", err, detailOf(err))
			}
			if info, err := inspectFile(context.Background(), out); err != nil || info.Pages != 2 {
				t.Fatalf("the annotated copy: %+v %v", info, err)
			}
			for p := 1; p <= 2; p++ {
				img := render(t, out, p)
				if w, h := tc.sizes[p-1][0], tc.sizes[p-1][1]; math.Abs(float64(img.w)-w) > 1 || math.Abs(float64(img.h)-h) > 1 {
					t.Errorf("page %d rendered %dx%d, want %.0fx%.0f", p, img.w, img.h, w, h)
				}
				hasRed, hasBlue := false, false
				for _, m := range tc.marks {
					hasRed = hasRed || m.Page == p && m.Kind == MarkInk
					hasBlue = hasBlue || m.Page == p && m.Kind == MarkHighlight
				}
				if hasRed {
					wantColour(t, img, 100, 80, fmt.Sprintf("red on page %d", p), isRed)
				} else {
					wantColour(t, img, 100, 80, fmt.Sprintf("white on page %d", p), isWhite)
				}
				if hasBlue {
					wantColour(t, img, 230, 165, fmt.Sprintf("blue on page %d", p), isBlue)
				} else {
					wantColour(t, img, 230, 165, fmt.Sprintf("white on page %d", p), isWhite)
				}
				if got := pageText(t, out, p); !strings.Contains(got, "Shared page") {
					t.Errorf("page %d lost its content: %q", p, got)
				}
			}
		})
	}
}
