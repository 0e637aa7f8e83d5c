package presentation_test

import (
	"testing"

	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/presentation"
)

// TestStopRefusesPageVersionAndZoom: a null document_id stops presenting,
// and page, version and zoom say which page of which document to show, so
// giving any of them with a null document_id is a 400 that changes
// nothing, rather than a stop that silently ignores it. A bare stop (or a
// version of 0, "the current one", which is the same as none) stops.
func TestStopRefusesPageVersionAndZoom(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := setup(t, b)
		path := "/api/v1/meetings/" + f.m + "/presentation"
		f.c.Chair.Must(200, "PUT", path, map[string]any{"document_id": f.doc.ID, "page": 2})
		for _, tc := range []struct {
			name string
			body map[string]any
		}{
			{"version", map[string]any{"document_id": nil, "version": 3}},
			{"negative version", map[string]any{"document_id": nil, "version": -1}},
			{"page", map[string]any{"document_id": nil, "page": 1}},
			{"zoom", map[string]any{"document_id": nil, "zoom": map[string]float64{"x": 0, "y": 0, "w": 0.5, "h": 0.5}}},
			{"version, no document_id at all", map[string]any{"version": 1}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f.c.Chair.Do("PUT", path, tc.body).Check(t, "a stop with "+tc.name, 400, "document_id")
				var st presentation.State
				f.c.Chair.Get(path, &st)
				if st.DocumentID == nil || *st.DocumentID != f.doc.ID || st.Page != 2 {
					t.Fatalf("a refused stop changed what is shown: %+v", st)
				}
			})
		}
		f.c.Chair.Must(200, "PUT", path, map[string]any{"document_id": nil, "version": 0})
		var st presentation.State
		f.c.Chair.Get(path, &st)
		if st.DocumentID != nil {
			t.Fatalf("after a stop the room is shown %+v, want nothing", st)
		}
	})
}
