package docs_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// A change or removal of an annotation is checked again under the
// visibility lock, and announced to who may see the document then: a
// document made confidential between the request's first check and its
// write is not announced to everyone, and its author, who lost the
// document, is answered 404 with nothing written. The race is forced by
// holding an announcement (which holds the lock for reading) while the
// confidentiality change and the request queue behind it.
func TestAnnotationChangeRecheckedUnderVisibilityLock(t *testing.T) {
	for _, tc := range []struct {
		name, method, typ string
		body              any
	}{
		{"update", "PATCH", "annotation.updated", map[string]any{"data": map[string]any{"colour": "#00ff00",
			"strokes": [][][]float64{{{10, 10}, {99, 99}}}}}},
		{"delete", "DELETE", "annotation.deleted", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := event.NewRecorder(1000)
			pub := &holdingPublisher{rec: rec, hold: "holder", held: make(chan struct{}), release: make(chan struct{})}
			s := apptest.Start(t, testdb.Backends()[0], apptest.WithPublisher(pub))
			c := s.NewCast("u")
			r := &room{s: s, c: c, m: c.Meeting("Kỳ họp"), rec: rec}
			open := r.mustUpload(t, "open.pdf", testpdf.Pages(2, "open"), nil)
			c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(open.ID), ink("x", 1, true))

			created := make(chan int, 1)
			go func() { created <- c.Chair.Do("POST", annotationsPath(open.ID), ink("holder", 2, true)).Status }()
			<-pub.held // its announcement holds the visibility lock for reading

			madeConf := make(chan int, 1)
			go func() {
				madeConf <- c.Secretary.Do("PATCH", "/api/v1/documents/"+open.ID, map[string]any{"confidential": true}).Status
			}()
			time.Sleep(100 * time.Millisecond) // Update waits for the lock
			changed := make(chan apptest.Response, 1)
			go func() { changed <- c.Delegate.Do(tc.method, "/api/v1/annotations/x", tc.body) }()
			time.Sleep(100 * time.Millisecond) // the request has read the document as open and waits for the lock
			apptest.Drain(rec)
			close(pub.release)
			if st := <-created; st != http.StatusCreated {
				t.Fatalf("holder: %d", st)
			}
			if st := <-madeConf; st != http.StatusOK {
				t.Fatalf("made confidential: %d", st)
			}
			res := <-changed
			removed := false
			for _, e := range apptest.Drain(rec) {
				if e.Type == "document.removed" && e.Visible(c.Observer.UserID) {
					removed = true
				}
				if e.Type == tc.typ && !removed {
					t.Fatal("the race was not forced: the annotation changed before the document became confidential")
				}
				if e.Type == tc.typ && (e.Visible(c.Observer.UserID) || e.Visible(c.Delegate.UserID)) {
					t.Errorf("%s of a now confidential document reaches participants without access (audience %v, answer %d)",
						tc.typ, e.Audience, res.Status)
				}
			}
			if res.Status != http.StatusNotFound {
				t.Errorf("the author, no longer allowed to see the document, is answered %d %s, want 404", res.Status, res.Body)
			}
			var got struct {
				Annotations []struct {
					ID  string
					Rev int
				}
			}
			c.Chair.Get(annotationsPath(open.ID)+"?page=1", &got)
			if len(got.Annotations) != 1 || got.Annotations[0].Rev != 1 {
				t.Errorf("the refused %s was written: %+v", tc.name, got.Annotations)
			}
		})
	}
}
