package docs_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/curia/curia/internal/testdb"
)

// marksMatrix returns the first line of the marks drawn into a page of an
// annotated export (the form XObject CuriaMarks): "q a b c d e f cm …",
// the matrix from displayed-page coordinates to the page's user space.
func marksMatrix(t *testing.T, pdf []byte, page int) string {
	t.Helper()
	ctx, err := api.ReadContext(bytes.NewReader(pdf), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		t.Fatal(err)
	}
	d, _, _, err := ctx.PageDict(page, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ctx.DereferenceDict(d["Resources"])
	if err != nil || res == nil {
		t.Fatalf("page %d resources: %v", page, err)
	}
	xo, err := ctx.DereferenceDict(res["XObject"])
	if err != nil || xo == nil {
		t.Fatalf("page %d XObjects: %v", page, err)
	}
	sd, _, err := ctx.DereferenceStreamDict(xo["CuriaMarks"])
	if err != nil || sd == nil {
		t.Fatalf("page %d CuriaMarks: %v", page, err)
	}
	if err := sd.Decode(); err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(sd.Content), "\n")
	return line
}

// TestExportOnARotationNotAQuarterTurn proves that inspection, the viewer
// and the export use one rule for a /Rotate that is not a multiple of 90
// (135 here; the upload accepts it): the page is unrotated, as pdf.js and
// poppler show it, so the inspected size is 400 × 600 and the export draws
// marks through the unrotated page's matrix, where clients placed them.
// (Found by review: the export rounded 135 down to 90 and drew every mark
// through a quarter turn, sideways or off the page.)
func TestExportOnARotationNotAQuarterTurn(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	p := rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 600] /Rotate 135 >>",
	)
	d := r.mustUpload(t, "rot.pdf", p, nil)
	if len(d.PageSizes) != 1 || d.PageSizes[0].W != 400 || d.PageSizes[0].H != 600 {
		t.Fatalf("page sizes %+v, want 400 × 600 (displayed unrotated)", d.PageSizes)
	}
	r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(d.ID), map[string]any{"id": "m", "page": 1, "kind": "ink",
		"data": map[string]any{"colour": "#ff0000", "width": 6, "strokes": [][][]float64{{{300, 500}, {380, 580}}}}})
	ex := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/annotated.pdf", nil)
	if ex.Status != http.StatusOK {
		t.Fatalf("export: %d %.200s", ex.Status, ex.Body)
	}
	// Unrotated: x' = x, y' = 600 - y.
	if got := marksMatrix(t, ex.Body, 1); !strings.HasPrefix(got, "q 1 0 0 -1 0 600 cm") {
		t.Errorf("the marks are drawn through %q, want the unrotated page's matrix \"1 0 0 -1 0 600 cm\"", got)
	}
}
