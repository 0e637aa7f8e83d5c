package docs_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
	"github.com/curia/curia/internal/web"
)

// The presenter's pointer: the chair, or the current item's presenter,
// points at the presented page; the payload goes to everyone who may see
// the document, and nothing is stored.
func TestPointer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		r.c.SetStatus(r.m, "scheduled", "live")
		var item struct{ ID string }
		r.c.Secretary.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+r.m+"/agenda",
			map[string]any{"title": "Báo cáo", "presenter_id": r.other.UserID}).JSON(&item)
		r.c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+r.m+"/agenda/current", map[string]any{"item_id": item.ID})
		present := func(doc docs.Document, page int) {
			r.c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+r.m+"/presentation", map[string]any{"document_id": doc.ID, "page": page})
		}
		present(r.open, 2)
		svc := r.s.App.Docs
		chair, presenter := web.Actor{UserID: r.c.Chair.UserID}, web.Actor{UserID: r.other.UserID}
		point := func(a web.Actor, body string) (any, []string, error) {
			return svc.Pointer(t.Context(), a, r.m, json.RawMessage(body))
		}

		laser := `{"document_id":"` + r.open.ID + `","page":2,"kind":"laser","x":120.456,"y":300}`
		payload, audience, err := point(chair, laser)
		if err != nil || audience != nil {
			t.Fatalf("chair's laser: %v, audience %v", err, audience)
		}
		move := payload.(docs.PointerMove)
		if move.DocumentID != r.open.ID || move.Page != 2 || move.Version != 1 || move.By != chair.UserID || *move.X != 120.46 || *move.Y != 300 {
			t.Errorf("payload %+v", move)
		}
		stroke := `{"document_id":"` + r.open.ID + `","page":2,"kind":"stroke","stroke":"s1","points":[[10,10],[20,20,0.5]]}`
		if _, _, err := point(presenter, stroke); err != nil {
			t.Errorf("the current item's presenter: %v", err)
		}
		refused := []struct {
			name  string
			actor web.Actor
			body  string
			kind  apperr.Kind
		}{
			{"a delegate who does not present", web.Actor{UserID: r.c.Delegate.UserID}, laser, apperr.Forbidden},
			{"an outsider", web.Actor{UserID: r.c.Outsider.UserID}, laser, apperr.NotFound},
			{"another page", chair, strings.Replace(laser, `"page":2`, `"page":3`, 1), apperr.Conflict},
			{"another document", chair, strings.Replace(laser, r.open.ID, r.conf.ID, 1), apperr.Conflict},
			{"off the page", chair, strings.Replace(laser, `"y":300`, `"y":3000`, 1), apperr.Invalid},
			{"unknown kind", chair, strings.Replace(laser, `"laser"`, `"circle"`, 1), apperr.Invalid},
			{"unknown field", chair, strings.Replace(laser, `"x"`, `"z":1,"x"`, 1), apperr.Invalid},
			{"too many points", chair, strings.Replace(stroke, `[[10,10],`, "["+strings.Repeat("[1,1],", 500), 1), apperr.Invalid},
			{"too large", chair, strings.Replace(laser, `"laser"`, `"laser`+strings.Repeat(" ", 17<<10)+`"`, 1), apperr.TooLarge},
			{"not JSON", chair, `{"kind":`, apperr.Invalid},
		}
		for _, tc := range refused {
			if _, _, err := point(tc.actor, tc.body); apperr.KindOf(err) != tc.kind {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.kind)
			}
		}

		// A confidential page: only its readers, the chair and the secretary.
		present(r.conf, 1)
		_, audience, err = point(chair, `{"document_id":"`+r.conf.ID+`","page":1,"kind":"clear"}`)
		want := []string{r.c.Delegate.UserID, r.other.UserID, r.c.Chair.UserID, r.c.Secretary.UserID}
		slices.Sort(want)
		slices.Sort(audience)
		if err != nil || !slices.Equal(audience, want) {
			t.Errorf("confidential audience %v (%v), want %v", audience, err, want)
		}
		if ids, _ := seen(t, r.c.Chair, r.open.ID); len(ids) != 0 {
			t.Errorf("pointer strokes were stored: %v", ids)
		}
	})
}

// TestPointerAtAHiddenDocumentIsForbidden proves that the presenter of
// the current item who may not see the confidential document shown (to
// them it is shown hidden) is refused as forbidden, not told that the
// page has changed (Conflict), as live.md's list of refusals says,
// whatever document their pointer names; the pointer of a reader of it
// works, and a reader's at a page no longer shown is still a conflict.
// (Found by review.)
func TestPointerAtAHiddenDocumentIsForbidden(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		secret := r.mustUpload(t, "tuyet-mat.pdf", testpdf.Pages(2, "secret"),
			map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID})
		r.c.SetStatus(r.m, "scheduled", "live")
		var item struct{ ID string }
		r.c.Secretary.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+r.m+"/agenda",
			map[string]any{"title": "Báo cáo mật", "presenter_id": r.other.UserID}).JSON(&item)
		r.c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+r.m+"/agenda/current", map[string]any{"item_id": item.ID})
		r.c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+r.m+"/presentation", map[string]any{"document_id": secret.ID, "page": 1})
		point := func(a web.Actor, doc string, page int) error {
			body := fmt.Sprintf(`{"document_id":%q,"page":%d,"kind":"laser","x":10,"y":10}`, doc, page)
			_, _, err := r.s.App.Docs.Pointer(t.Context(), a, r.m, json.RawMessage(body))
			return err
		}
		presenter := web.Actor{UserID: r.other.UserID}
		if err := point(presenter, secret.ID, 1); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("the presenter, not a reader, at the document shown: %v, want forbidden", err)
		}
		if err := point(presenter, r.open.ID, 1); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("the presenter at another document, the one shown hidden from them: %v, want forbidden", err)
		}
		if err := point(web.Actor{UserID: r.c.Chair.UserID}, secret.ID, 1); err != nil {
			t.Errorf("the chair at the document shown: %v", err)
		}
		// Made a reader, the presenter may point.
		r.c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/documents/"+secret.ID+"/access",
			map[string]any{"user_ids": []string{r.c.Delegate.UserID, r.other.UserID}})
		if err := point(presenter, secret.ID, 1); err != nil {
			t.Errorf("the presenter, now a reader: %v", err)
		}
		if err := point(presenter, secret.ID, 2); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("the presenter, a reader, at a page not shown: %v, want conflict", err)
		}
	})
}
