package presentation_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/audit"
	docpkg "github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/presentation"
)

type reviewUsers struct{}

func (reviewUsers) UsersByIDs(_ context.Context, ids []string) ([]account.User, error) {
	out := make([]account.User, len(ids))
	for i, id := range ids {
		out[i] = account.User{ID: id, Username: id, FullName: id}
	}
	return out, nil
}

type reviewNoAgenda struct{}

func (reviewNoAgenda) CurrentPresenter(context.Context, string) (string, error) { return "", nil }

// reviewDocs is one open ten-page document of one meeting, which can be
// deleted. afterRead, when set, runs once inside Pages after the document
// was found: what another request does between the presentation's check
// of the document and its write.
type reviewDocs struct {
	meetingID string
	docID     string
	gone      atomic.Bool
	mu        sync.Mutex
	afterRead func()
}

func (d *reviewDocs) Pages(_ context.Context, _ web.Actor, docID string, _ int) (string, int, int, string, error) {
	if docID != d.docID || d.gone.Load() {
		return "", 0, 0, "", apperr.NotFoundf("document not found")
	}
	d.mu.Lock()
	fn := d.afterRead
	d.afterRead = nil
	d.mu.Unlock()
	if fn != nil {
		fn()
	}
	return d.meetingID, 1, 10, "", nil
}

func (d *reviewDocs) AuditTitle(context.Context, string) (string, error) { return "", nil }

func (d *reviewDocs) Audience(_ context.Context, docID string) ([]string, error) {
	if docID != d.docID || d.gone.Load() {
		return nil, apperr.NotFoundf("document not found")
	}
	return nil, nil
}

// TestReviewPresentationTurnRacingDeleteShowsDeletedDocument: the chair
// turns to page 2 of the document shown while the secretary deletes it.
// Set checks the document (it is there), then the delete commits and its
// change hook stops the presentation (DocumentChanged), then Set stores
// page 2 of the deleted document: the stop is undone, the room is left
// "showing" a document that no longer exists (hidden from everyone, since
// its audience cannot be read), and the audit log says it was shown again
// after it was deleted. Set checks the document outside the meeting's
// turn order that DocumentChanged takes part in; a document deleted
// before the turn is stored must end up not shown.
func TestReviewPresentationTurnRacingDeleteShowsDeletedDocument(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration(), meeting.Migration(), presentation.Migration())
		ms := meeting.NewService(db, meeting.Config{Users: reviewUsers{}})
		ctx := context.Background()
		sec, chair := web.Actor{UserID: "sec"}, web.Actor{UserID: "chair"}
		m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Phiên họp"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ms.PutParticipant(ctx, sec, m.ID, chair.UserID, meeting.ParticipantInput{Role: "chair"}); err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{"scheduled", "live"} {
			if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
				t.Fatal(err)
			}
		}
		docs := &reviewDocs{meetingID: m.ID, docID: "doc-1"}
		svc := presentation.NewService(db, presentation.Config{Meetings: ms, Agenda: reviewNoAgenda{}, Documents: docs,
			Publisher: event.NewRecorder(1000), Coalesce: time.Millisecond})
		t.Cleanup(svc.Close)
		doc := docs.docID
		if _, err := svc.Set(ctx, chair, m.ID, presentation.Input{DocumentID: &doc, Page: 1}); err != nil {
			t.Fatal(err)
		}

		deleted := make(chan struct{})
		docs.afterRead = func() {
			// The secretary's delete commits now; docs then tells the
			// presentation (docs.Service.Delete → DocumentChanged).
			docs.gone.Store(true)
			go func() {
				svc.DocumentChanged(ctx, sec, docpkg.Change{MeetingID: m.ID, DocumentID: doc, Deleted: true})
				close(deleted)
			}()
			select { // it runs now, unless it waits for this turn
			case <-deleted:
			case <-time.After(300 * time.Millisecond):
			}
		}
		_, err = svc.Set(ctx, chair, m.ID, presentation.Input{DocumentID: &doc, Page: 2})
		<-deleted
		st, gerr := svc.Get(ctx, chair, m.ID)
		if gerr != nil {
			t.Fatal(gerr)
		}
		if st.DocumentID != nil || st.Hidden {
			t.Errorf("after the document was deleted (turn answered %v), the room is shown %+v, want nothing", err, st)
		}
	})
}

// TestReviewPresentationObserverPresenterDrivesTheRoom: the presenter of
// the current agenda item is made an observer ("sees, but does not vote or
// speak", DESIGN.md). The role change takes them off every speaker list
// (agenda.ParticipantLeft), and removing them and adding them back as an
// observer takes them off as presenter (agenda.LeaveHook, "would
// otherwise regain a presenter's rights"); but made an observer in place
// they keep turning the page for everyone.
func TestReviewPresentationObserverPresenterDrivesTheRoom(t *testing.T) {
	f := setup(t, testdb.Backends()[0])
	path := "/api/v1/meetings/" + f.m + "/presentation"
	f.presenter.Must(200, "PUT", path, map[string]any{"document_id": f.doc.ID, "page": 1})
	f.c.Secretary.Must(200, "PUT", "/api/v1/meetings/"+f.m+"/participants/"+f.presenter.UserID, map[string]any{"role": "observer"})
	res := f.presenter.Do("PUT", path, map[string]any{"document_id": f.doc.ID, "page": 4})
	if res.Status != 403 {
		t.Errorf("the presenter made an observer turns the page: %d %s, want 403", res.Status, res.Body)
	}
}
