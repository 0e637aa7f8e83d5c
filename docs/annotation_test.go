package docs_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// annRoom is a room with a second delegate, an open document of 4 pages
// and a confidential one of 3 pages that both delegates may read.
type annRoom struct {
	*room
	other      *apptest.Client // another delegate
	open, conf docs.Document
}

func newAnnRoom(t *testing.T, b testdb.Backend) *annRoom {
	t.Helper()
	r := &annRoom{room: newRoom(t, b)}
	r.other = r.s.SignIn(r.s.CreateUser("u.delegate2", "Đại biểu Hai", false))
	r.c.Secretary.Must(http.StatusCreated, "PUT", "/api/v1/meetings/"+r.m+"/participants/"+r.other.UserID, map[string]any{"role": "delegate"})
	r.open = r.mustUpload(t, "open.pdf", testpdf.Pages(4, "open"), nil)
	r.conf = r.mustUpload(t, "mat.pdf", testpdf.Pages(3, "mat"),
		map[string]string{"confidential": "true", "reader_ids": r.c.Delegate.UserID + "," + r.other.UserID})
	apptest.Drain(r.rec)
	return r
}

// ink is a one-stroke ink annotation's body.
func ink(id string, page int, shared bool) map[string]any {
	return map[string]any{"id": id, "page": page, "kind": "ink", "shared": shared,
		"data": map[string]any{"colour": "#D32F2F", "width": 3, "strokes": [][][]float64{{{60, 80}, {140, 80.004, 0.5}}}}}
}

func annotationsPath(docID string) string { return "/api/v1/documents/" + docID + "/annotations" }

// seen lists the ids a client gets for a document (nil on an error status).
func seen(t *testing.T, c *apptest.Client, docID string) ([]string, int) {
	t.Helper()
	res := c.Do("GET", annotationsPath(docID), nil)
	if res.Status != http.StatusOK {
		return nil, res.Status
	}
	var out struct{ Annotations []docs.Annotation }
	res.JSON(&out)
	ids := []string{}
	for _, a := range out.Annotations {
		ids = append(ids, a.ID)
	}
	return ids, res.Status
}

// Who sees an annotation, over REST and over live events: private ones
// only their author; shared ones everyone who may see the document (a
// confidential one: its readers, the chair and the secretary).
func TestAnnotationVisibility(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		viewers := map[string]*apptest.Client{"author": r.c.Delegate, "other delegate": r.other, "chair": r.c.Chair,
			"secretary": r.c.Secretary, "observer": r.c.Observer, "outsider": r.c.Outsider}
		cases := []struct {
			doc    docs.Document
			shared bool
			see    []string // who sees it; everyone else does not
		}{
			{r.open, false, []string{"author"}},
			{r.open, true, []string{"author", "other delegate", "chair", "secretary", "observer"}},
			{r.conf, false, []string{"author"}},
			{r.conf, true, []string{"author", "other delegate", "chair", "secretary"}},
		}
		for _, tc := range cases {
			name := fmt.Sprintf("%s shared=%v", tc.doc.Title, tc.shared)
			id := fmt.Sprintf("vis-%s-%v", tc.doc.ID[:6], tc.shared)
			r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(tc.doc.ID), ink(id, 2, tc.shared))
			evs := apptest.Drain(r.rec)
			if len(evs) != 1 || evs[0].Type != "annotations.created" || evs[0].MeetingID != r.m || !onceEach(createdIDs(evs), id) ||
				evs[0].Data.(docs.AnnotationsCreated).DocumentID != tc.doc.ID {
				t.Fatalf("%s: events %+v", name, evs)
			}
			for who, c := range viewers {
				want := slices.Contains(tc.see, who)
				ids, status := seen(t, c, tc.doc.ID)
				if got := slices.Contains(ids, id); got != want {
					t.Errorf("%s: %s sees it over REST: %v (status %d), want %v", name, who, got, status, want)
				}
				// Nil audience: the hub delivers to the meeting's participants only.
				if who == "outsider" && evs[0].Audience == nil {
					continue
				}
				if got := evs[0].Visible(c.UserID); got != want {
					t.Errorf("%s: %s receives the event: %v, want %v", name, who, got, want)
				}
			}
		}
		// Those who may not see a document cannot annotate it either.
		for _, c := range []*apptest.Client{r.c.Outsider, r.c.Observer} {
			doc := r.conf
			if c == r.c.Outsider {
				doc = r.open
			}
			if res := c.Do("POST", annotationsPath(doc.ID), ink("nope-"+c.UserID[:5], 1, false)); res.Status != http.StatusNotFound {
				t.Errorf("annotating an invisible document: %d %s", res.Status, res.Body)
			}
		}
		if evs := apptest.Drain(r.rec); len(evs) != 0 {
			t.Errorf("refused annotations published %+v", evs)
		}
	})
}

// Authors change and delete their own; the chair and the secretary may
// remove a shared one; making a shared one private withdraws it from the
// room. Shared creations and removals are audited, private ones not.
func TestAnnotationChangesByRole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		path := annotationsPath(r.open.ID)
		r.c.Delegate.Must(http.StatusCreated, "POST", path, ink("mine", 1, false))
		r.c.Delegate.Must(http.StatusCreated, "POST", path, ink("ours", 1, true))
		r.c.Delegate.Must(http.StatusCreated, "POST", path, ink("ours2", 1, true))
		r.c.Observer.Must(http.StatusCreated, "POST", path, ink("observed", 1, false))
		checks := []struct {
			who          *apptest.Client
			method, path string
			body         any
			want         int
		}{
			{r.c.Observer, "POST", path, ink("loud", 1, true), 403}, // observers keep to themselves
			{r.other, "PATCH", "/api/v1/annotations/ours", map[string]any{"shared": false}, 403},
			{r.other, "PATCH", "/api/v1/annotations/mine", map[string]any{"shared": true}, 404},
			{r.c.Chair, "DELETE", "/api/v1/annotations/mine", nil, 404},
			{r.other, "DELETE", "/api/v1/annotations/ours", nil, 403},
			{r.c.Delegate, "PATCH", "/api/v1/annotations/mine", map[string]any{"rev": 7, "shared": true}, 409},
			{r.c.Delegate, "PATCH", "/api/v1/annotations/mine", map[string]any{}, 400},
			{r.c.Chair, "DELETE", "/api/v1/annotations/ours", nil, 204},
			{r.c.Secretary, "DELETE", "/api/v1/annotations/ours2", nil, 204},
			{r.c.Delegate, "DELETE", "/api/v1/annotations/ours", nil, 204}, // the chair removed it: gone all the same
			{r.other, "DELETE", "/api/v1/annotations/ours", nil, 404},
		}
		for _, ch := range checks {
			if res := ch.who.Do(ch.method, ch.path, ch.body); res.Status != ch.want {
				t.Errorf("%s %s by %s: %d %s, want %d", ch.method, ch.path, ch.who.UserID, res.Status, res.Body, ch.want)
			}
		}
		if ids, _ := seen(t, r.other, r.open.ID); len(ids) != 0 {
			t.Errorf("after moderation the other delegate still sees %v", ids)
		}
		apptest.Drain(r.rec)

		// Sharing and unsharing.
		var a docs.Annotation
		r.c.Delegate.Must(http.StatusOK, "PATCH", "/api/v1/annotations/mine", map[string]any{"shared": true, "rev": 1}).JSON(&a)
		if !a.Shared || a.Rev != 2 {
			t.Fatalf("shared: %+v", a)
		}
		if ids, _ := seen(t, r.other, r.open.ID); !slices.Equal(ids, []string{"mine"}) {
			t.Errorf("once shared, the other delegate sees %v", ids)
		}
		r.c.Delegate.Must(http.StatusOK, "PATCH", "/api/v1/annotations/mine", map[string]any{"shared": false})
		evs := apptest.Drain(r.rec)
		if len(evs) != 3 || !gone(evs, r.other.UserID, "mine") || gone(evs, r.c.Delegate.UserID, "mine") {
			t.Errorf("unsharing: events %+v", evs)
		}
		if ids, _ := seen(t, r.other, r.open.ID); len(ids) != 0 {
			t.Errorf("once private again, the other delegate sees %v", ids)
		}
		r.c.Delegate.Must(http.StatusNoContent, "DELETE", "/api/v1/annotations/mine", nil)
		r.c.Delegate.Must(http.StatusNoContent, "DELETE", "/api/v1/annotations/mine", nil) // a replay

		var entries struct {
			Entries []struct{ Action, Object string }
		}
		r.c.Admin.Get("/api/v1/audit?meeting_id="+r.m, &entries)
		var got []string
		for _, e := range entries.Entries {
			if id, ok := strings.CutPrefix(e.Object, "annotation:"); ok {
				got = append(got, e.Action+" "+id)
			}
		}
		slices.Sort(got)
		want := []string{"annotation.created ours", "annotation.created ours2", "annotation.deleted ours", "annotation.deleted ours2",
			"annotation.shared mine", "annotation.unshared mine"}
		if !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
}

// gone reports whether user receives an annotation.deleted event for id.
func gone(evs []event.Event, user, id string) bool {
	for _, e := range evs {
		if d, ok := e.Data.(map[string]any); ok && e.Type == "annotation.deleted" && d["id"] == id && e.Visible(user) {
			return true
		}
	}
	return false
}

// createdIDs counts the annotations announced by annotations.created
// events, by id.
func createdIDs(evs []event.Event) map[string]int {
	n := map[string]int{}
	for _, e := range evs {
		if e.Type != "annotations.created" {
			continue
		}
		for _, a := range e.Data.(docs.AnnotationsCreated).Items {
			n[a.ID]++
		}
	}
	return n
}

// onceEach reports whether got holds exactly the ids, once each.
func onceEach(got map[string]int, ids ...string) bool {
	if len(got) != len(ids) {
		return false
	}
	for _, id := range ids {
		if got[id] != 1 {
			return false
		}
	}
	return true
}

// Annotate caches what it read about a document and the author's part in
// the meeting, but a change of the meeting's participants or status
// applies on the very next stroke: a delegate made observer can no
// longer share, one removed gets 404, and nobody writes in a closed
// meeting.
func TestAnnotationGrantsFollowMeetingChanges(t *testing.T) {
	r := newAnnRoom(t, testdb.Backends()[0])
	path := annotationsPath(r.open.ID)
	participants := "/api/v1/meetings/" + r.m + "/participants/"
	for i, c := range []*apptest.Client{r.other, r.c.Delegate, r.c.Chair} { // grants now cached
		c.Must(http.StatusCreated, "POST", path, ink(fmt.Sprint("before", i), 1, true))
	}

	r.c.Secretary.Must(http.StatusOK, "PUT", participants+r.other.UserID, map[string]any{"role": "observer"})
	if res := r.other.Do("POST", path, ink("demoted", 1, true)); res.Status != http.StatusForbidden {
		t.Errorf("a delegate made observer shares a stroke: %d", res.Status)
	}
	r.c.Secretary.Must(http.StatusNoContent, "DELETE", participants+r.c.Delegate.UserID, nil)
	if res := r.c.Delegate.Do("POST", path, ink("removed", 1, true)); res.Status != http.StatusNotFound {
		t.Errorf("a removed delegate annotates: %d", res.Status)
	}
	r.c.SetStatus(r.m, "scheduled", "live", "closed")
	if res := r.c.Chair.Do("POST", path, ink("closed", 1, true)); res.Status != http.StatusConflict {
		t.Errorf("the chair annotates in a closed meeting: %d", res.Status)
	}
	if ids, _ := seen(t, r.c.Secretary, r.open.ID); len(ids) != 3 {
		t.Errorf("stored: %v, want the three strokes made before the changes", ids)
	}
}
