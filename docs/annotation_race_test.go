package docs_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// waitQueued waits until n annotation creates are queued (the leader's
// own job counts: it waits in the gate set by GatherNext).
func waitQueued(t *testing.T, s *docs.Service, n int) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); docs.QueuedAnnotationCreates(s) < n; {
		if time.Now().After(end) {
			t.Fatalf("%d creates never queued", n)
		}
		time.Sleep(time.Millisecond)
	}
}

// the grouping key of shared annotations is document + readers,
// not the audience. A request that read a document while it was open
// (readers: none) and one that read it after it became confidential with
// no readers (chair and secretary only) have the same key, so the second
// request's annotation goes out in the first one's event, to everyone.
// (Since creates are checked again when written, the first, a delegate
// who may no longer see the document, is refused: 404, nothing stored.)
func TestAnnounceOpenThenConfidentialNoReaders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		s := r.s.App.Docs
		path := annotationsPath(r.open.ID)
		docs.GatherNext(s, 2)
		first := make(chan int, 1)
		go func() { first <- r.c.Delegate.Do("POST", path, ink("while-open", 1, true)).Status }()
		waitQueued(t, s, 1) // read the document as open, waiting in the gate

		r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+r.open.ID, map[string]any{"confidential": true})
		second := make(chan int, 1)
		go func() { second <- r.c.Chair.Do("POST", path, ink("while-conf", 2, true)).Status }()
		if a, b := <-first, <-second; a != http.StatusNotFound || b != http.StatusCreated {
			t.Fatalf("posts: %d %d, want 404 (no longer a reader) and 201", a, b)
		}
		if ids, _ := seen(t, r.c.Chair, r.open.ID); slices.Contains(ids, "while-open") {
			t.Errorf("the refused stroke was stored: %v", ids)
		}
		for _, e := range apptest.Drain(r.rec) {
			if e.Type == "annotations.created" && createdIDs([]event.Event{e})["while-open"] > 0 {
				t.Errorf("the refused stroke was announced to %v", e.Audience)
			}
			if e.Type != "annotations.created" || createdIDs([]event.Event{e})["while-conf"] == 0 {
				continue
			}
			for who, c := range map[string]*apptest.Client{"observer": r.c.Observer, "delegate": r.c.Delegate, "other": r.other} {
				if e.Visible(c.UserID) {
					t.Errorf("%s (not a reader of the now confidential document) is in the audience of while-conf: %v", who, e.Audience)
				}
			}
		}
	})
}

// the audience of shared creates is computed from the readers the
// request read before it queued. A reader taken off the list while the
// create waits for its batch gets document.removed and then, after it,
// the annotations.created of that document.
func TestAnnounceAfterAccessRemoved(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		s := r.s.App.Docs
		docs.GatherNext(s, 2)
		first := make(chan int, 1)
		go func() { first <- r.c.Delegate.Do("POST", annotationsPath(r.conf.ID), ink("stale", 1, true)).Status }()
		waitQueued(t, s, 1)

		r.c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/documents/"+r.conf.ID+"/access", map[string]any{"user_ids": []string{r.c.Delegate.UserID}})
		second := make(chan int, 1)
		go func() { second <- r.c.Delegate.Do("POST", annotationsPath(r.open.ID), ink("release", 1, false)).Status }()
		if a, b := <-first, <-second; a != http.StatusCreated || b != http.StatusCreated {
			t.Fatalf("posts: %d %d", a, b)
		}
		removed := false
		for _, e := range apptest.Drain(r.rec) {
			switch {
			case e.Type == "document.removed" && e.Visible(r.other.UserID):
				removed = true
			case e.Type == "annotations.created" && removed && e.Visible(r.other.UserID) && createdIDs([]event.Event{e})["stale"] > 0:
				t.Errorf("a former reader gets the confidential document's annotation after document.removed: audience %v", e.Audience)
			}
		}
		if !removed {
			t.Fatal("no document.removed for the former reader")
		}
	})
}

// holdingPublisher records events, and holds the Publish of an
// annotations.created that carries the annotation id hold until release
// is closed.
type holdingPublisher struct {
	rec     *event.Recorder
	hold    string
	held    chan struct{}
	release chan struct{}
}

func (p *holdingPublisher) Publish(ctx context.Context, evs ...event.Event) {
	for _, e := range evs {
		if e.Type == "annotations.created" && createdIDs([]event.Event{e})[p.hold] > 0 {
			close(p.held)
			<-p.release
		}
	}
	p.rec.Publish(ctx, evs...)
}

// A batch keeps the lead until it is announced: while one announcement
// is slow (a busy hub), the next create waits in the queue, unwritten.
// And a chair who reads an annotation whose announcement is under way (a
// page load, a resync) and removes it gets annotation.deleted out after
// the annotations.created, never before: a tablet that saw the deletion
// drops a late creation (events.ts remembers deleted ids), but one that
// loaded the page in between would show a removed annotation until it
// reloads.
func TestAnnounceCreatedAfterDeleted(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(1000)
		pub := &holdingPublisher{rec: rec, hold: "victim", held: make(chan struct{}), release: make(chan struct{})}
		s := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := s.NewCast("u")
		r := &room{s: s, c: c, m: c.Meeting("Kỳ họp"), rec: rec}
		open := r.mustUpload(t, "open.pdf", testpdf.Pages(2, "open"), nil)
		path := annotationsPath(open.ID)

		first := make(chan int, 1)
		go func() { first <- c.Delegate.Do("POST", path, ink("victim", 1, true)).Status }()
		<-pub.held // written; its announcement is held
		if ids, _ := seen(t, c.Chair, open.ID); !slices.Contains(ids, "victim") {
			t.Fatalf("the chair does not see the written annotation: %v", ids)
		}
		second := make(chan int, 1)
		go func() { second <- c.Delegate.Do("POST", path, ink("next", 1, true)).Status }()
		waitQueued(t, s.App.Docs, 1)
		time.Sleep(50 * time.Millisecond)
		if ids, _ := seen(t, c.Chair, open.ID); slices.Contains(ids, "next") || docs.QueuedAnnotationCreates(s.App.Docs) != 1 {
			t.Fatalf("the next batch was written while the one before it was announced: %v", ids)
		}
		deleted := make(chan int, 1)
		go func() { deleted <- c.Chair.Do("DELETE", "/api/v1/annotations/victim", nil).Status }()
		time.Sleep(50 * time.Millisecond) // the delete is under way while the announcement is held
		close(pub.release)
		if a, b, d := <-first, <-second, <-deleted; a != http.StatusCreated || b != http.StatusCreated || d != http.StatusNoContent {
			t.Fatalf("posts: %d %d, delete: %d", a, b, d)
		}
		var order []string
		for _, e := range apptest.Drain(rec) {
			switch {
			case e.Type == "annotation.deleted":
				order = append(order, "deleted")
			case e.Type == "annotations.created" && createdIDs([]event.Event{e})["victim"] > 0:
				order = append(order, "created")
			case e.Type == "annotations.created" && createdIDs([]event.Event{e})["next"] > 0:
				order = append(order, "next")
			}
		}
		// The deletion waited for the announcement under way; "next" was
		// written after it, and may be announced before or after the
		// deletion.
		if !slices.Equal(order, []string{"created", "deleted", "next"}) && !slices.Equal(order, []string{"created", "next", "deleted"}) {
			t.Errorf("events in the order %v: want the creation, then the deletion and the next batch", order)
		}
	})
}
