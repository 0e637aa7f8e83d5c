package docs_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/testdb"
)

// A create is checked when it comes and again when it is written: one
// that waits in the group-commit queue while the meeting closes is
// refused then ("a closed meeting's shared record does not change",
// mayShare), with nothing stored; a private one still goes in.
func TestQueuedShareAfterClose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		s := r.s.App.Docs
		r.c.SetStatus(r.m, "scheduled", "live")
		path := annotationsPath(r.open.ID)
		docs.GatherNext(s, 2)
		late := make(chan int, 1)
		go func() { late <- r.c.Delegate.Do("POST", path, ink("late", 1, true)).Status }()
		waitQueued(t, s, 1) // its grant read with the meeting live; waiting for its batch

		r.c.SetStatus(r.m, "closed")
		release := make(chan int, 1) // a private stroke: allowed in a closed meeting; fills the gate
		go func() { release <- r.c.Chair.Do("POST", path, ink("release", 1, false)).Status }()
		st, rel := <-late, <-release
		if rel != http.StatusCreated {
			t.Fatalf("private stroke after the close: %d", rel)
		}
		ids, _ := seen(t, r.c.Secretary, r.open.ID)
		if st != http.StatusConflict || slices.Contains(ids, "late") {
			t.Errorf("a shared stroke was written after the meeting closed: status %d (want 409), stored %v", st, ids)
		}
	})
}

// The same for a delegate removed from the meeting while their stroke
// waits in the queue: 404, as for anyone outside the meeting.
func TestQueuedCreateAfterRemoval(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		s := r.s.App.Docs
		path := annotationsPath(r.open.ID)
		docs.GatherNext(s, 2)
		late := make(chan int, 1)
		go func() { late <- r.other.Do("POST", path, ink("removed", 1, true)).Status }()
		waitQueued(t, s, 1)

		r.c.Secretary.Must(http.StatusNoContent, "DELETE", "/api/v1/meetings/"+r.m+"/participants/"+r.other.UserID, nil)
		release := make(chan int, 1)
		go func() { release <- r.c.Chair.Do("POST", path, ink("release", 1, false)).Status }()
		st, rel := <-late, <-release
		if rel != http.StatusCreated {
			t.Fatalf("release stroke: %d", rel)
		}
		ids, _ := seen(t, r.c.Secretary, r.open.ID)
		if st != http.StatusNotFound || slices.Contains(ids, "removed") {
			t.Errorf("a removed participant's stroke was written after the removal: status %d (want 404), stored %v", st, ids)
		}
	})
}
