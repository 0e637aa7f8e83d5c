package docs_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// A participant removed from the meeting is taken off the access lists of
// its documents (audited as document.reader_dropped): the list the
// secretary is shown names only participants, and the user, added back
// later in any role, must be given the confidential document again. A
// change of role keeps the access list as it is.
func TestRemovedParticipantLeavesAccessLists(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		reader := r.s.SignIn(r.s.CreateUser("reader", "Người đọc", false))
		part := "/api/v1/meetings/" + r.m + "/participants/" + reader.UserID
		r.c.Secretary.Must(http.StatusCreated, "PUT", part, map[string]any{"role": "delegate"})
		d := r.mustUpload(t, "mat.pdf", testpdf.Pages(2, "mat"), map[string]string{"confidential": "true", "reader_ids": reader.UserID})
		open := r.mustUpload(t, "open.pdf", testpdf.Pages(1, "open"), nil)
		r.c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/documents/"+open.ID+"/access", map[string]any{"user_ids": []string{reader.UserID}})
		file := "/api/v1/documents/" + d.ID + "/file"
		readers := func(id string) []string {
			var got struct{ Readers []string }
			r.c.Secretary.Get("/api/v1/documents/"+id, &got)
			return got.Readers
		}

		// A change of role keeps the access lists.
		r.c.Secretary.Must(http.StatusOK, "PUT", part, map[string]any{"role": "observer"})
		if st := reader.Do("GET", file, nil).Status; st != http.StatusOK {
			t.Fatalf("the reader made observer: %d", st)
		}
		if got := readers(d.ID); len(got) != 1 || got[0] != reader.UserID {
			t.Fatalf("a change of role changed the access list: %v", got)
		}

		r.c.Secretary.Must(http.StatusNoContent, "DELETE", part, nil)
		if got := readers(d.ID); len(got) > 0 {
			t.Errorf("the access list still names %v, who left the meeting", got)
		}
		r.c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+open.ID, map[string]any{"confidential": true})
		if got := readers(open.ID); len(got) > 0 {
			t.Errorf("the access list of the open document still names %v, who left the meeting", got)
		}
		var entries struct{ Entries []struct{ Object string } }
		r.c.Admin.Get("/api/v1/audit?action=document.reader_dropped&meeting_id="+r.m, &entries)
		if len(entries.Entries) != 2 {
			t.Errorf("want one document.reader_dropped entry for each of the 2 lists, got %+v", entries.Entries)
		}

		r.c.Secretary.Must(http.StatusCreated, "PUT", part, map[string]any{"role": "observer"})
		if st := reader.Do("GET", file, nil).Status; st != http.StatusNotFound {
			t.Errorf("removed from the meeting and added back as an observer, the former reader is served the confidential document: %d", st)
		}
		// Given the document again, they read it; a change of role (which
		// tells docs too, after its commit) keeps it.
		r.c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/documents/"+d.ID+"/access", map[string]any{"user_ids": []string{reader.UserID}})
		r.c.Secretary.Must(http.StatusOK, "PUT", part, map[string]any{"role": "delegate"})
		if st := reader.Do("GET", file, nil).Status; st != http.StatusOK {
			t.Errorf("given the document again: %d", st)
		}
	})
}

// A reader row left for someone who does not take part in the meeting (a
// removal whose cleanup failed) gives them nothing, an administrator
// included, who otherwise may see the meeting.
func TestLeftoverReaderRowGivesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		d := r.mustUpload(t, "mat.pdf", testpdf.Pages(1, "mat"), map[string]string{"confidential": "true"})
		err := r.s.App.DB.Gorm.Exec("INSERT INTO document_readers (document_id, user_id) VALUES (?, ?)", d.ID, r.c.Admin.UserID).Error
		if err != nil {
			t.Fatal(err)
		}
		r.s.App.Docs.MeetingAccessChanged(t.Context(), r.m)
		for _, path := range []string{"", "/file"} {
			if st := r.c.Admin.Do("GET", "/api/v1/documents/"+d.ID+path, nil).Status; st != http.StatusNotFound {
				t.Errorf("GET %s by an admin outside the meeting with a leftover reader row: %d, want 404", path, st)
			}
		}
		var list struct{ Documents []struct{ ID string } }
		r.c.Admin.Get("/api/v1/meetings/"+r.m+"/documents", &list)
		if len(list.Documents) != 0 {
			t.Errorf("listed to the admin: %+v", list.Documents)
		}
		_ = apptest.Drain(r.rec)
	})
}

// The access lists lose a removed participant in the transaction that
// removes them: a hook registered after docs' sees, inside that
// transaction, no reader row left; and when the removal fails after it
// (here, that hook refuses), the participant and their reader rows both
// stay, as if nothing had happened. So no moment exists in which someone
// has left the meeting but is still on a list, and a participant added
// back at once cannot find their old access.
func TestRemovalDropsReadersInItsTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		reader := r.s.SignIn(r.s.CreateUser("reader", "Người đọc", false))
		part := "/api/v1/meetings/" + r.m + "/participants/" + reader.UserID
		r.c.Secretary.Must(http.StatusCreated, "PUT", part, map[string]any{"role": "delegate"})
		d := r.mustUpload(t, "mat.pdf", testpdf.Pages(1, "mat"), map[string]string{"confidential": "true", "reader_ids": reader.UserID})

		var refuse atomic.Bool
		var inTx atomic.Int64
		inTx.Store(-1)
		r.s.App.Meetings.AddLeaveHook(func(ctx context.Context, tx *gorm.DB, meetingID, userID string) error {
			var n int64
			if err := tx.Table("document_readers").Where("user_id = ?", userID).Count(&n).Error; err != nil {
				return err
			}
			inTx.Store(n)
			if refuse.Load() {
				return apperr.Conflictf("not now")
			}
			return nil
		})

		refuse.Store(true)
		r.c.Secretary.Do("DELETE", part, nil).Check(t, "a removal a hook refuses", http.StatusConflict, "not now")
		if n := inTx.Load(); n != 0 {
			t.Errorf("inside the removal's transaction %d reader rows were left", n)
		}
		if st := reader.Do("GET", "/api/v1/documents/"+d.ID+"/file", nil).Status; st != http.StatusOK {
			t.Errorf("after a removal that was undone, the reader is refused their document: %d", st)
		}
		var entries struct{ Entries []struct{ Action string } }
		r.c.Admin.Get("/api/v1/audit?action=document.reader_dropped&meeting_id="+r.m, &entries)
		if len(entries.Entries) != 0 {
			t.Errorf("an undone removal left document.reader_dropped entries: %+v", entries.Entries)
		}

		refuse.Store(false)
		inTx.Store(-1)
		r.c.Secretary.Must(http.StatusNoContent, "DELETE", part, nil)
		if n := inTx.Load(); n != 0 {
			t.Errorf("inside the removal's transaction %d reader rows were left", n)
		}
		r.c.Secretary.Must(http.StatusCreated, "PUT", part, map[string]any{"role": "delegate"})
		if st := reader.Do("GET", "/api/v1/documents/"+d.ID+"/file", nil).Status; st != http.StatusNotFound {
			t.Errorf("removed and added back, the former reader is served the confidential document: %d", st)
		}
	})
}
