package agenda_test

import (
	"slices"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// TestDeleteKeepsTheRecord: an item on which someone has, or had, the
// floor is part of the meeting's record, and so is an item that a poll
// (here a draft) or a document names. Deleting it (or a parent above it) is a 409 that
// deletes nothing; items with only waiting or withdrawn speakers go, with
// those entries.
func TestDeleteKeepsTheRecord(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		sec, chair, del := cast.Secretary, cast.Chair, cast.Delegate
		m := cast.Meeting("Record")
		parent := addItem(sec, m, "Báo cáo", "")
		child := addItem(sec, m, "Phần một", parent)
		queued := addItem(sec, m, "Chờ", "")
		polled := addItem(sec, m, "Biểu quyết", "")
		filed := addItem(sec, m, "Tài liệu", "")
		cast.SetStatus(m, "scheduled", "live")
		item := func(id string) string { return "/api/v1/agenda-items/" + id }
		deletions := func() int {
			return count(cast.AuditActions(t, m), "agenda.item_deleted")
		}

		// Someone has the floor on a sub-item (current: the floor is given
		// on the current item only): neither it nor its parent goes.
		sp := enqueue(del, child, "speech", "")
		chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": child})
		chair.Must(ok, "POST", "/api/v1/speakers/"+sp+"/start", nil)
		sec.Do("DELETE", item(child), nil).Check(t, "delete an item whose speaker has the floor", conflict, "Phần một")
		sec.Do("DELETE", item(parent), nil).Check(t, "delete its parent", conflict, "Phần một")
		del.Do("POST", "/api/v1/speakers/"+sp+"/finish", nil).Check(t, "the speaker finishes", ok)
		// Once they have spoken, and the item is done, it is still on the record.
		chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": nil})
		sec.Do("DELETE", item(parent), nil).Check(t, "delete an item someone spoke on", conflict, "Phần một")
		if q := readQueues(chair, child); len(q.History) != 1 || q.History[0].ID != sp {
			t.Errorf("history after refused deletes: %+v", q)
		}

		// A poll names the item.
		var p struct {
			ID           string  `json:"id"`
			AgendaItemID *string `json:"agenda_item_id"`
		}
		sec.Must(created, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Thông qua", "agenda_item_id": polled}).JSON(&p)
		sec.Do("DELETE", item(polled), nil).Check(t, "delete an item with a draft poll", conflict, "Thông qua", "cancel it first")
		sec.Get("/api/v1/polls/"+p.ID, &p)
		if p.AgendaItemID == nil || *p.AgendaItemID != polled {
			t.Errorf("poll names item %v, want %s", p.AgendaItemID, polled)
		}

		// A document is filed under the item; once moved off it, the item goes.
		var doc struct{ ID string }
		res := sec.Upload("/api/v1/meetings/"+m+"/documents", "to-trinh.pdf", testpdf.Pages(1, "filed"),
			map[string]string{"title": "Tờ trình", "agenda_item_id": filed})
		res.Check(t, "upload", created)
		res.JSON(&doc)
		sec.Do("DELETE", item(filed), nil).Check(t, "delete an item with a document", conflict, "Tờ trình")
		if n := deletions(); n != 0 {
			t.Errorf("%d agenda.item_deleted entries after refused deletes", n)
		}
		if got := outline(readAgenda(sec, m).Items); len(got) != 5 {
			t.Fatalf("refused deletes changed the agenda: %v", got)
		}
		sec.Must(ok, "PATCH", "/api/v1/documents/"+doc.ID, map[string]any{"agenda_item_id": ""})
		sec.Must(noContent, "DELETE", item(filed), nil)

		// Waiting and withdrawn speakers go with their item.
		waiting, withdrawn := enqueue(del, queued, "speech", ""), enqueue(chair, queued, "question", "")
		chair.Must(ok, "POST", "/api/v1/speakers/"+withdrawn+"/cancel", nil)
		sec.Must(noContent, "DELETE", item(queued), nil)
		chair.Do("POST", "/api/v1/speakers/"+waiting+"/start", nil).Check(t, "start a speaker of a deleted item", notFound)
		if n := deletions(); n != 2 {
			t.Errorf("%d agenda.item_deleted entries, want 2", n)
		}
		if got, want := outline(readAgenda(sec, m).Items), []string{"1 Báo cáo", "1.1 Phần một", "2 Biểu quyết"}; !slices.Equal(got, want) {
			t.Errorf("agenda %v, want %v", got, want)
		}
	})
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestCancelledPollLetsGoOfItsItem: a poll prepared on the wrong item and
// cancelled before it opened took no vote: deleting the item detaches it
// (the poll stays, on no item). A poll that opened, even if cancelled
// later, keeps its item on the agenda. A delete that another guard
// refuses detaches nothing.
func TestCancelledPollLetsGoOfItsItem(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		sec, chair := cast.Secretary, cast.Chair
		m := cast.Meeting("Nhầm mục")
		wrong := addItem(sec, m, "Nhầm mục", "")
		held := addItem(sec, m, "Đã biểu quyết", "")
		filed := addItem(sec, m, "Có tài liệu", "")
		cast.SetStatus(m, "scheduled", "live")
		type poll struct {
			ID           string  `json:"id"`
			AgendaItemID *string `json:"agenda_item_id"`
		}
		newPoll := func(title, itemID string) poll {
			var p poll
			sec.Must(created, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": title, "agenda_item_id": itemID}).JSON(&p)
			return p
		}
		item := func(id string) string { return "/api/v1/agenda-items/" + id }

		mistaken := newPoll("Nhầm", wrong)
		sec.Must(ok, "POST", "/api/v1/polls/"+mistaken.ID+"/cancel", nil)
		sec.Must(noContent, "DELETE", item(wrong), nil)
		sec.Get("/api/v1/polls/"+mistaken.ID, &mistaken)
		if mistaken.AgendaItemID != nil {
			t.Errorf("the cancelled poll still names the deleted item %s", *mistaken.AgendaItemID)
		}

		voted := newPoll("Đã mở", held)
		chair.Must(ok, "POST", "/api/v1/polls/"+voted.ID+"/open", nil)
		chair.Must(ok, "POST", "/api/v1/polls/"+voted.ID+"/cancel", nil)
		sec.Do("DELETE", item(held), nil).Check(t, "delete an item whose poll opened", conflict, "Đã mở", "voted on")

		// A cancelled poll and a document on one item: the document's guard
		// refuses, and the poll keeps its item.
		both := newPoll("Cũng nhầm", filed)
		sec.Must(ok, "POST", "/api/v1/polls/"+both.ID+"/cancel", nil)
		sec.Upload("/api/v1/meetings/"+m+"/documents", "to-trinh.pdf", testpdf.Pages(1, "filed"),
			map[string]string{"title": "Tờ trình", "agenda_item_id": filed}).Check(t, "upload", created)
		sec.Do("DELETE", item(filed), nil).Check(t, "delete an item with a document", conflict, "Tờ trình")
		sec.Get("/api/v1/polls/"+both.ID, &both)
		if both.AgendaItemID == nil || *both.AgendaItemID != filed {
			t.Errorf("a refused delete detached the cancelled poll: item %v, want %s", both.AgendaItemID, filed)
		}
		if got, want := outline(readAgenda(sec, m).Items), []string{"1 Đã biểu quyết", "2 Có tài liệu"}; !slices.Equal(got, want) {
			t.Errorf("agenda %v, want %v", got, want)
		}
	})
}
