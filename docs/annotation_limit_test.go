package docs_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
	"github.com/curia/curia/internal/web"
)

// One delegate must not be able to grow a document's shared annotations
// without bound: every tablet that opens the document downloads all of
// them (GET …/annotations has no paging), every live client receives them,
// and the annotated export draws them. A cap per author and document (or a
// rate limit) should refuse the flood long before 4,000 marks on one page. Today
// each request is bounded (500 marks, 1 MB) but their number is not: the
// 8 batches below are all accepted.
func TestAnnotationFloodIsBounded(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	doc := r.mustUpload(t, "flood.pdf", testpdf.Pages(1, "flood"), nil)
	const batches, per = 8, 500
	accepted := 0
	for b := range batches {
		list := make([]map[string]any, per)
		for i := range list {
			list[i] = map[string]any{"id": fmt.Sprintf("flood-%d-%d", b, i), "page": 1, "kind": "ink", "shared": true,
				"data": map[string]any{"colour": "#D32F2F", "width": 3, "strokes": [][][]float64{{{60, 80}, {140, 80.5}}}}}
		}
		res := r.c.Delegate.Do("POST", "/api/v1/documents/"+doc.ID+"/annotations", map[string]any{"annotations": list})
		if res.Status != http.StatusCreated {
			if res.Status >= 500 {
				t.Fatalf("batch %d: %d %s", b, res.Status, res.Body)
			}
			break
		}
		accepted += per
	}
	res := r.c.Observer.Do("GET", "/api/v1/documents/"+doc.ID+"/annotations", nil)
	if accepted >= batches*per {
		t.Fatalf("one delegate stored %d shared annotations on one page; every reader now downloads %d bytes to open it",
			accepted, len(res.Body))
	}
}

// limited posts a batch of ink annotations (id, page) and returns the
// answer.
func limited(c *apptest.Client, docID string, shared bool, marks ...any) apptest.Response {
	var list []any
	for i := 0; i < len(marks); i += 2 {
		list = append(list, ink(marks[i].(string), marks[i+1].(int), shared))
	}
	return c.Do("POST", annotationsPath(docID), map[string]any{"annotations": list})
}

// A create that would take its author past a limit (per page, per
// document version, private and shared together) is refused whole, with
// a message and the reason annotation_limit, and stores nothing; other
// authors, other versions, replays and deletions are judged as they
// should be.
func TestAnnotationLimitRefusesTheWholeBatch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		docs.SetAnnotationLimits(r.s.App.Docs, docs.AnnotationLimits{PerVersion: 6, PerPage: 4})
		doc, me := r.open.ID, r.c.Delegate
		refused := func(res apptest.Response, want string) {
			t.Helper()
			var body web.ErrorBody
			res.JSON(&body)
			if res.Status != http.StatusConflict || body.Error.Reason != "annotation_limit" || !strings.Contains(body.Error.Message, want) {
				t.Fatalf("want 409 annotation_limit %q, got %d %s", want, res.Status, res.Body)
			}
		}
		count := func(want int) {
			t.Helper()
			if ids, _ := seen(t, me, doc); len(ids) != want {
				t.Fatalf("%d annotations stored, want %d: %v", len(ids), want, ids)
			}
		}
		if res := limited(me, doc, true, "a1", 1, "a2", 1, "a3", 1); res.Status != http.StatusCreated {
			t.Fatalf("3 on page 1: %d %s", res.Status, res.Body)
		}
		refused(limited(me, doc, true, "b1", 2, "b2", 1, "b3", 1), "limit of 4 per page")
		count(3)
		if res := limited(me, doc, false, "c1", 1); res.Status != http.StatusCreated { // 4 on page 1
			t.Fatalf("the 4th on page 1: %d %s", res.Status, res.Body)
		}
		refused(limited(me, doc, true, "d1", 2, "d2", 3, "d3", 4), "limit of 6 per document")
		count(4)
		if res := limited(me, doc, true, "e1", 2, "e2", 3); res.Status != http.StatusCreated { // 6 in all
			t.Fatalf("the 5th and 6th: %d %s", res.Status, res.Body)
		}
		refused(limited(me, doc, false, "f1", 4), "limit of 6 per document") // private ones count too
		count(6)

		// A replay of what is stored is answered as stored, limit or not.
		if res := limited(me, doc, true, "e1", 2, "e2", 3); res.Status != http.StatusOK {
			t.Fatalf("a replay at the limit: %d %s", res.Status, res.Body)
		}
		// Each author has their own count, and each version its own.
		if res := limited(r.other, doc, true, "o1", 1, "o2", 1, "o3", 1, "o4", 1); res.Status != http.StatusCreated {
			t.Fatalf("another author: %d %s", res.Status, res.Body)
		}
		if res := me.Do("POST", annotationsPath(r.conf.ID), ink("g1", 1, true)); res.Status != http.StatusCreated {
			t.Fatalf("another document: %d %s", res.Status, res.Body)
		}
		// A deletion makes room again.
		me.Must(http.StatusNoContent, "DELETE", "/api/v1/annotations/a1", nil)
		if res := limited(me, doc, true, "h1", 1); res.Status != http.StatusCreated {
			t.Fatalf("after a deletion: %d %s", res.Status, res.Body)
		}
		refused(limited(me, doc, true, "h2", 4), "limit of 6 per document")
		if res := r.c.Secretary.Upload("/api/v1/documents/"+doc+"/versions", "v2.pdf", testpdf.Pages(4, "v2"), nil); res.Status != http.StatusCreated {
			t.Fatalf("new version: %d %s", res.Status, res.Body)
		}
		if res := limited(me, doc, true, "v1", 1, "v2", 1, "v3", 1, "v4", 1); res.Status != http.StatusCreated {
			t.Fatalf("on the new version: %d %s", res.Status, res.Body)
		}
	})
}

// Concurrent creates of one author, from several sessions, cannot pass
// the limit together: the count is taken in the transaction that writes.
func TestAnnotationLimitUnderConcurrency(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		docs.SetAnnotationLimits(r.s.App.Docs, docs.AnnotationLimits{PerVersion: 1000, PerPage: 10})
		sessions := []*apptest.Client{r.c.Delegate, r.s.SignIn(r.c.Delegate.UserID), r.s.SignIn(r.c.Delegate.UserID)}
		const n = 24
		status := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				c := sessions[i%len(sessions)]
				status[i] = limited(c, r.open.ID, true, fmt.Sprintf("race-%d-a", i), 2, fmt.Sprintf("race-%d-b", i), 2).Status
			})
		}
		wg.Wait()
		ok := 0
		for i, s := range status {
			switch s {
			case http.StatusCreated:
				ok++
			case http.StatusConflict:
			default:
				t.Errorf("request %d: %d", i, s)
			}
		}
		var out struct{ Annotations []docs.Annotation }
		r.c.Delegate.Get(annotationsPath(r.open.ID)+"?page=2", &out)
		if ok != 5 || len(out.Annotations) != 10 {
			t.Errorf("%d of %d batches of 2 accepted, %d annotations stored on a page limited to 10", ok, n, len(out.Annotations))
		}
	})
}
