package agenda_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// The edges of a session: what an adjournment and the close do to the
// floor and the queues, a PATCH that changes nothing, and the time spent
// on an item that is taken up again.

// TestSessionEdgesAdjournEndsTheTurn: adjourning the meeting ends the
// turn of whoever has the floor, as the close does: a turn has a fixed
// limit and no pause, so after an hour's break the speaker's clock would
// show an hour over. The turn ends in the adjourning transaction, audited
// as the adjourner's speaker.finished with the reason, and speakers.changed
// for its item comes before meeting.updated. The waiting entries and the
// current item stay for the resumed session; an adjournment with nobody
// speaking is the status change alone.
func TestSessionEdgesAdjournEndsTheTurn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Adjourn with the floor taken")
		a := addItem(cast.Secretary, m, "A", "")
		cast.SetStatus(m, "scheduled", "live")
		cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": a})
		sp := enqueue(cast.Delegate, a, "speech", "")
		next := enqueue(cast.Chair, a, "speech", "")
		asked := enqueue(cast.Delegate, a, "question", "")
		cast.Chair.Must(ok, "POST", "/api/v1/speakers/"+sp+"/start", map[string]any{"time_limit_sec": 120})

		before := auditCount(cast, m)
		apptest.Drain(rec)
		cast.SetStatus(m, "adjourned")

		q := readQueues(cast.Chair, a)
		if q.Active != nil || len(q.History) != 1 || q.History[0].ID != sp || q.History[0].Status != "done" {
			t.Errorf("after the adjournment the turn runs on: active %+v, history %+v", q.Active, q.History)
		}
		if len(q.Speeches) != 1 || q.Speeches[0].ID != next || len(q.Questions) != 1 || q.Questions[0].ID != asked {
			t.Errorf("the adjournment touched the waiting entries: speeches %+v, questions %+v", q.Speeches, q.Questions)
		}
		if ag := readAgenda(cast.Chair, m); ag.CurrentItemID == nil || *ag.CurrentItemID != a {
			t.Errorf("the adjournment ended the current item: %v", ag.CurrentItemID)
		}
		added := auditSince(cast, m, before)
		if got := actions(added); !slices.Equal(got, []string{"speaker.finished", "meeting.status"}) {
			t.Fatalf("the adjournment audited %v", got)
		}
		if e := added[0]; e.Object != "speaker:"+sp || e.ActorID != cast.Secretary.UserID ||
			!strings.Contains(fmt.Sprint(e.Detail["reason"]), "adjournment of the meeting") {
			t.Errorf("the turn's end is audited as %+v", e)
		}
		es := apptest.Drain(rec)
		if types := eventTypes(es); !slices.Equal(types, []string{"speakers.changed", "agenda.changed", "meeting.updated"}) {
			t.Fatalf("the adjournment published %v", types)
		}
		if q, isQ := es[0].Data.(agenda.Queues); !isQ || q.AgendaItemID != a || q.Active != nil ||
			len(q.History) != 1 || q.History[0].FinishedAt == nil || len(q.Speeches) != 1 || len(q.Questions) != 1 {
			t.Errorf("speakers.changed on adjournment: %#v", es[0].Data)
		}

		// The session resumes: the queue is still there and the next one speaks.
		cast.SetStatus(m, "live")
		cast.Chair.Must(ok, "POST", "/api/v1/speakers/"+next+"/start", nil)
		cast.Chair.Must(ok, "POST", "/api/v1/speakers/"+next+"/finish", nil)

		// Nobody speaking: the adjournment is the status change, and the
		// current item's clock stopping (agenda.changed), alone.
		before = auditCount(cast, m)
		apptest.Drain(rec)
		cast.SetStatus(m, "adjourned")
		if got := actions(auditSince(cast, m, before)); !slices.Equal(got, []string{"meeting.status"}) {
			t.Errorf("a quiet adjournment audited %v", got)
		}
		if types := eventTypes(apptest.Drain(rec)); !slices.Equal(types, []string{"agenda.changed", "meeting.updated"}) {
			t.Errorf("a quiet adjournment published %v", types)
		}
		if q := readQueues(cast.Chair, a); len(q.Questions) != 1 || q.Questions[0].ID != asked {
			t.Errorf("a quiet adjournment touched the queue: %+v", q.Questions)
		}
	})
}

// TestSessionEdgesCloseCancelsWaiting: the close takes every waiting
// entry off the lists (speeches and questions, on every item of the
// meeting, current or not), each audited as the closer's speaker.cancelled
// with the close's reason, in the closing transaction, and announces
// speakers.changed for each item whose queues changed (once each, the one
// whose turn ended included) before agenda.current and meeting.updated.
// A closed meeting shows no queue. It holds for a meeting closed from an
// adjournment, and for one with no item current.
func TestSessionEdgesCloseCancelsWaiting(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(200)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Close with queues")
		a, bb := addItem(cast.Secretary, m, "A", ""), addItem(cast.Secretary, m, "B", "")
		cast.SetStatus(m, "scheduled", "live")
		cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": a})
		sp := enqueue(cast.Delegate, a, "speech", "")
		waiting := []string{
			enqueue(cast.Chair, a, "speech", ""),
			enqueue(cast.Delegate, a, "question", ""),
			enqueue(cast.Delegate, bb, "speech", ""),
			enqueue(cast.Chair, bb, "question", cast.Delegate.UserID),
		}
		withdrawn := enqueue(cast.Chair, bb, "speech", "")
		cast.Chair.Must(ok, "POST", "/api/v1/speakers/"+withdrawn+"/cancel", nil)
		cast.Chair.Must(ok, "POST", "/api/v1/speakers/"+sp+"/start", nil)

		before := auditCount(cast, m)
		apptest.Drain(rec)
		cast.SetStatus(m, "closed")

		for _, it := range []string{a, bb} {
			q := readQueues(cast.Observer, it)
			if q.Active != nil || len(q.Speeches) != 0 || len(q.Questions) != 0 {
				t.Errorf("item %s of a closed meeting still shows a queue: %+v", it, q)
			}
		}
		history := map[string]string{}
		for _, it := range []string{a, bb} {
			for _, e := range readQueues(cast.Chair, it).History {
				history[e.ID] = e.Status
			}
		}
		want := map[string]string{sp: "done", withdrawn: "cancelled"}
		for _, id := range waiting {
			want[id] = "cancelled"
		}
		if fmt.Sprint(history) != fmt.Sprint(want) {
			t.Errorf("history after the close: %v, want %v", history, want)
		}

		added := auditSince(cast, m, before)
		got := actions(added)
		if !slices.Equal(got, []string{"speaker.finished", "speaker.cancelled", "speaker.cancelled",
			"speaker.cancelled", "speaker.cancelled", "agenda.current", "meeting.status"}) {
			t.Fatalf("the close audited %v", got)
		}
		var cancelled []string
		for _, e := range added[1:5] {
			cancelled = append(cancelled, strings.TrimPrefix(e.Object, "speaker:"))
			if e.ActorID != cast.Secretary.UserID || !strings.Contains(fmt.Sprint(e.Detail["reason"]), "close of the meeting") ||
				e.Detail["agenda_item_id"] == nil || e.Detail["user_id"] == nil {
				t.Errorf("a cancelled entry is audited as %+v", e)
			}
		}
		slices.Sort(cancelled)
		if w := slices.Sorted(slices.Values(waiting)); !slices.Equal(cancelled, w) {
			t.Errorf("the close audited the cancel of %v, want %v", cancelled, w)
		}

		es := apptest.Drain(rec)
		if types := eventTypes(es); !slices.Equal(types, []string{"speakers.changed", "speakers.changed", "agenda.current", "meeting.updated"}) {
			t.Fatalf("the close published %v", types)
		}
		var items []string
		for _, e := range es[:2] {
			q, isQ := e.Data.(agenda.Queues)
			if !isQ || q.Active != nil || len(q.Speeches) != 0 || len(q.Questions) != 0 {
				t.Errorf("speakers.changed on close: %#v", e.Data)
			}
			items = append(items, q.AgendaItemID)
		}
		if slices.Sort(items); !slices.Equal(items, slices.Sorted(slices.Values([]string{a, bb}))) {
			t.Errorf("speakers.changed on close for items %v, want A and B once each", items)
		}

		// Closed from an adjournment, with no item current: the queues go too.
		later := cast.Meeting("Close after a break")
		c := addItem(cast.Secretary, later, "C", "")
		cast.SetStatus(later, "scheduled", "live")
		queued := enqueue(cast.Delegate, c, "speech", "")
		cast.SetStatus(later, "adjourned")
		before = auditCount(cast, later)
		apptest.Drain(rec)
		cast.SetStatus(later, "closed")
		if q := readQueues(cast.Chair, c); len(q.Speeches) != 0 || len(q.History) != 1 || q.History[0].ID != queued || q.History[0].Status != "cancelled" {
			t.Errorf("queue of a meeting closed after a break: %+v", q)
		}
		if got := actions(auditSince(cast, later, before)); !slices.Equal(got, []string{"speaker.cancelled", "meeting.status"}) {
			t.Errorf("closing after a break audited %v", got)
		}
		if types := eventTypes(apptest.Drain(rec)); !slices.Equal(types, []string{"speakers.changed", "meeting.updated"}) {
			t.Errorf("closing after a break published %v", types)
		}
	})
}

// TestSessionEdgesNoOpPatchWritesNothing: a PATCH of an agenda item whose
// every value is the one the item has (parent_id naming its parent, a
// null presenter_id where there is none) writes nothing: no audit entry,
// no new updated_at, no agenda.changed; it answers 200 with the item as
// it is. A PATCH that changes one value among unchanged ones is still a
// change, and an empty PATCH is still refused.
func TestSessionEdgesNoOpPatchWritesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		srv, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Patch that changes nothing")
		parent := addItem(cast.Secretary, m, "Phần một", "")
		top := addItem(cast.Secretary, m, "Phần hai", "")
		var it item
		cast.Secretary.Must(created, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Báo cáo", "parent_id": parent,
			"duration_min": 15, "presenter_id": cast.Delegate.UserID, "description": "Mô tả"}).JSON(&it)
		cast.Chair.Must(ok, "PATCH", "/api/v1/agenda-items/"+it.ID, map[string]any{"conclusion": "Thông qua."})
		updatedAt := func(id string) string {
			t.Helper()
			var got []string
			if err := srv.App.DB.Gorm.Raw("SELECT CAST(updated_at AS TEXT) FROM agenda_items WHERE id = ?", id).Scan(&got).Error; err != nil || len(got) != 1 {
				t.Fatalf("read updated_at of %s: %v %v", id, got, err)
			}
			return got[0]
		}

		for _, tc := range []struct {
			name string
			id   string
			body map[string]any
		}{
			{"the same title", it.ID, map[string]any{"title": "Báo cáo"}},
			{"the same parent", it.ID, map[string]any{"parent_id": parent}},
			{"the same presenter", it.ID, map[string]any{"presenter_id": cast.Delegate.UserID}},
			{"the same duration", it.ID, map[string]any{"duration_min": 15}},
			{"the same description and conclusion", it.ID, map[string]any{"description": "Mô tả", "conclusion": "Thông qua."}},
			{"everything the same", it.ID, map[string]any{"title": "Báo cáo", "parent_id": parent, "duration_min": 15,
				"presenter_id": cast.Delegate.UserID, "description": "Mô tả", "conclusion": "Thông qua."}},
			{"top level stays top level", top, map[string]any{"parent_id": nil}},
			{"no presenter stays none", top, map[string]any{"presenter_id": nil, "title": "Phần hai"}},
		} {
			before, stamp := auditCount(cast, m), updatedAt(tc.id)
			apptest.Drain(rec)
			var got item
			cast.Secretary.Must(ok, "PATCH", "/api/v1/agenda-items/"+tc.id, tc.body).JSON(&got)
			if got.ID != tc.id || got.Number == "" || got.Title == "" {
				t.Errorf("%s: answered %+v, want the item as it is", tc.name, got)
			}
			if got := actions(auditSince(cast, m, before)); len(got) != 0 {
				t.Errorf("%s: audited %v", tc.name, got)
			}
			if types := eventTypes(apptest.Drain(rec)); len(types) != 0 {
				t.Errorf("%s: published %v", tc.name, types)
			}
			if now := updatedAt(tc.id); now != stamp {
				t.Errorf("%s: updated_at moved from %s to %s", tc.name, stamp, now)
			}
		}
		if ag := readAgenda(cast.Chair, m); !slices.Equal(outline(ag.Items), []string{"1 Phần một", "1.1 Báo cáo", "2 Phần hai"}) {
			t.Errorf("the agenda after PATCHes that change nothing: %v", outline(ag.Items))
		}

		// One value changed among the same ones: a change.
		before := auditCount(cast, m)
		apptest.Drain(rec)
		var got item
		cast.Secretary.Must(ok, "PATCH", "/api/v1/agenda-items/"+it.ID, map[string]any{"title": "Báo cáo", "duration_min": 20}).JSON(&got)
		if got.DurationMin != 20 {
			t.Errorf("a real change answered %+v", got)
		}
		if got := actions(auditSince(cast, m, before)); !slices.Equal(got, []string{"agenda.item_updated"}) {
			t.Errorf("a real change audited %v", got)
		}
		if types := eventTypes(apptest.Drain(rec)); !slices.Equal(types, []string{"agenda.changed"}) {
			t.Errorf("a real change published %v", types)
		}
		cast.Secretary.Do("PATCH", "/api/v1/agenda-items/"+it.ID, map[string]any{}).Check(t, "empty patch", invalid)
	})
}

// spentItem is an agenda item with its timing, as the API shows it.
type spentItem struct {
	ID              string      `json:"id"`
	Status          string      `json:"status"`
	BecameCurrentAt *time.Time  `json:"became_current_at"`
	SpentSec        *int        `json:"spent_sec"`
	Items           []spentItem `json:"items"`
}

// spentOf reads item id from the agenda as c sees it.
func spentOf(t *testing.T, c *apptest.Client, m, id string) spentItem {
	t.Helper()
	var ag struct{ Items []spentItem }
	c.Get("/api/v1/meetings/"+m+"/agenda", &ag)
	for len(ag.Items) > 0 {
		it := ag.Items[0]
		if it.ID == id {
			if it.SpentSec == nil {
				t.Fatalf("item %s has no spent_sec: %+v", id, it)
			}
			return it
		}
		ag.Items = append(ag.Items[1:], it.Items...)
	}
	t.Fatalf("no item %s in the agenda", id)
	return spentItem{}
}

// TestSessionEdgesItemKeepsSpentTime: an item taken up again keeps the
// time already spent on it. Each spell that ends (a change of the current
// item, the close) adds its seconds to the item's spent_sec; the item
// JSON, the agenda.current payload, the answer of PUT …/agenda/current
// and the live snapshot's current_item carry spent_sec, the seconds
// before the current spell, so that "time used" is spent_sec plus the
// time since became_current_at.
func TestSessionEdgesItemKeepsSpentTime(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		srv, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Taken up again")
		a, bb := addItem(cast.Secretary, m, "A", ""), addItem(cast.Secretary, m, "B", "")
		cast.SetStatus(m, "scheduled", "live")
		// backdate makes item id's current spell seem to have begun sec seconds ago.
		backdate := func(id string, sec int) {
			t.Helper()
			at := time.Now().UTC().Add(-time.Duration(sec) * time.Second).Truncate(time.Microsecond)
			if err := srv.App.DB.Gorm.Table("agenda_items").Where("id = ?", id).Update("became_current_at", at).Error; err != nil {
				t.Fatalf("backdate %s: %v", id, err)
			}
		}
		near := func(got, want int) bool { return got >= want && got <= want+2 }

		first := setCurrent(t, cast.Chair, m, a, ok)
		if got := spentOf(t, cast.Chair, m, a); *got.SpentSec != 0 || got.Status != "current" {
			t.Errorf("A first taken up: %+v", got)
		}
		backdate(a, 90)
		setCurrent(t, cast.Chair, m, bb, ok)
		if got := spentOf(t, cast.Chair, m, a); got.Status != "done" || !near(*got.SpentSec, 90) {
			t.Errorf("A done after 90 s: status %s, spent_sec %d", got.Status, *got.SpentSec)
		}

		apptest.Drain(rec)
		res := cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": a})
		var back struct {
			ItemID          *string    `json:"item_id"`
			BecameCurrentAt *time.Time `json:"became_current_at"`
			SpentSec        *int       `json:"spent_sec"`
		}
		res.JSON(&back)
		if back.SpentSec == nil || !near(*back.SpentSec, 90) || back.BecameCurrentAt == nil || !back.BecameCurrentAt.After(*first.BecameCurrentAt) {
			t.Errorf("A taken up again: %s", res.Body)
		}
		var raw []byte // agenda.current as the wire carries it
		for _, e := range apptest.Drain(rec) {
			if e.Type == "agenda.current" {
				raw, _ = json.Marshal(e.Data)
			}
		}
		var cur struct {
			ItemID   *string `json:"item_id"`
			SpentSec *int    `json:"spent_sec"`
		}
		if err := json.Unmarshal(raw, &cur); err != nil || cur.ItemID == nil || *cur.ItemID != a || cur.SpentSec == nil || !near(*cur.SpentSec, 90) {
			t.Errorf("agenda.current taking A up again: %s", raw)
		}
		if got := spentOf(t, cast.Delegate, m, a); got.Status != "current" || !near(*got.SpentSec, 90) {
			t.Errorf("A current again: status %s, spent_sec %d", got.Status, *got.SpentSec)
		}
		if got := spentOf(t, cast.Delegate, m, bb); !near(*got.SpentSec, 0) {
			t.Errorf("B, current a moment: spent_sec %d", *got.SpentSec)
		}
		again := setCurrent(t, cast.Chair, m, a, ok) // naming it again changes nothing
		if !again.BecameCurrentAt.Equal(*back.BecameCurrentAt) || !near(*spentOf(t, cast.Chair, m, a).SpentSec, 90) {
			t.Errorf("naming A again: %+v, spent_sec %d", again, *spentOf(t, cast.Chair, m, a).SpentSec)
		}

		// The live snapshot's current item says so too.
		var snap struct {
			State struct {
				CurrentItem *struct {
					ItemID   string `json:"item_id"`
					SpentSec *int   `json:"spent_sec"`
				} `json:"current_item"`
			} `json:"state"`
		}
		lc := cast.Observer.Live(m, "")
		err := json.Unmarshal(lc.NextOf("snapshot").Data, &snap)
		_ = lc.Conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		if c := snap.State.CurrentItem; c == nil || c.ItemID != a || c.SpentSec == nil || !near(*c.SpentSec, 90) {
			t.Errorf("snapshot's current_item: %+v", c)
		}

		// The close ends the second spell: it adds to the first.
		backdate(a, 30)
		cast.SetStatus(m, "closed")
		if got := spentOf(t, cast.Chair, m, a); got.Status != "done" || !near(*got.SpentSec, 120) {
			t.Errorf("A after the close: status %s, spent_sec %d", got.Status, *got.SpentSec)
		}
	})
}

// preSpentItemRow is the agenda_items table as it was before spent_sec.
type preSpentItemRow struct {
	ID              string  `gorm:"primaryKey;size:64"`
	MeetingID       string  `gorm:"size:64;not null;index"`
	ParentID        *string `gorm:"size:64;index"`
	Position        int     `gorm:"not null"`
	Title           string  `gorm:"size:300;not null"`
	Description     string  `gorm:"type:text;not null"`
	Conclusion      string  `gorm:"type:text;not null;default:''"`
	DurationMin     int     `gorm:"not null"`
	PresenterID     *string `gorm:"size:64"`
	Status          string  `gorm:"size:16;not null"`
	BecameCurrentAt *time.Time
	DoneAt          *time.Time
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
}

func (preSpentItemRow) TableName() string { return "agenda_items" }

// TestSessionEdgesSpentSecMigrates: a database made before spent_sec,
// with items in it, gets the column, 0 for its items, when the agenda
// migration runs (as on every start); a row written without the column
// gets 0 too; and migrating again does not touch the table.
func TestSessionEdgesSpentSecMigrates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		u, dir := b.URL(t)
		db, err := database.Open(ctx, database.Options{URL: u, DataDir: dir})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		now := time.Now().UTC().Truncate(time.Second)
		if err := db.Gorm.AutoMigrate(&preSpentItemRow{}); err != nil {
			t.Fatalf("old table: %v", err)
		}
		old := preSpentItemRow{ID: "old-item", MeetingID: "m", Title: "Từ trước", Status: "done", BecameCurrentAt: &now, DoneAt: &now,
			CreatedAt: now, UpdatedAt: now}
		if err := db.Gorm.Create(&old).Error; err != nil {
			t.Fatalf("old row: %v", err)
		}
		if err := db.Migrate(ctx, agenda.Migration()); err != nil {
			t.Fatalf("migrate an older table: %v", err)
		}
		spent := func(id string) int {
			t.Helper()
			var got []int
			if err := db.Gorm.Raw("SELECT spent_sec FROM agenda_items WHERE id = ?", id).Scan(&got).Error; err != nil || len(got) != 1 {
				t.Fatalf("read spent_sec of %s: %v %v", id, got, err)
			}
			return got[0]
		}
		if got := spent("old-item"); got != 0 {
			t.Errorf("an item from before has spent_sec %d", got)
		}
		if err := db.Gorm.Create(&preSpentItemRow{ID: "older-code", MeetingID: "m", Title: "Mới", Status: "pending", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatalf("a row without the column: %v", err)
		}
		if got := spent("older-code"); got != 0 {
			t.Errorf("a row written without the column has spent_sec %d", got)
		}

		log := &sqlLog{}
		again := &database.DB{Gorm: db.Gorm.Session(&gorm.Session{Logger: log}), Dialect: db.Dialect}
		if err := again.Migrate(ctx, agenda.Migration()); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
		if len(log.statements()) == 0 {
			t.Fatal("the statements of the second migration were not seen")
		}
		for _, s := range log.statements() {
			up := strings.ToUpper(s)
			if strings.Contains(up, "AGENDA_ITEMS") && (strings.Contains(up, "ALTER TABLE") || strings.Contains(up, "DROP TABLE") ||
				strings.Contains(up, "CREATE TABLE") || strings.Contains(up, "INSERT INTO")) {
				t.Errorf("migrating an up-to-date table changed it: %s", s)
			}
		}
	})
}
