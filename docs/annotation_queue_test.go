package docs_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// A create is checked when it comes and again when it is written. Each
// case queues a shared stroke (its grant read before the change), makes
// the change, then lets the batch go with a private stroke of the chair,
// which is still allowed: the queued stroke gets what it would have got
// after the change, and nothing of it is stored.
func TestQueuedCreateAfterAccessChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		for _, tc := range []struct {
			name   string
			author func(r *annRoom) *apptest.Client
			change func(r *annRoom)
			want   int
		}{
			// "A closed meeting's shared record does not change" (mayShare).
			{"meeting closed", func(r *annRoom) *apptest.Client { return r.c.Delegate },
				func(r *annRoom) { r.c.SetStatus(r.m, "closed") }, http.StatusConflict},
			// 404, as for anyone outside the meeting.
			{"author removed", func(r *annRoom) *apptest.Client { return r.other },
				func(r *annRoom) {
					r.c.Secretary.Must(http.StatusNoContent, "DELETE", "/api/v1/meetings/"+r.m+"/participants/"+r.other.UserID, nil)
				}, http.StatusNotFound},
			// Observers annotate privately only.
			{"author made observer", func(r *annRoom) *apptest.Client { return r.other },
				func(r *annRoom) {
					r.c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+r.m+"/participants/"+r.other.UserID, map[string]any{"role": "observer"})
				}, http.StatusForbidden},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := newAnnRoom(t, b)
				s := r.s.App.Docs
				r.c.SetStatus(r.m, "scheduled", "live")
				path := annotationsPath(r.open.ID)
				docs.GatherNext(s, 2)
				late := make(chan int, 1)
				go func() { late <- tc.author(r).Do("POST", path, ink("late", 1, true)).Status }()
				waitQueued(t, s, 1)

				tc.change(r)
				release := make(chan int, 1)
				go func() { release <- r.c.Chair.Do("POST", path, ink("release", 1, false)).Status }()
				st, rel := <-late, <-release
				if rel != http.StatusCreated {
					t.Fatalf("the chair's private stroke after the change: %d", rel)
				}
				ids, _ := seen(t, r.c.Secretary, r.open.ID)
				if st != tc.want || slices.Contains(ids, "late") {
					t.Errorf("the queued shared stroke: status %d (want %d), stored %v", st, tc.want, ids)
				}
			})
		}
	})
}
