package docs_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
)

// bytesRoom is an annRoom with a byte budget of limit per author and
// document version (and count limits out of the way), and notes whose
// stored data takes a chosen number of bytes.
type bytesRoom struct {
	*annRoom
	base int // the stored size of a note's data with an empty text
}

func newBytesRoom(t *testing.T, b testdb.Backend, limit int64) *bytesRoom {
	t.Helper()
	r := &bytesRoom{annRoom: newAnnRoom(t, b)}
	docs.SetAnnotationLimits(r.s.App.Docs, docs.AnnotationLimits{PerVersion: 1000, PerPage: 500, BytesPerVersion: limit})
	// A probe on the other document, which no test here counts on.
	r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(r.conf.ID), map[string]any{"id": "probe", "page": 1, "kind": "note",
		"data": map[string]any{"colour": "#FFD54F", "x": 10, "y": 10, "text": "n"}})
	r.base = stored(t, r.c.Delegate, r.conf.ID)["probe"] - 1
	if r.base < 20 {
		t.Fatalf("a note of one letter takes %d bytes", r.base+1)
	}
	return r
}

// note is a note annotation whose stored data takes size bytes.
func (r *bytesRoom) note(id string, shared bool, size int) map[string]any {
	return map[string]any{"id": id, "page": 1, "kind": "note", "shared": shared,
		"data": map[string]any{"colour": "#FFD54F", "x": 10, "y": 10, "text": strings.Repeat("n", size-r.base)}}
}

// post creates notes of the given sizes on the open document, by id.
func (r *bytesRoom) post(c *apptest.Client, shared bool, notes ...any) apptest.Response {
	var list []any
	for i := 0; i < len(notes); i += 2 {
		list = append(list, r.note(notes[i].(string), shared, notes[i+1].(int)))
	}
	return c.Do("POST", annotationsPath(r.open.ID), map[string]any{"annotations": list})
}

// stored maps the annotations a client sees on a document to the size
// of their data as stored (the API returns it byte for byte).
func stored(t *testing.T, c *apptest.Client, docID string) map[string]int {
	t.Helper()
	var out struct{ Annotations []docs.Annotation }
	c.Get(annotationsPath(docID), &out)
	sizes := map[string]int{}
	for _, a := range out.Annotations {
		sizes[a.ID] = len(a.Data)
	}
	return sizes
}

// refusedForBytes fails unless res is the byte budget's refusal, whose
// message holds want.
func refusedForBytes(t *testing.T, res apptest.Response, want string) {
	t.Helper()
	var body web.ErrorBody
	res.JSON(&body)
	if res.Status != http.StatusConflict || body.Error.Reason != "annotation_limit" || !strings.Contains(body.Error.Message, want) {
		t.Fatalf("want 409 annotation_limit %q, got %d %s", want, res.Status, res.Body)
	}
}

// keeps fails unless the delegate sees exactly these annotations of
// theirs (and no other) on the open document, with these sizes.
func (r *bytesRoom) keeps(t *testing.T, want map[string]int) {
	t.Helper()
	got := stored(t, r.c.Delegate, r.open.ID)
	for id := range got {
		if _, ok := want[id]; !ok && !strings.HasPrefix(id, "other-") {
			t.Fatalf("stored %v, want %v", got, want)
		}
	}
	for id, n := range want {
		if got[id] != n {
			t.Fatalf("stored %v, want %v", got, want)
		}
	}
}

// A create that would take its author past the byte budget of a
// document version is refused (409, annotation_limit, a message in
// bytes a person reads) and stores nothing; up to the budget is fine;
// private and shared annotations count together; other authors and
// other documents have budgets of their own; a replay is answered as
// stored.
func TestAnnotationBytesRefusesACreate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newBytesRoom(t, b, 2560)
		me := r.c.Delegate
		if res := r.post(me, true, "a1", 1000); res.Status != http.StatusCreated {
			t.Fatalf("1000 bytes: %d %s", res.Status, res.Body)
		}
		if res := r.post(me, false, "a2", 1000); res.Status != http.StatusCreated { // private: 2000 in all
			t.Fatalf("1000 bytes more: %d %s", res.Status, res.Body)
		}
		refusedForBytes(t, r.post(me, true, "a3", 1000), "would take 3 KB, over the limit of 2.5 KB per document; delete some first")
		refusedForBytes(t, r.post(me, false, "a3", 561), "over the limit of 2.5 KB per document") // private ones too
		r.keeps(t, map[string]int{"a1": 1000, "a2": 1000})
		if res := r.post(me, false, "a3", 560); res.Status != http.StatusCreated { // exactly the budget
			t.Fatalf("up to the budget: %d %s", res.Status, res.Body)
		}
		r.keeps(t, map[string]int{"a1": 1000, "a2": 1000, "a3": 560})
		if res := r.post(me, true, "a1", 1000); res.Status != http.StatusOK {
			t.Fatalf("a replay at the budget: %d %s", res.Status, res.Body)
		}
		refusedForBytes(t, r.post(me, true, "a4", r.base+1), "over the limit of 2.5 KB per document")

		// Another author, and another document, have budgets of their own.
		if res := r.post(r.other, true, "other-1", 2000, "other-2", 560); res.Status != http.StatusCreated {
			t.Fatalf("another author: %d %s", res.Status, res.Body)
		}
		if res := me.Do("POST", annotationsPath(r.conf.ID), r.note("elsewhere", true, 2000)); res.Status != http.StatusCreated {
			t.Fatalf("another document: %d %s", res.Status, res.Body)
		}
		r.keeps(t, map[string]int{"a1": 1000, "a2": 1000, "a3": 560})
	})
}

// A batch that would cross the budget is refused whole: none of it is
// stored, not even the annotations that would have fitted.
func TestAnnotationBytesRefusesTheWholeBatch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newBytesRoom(t, b, 1000)
		me := r.c.Delegate
		refusedForBytes(t, r.post(me, true, "b1", 400, "b2", 400, "b3", 400), "would take 1.2 KB, over the limit of 1000 bytes per document")
		r.keeps(t, map[string]int{})
		if res := r.post(me, true, "c1", 300); res.Status != http.StatusCreated {
			t.Fatalf("300 bytes: %d %s", res.Status, res.Body)
		}
		refusedForBytes(t, r.post(me, false, "d1", 300, "d2", 300, "d3", 300), "would take 1.2 KB, over the limit of 1000 bytes")
		r.keeps(t, map[string]int{"c1": 300})
		if res := r.post(me, false, "d1", 300, "d2", 400); res.Status != http.StatusCreated {
			t.Fatalf("a batch up to the budget: %d %s", res.Status, res.Body)
		}
		r.keeps(t, map[string]int{"c1": 300, "d1": 300, "d2": 400})
	})
}

// Deleting annotations makes room again, at once (the node's cache of
// what an author keeps does not subtract deletions: a refusal on it is
// checked against the database).
func TestAnnotationBytesDeletionMakesRoom(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newBytesRoom(t, b, 1000)
		me := r.c.Delegate
		if res := r.post(me, true, "e1", 300, "e2", 300, "e3", 300); res.Status != http.StatusCreated {
			t.Fatalf("900 bytes: %d %s", res.Status, res.Body)
		}
		refusedForBytes(t, r.post(me, true, "e4", 300), "over the limit of 1000 bytes")
		me.Must(http.StatusNoContent, "DELETE", "/api/v1/annotations/e2", nil)
		if res := r.post(me, true, "e4", 300); res.Status != http.StatusCreated {
			t.Fatalf("after a deletion: %d %s", res.Status, res.Body)
		}
		refusedForBytes(t, r.post(me, true, "e5", 300), "over the limit of 1000 bytes")
		// The chair's removal of a shared one makes room for its author too.
		r.c.Chair.Must(http.StatusNoContent, "DELETE", "/api/v1/annotations/e1", nil)
		if res := r.post(me, false, "e5", 300); res.Status != http.StatusCreated {
			t.Fatalf("after a moderation: %d %s", res.Status, res.Body)
		}
		r.keeps(t, map[string]int{"e3": 300, "e4": 300, "e5": 300})
	})
}

// An update that grows an annotation's data past the budget is refused
// and changes nothing; one up to the budget, one that shrinks it, and
// one that only shares it pass; and the growth counts for the creates
// that follow.
func TestAnnotationBytesUpdateThatGrows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newBytesRoom(t, b, 1000)
		me := r.c.Delegate
		if res := r.post(me, false, "n1", 400, "n2", 400); res.Status != http.StatusCreated {
			t.Fatalf("800 bytes: %d %s", res.Status, res.Body)
		}
		patch := func(id string, size int, rev int) apptest.Response {
			return me.Do("PATCH", "/api/v1/annotations/"+id, map[string]any{"rev": rev, "data": r.note(id, false, size)["data"]})
		}
		refusedForBytes(t, patch("n1", 700, 1), "would take 1.1 KB, over the limit of 1000 bytes per document")
		r.keeps(t, map[string]int{"n1": 400, "n2": 400})
		if res := patch("n1", 600, 1); res.Status != http.StatusOK { // the rev is still 1: nothing was written
			t.Fatalf("growing up to the budget: %d %s", res.Status, res.Body)
		}
		// The growth counts: a create right after it is refused.
		refusedForBytes(t, r.post(me, false, "n3", r.base+1), "over the limit of 1000 bytes")
		if res := patch("n2", 200, 1); res.Status != http.StatusOK {
			t.Fatalf("shrinking: %d %s", res.Status, res.Body)
		}
		if res := me.Do("PATCH", "/api/v1/annotations/n1", map[string]any{"shared": true}); res.Status != http.StatusOK {
			t.Fatalf("sharing it: %d %s", res.Status, res.Body)
		}
		if res := r.post(me, false, "n3", 200); res.Status != http.StatusCreated { // the room the shrink made
			t.Fatalf("after a shrink: %d %s", res.Status, res.Body)
		}
		refusedForBytes(t, patch("n3", 201, 1), "over the limit of 1000 bytes")
		r.keeps(t, map[string]int{"n1": 600, "n2": 200, "n3": 200})
	})
}

// Concurrent creates of one author, from several sessions, cannot pass
// the budget together: what they keep is summed in the transaction that
// writes, with what the requests written before them in it add.
func TestAnnotationBytesUnderConcurrency(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newBytesRoom(t, b, 2000)
		sessions := []*apptest.Client{r.c.Delegate, r.s.SignIn(r.c.Delegate.UserID), r.s.SignIn(r.c.Delegate.UserID)}
		const n = 24
		status := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				c := sessions[i%len(sessions)]
				status[i] = r.post(c, i%2 == 0, fmt.Sprintf("race-%d-a", i), 200, fmt.Sprintf("race-%d-b", i), 200).Status
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
		sizes := stored(t, r.c.Delegate, r.open.ID)
		total := 0
		for _, s := range sizes {
			total += s
		}
		if ok != 5 || len(sizes) != 10 || total != 2000 {
			t.Errorf("%d of %d batches of 2 x 200 bytes accepted, %d annotations of %d bytes stored, budget 2000", ok, n, len(sizes), total)
		}
	})
}

// The sizes are kept with the rows: a database from before them gets
// the column, every row its size (once, when the column is added), and
// the budget holds for the annotations stored before.
func TestAnnotationBytesMigration(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newBytesRoom(t, b, 1<<20)
		me := r.c.Delegate
		if res := r.post(me, true, "m1", 300, "m2", 400); res.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		me.Must(http.StatusCreated, "POST", annotationsPath(r.open.ID), map[string]any{"id": "m3", "page": 2, "kind": "note",
			"data": map[string]any{"x": 10, "y": 10, "text": "Ý kiến <của> đại biểu: “đồng ý”"}}) // multi-byte, escaped
		me.Must(http.StatusNoContent, "DELETE", "/api/v1/annotations/m2", nil)
		db := r.s.App.DB.Gorm
		// The schema as it was before the sizes.
		for _, sql := range []string{
			`DROP INDEX idx_annotation_live_size`,
			`ALTER TABLE annotations DROP COLUMN data_size`,
			`CREATE INDEX idx_annotation_live_author ON annotations (author_id, document_id, version, page) WHERE deleted_at IS NULL`,
		} {
			if err := db.Exec(sql).Error; err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		migrate := func() {
			t.Helper()
			if err := r.s.App.DB.Migrate(context.Background(), docs.Migration()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
		}
		migrate()
		var rows []sizedRow
		if err := db.Raw(`SELECT id, data, data_size FROM annotations ORDER BY id`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, row := range rows {
			ids = append(ids, row.ID)
			if row.DataSize != len(row.Data) {
				t.Errorf("%s: data_size %d, its data takes %d bytes", row.ID, row.DataSize, len(row.Data))
			}
		}
		if !slices.Equal(ids, []string{"m1", "m2", "m3", "probe"}) {
			t.Errorf("rows %v", ids)
		}
		m := db.Migrator()
		if m.HasIndex("annotations", "idx_annotation_live_author") || !m.HasIndex("annotations", "idx_annotation_live_size") {
			t.Errorf("indexes: the old one %v, the new one %v", m.HasIndex("annotations", "idx_annotation_live_author"),
				m.HasIndex("annotations", "idx_annotation_live_size"))
		}
		// Once: a start with the column in place fills nothing.
		if err := db.Exec(`UPDATE annotations SET data_size = 7 WHERE id = 'm1'`).Error; err != nil {
			t.Fatal(err)
		}
		migrate()
		var size int
		if err := db.Raw(`SELECT data_size FROM annotations WHERE id = 'm1'`).Scan(&size).Error; err != nil || size != 7 {
			t.Fatalf("a second start filled the sizes again: %d %v", size, err)
		}
		if err := db.Exec(`UPDATE annotations SET data_size = 300 WHERE id = 'm1'`).Error; err != nil {
			t.Fatal(err)
		}
		// What was stored before counts.
		kept := 300 + rowSize(rows, "m3")
		docs.SetAnnotationLimits(r.s.App.Docs, docs.AnnotationLimits{BytesPerVersion: int64(kept + 500)})
		refusedForBytes(t, r.post(me, true, "m4", 501), "over the limit of")
		if res := r.post(me, true, "m4", 500); res.Status != http.StatusCreated {
			t.Fatalf("up to the budget after the migration: %d %s", res.Status, res.Body)
		}
	})
}

// sizedRow is an annotation's data and its size as stored.
type sizedRow struct {
	ID       string
	Data     string
	DataSize int
}

func rowSize(rows []sizedRow, id string) int {
	for _, row := range rows {
		if row.ID == id {
			return len(row.Data)
		}
	}
	return 0
}
