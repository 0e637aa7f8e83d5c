package agenda_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/vote"
)

// Filing a poll or a document under an agenda item races with deleting
// the item: the service checks that the item exists before its own
// transaction, and the delete's guards look for polls and documents in
// theirs. These tests put the delete in each gap and check that no poll
// or document ends up naming an item that is gone.

// dangling lists the polls and documents of meeting m that name an agenda
// item no longer on its agenda, as c sees them.
func dangling(t *testing.T, c *apptest.Client, m string) []string {
	t.Helper()
	items := map[string]bool{}
	var walk func([]item)
	walk = func(its []item) {
		for _, it := range its {
			items[it.ID] = true
			walk(it.Items)
		}
	}
	walk(readAgenda(c, m).Items)
	type named struct {
		ID           string  `json:"id"`
		Title        string  `json:"title"`
		AgendaItemID *string `json:"agenda_item_id"`
	}
	var polls struct{ Polls []named }
	c.Get("/api/v1/meetings/"+m+"/polls", &polls)
	var documents struct{ Documents []named }
	c.Get("/api/v1/meetings/"+m+"/documents", &documents)
	var out []string
	for what, list := range map[string][]named{"poll": polls.Polls, "document": documents.Documents} {
		for _, n := range list {
			if n.AgendaItemID != nil && !items[*n.AgendaItemID] {
				out = append(out, fmt.Sprintf("%s %q names the deleted item %s", what, n.Title, *n.AgendaItemID))
			}
		}
	}
	return out
}

// deleteAfterCheck is the agenda as docs and vote see it, but the check
// that an armed item exists is followed at once by its deletion: the
// delete commits between the service's check and its transaction.
type deleteAfterCheck struct {
	*agenda.Service
	actor web.Actor

	mu      sync.Mutex
	armed   string
	deleted error // what the armed delete answered
	fired   bool
}

func (d *deleteAfterCheck) arm(itemID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.armed, d.fired, d.deleted = itemID, false, nil
}

func (d *deleteAfterCheck) MeetingOf(ctx context.Context, itemID string) (string, error) {
	m, err := d.Service.MeetingOf(ctx, itemID)
	d.mu.Lock()
	fire := err == nil && d.armed == itemID
	if fire {
		d.armed = ""
	}
	d.mu.Unlock()
	if fire {
		derr := d.DeleteItem(ctx, d.actor, itemID)
		d.mu.Lock()
		d.fired, d.deleted = true, derr
		d.mu.Unlock()
	}
	return m, err
}

// mustHaveDeleted fails t unless the armed item was checked and deleted.
func (d *deleteAfterCheck) mustHaveDeleted(t *testing.T, what string) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.fired || d.deleted != nil {
		t.Fatalf("%s: the item was not deleted after its check (checked %v, delete answered %v)", what, d.fired, d.deleted)
	}
}

// TestAttachChecksTheItemAgain: an item deleted after the service checked
// it, and before the poll or document is written, is refused in the
// writing transaction (422), on every way of filing something under an
// item: a new poll, a document moved under it, a document uploaded under
// it.
func TestAttachChecksTheItemAgain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv, cast := apptest.StartCast(t, b)
		sec := cast.Secretary
		m := cast.Meeting("Attach")
		actor := web.Actor{UserID: sec.UserID}
		hook := &deleteAfterCheck{Service: srv.App.Agenda, actor: actor}
		votes := vote.NewService(srv.App.DB, vote.Config{Meetings: srv.App.Meetings, Agenda: hook})
		t.Cleanup(votes.Close)
		documents := docs.NewService(srv.App.DB, docs.Config{DataDir: t.TempDir(), Meetings: srv.App.Meetings,
			Agenda: hook, PDF: srv.App.PDF})
		ctx := context.Background()
		refused := func(what string, err error) {
			t.Helper()
			hook.mustHaveDeleted(t, what)
			if apperr.KindOf(err) != apperr.Unprocessable {
				t.Errorf("%s under an item deleted after its check: %v, want Unprocessable", what, err)
			}
		}

		it := addItem(sec, m, "Biểu quyết", "")
		hook.arm(it)
		_, err := votes.CreatePoll(ctx, actor, m, vote.NewPoll{Title: "Thông qua", AgendaItemID: &it})
		refused("a new poll", err)

		var doc struct{ ID string }
		sec.Upload("/api/v1/meetings/"+m+"/documents", "to-trinh.pdf", testpdf.Pages(1, "moved"), nil).JSON(&doc)
		it = addItem(sec, m, "Tài liệu", "")
		hook.arm(it)
		_, err = documents.Update(ctx, actor, doc.ID, docs.Changes{AgendaItemID: &it})
		refused("a document moved", err)

		it = addItem(sec, m, "Tờ trình", "")
		st, err := documents.Stage(bytes.NewReader(testpdf.Pages(1, "uploaded")), "bao-cao.pdf")
		if err != nil {
			t.Fatal(err)
		}
		hook.arm(it)
		_, err = documents.Add(ctx, actor, m, docs.NewDocument{Title: "Báo cáo", AgendaItemID: it}, st)
		refused("a document uploaded", err)

		if d := dangling(t, sec, m); len(d) > 0 {
			t.Errorf("dangling links: %v", d)
		}
		if ag := readAgenda(sec, m); len(ag.Items) != 0 {
			t.Errorf("agenda %v, want every item deleted", outline(ag.Items))
		}
	})
}

// TestAttachWaitsForADelete: while a delete is under way (past its
// guards, not yet committed), a poll or a document filed under the item
// waits for it and is then refused; it never commits beside it.
func TestAttachWaitsForADelete(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv, cast := apptest.StartCast(t, b)
		sec := cast.Secretary
		m := cast.Meeting("Held delete")
		var doc struct{ ID string }
		sec.Upload("/api/v1/meetings/"+m+"/documents", "to-trinh.pdf", testpdf.Pages(1, "held"), nil).JSON(&doc)
		it := addItem(sec, m, "Biểu quyết", "")

		// The last guard holds the delete open, and tells on which connection.
		inGuard, release := make(chan int, 1), make(chan struct{})
		srv.App.Agenda.AddDeleteGuard(func(_ context.Context, tx *gorm.DB, _ string, ids []string) error {
			if len(ids) == 1 && ids[0] == it {
				inGuard <- backendPID(tx)
				<-release
			}
			return nil
		})
		deleted := make(chan apptest.Response, 1)
		go func() { deleted <- sec.Do("DELETE", "/api/v1/agenda-items/"+it, nil) }()
		pid := <-inGuard
		released := false
		defer func() {
			if !released {
				close(release)
			}
		}()

		attaches := []struct {
			name string
			do   func() apptest.Response
		}{
			{"a new poll", func() apptest.Response {
				return sec.Do("POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Thông qua", "agenda_item_id": it})
			}},
			{"a document moved", func() apptest.Response {
				return sec.Do("PATCH", "/api/v1/documents/"+doc.ID, map[string]any{"agenda_item_id": it})
			}},
			{"a document uploaded", func() apptest.Response {
				return sec.Upload("/api/v1/meetings/"+m+"/documents", "bao-cao.pdf", testpdf.Pages(1, "new"),
					map[string]string{"agenda_item_id": it})
			}},
		}
		results := make([]chan apptest.Response, len(attaches))
		for i, a := range attaches {
			results[i] = make(chan apptest.Response, 1)
			go func() { results[i] <- a.do() }()
		}
		// Two wait in the database: the move holds the documents'
		// visibility lock while it writes, and the upload waits for it there.
		waitBlockedBy(t, srv.App.DB.Gorm, pid, 2)
		close(release)
		released = true

		(<-deleted).Check(t, "the delete", noContent)
		for i, a := range attaches {
			(<-results[i]).Check(t, a.name+" while the item was being deleted", unprocessable, "agenda_item_id")
		}
		if d := dangling(t, sec, m); len(d) > 0 {
			t.Errorf("dangling links: %v", d)
		}
	})
}

// TestDeleteWaitsForAnAttach: a delete that comes while a transaction is
// filing a poll under the item (it holds the item as the stores do,
// agenda.LockItem) waits for its commit, and its guards then see the poll:
// 409, and the item stays.
func TestDeleteWaitsForAnAttach(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv, cast := apptest.StartCast(t, b)
		sec := cast.Secretary
		m := cast.Meeting("Held attach")
		it := addItem(sec, m, "Biểu quyết", "")
		var p struct{ ID string }
		sec.Must(created, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Thông qua"}).JSON(&p)

		tx := srv.App.DB.Gorm.Begin()
		defer tx.Rollback()
		if err := agenda.LockItem(tx, m, it); err != nil {
			t.Fatalf("lock the item: %v", err)
		}
		if err := tx.Exec("UPDATE vote_polls SET agenda_item_id = ? WHERE id = ?", it, p.ID).Error; err != nil {
			t.Fatal(err)
		}
		deleted := make(chan apptest.Response, 1)
		go func() { deleted <- sec.Do("DELETE", "/api/v1/agenda-items/"+it, nil) }()
		waitBlockedBy(t, srv.App.DB.Gorm, backendPID(tx), 1)
		if err := tx.Commit().Error; err != nil {
			t.Fatal(err)
		}
		(<-deleted).Check(t, "delete while a poll was being filed under the item", conflict, "Thông qua")
		if d := dangling(t, sec, m); len(d) > 0 {
			t.Errorf("dangling links: %v", d)
		}
		if ag := readAgenda(sec, m); len(ag.Items) != 1 {
			t.Errorf("agenda %v, want the item kept", outline(ag.Items))
		}
	})
}

// backendPID is the PostgreSQL server process of tx's connection; 0 on
// SQLite.
func backendPID(tx *gorm.DB) int {
	if tx.Dialector.Name() != "postgres" {
		return 0
	}
	var pid int
	_ = tx.Raw("SELECT pg_backend_pid()").Scan(&pid).Error
	return pid
}

// waitBlockedBy waits until n sessions wait for a lock that PostgreSQL
// session pid holds (up to 15 s, then the test fails). On SQLite, where
// the holder's immediate transaction makes every other writer queue,
// there is nothing to watch: it waits half a second, time enough for the
// requests to reach their transactions.
func waitBlockedBy(t *testing.T, db *gorm.DB, pid, n int) {
	t.Helper()
	if pid == 0 {
		time.Sleep(500 * time.Millisecond)
		return
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var blocked int
		err := db.Raw("SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))", pid).Scan(&blocked).Error
		if err != nil {
			t.Fatal(err)
		}
		if blocked >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d of %d sessions wait for the held transaction after 15 s", blocked, n)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
