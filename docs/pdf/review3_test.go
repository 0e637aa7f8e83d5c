package pdf

import "testing"

// TestReviewThirdTinyUserUnitStoresZeroSizePage: /UserUnit is now applied
// to the stored page size (pagetree.go page, geometry.displayed), with any
// positive finite value accepted. A /UserUnit of 1e-28 on a 200 x 300 page
// is accepted and stored as a 0 x 0 page (page map "0x0"), so every mark
// and every pointer on it is refused as "outside the page", and the
// client's viewer gets a page of no size to fit. Before c7ae24c the page
// was stored as 200 x 300. A stored page must have a size, or the upload
// must be refused with a clear reason.
func TestReviewThirdTinyUserUnitStoresZeroSizePage(t *testing.T) {
	in := writeTemp(t, "tiny-unit.pdf", buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] /UserUnit 0.0000000000000000000000000001 >>"))
	info, err := Inspect(in)
	if err != nil {
		return // refusing it is fine
	}
	w, h, ok := info.PageMap.Size(1)
	if !ok {
		t.Fatalf("page map %q has no page 1", info.PageMap)
	}
	if w <= 0 || h <= 0 {
		t.Errorf("accepted with page 1 stored as %g x %g (page sizes %v): no mark can be placed on it", w, h, info.PageSizes)
	}
}
