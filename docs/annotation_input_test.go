package docs_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// A tablet that lost its connection sends its batch again: nothing is
// created twice and nothing is published twice. An id reused for other
// content, another user's id, or a deleted annotation's id is refused,
// and then nothing of the batch is stored.
func TestAnnotationReplay(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		path := annotationsPath(r.open.ID)
		batch := map[string]any{"annotations": []any{
			ink("01HZX-a", 1, false),
			ink("01HZX-b", 2, true),
			map[string]any{"id": "01HZX-c", "page": 3, "kind": "note", "data": map[string]any{"x": 100, "y": 200, "text": "Xem lại"}},
		}}
		var first, again struct {
			Annotations []docs.Annotation
			Created     int
		}
		r.c.Delegate.Must(http.StatusCreated, "POST", path, batch).JSON(&first)
		if first.Created != 3 || len(first.Annotations) != 3 || first.Annotations[1].ID != "01HZX-b" {
			t.Fatalf("batch: %+v", first)
		}
		// One event for the private ones, one for the shared one.
		if evs := apptest.Drain(r.rec); len(evs) != 2 || !onceEach(createdIDs(evs), "01HZX-a", "01HZX-b", "01HZX-c") {
			t.Fatalf("events for 3 annotations: %+v", evs)
		}
		r.c.Delegate.Must(http.StatusOK, "POST", path, batch).JSON(&again)
		if again.Created != 0 || apptest.JSONString(again.Annotations) != apptest.JSONString(first.Annotations) {
			t.Fatalf("replay: %+v", again)
		}
		r.c.Delegate.Must(http.StatusOK, "POST", path, ink("01HZX-a", 1, false)) // one of them alone

		refused := []struct {
			name string
			who  *apptest.Client
			body any
		}{
			{"same id, other content", r.c.Delegate, ink("01HZX-a", 4, false)},
			{"another user's id", r.other, ink("01HZX-b", 2, true)},
			{"a new one with a conflicting one", r.c.Delegate, map[string]any{"annotations": []any{ink("fresh", 1, false), ink("01HZX-c", 1, false)}}},
			{"another user's id in a batch", r.other, map[string]any{"annotations": []any{ink("fresh2", 1, false), ink("01HZX-a", 1, false)}}},
		}
		for _, tc := range refused {
			res := tc.who.Do("POST", path, tc.body)
			if res.Status != http.StatusConflict {
				t.Errorf("%s: %d %s, want 409", tc.name, res.Status, res.Body)
			}
		}
		r.c.Delegate.Must(http.StatusNoContent, "DELETE", "/api/v1/annotations/01HZX-a", nil)
		if res := r.c.Delegate.Do("POST", path, ink("01HZX-a", 1, false)); res.Status != http.StatusConflict {
			t.Errorf("a deleted annotation came back: %d %s", res.Status, res.Body)
		}
		if ids, _ := seen(t, r.c.Delegate, r.open.ID); !slices.Equal(ids, []string{"01HZX-b", "01HZX-c"}) {
			t.Errorf("the author has %v", ids)
		}
		if ids, _ := seen(t, r.other, r.open.ID); !slices.Equal(ids, []string{"01HZX-b"}) {
			t.Errorf("the other delegate has %v", ids)
		}
		if evs := apptest.EventTypes(r.rec); !slices.Equal(evs, []string{"annotation.deleted"}) {
			t.Errorf("replays and refusals published %v", evs)
		}

		// Taken off a confidential document's readers by another node (here:
		// in the database, so this node's one-second grant cache does not
		// hear of it), a replay gets 404 as a new annotation would, not
		// what was stored.
		confPath := annotationsPath(r.conf.ID)
		r.other.Must(http.StatusCreated, "POST", confPath, ink("o-conf", 1, true))
		r.other.Must(http.StatusOK, "POST", confPath, ink("o-conf", 1, true)) // grant cached
		if err := r.s.App.DB.Gorm.Exec("DELETE FROM document_readers WHERE document_id = ? AND user_id = ?", r.conf.ID, r.other.UserID).Error; err != nil {
			t.Fatal(err)
		}
		if res := r.other.Do("POST", confPath, ink("o-conf", 1, true)); res.Status != http.StatusNotFound {
			t.Errorf("a replay after being taken off the readers elsewhere: %d %s, want 404", res.Status, res.Body)
		}
		apptest.Drain(r.rec)

		// The same batch from two sessions at once (tablet and laptop
		// reconnecting): created once, no error.
		racing := map[string]any{"annotations": []any{ink("race-1", 1, true), ink("race-2", 2, false)}}
		var wg sync.WaitGroup
		results := make([]apptest.Response, 6)
		for i := range results {
			wg.Go(func() { results[i] = r.c.Delegate.Do("POST", path, racing) })
		}
		wg.Wait()
		created := 0
		for _, res := range results {
			var out struct{ Created int }
			if res.Status != 200 && res.Status != 201 {
				t.Fatalf("a concurrent replay: %d %s", res.Status, res.Body)
			}
			res.JSON(&out)
			created += out.Created
		}
		if evs := apptest.Drain(r.rec); created != 2 || !onceEach(createdIDs(evs), "race-1", "race-2") {
			t.Errorf("concurrent replays created %d, published %+v", created, evs)
		}
	})
}

// A batch stored before its sender lost the right to share (made
// observer, or the meeting closed) and sent again after a dropped
// connection gets what was stored, as any replay does; anything new or
// changed in it is still refused, and nothing is published or stored.
func TestAnnotationResentAfterSharingEnded(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		path := annotationsPath(r.open.ID)
		participants := "/api/v1/meetings/" + r.m + "/participants/"
		type answer struct {
			Annotations []docs.Annotation
			Created     int
		}
		delegate := map[string]any{"annotations": []any{ink("d-shared", 1, true), ink("d-private", 2, false)}}
		chair := map[string]any{"annotations": []any{ink("c-shared", 3, true)}}
		var first, chairFirst answer
		r.other.Must(http.StatusCreated, "POST", path, delegate).JSON(&first)
		r.c.Chair.Must(http.StatusCreated, "POST", path, chair).JSON(&chairFirst)
		confPath := annotationsPath(r.conf.ID)
		r.c.Delegate.Must(http.StatusCreated, "POST", confPath, ink("d-conf", 1, true))
		apptest.Drain(r.rec)

		resend := func(who *apptest.Client, body any, want answer, when string) {
			t.Helper()
			var got answer
			who.Must(http.StatusOK, "POST", path, body).JSON(&got)
			if got.Created != 0 || apptest.JSONString(got.Annotations) != apptest.JSONString(want.Annotations) {
				t.Errorf("%s: the resent batch got %+v, want what was stored: %+v", when, got, want)
			}
		}
		refused := func(who *apptest.Client, body any, status int, what string) {
			t.Helper()
			if res := who.Do("POST", path, body); res.Status != status {
				t.Errorf("%s: %d %s, want %d", what, res.Status, res.Body, status)
			}
		}
		r.c.Secretary.Must(http.StatusOK, "PUT", participants+r.other.UserID, map[string]any{"role": "observer"})
		resend(r.other, delegate, first, "made observer")
		refused(r.other, ink("d-new", 1, true), http.StatusForbidden, "made observer, a new shared stroke")
		refused(r.other, map[string]any{"annotations": []any{ink("d-shared", 4, true), ink("d-private", 2, false)}},
			http.StatusForbidden, "made observer, a stored stroke changed")
		refused(r.other, map[string]any{"annotations": []any{ink("d-shared", 1, true), ink("d-extra", 1, true)}},
			http.StatusForbidden, "made observer, a stored stroke with a new one")

		r.c.SetStatus(r.m, "scheduled", "live", "closed")
		resend(r.c.Chair, chair, chairFirst, "meeting closed")
		refused(r.c.Chair, ink("c-new", 1, true), http.StatusConflict, "meeting closed, a new shared stroke")
		refused(r.c.Delegate, ink("c-shared", 3, true), http.StatusConflict, "meeting closed, another's stroke resent")

		for _, typ := range apptest.EventTypes(r.rec) { // the role and status changes publish too
			if strings.HasPrefix(typ, "annotation") {
				t.Errorf("a resend or refusal published %s", typ)
			}
		}
		ids, _ := seen(t, r.c.Chair, r.open.ID)
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"c-shared", "d-shared"}) {
			t.Errorf("the chair sees %v, want the two shared strokes made before", ids)
		}

		// Taken off a confidential document's readers by another node (here:
		// in the database, so this node's one-second grant cache does not
		// hear of it), a resend is not answered with what was stored.
		r.c.Delegate.Must(http.StatusOK, "POST", confPath, ink("d-conf", 1, true))
		r.c.Delegate.Must(http.StatusCreated, "POST", confPath, ink("private-after", 2, false)) // grants cached, meeting closed
		if err := r.s.App.DB.Gorm.Exec("DELETE FROM document_readers WHERE document_id = ? AND user_id = ?", r.conf.ID, r.c.Delegate.UserID).Error; err != nil {
			t.Fatal(err)
		}
		if res := r.c.Delegate.Do("POST", confPath, ink("d-conf", 1, true)); res.Status == http.StatusOK {
			t.Errorf("a resend after being taken off the readers elsewhere got what was stored: %s", res.Body)
		}
	})
}

// Bad input is refused with the right status, and nothing is stored.
func TestAnnotationBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		path := annotationsPath(r.open.ID)
		withData := func(kind string, data any) map[string]any {
			return map[string]any{"id": "bad", "page": 1, "kind": kind, "data": data}
		}
		stroke := func(n int) [][][]float64 {
			s := make([][]float64, n)
			for i := range s {
				s[i] = []float64{float64(i%500) + 0.25, 100.5}
			}
			return [][][]float64{s}
		}
		manyIDs := make([]any, 501)
		for i := range manyIDs {
			manyIDs[i] = ink(fmt.Sprint("b", i), 1, false)
		}
		cases := []struct {
			name string
			path string
			body any
			want int
		}{
			{"page 0", path, ink("bad", 0, false), 400},
			{"page past the end", path, ink("bad", 5, false), 400},
			{"version that does not exist", path, map[string]any{"id": "bad", "version": 2, "page": 1, "kind": "ink", "data": ink("x", 1, false)["data"]}, 400},
			{"unknown kind", path, withData("circle", map[string]any{}), 400},
			{"no data", path, map[string]any{"id": "bad", "page": 1, "kind": "ink"}, 400},
			{"data of another kind", path, withData("ink", map[string]any{"x": 1, "y": 2, "text": "hi"}), 400},
			{"stroke over the cap", path, withData("ink", map[string]any{"strokes": stroke(5001)}), 400},
			{"stroke of 100,000 points", path, withData("ink", map[string]any{"strokes": stroke(100000)}), 413},
			{"too many strokes", path, withData("ink", map[string]any{"strokes": slices.Repeat(stroke(2), 201)}), 400},
			{"point off the page", path, withData("ink", map[string]any{"strokes": [][][]float64{{{10, 900}}}}), 400},
			{"point of 4 numbers", path, withData("ink", map[string]any{"strokes": [][][]float64{{{10, 10, 0.5, 1}}}}), 400},
			{"pressure above 1", path, withData("ink", map[string]any{"strokes": [][][]float64{{{10, 10, 2}}}}), 400},
			{"pen too wide", path, withData("ink", map[string]any{"width": 500, "strokes": stroke(2)}), 400},
			{"colour by name", path, withData("ink", map[string]any{"colour": "red", "strokes": stroke(2)}), 400},
			{"empty highlight", path, withData("highlight", map[string]any{"rects": []any{}}), 400},
			{"highlight past the edge", path, withData("highlight", map[string]any{"rects": []any{map[string]any{"x": 500, "y": 10, "w": 200, "h": 10}}}), 400},
			{"note too long", path, withData("note", map[string]any{"x": 1, "y": 1, "text": strings.Repeat("ồ", 4001)}), 400},
			{"note of 1 MB", path, withData("note", map[string]any{"x": 1, "y": 1, "text": strings.Repeat("a", 1<<20)}), 413},
			{"blank note", path, withData("note", map[string]any{"x": 1, "y": 1, "text": "  \n"}), 400},
			{"unknown field in data", path, withData("note", map[string]any{"x": 1, "y": 1, "text": "a", "html": "<b>"}), 400},
			{"unknown field", path, map[string]any{"id": "bad", "page": 1, "kind": "ink", "data": ink("x", 1, false)["data"], "author_id": "me"}, 400},
			{"id with a slash", path, ink("a/b", 1, false), 400},
			{"id of 65 characters", path, ink(strings.Repeat("x", 65), 1, false), 400},
			{"one id twice in a batch", path, map[string]any{"annotations": []any{ink("dup", 1, false), ink("dup", 2, false)}}, 400},
			{"empty batch", path, map[string]any{"annotations": []any{}}, 400},
			{"batch of 501", path, map[string]any{"annotations": manyIDs}, 400},
			{"one and a batch", path, map[string]any{"id": "x", "annotations": []any{ink("y", 1, false)}}, 400},
			{"a bad one in a batch", path, map[string]any{"annotations": []any{ink("good", 1, false), ink("bad", 9, false)}}, 400},
			{"malformed JSON", path, `{"id": "x", "page": `, 400},
			{"bare array", path, []any{ink("x", 1, false)}, 400},
			{"document that does not exist", annotationsPath("nope"), ink("bad", 1, false), 404},
			{"confidential document of others", annotationsPath(r.conf.ID), ink("bad", 1, false), 404},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := r.c.Delegate
				if strings.Contains(tc.name, "confidential") {
					c = r.c.Observer
				}
				res := c.Do("POST", tc.path, tc.body)
				if res.Status != tc.want || res.ErrorCode() == "" {
					t.Errorf("got %d %.300s, want %d with an error body", res.Status, res.Body, tc.want)
				}
			})
		}
		if ids, _ := seen(t, r.c.Delegate, r.open.ID); len(ids) != 0 {
			t.Errorf("refused annotations were stored: %v", ids)
		}
		if evs := apptest.EventTypes(r.rec); len(evs) != 0 {
			t.Errorf("refused annotations published %v", evs)
		}

		// Markup in a note is text: stored and returned as sent.
		text := `<script>alert("x")</script> & <b>Điều 3</b>`
		var a docs.Annotation
		r.c.Delegate.Must(http.StatusCreated, "POST", path, withData("note", map[string]any{"x": 10, "y": 20, "text": text})).JSON(&a)
		var back struct{ Annotations []docs.Annotation }
		r.c.Delegate.Get(path+"?page=1", &back)
		var note struct{ Text string }
		if len(back.Annotations) != 1 || json.Unmarshal(back.Annotations[0].Data, &note) != nil || note.Text != text {
			t.Errorf("the note came back as %+v", back.Annotations)
		}
		if res := r.c.Delegate.Do("GET", path+"?page=0", nil); res.Status != 400 {
			t.Errorf("page=0: %d", res.Status)
		}
		if res := r.c.Delegate.Do("GET", path+"?version=2", nil); res.Status != 404 {
			t.Errorf("a version that does not exist: %d", res.Status)
		}
		if res := r.c.Delegate.Do("PATCH", "/api/v1/annotations/bad", map[string]any{"data": map[string]any{"x": 1, "y": 1, "text": strings.Repeat("a", 4001)}}); res.Status != 400 {
			t.Errorf("a note changed to too long: %d", res.Status)
		}
	})
}

// Many sessions at once, as in a live session: each request gets its own
// answer even when they are written together (group commit) and some are
// replays or conflicts.
func TestAnnotationConcurrentCreates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		path := annotationsPath(r.open.ID)
		r.c.Delegate.Must(http.StatusCreated, "POST", path, ink("old", 1, true))
		apptest.Drain(r.rec)
		type try struct {
			who  *apptest.Client
			body any
			want int
		}
		var tries []try
		for i := range 30 {
			tries = append(tries, try{r.c.Delegate, ink(fmt.Sprint("d", i), 1+i%4, i%2 == 0), 201})
			tries = append(tries, try{r.other, ink(fmt.Sprint("o", i), 1+i%4, true), 201})
		}
		for range 5 {
			tries = append(tries, try{r.c.Delegate, ink("old", 1, true), 200}, try{r.other, ink("old", 1, true), 409},
				try{r.c.Delegate, ink("old", 2, true), 409})
		}
		got := make([]int, len(tries))
		var wg sync.WaitGroup
		for i, tr := range tries {
			wg.Go(func() { got[i] = tr.who.Do("POST", path, tr.body).Status })
		}
		wg.Wait()
		for i, tr := range tries {
			if got[i] != tr.want {
				t.Errorf("try %d (%v): %d, want %d", i, tr.body.(map[string]any)["id"], got[i], tr.want)
			}
		}
		if ids, _ := seen(t, r.c.Chair, r.open.ID); len(ids) != 1+15+30 { // old, the delegate's shared, all of the other's
			t.Errorf("the chair sees %d annotations", len(ids))
		}
		var want []string
		for i := range 30 {
			want = append(want, fmt.Sprint("d", i), fmt.Sprint("o", i))
		}
		if evs := apptest.Drain(r.rec); !onceEach(createdIDs(evs), want...) {
			t.Errorf("events for 60 new annotations: %v", createdIDs(evs))
		}
	})
}
