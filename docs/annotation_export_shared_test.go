package docs_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/curia/curia/internal/testdb"
)

// rawPDF assembles a classic-xref PDF whose object n is objs[n-1] and
// whose catalog is object 1.
func rawPDF(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// A two-page PDF whose page tree names one page object twice is accepted
// (2 pages), and the reader's annotated copy of it is drawn: the page
// with the annotation gets a page object of its own (docs/pdf checks
// where the marks land).
func TestExportDrawsOnSharedPageObject(t *testing.T) {
	content := "BT /F1 24 Tf 72 700 Td (Shared page) Tj ET"
	p := rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	)
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "shared.pdf", p, nil)
	if d.Pages != 2 {
		t.Fatalf("pages %d", d.Pages)
	}
	r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(d.ID), map[string]any{"id": "m", "page": 1, "kind": "ink",
		"data": map[string]any{"colour": "#ff0000", "width": 6, "strokes": [][][]float64{{{60, 300}, {160, 300}}}}})
	ex := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/annotated.pdf", nil)
	if ex.Status != http.StatusOK || !bytes.HasPrefix(ex.Body, []byte("%PDF-")) {
		t.Fatalf("exporting an accepted document with one annotation: %d %.200s", ex.Status, ex.Body)
	}
}
