package agenda_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
	"github.com/curia/curia/internal/web"
)

// slowBlobs is docs.FileBlobs whose Put waits until released: a large PDF
// being fsynced, a slow disk, another upload of the same file holding the
// blob's advisory lock.
type slowBlobs struct {
	docs.FileBlobs
	in      chan struct{}
	release chan struct{}
}

func (b slowBlobs) Put(ctx context.Context, sum, src string) error {
	b.in <- struct{}{}
	<-b.release
	return b.FileBlobs.Put(ctx, sum, src)
}

// TestUploadDoesNotHoldTheMeeting: an upload filed under an agenda item
// stores its file (fsync and rename, which may take a while) inside its
// transaction. If it locked the item first, a delete of that item, which
// holds the meeting row FOR UPDATE, would wait for the file copy, and so
// would every other write in the meeting (a poll created here; likewise
// votes, page turns, check-ins). The item is locked after the file is
// stored: the delete goes through at once, the poll too, and the upload
// then finds its item gone (422), leaving nothing behind.
//
// PostgreSQL only: on SQLite the upload's transaction holds the
// database's one write lock for its whole length anyway.
func TestUploadDoesNotHoldTheMeeting(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		if b.Name != "postgres" {
			t.Skip("row locks: PostgreSQL only")
		}
		srv, cast := apptest.StartCast(t, b)
		sec := cast.Secretary
		m := cast.Meeting("Upload under an item")
		it := addItem(sec, m, "Tờ trình", "")
		actor := web.Actor{UserID: sec.UserID}

		blobs := slowBlobs{FileBlobs: docs.FileBlobs{Dir: t.TempDir()}, in: make(chan struct{}, 1), release: make(chan struct{})}
		released := false
		release := func() {
			if !released {
				released = true
				close(blobs.release)
			}
		}
		defer release()
		documents := docs.NewService(srv.App.DB, docs.Config{DataDir: t.TempDir(), Meetings: srv.App.Meetings,
			Agenda: srv.App.Agenda, PDF: srv.App.PDF, Blobs: blobs})
		st, err := documents.Stage(bytes.NewReader(testpdf.Pages(1, "slow")), "to-trinh.pdf")
		if err != nil {
			t.Fatal(err)
		}
		added := make(chan error, 1)
		go func() {
			_, err := documents.Add(context.Background(), actor, m, docs.NewDocument{Title: "Tờ trình", AgendaItemID: it}, st)
			added <- err
		}()
		<-blobs.in // the upload's transaction is storing the file

		within := func(what string, do func() apptest.Response, want int) {
			t.Helper()
			done := make(chan apptest.Response, 1)
			go func() { done <- do() }()
			select {
			case r := <-done:
				r.Check(t, what, want)
			case <-time.After(3 * time.Second):
				t.Errorf("%s waited for another user's upload to store its file", what)
				release()
				<-done
			}
		}
		within("delete the item", func() apptest.Response { return sec.Do("DELETE", "/api/v1/agenda-items/"+it, nil) }, noContent)
		within("create a poll", func() apptest.Response {
			return sec.Do("POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Thông qua"})
		}, created)
		release()
		if err := <-added; !apperr.Is(err, apperr.Unprocessable) {
			t.Errorf("the upload under the deleted item: %v, want Unprocessable", err)
		}
		var n int64
		if err := srv.App.DB.Gorm.Table("documents").Where("meeting_id = ?", m).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%d documents left in the meeting (%v)", n, err)
		}
	})
}
