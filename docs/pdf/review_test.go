package pdf

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// reviewPageSizes inspects data in this process and returns every page's
// displayed size as the page map stores it.
func reviewPageSizes(t *testing.T, data []byte) ([][2]float64, error) {
	t.Helper()
	info, err := Inspect(writeTemp(t, "in.pdf", data))
	if err != nil {
		return nil, err
	}
	var out [][2]float64
	for p := 1; p <= info.Pages; p++ {
		w, h, ok := info.PageMap.Size(p)
		if !ok {
			t.Fatalf("page map %q has no page %d of %d", info.PageMap, p, info.Pages)
		}
		out = append(out, [2]float64{w, h})
	}
	return out, nil
}

func sameSize(a, b [2]float64) bool {
	return math.Abs(a[0]-b[0]) < 0.01 && math.Abs(a[1]-b[1]) < 0.01
}

// TestReviewPDFOwnInvalidBoxIsNotInherited: pdf.js (Page._getBoundingBox
// over getInheritableProperty) takes the NEAREST /MediaBox or /CropBox up
// the tree and, when that one is malformed or empty, falls back to US
// Letter (MediaBox) or to the media box (CropBox); it never goes on to an
// ancestor's valid box. Inspection skips the malformed own box and stores
// the parent's, so the stored size (against which every annotation is
// checked) differs from the page the client shows and places marks on.
// Sizes below are what pdfjs-dist 6.5.438 (frontend/node_modules) reports
// with getViewport({scale: 1}).
func TestReviewPDFOwnInvalidBoxIsNotInherited(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		pdfjs [2]float64
	}{
		{"empty own MediaBox, parent 200x300", buildPDF("",
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 300] >>",
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] >>"), [2]float64{612, 792}},
		{"five-number own MediaBox, parent 400x500", buildPDF("",
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 400 500] >>",
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300 5] >>"), [2]float64{612, 792}},
		{"empty own CropBox, parent crop 300x400 in media 600x800", buildPDF("",
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 600 800] /CropBox [0 0 300 400] >>",
			"<< /Type /Page /Parent 2 0 R /CropBox [0 0 0 0] >>"), [2]float64{600, 800}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := reviewPageSizes(t, tc.data)
			if err != nil { // refusing it would be fine too, but it is read as pdf.js reads it
				t.Fatalf("refused: %v (%s)", err, detailOf(err))
			}
			if !sameSize(got[0], tc.pdfjs) {
				t.Errorf("stored page size %v, pdf.js shows %v", got[0], tc.pdfjs)
			}
		})
	}
}

// TestReviewPDFUserUnitScalesThePage: a page's /UserUnit (PDF 1.6) scales
// its user space; pdf.js (Page.userUnit, PageViewport) multiplies the
// viewport by it, so the client (frontend/src/viewer/pdf.ts size())
// shows a 200x300 box with /UserUnit 2 as 400x600 and places marks up to
// there. Inspection ignores /UserUnit and stores 200x300, so a mark on
// the lower right three quarters of the page is refused.
func TestReviewPDFUserUnitScalesThePage(t *testing.T) {
	got, err := reviewPageSizes(t, buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /UserUnit 2 >>"))
	if err != nil {
		t.Fatal(err)
	}
	if want := [2]float64{400, 600}; !sameSize(got[0], want) {
		t.Errorf("stored page size %v, pdf.js shows %v", got[0], want)
	}

	// The export draws a mark placed at (350, 550) of the page pdf.js
	// shows at (175, 25) of its user space (y up), which /UserUnit 2
	// shows there: the note's text annotation is around that point.
	in := writeTemp(t, "uu.pdf", buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /UserUnit 2 >>"))
	out := filepath.Join(t.TempDir(), "annotated.pdf")
	if err := Annotate(in, out, []Mark{{Page: 1, Kind: MarkNote, Colour: "#ff0000", At: Point{X: 350, Y: 550}, Text: "uu"}}); err != nil {
		t.Fatalf("annotate: %v (%s)", err, detailOf(err))
	}
	doc, _, err := openDocument(context.Background(), mustRead(t, out))
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := pageLeaves(doc.XRefTable)
	if err != nil {
		t.Fatal(err)
	}
	annots, _ := doc.DereferenceArray(leaves[0].dict["Annots"])
	if len(annots) != 1 {
		t.Fatalf("%d annotations, want the note's", len(annots))
	}
	a, _ := doc.DereferenceDict(annots[0])
	r, ok := (&pageWalk{xt: doc.XRefTable}).box(a, "Rect")
	if cx, cy := (r[0]+r[2])/2, (r[1]+r[3])/2; !ok || math.Abs(cx-175) > 0.01 || math.Abs(cy-25) > 0.01 {
		t.Errorf("the note is drawn around (%g, %g) of user space, want (175, 25)", cx, cy)
	}
}

// TestReviewPDFInheritanceFollowsParent: pdf.js inherits /MediaBox
// (and /CropBox, /Rotate, /Resources) along the page's /Parent chain, not
// along the path of /Kids that reached it. Inspection passes attributes
// down the /Kids path, so a page without /Parent, or whose /Parent is
// another node, gets a stored size pdf.js never shows.
func TestReviewPDFInheritanceFollowsParent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		pdfjs [2]float64
	}{
		{"page without /Parent", buildPDF("",
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 300] >>",
			"<< /Type /Page >>"), [2]float64{612, 792}},
		{"page whose /Parent is another node", buildPDF("",
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 300] >>",
			"<< /Type /Page /Parent 4 0 R >>",
			"<< /Type /Pages /Kids [] /Count 0 /MediaBox [0 0 400 500] >>"), [2]float64{400, 500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := reviewPageSizes(t, tc.data)
			if err != nil { // refusing it would be fine too, but it is read as pdf.js reads it
				t.Fatalf("refused: %v (%s)", err, detailOf(err))
			}
			if !sameSize(got[0], tc.pdfjs) {
				t.Errorf("stored page size %v, pdf.js shows %v", got[0], tc.pdfjs)
			}
		})
	}
}

// TestReviewPDFIntermediateCountLie: only the root's /Count is checked
// against the tree. pdf.js's getPageDict skips whole subtrees by their own
// /Count, so when an intermediate node lies, pdf.js shows other pages than
// the tree holds, and since its last page is still found it never falls
// back to walking the tree (checkLastPage). Here node A says 2 (has 1
// page), node B says 1 (has 2): the stored map is 100, 200, 300 points
// square; pdf.js shows 100, 200, 200 (page B1 twice, B2 never). Such a
// file should be refused like a wrong root /Count, or its pages stored as
// pdf.js shows them.
func TestReviewPDFIntermediateCountLie(t *testing.T) {
	got, err := reviewPageSizes(t, buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 3 >>",
		"<< /Type /Pages /Parent 2 0 R /Kids [5 0 R] /Count 2 >>",
		"<< /Type /Pages /Parent 2 0 R /Kids [6 0 R 7 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 100 100] >>",
		"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 200 200] >>",
		"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 300 300] >>"))
	if err != nil { // refused, as a wrong root /Count is
		wantKind(t, err, KindUnreadable)
		return
	}
	pdfjs := [][2]float64{{100, 100}, {200, 200}, {200, 200}}
	for i := range pdfjs {
		if i >= len(got) || !sameSize(got[i], pdfjs[i]) {
			t.Errorf("accepted with page sizes %v; pdf.js shows %v", got, pdfjs)
			return
		}
	}
}

// sharedLeafPDF is a document of n pages that are all one page object,
// listed n times in the root's /Kids: 6 bytes a page.
func sharedLeafPDF(n int) []byte {
	var kids bytes.Buffer
	for range n {
		kids.WriteString("3 0 R ")
	}
	return buildPDF("", "<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), n),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] >>")
}

// TestReviewPDFAcceptedFileCanBeStamped: inspection sets no bound on the
// number of pages, and a page object may be listed any number of times,
// so a 12 MB file of two million pages is accepted (the inspecting worker
// peaks near 300 MB) while stamping it for a reader needs more than the
// worker's default 1 GiB: every confidential download of it then fails
// (docs answers 500). Whatever inspection accepts, under the same
// limits, the watermark must be able to stamp.
func TestReviewPDFAcceptedFileCanBeStamped(t *testing.T) {
	if testing.Short() {
		t.Skip("two million pages: about 15 s and a 1 GiB worker")
	}
	r := testRunner(t) // production defaults: 30 s, 1 GiB
	in := writeTemp(t, "shared.pdf", sharedLeafPDF(2_000_000))
	info, err := r.Inspect(context.Background(), in)
	if err != nil { // refused at upload (fine): more than MaxPages pages
		wantKind(t, err, KindTooComplex)
		return
	}
	out := filepath.Join(t.TempDir(), "copy.pdf")
	if err := r.Watermark(context.Background(), in, out, []string{"Nguyễn Văn A (nva)", "27/11/2026"}, "ABCDEFGH12"); err != nil {
		t.Errorf("accepted with %d pages, but a reader's copy cannot be stamped: %v (%s)", info.Pages, err, detailOf(err))
	}
}

// deepEntryPDF is one 200 × 300 page that draws a blue square, and whose
// dictionary also holds a private entry of arrays nested depth deep.
func deepEntryPDF(depth int) []byte {
	content := "0 0 1 rg 20 20 100 100 re f"
	return buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /Contents 4 0 R /PieceInfo "+
			strings.Repeat("[", depth)+strings.Repeat("]", depth)+" >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
}

// TestReviewPDFDeepEntryKeepsThePage: pdfcpu stops parsing an object
// nested deeper than its MaxRecursionDepth (100) and the page object is
// then read as another page: a blank one with pdfcpu's default A4 box.
// Inspection accepts the file as one A4 page (pdf.js shows 200 × 300 with
// its blue square, as poppler does), and a confidential reader's stamped
// copy is that blank A4 page: the page's content is silently lost from
// every copy served. Such a file must be refused, or read as it is: it is
// read as it is up to maxNesting levels (pdf.js reads about 8,000 in
// Node), and refused as unreadable beyond.
func TestReviewPDFDeepEntryKeepsThePage(t *testing.T) {
	for _, depth := range []int{50, 150, 3000, maxNesting + 1, 50_000} { // 50: the control, read as it is
		t.Run(fmt.Sprint("depth ", depth), func(t *testing.T) {
			in := writeTemp(t, "deep.pdf", deepEntryPDF(depth))
			info, err := Inspect(in)
			if depth > maxNesting {
				if e := wantKind(t, err, KindUnreadable); e.Reason != reasonPageObject {
					t.Errorf("reason %q, want %q", e.Reason, reasonPageObject)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v (%s)", err, detailOf(err))
			}
			if w, h, _ := info.PageMap.Size(1); w != 200 || h != 300 {
				t.Errorf("accepted as a %v × %v page; the page is 200 × 300", w, h)
			}
			out := filepath.Join(t.TempDir(), "copy.pdf")
			if err := Watermark(in, out, []string{"Nguyễn Văn A (nva)"}, "ABCDEFGH12"); err != nil {
				t.Fatalf("watermark: %v (%s)", err, detailOf(err))
			}
			stamped, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(stamped, []byte("0 0 1 rg 20 20 100 100 re f")) {
				t.Errorf("the stamped copy (%d bytes) lost the page's content", len(stamped))
			}
		})
	}
}

// reviewStampBox returns the rectangle, in page space, covered by the
// stamp on the first page of the stamped copy at path: the stamp form's
// /BBox through the matrix the closing content stream gives it.
func reviewStampBox(t *testing.T, path string) box {
	t.Helper()
	src, err := openSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	o, err := src.open(context.Background())
	if err != nil {
		t.Fatalf("read the stamped copy: %v", err)
	}
	xt := o.doc.XRefTable
	leaves, err := pageLeaves(xt)
	if err != nil || len(leaves) == 0 {
		t.Fatalf("pages of the stamped copy: %v", err)
	}
	page := leaves[0].dict
	var matrix []float64
	arr, _ := xt.DereferenceArray(page["Contents"])
	for _, c := range arr {
		sd, _, err := xt.DereferenceStreamDict(c)
		if err != nil || sd == nil {
			continue
		}
		if err := sd.Decode(); err != nil {
			continue
		}
		if m := regexp.MustCompile(`((?:-?[\d.]+\s+){6})cm\s*/CuriaStamp\w*\s+Do`).FindSubmatch(sd.Content); m != nil {
			for _, f := range strings.Fields(string(m[1])) {
				v, _ := strconv.ParseFloat(f, 64)
				matrix = append(matrix, v)
			}
		}
	}
	if len(matrix) != 6 {
		t.Fatalf("no stamp drawn on page 1 of the copy")
	}
	res, _ := xt.DereferenceDict(page["Resources"])
	xo, _ := xt.DereferenceDict(res["XObject"])
	var bbox box
	for name, ref := range xo {
		if !strings.HasPrefix(name, "CuriaStamp") {
			continue
		}
		sd, _, err := xt.DereferenceStreamDict(ref)
		if err != nil || sd == nil {
			t.Fatalf("stamp form: %v", err)
		}
		b, ok := (&pageWalk{xt: xt}).box(sd.Dict, "BBox")
		if !ok {
			t.Fatal("stamp form has no /BBox")
		}
		bbox = b
	}
	a, b, c, d, e, f := matrix[0], matrix[1], matrix[2], matrix[3], matrix[4], matrix[5]
	out := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range [][2]float64{{bbox[0], bbox[1]}, {bbox[2], bbox[1]}, {bbox[0], bbox[3]}, {bbox[2], bbox[3]}} {
		x, y := a*p[0]+c*p[1]+e, b*p[0]+d*p[1]+f
		out = box{min(out[0], x), min(out[1], y), max(out[2], x), max(out[3], y)}
	}
	return out
}

// TestReviewPDFStampVisibleWherePdfjsShowsThePage: the stamp is placed on
// the page's box as inspection reads it, but pdf.js reads another box (see
// TestReviewPDFInheritanceFollowsParent, TestReviewPDFOwnInvalidBoxIsNotInherited),
// and when the two do not overlap, the stamp is drawn entirely outside the
// part of the page pdf.js shows: a confidential reader's copy shows in
// Curia's viewer with no watermark at all. The boxes pdf.js shows are what
// pdfjs-dist 6.5.438 reports for the stamped copies (400 x 500, and US
// Letter).
func TestReviewPDFStampVisibleWherePdfjsShowsThePage(t *testing.T) {
	lines := []string{"Nguyễn Văn A (nva)", "27/11/2026"}
	// The control: the page's /Parent is the node listing it.
	plain := writeTemp(t, "plain.pdf", buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 300] >>",
		"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
		"<< /Length 27 >>\nstream\n0 0 1 rg 20 20 100 100 re f\nendstream"))
	plainOut := filepath.Join(t.TempDir(), "plain-copy.pdf")
	if err := Watermark(plain, plainOut, lines, "ABCDEFGH12"); err != nil {
		t.Fatalf("watermark: %v (%s)", err, detailOf(err))
	}
	if s := reviewStampBox(t, plainOut); s.intersect(box{0, 0, 200, 300}).empty() {
		t.Fatalf("control: stamp at %v, off its own 200 x 300 page", s)
	}

	for _, tc := range []struct {
		name  string
		data  []byte
		shown box // what pdf.js shows of the copy's page
	}{
		{"page whose /Parent is another node", buildPDF("",
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 300] >>",
			"<< /Type /Page /Parent 4 0 R /Contents 5 0 R >>",
			"<< /Type /Pages /Kids [] /Count 0 /MediaBox [1000 1000 1400 1500] >>",
			"<< /Length 27 >>\nstream\n0 0 1 rg 20 20 100 100 re f\nendstream"), box{1000, 1000, 1400, 1500}},
		{"page with an empty own /MediaBox", buildPDF("",
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [1000 1000 1200 1300] >>",
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] /Contents 4 0 R >>",
			"<< /Length 27 >>\nstream\n0 0 1 rg 20 20 100 100 re f\nendstream"), box{0, 0, 612, 792}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := writeTemp(t, "in.pdf", tc.data)
			if _, err := Inspect(in); err != nil { // refusing would be fine; it is read as pdf.js reads it
				t.Fatalf("refused: %v (%s)", err, detailOf(err))
			}
			out := filepath.Join(t.TempDir(), "copy.pdf")
			if err := Watermark(in, out, lines, "ABCDEFGH12"); err != nil {
				t.Fatalf("watermark: %v (%s)", err, detailOf(err))
			}
			if s := reviewStampBox(t, out); s.intersect(tc.shown).empty() {
				t.Errorf("the stamp covers %v, outside the %v pdf.js shows: the copy shows no watermark", s, tc.shown)
			}
		})
	}
}
