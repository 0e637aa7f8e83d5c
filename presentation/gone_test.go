package presentation_test

import (
	"slices"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
	"github.com/curia/curia/presentation"
)

// presentations is the presentation.changed events among evs.
func presentations(evs []event.Event) []event.Event {
	return slices.DeleteFunc(evs, func(e event.Event) bool { return e.Type != "presentation.changed" })
}

// A document deleted while it is shown stops being shown: stored (a tablet
// that connects later sees nothing shown), announced to everyone, and
// audited as presentation.stopped by whoever deleted it, with the reason.
// Deleting another document leaves the presentation alone.
func TestDeletedDocumentStopsBeingShown(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := setup(t, b)
		path := "/api/v1/meetings/" + f.m + "/presentation"
		var other struct{ ID string }
		f.c.Secretary.Upload("/api/v1/meetings/"+f.m+"/documents", "khac.pdf", testpdf.Pages(2, "other"), nil).JSON(&other)
		f.c.Chair.Must(200, "PUT", path, map[string]any{"document_id": f.doc.ID, "page": 3})
		time.Sleep(100 * time.Millisecond)
		apptest.Drain(f.rec)

		f.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+other.ID, nil)
		time.Sleep(100 * time.Millisecond)
		if evs := presentations(apptest.Drain(f.rec)); len(evs) != 0 {
			t.Fatalf("deleting a document not shown announced %d presentation changes", len(evs))
		}

		f.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+f.doc.ID, nil)
		time.Sleep(100 * time.Millisecond)
		evs := presentations(apptest.Drain(f.rec))
		if len(evs) != 1 {
			t.Fatalf("deleting the document shown: %d presentation events, want 1", len(evs))
		}
		if st := evs[0].Data.(presentation.State); st.DocumentID != nil || st.Hidden || !evs[0].Visible(f.c.Delegate.UserID) {
			t.Errorf("the event after the delete: %+v (audience %v), want nothing shown, to everyone", st, evs[0].Audience)
		}
		var st presentation.State
		f.c.Delegate.Get(path, &st)
		if st.DocumentID != nil || st.Hidden || st.Page != 0 {
			t.Errorf("the stored state after the delete: %+v, want nothing shown", st)
		}
		var log struct {
			Entries []struct {
				ActorID string         `json:"actor_id"`
				Action  string         `json:"action"`
				Object  string         `json:"object"`
				Detail  map[string]any `json:"detail"`
			}
		}
		f.c.Admin.Get("/api/v1/audit?meeting_id="+f.m+"&action=presentation.stopped", &log)
		if len(log.Entries) != 1 || log.Entries[0].ActorID != f.c.Secretary.UserID || log.Entries[0].Object != "document:"+f.doc.ID ||
			log.Entries[0].Detail["reason"] != "document deleted" {
			t.Errorf("presentation.stopped entries: %+v", log.Entries)
		}
	})
}

// A document made confidential while it is shown is hidden at once from
// whoever may no longer see it, not at the next page turn; its readers go
// on seeing the page.
func TestDocumentMadeConfidentialIsHiddenAtOnce(t *testing.T) {
	f := setup(t, testdb.Backends()[0])
	path := "/api/v1/meetings/" + f.m + "/presentation"
	f.c.Chair.Must(200, "PUT", path, map[string]any{"document_id": f.doc.ID, "page": 4})
	time.Sleep(100 * time.Millisecond)
	apptest.Drain(f.rec)
	f.c.Secretary.Must(200, "PATCH", "/api/v1/documents/"+f.doc.ID, map[string]any{"confidential": true})
	time.Sleep(100 * time.Millisecond)
	evs := presentations(apptest.Drain(f.rec))
	if len(evs) != 2 {
		t.Fatalf("%d presentation events after the change, want a full one for the readers and a hidden one", len(evs))
	}
	full, hidden := evs[0], evs[1]
	if st := full.Data.(presentation.State); st.DocumentID == nil || st.Page != 4 || !full.Visible(f.c.Chair.UserID) || full.Visible(f.c.Delegate.UserID) {
		t.Errorf("the readers' event: %+v", full)
	}
	if st := hidden.Data.(presentation.State); !st.Hidden || st.DocumentID != nil || !hidden.Visible(f.c.Delegate.UserID) {
		t.Errorf("the others' event: %+v", hidden)
	}
}
