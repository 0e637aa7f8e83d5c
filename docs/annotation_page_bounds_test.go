package docs_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
)

// mixedPDF is a portrait A4 page followed by a landscape one.
func mixedPDF() []byte {
	return rawPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", // portrait
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] >>", // landscape
	)
}

// packPDF is 34 pages in 17 sizes close to A4 (as a pack merged from
// scans, where every source differs by fractions of a point), then one A3
// page: more distinct sizes than the summary of a version keeps (16).
func packPDF() []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", ""}
	var kids []string
	for i := range 17 {
		for range 2 {
			kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)+1))
			objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] >>", 590+float64(i)*0.3, 840+float64(i)*0.1))
		}
	}
	kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)+1)) // page 35: A3
	objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 1191] >>")
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	return rawPDF(objs...)
}

func note(id string, page int, x, y float64) map[string]any {
	return map[string]any{"id": id, "page": page, "kind": "note", "data": map[string]any{"x": x, "y": y, "text": "ghi chú"}}
}

// TestMarksCheckedAgainstTheirOwnPage proves that annotation coordinates
// must lie on their own page (openapi AnnotationData), not within the
// largest width and height of the document's pages: in a document of a
// portrait page and a landscape one, a mark off either page is refused on
// create (ink, highlight, note) and on PATCH, while the same coordinates
// on the page they fit are taken. (Found by review: a note 200 points
// right of a portrait page was stored, and drawn off the page in the
// export.)
func TestMarksCheckedAgainstTheirOwnPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		d := r.mustUpload(t, "mixed.pdf", mixedPDF(), nil)
		if d.Pages != 2 {
			t.Fatalf("pages %d", d.Pages)
		}
		refused := []struct {
			name string
			body map[string]any
		}{
			{"note right of the portrait page 1 (595 wide)", note("off-1", 1, 800, 100)},
			{"highlight below the landscape page 2 (595 high)", map[string]any{"id": "off-2", "page": 2, "kind": "highlight",
				"data": map[string]any{"rects": []any{map[string]any{"x": 100, "y": 700, "w": 100, "h": 20}}}}},
			{"ink right of the portrait page 1", map[string]any{"id": "off-3", "page": 1, "kind": "ink",
				"data": map[string]any{"strokes": [][][]float64{{{700, 100}, {830, 100}}}}}},
		}
		for _, tc := range refused {
			if res := r.c.Delegate.Do("POST", annotationsPath(d.ID), tc.body); res.Status != http.StatusBadRequest {
				t.Errorf("%s: %d %.200s, want 400 (off the page)", tc.name, res.Status, res.Body)
			}
		}
		// On their own page, the same coordinates are taken, to the slack.
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(d.ID), note("on-2", 2, 800, 100))
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(d.ID), note("on-1", 1, 100, 700))
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(d.ID), note("edge-1", 1, 595.9, 842.9))

		// PATCH checks the annotation's page too.
		patch := func(id string, x, y float64) apptest.Response {
			return r.c.Delegate.Do("PATCH", "/api/v1/annotations/"+id, map[string]any{"data": map[string]any{"x": x, "y": y, "text": "sửa"}})
		}
		if res := patch("on-1", 800, 100); res.Status != http.StatusBadRequest {
			t.Errorf("PATCH a note on page 1 to x = 800: %d %.200s, want 400", res.Status, res.Body)
		}
		if res := patch("on-2", 800, 500); res.Status != http.StatusOK {
			t.Errorf("PATCH a note on page 2 to (800, 500): %d %.200s, want 200", res.Status, res.Body)
		}
	})
}

// TestMarkOnARareLargePage proves that a page's size counts even when it
// is one of many: a note on the lower half of the one A3 page of a pack
// of more than 16 page sizes is taken, and one below it refused. (Found by
// review: the A3 size fell out of the 16 sizes kept, and the note was
// refused as outside a 594.5 × 841.5 page.)
func TestMarkOnARareLargePage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		d := r.mustUpload(t, "pack.pdf", packPDF(), nil)
		if d.Pages != 35 {
			t.Fatalf("pages %d", d.Pages)
		}
		if res := r.c.Delegate.Do("POST", annotationsPath(d.ID), note("a3", 35, 700, 1100)); res.Status != http.StatusCreated {
			t.Errorf("a note at (700, 1100) on the 842 × 1191 page 35: %d %.300s, want 201", res.Status, res.Body)
		}
		if res := r.c.Delegate.Do("POST", annotationsPath(d.ID), note("a4", 34, 700, 1100)); res.Status != http.StatusBadRequest {
			t.Errorf("a note at (700, 1100) on the near-A4 page 34: %d %.300s, want 400", res.Status, res.Body)
		}
	})
}

// TestVersionsStoredBeforePageMapsKeepTheirCheck proves the migration:
// a version stored before every page's size was kept (page_map NULL, as
// the added column leaves existing rows) is checked as it was then,
// against the largest width and height of its sizes, so marks it took
// before are still taken; and when its summary of sizes left some out
// (more than 16), against PDF's largest page, so the rare large page is
// no longer refused.
func TestVersionsStoredBeforePageMapsKeepTheirCheck(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		mixed := r.mustUpload(t, "mixed.pdf", mixedPDF(), nil)
		pack := r.mustUpload(t, "pack.pdf", packPDF(), nil)
		if err := r.s.App.DB.Gorm.Exec("UPDATE document_versions SET page_map = NULL").Error; err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			doc    string
			body   map[string]any
			status int
		}{
			{"within the largest width, off its own page", mixed.ID, note("old-1", 1, 800, 100), http.StatusCreated},
			{"beyond the largest width", mixed.ID, note("old-2", 1, 900, 100), http.StatusBadRequest},
			{"on the A3 page the summary dropped", pack.ID, note("old-3", 35, 700, 1100), http.StatusCreated},
		} {
			if res := r.c.Delegate.Do("POST", annotationsPath(tc.doc), tc.body); res.Status != tc.status {
				t.Errorf("%s: %d %.300s, want %d", tc.name, res.Status, res.Body, tc.status)
			}
		}
		var got struct {
			PageSizes []struct{ W, H float64 } `json:"page_sizes"`
		}
		r.c.Delegate.Get("/api/v1/documents/"+mixed.ID, &got)
		if len(got.PageSizes) != 2 {
			t.Errorf("page sizes of the old version %+v, want its two sizes still", got.PageSizes)
		}
	})
}

// TestPointerCheckedAgainstTheShownPage proves the presenter's pointer is
// checked against the presented page's own size, as annotations are.
func TestPointerCheckedAgainstTheShownPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		d := r.mustUpload(t, "mixed.pdf", mixedPDF(), nil)
		r.c.SetStatus(r.m, "scheduled", "live")
		chair := web.Actor{UserID: r.c.Chair.UserID}
		laser := func(page int, x, y float64) error {
			r.c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+r.m+"/presentation", map[string]any{"document_id": d.ID, "page": page})
			body := fmt.Sprintf(`{"document_id":%q,"page":%d,"kind":"laser","x":%g,"y":%g}`, d.ID, page, x, y)
			_, _, err := r.s.App.Docs.Pointer(t.Context(), chair, r.m, json.RawMessage(body))
			return err
		}
		if err := laser(1, 800, 100); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("laser at x = 800 on the portrait page 1: %v, want invalid", err)
		}
		if err := laser(2, 800, 100); err != nil {
			t.Errorf("laser at x = 800 on the landscape page 2: %v", err)
		}
		if err := laser(2, 100, 700); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("laser at y = 700 on the landscape page 2: %v, want invalid", err)
		}
	})
}
