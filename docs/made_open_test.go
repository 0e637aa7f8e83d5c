package docs_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// A confidential document made open is announced as api/live.md and
// api/openapi.yaml (PATCH /documents/{id}) say: document.updated to those
// who could see it before (the secretary), document.added to everyone
// else (the delegate, who never had it), one event each.
func TestMadeOpenAnnouncedAsDocumented(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "mật.pdf", testpdf.Pages(1, "made open"), map[string]string{"confidential": "true"})
	apptest.Drain(r.rec)
	r.c.Secretary.Must(200, "PATCH", "/api/v1/documents/"+d.ID, map[string]any{"confidential": false})
	got := map[string][]string{}
	for _, e := range apptest.Drain(r.rec) {
		if !strings.HasPrefix(e.Type, "document.") {
			continue
		}
		for _, u := range []string{r.c.Secretary.UserID, r.c.Delegate.UserID} {
			if (e.Audience == nil || slices.Contains(e.Audience, u)) && !slices.Contains(e.Exclude, u) {
				got[u] = append(got[u], e.Type)
			}
		}
	}
	if s := got[r.c.Secretary.UserID]; !slices.Equal(s, []string{"document.updated"}) {
		t.Errorf("the secretary, who could see the document, is sent %v; want [document.updated]", s)
	}
	if s := got[r.c.Delegate.UserID]; !slices.Equal(s, []string{"document.added"}) {
		t.Errorf("the delegate, who could not see the document before, is sent %v; want [document.added]", s)
	}
}
