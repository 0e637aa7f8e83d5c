package agenda_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/testdb"
)

// current_since: when an item last became the current item. Unlike
// became_current_at (the start of the running spell, which an
// adjournment clears and the resumption sets again), a break leaves it
// as it is, so a screen that reads the state after the resumption (the
// room display, for the result it shows) knows the item has been
// current since before the break. An item taken up again gets the new
// time; a done item keeps the time it last became current; an item
// never current has null.

// sinceItem is an item's current_since as the wire carries it, with
// became_current_at next to it.
type sinceItem struct {
	ID              string     `json:"id"`
	ItemID          string     `json:"item_id"` // the snapshot's current_item and agenda.current
	Status          string     `json:"status"`
	BecameCurrentAt *time.Time `json:"became_current_at"`
	CurrentSince    *time.Time `json:"current_since"`
}

// decodeSince decodes raw, failing when it has no current_since at all
// (null is fine).
func decodeSince(t *testing.T, what string, raw []byte) sinceItem {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if _, ok := keys["current_since"]; !ok {
		t.Fatalf("%s has no current_since: %s", what, raw)
	}
	var it sinceItem
	if err := json.Unmarshal(raw, &it); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return it
}

// findSince finds item id in a tree of items.
func findSince(t *testing.T, what string, items []json.RawMessage, id string) sinceItem {
	t.Helper()
	for len(items) > 0 {
		var it struct {
			ID    string            `json:"id"`
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(items[0], &it); err != nil {
			t.Fatal(err)
		}
		if it.ID == id {
			return decodeSince(t, what, items[0])
		}
		items = append(items[1:], it.Items...)
	}
	t.Fatalf("%s: no item %s in the agenda", what, id)
	return sinceItem{}
}

// sinceRest reads item id from the agenda tree as the chair gets it.
func (f *clockFixture) sinceRest(id string) sinceItem {
	f.t.Helper()
	var ag struct{ Items []json.RawMessage }
	f.cast.Chair.Get("/api/v1/meetings/"+f.m+"/agenda", &ag)
	return findSince(f.t, "the REST agenda", ag.Items, id)
}

// sinceSnapshot reads the live snapshot's current_item.
func (f *clockFixture) sinceSnapshot() sinceItem {
	f.t.Helper()
	var snap struct {
		State struct {
			CurrentItem json.RawMessage `json:"current_item"`
		} `json:"state"`
	}
	lc := f.cast.Observer.Live(f.m, "")
	err := json.Unmarshal(lc.NextOf("snapshot").Data, &snap)
	_ = lc.Conn.Close()
	if err != nil {
		f.t.Fatal(err)
	}
	if len(snap.State.CurrentItem) == 0 || string(snap.State.CurrentItem) == "null" {
		f.t.Fatalf("the snapshot has no current item")
	}
	return decodeSince(f.t, "the snapshot's current_item", snap.State.CurrentItem)
}

// sincePublished drains the events: item id as the last agenda.changed
// carried it (changed false without one) and the last agenda.current
// (current false without one).
func (f *clockFixture) sincePublished(id string) (inTree sinceItem, changed bool, cur sinceItem, current bool) {
	f.t.Helper()
	for _, e := range apptest.Drain(f.rec) {
		raw, err := json.Marshal(e.Data)
		if err != nil {
			f.t.Fatal(err)
		}
		switch e.Type {
		case "agenda.changed":
			var ag struct{ Items []json.RawMessage }
			if err := json.Unmarshal(raw, &ag); err != nil {
				f.t.Fatal(err)
			}
			inTree, changed = findSince(f.t, "agenda.changed", ag.Items, id), true
		case "agenda.current":
			cur, current = decodeSince(f.t, "agenda.current", raw), true
		}
	}
	return inTree, changed, cur, current
}

// backdate moves item id's times d into the past, as if it had been
// current d longer: its became_current_at (when set) and current_since.
func (f *clockFixture) backdate(id string, d time.Duration) {
	f.t.Helper()
	db := f.srv.App.DB.Gorm
	var r struct {
		BecameCurrentAt *time.Time
		CurrentSince    *time.Time
	}
	if err := db.Table("agenda_items").Select("became_current_at, current_since").Where("id = ?", id).Scan(&r).Error; err != nil {
		f.t.Fatalf("read %s: %v", id, err)
	}
	fields := map[string]any{}
	if r.BecameCurrentAt != nil {
		fields["became_current_at"] = r.BecameCurrentAt.UTC().Add(-d).Truncate(time.Microsecond)
	}
	if r.CurrentSince != nil {
		fields["current_since"] = r.CurrentSince.UTC().Add(-d).Truncate(time.Microsecond)
	}
	if len(fields) == 0 {
		return
	}
	if err := db.Table("agenda_items").Where("id = ?", id).Updates(fields).Error; err != nil {
		f.t.Fatalf("backdate %s: %v", id, err)
	}
}

func sameTime(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

func showTime(a *time.Time) string {
	if a == nil {
		return "null"
	}
	return a.UTC().Format(time.RFC3339Nano)
}

// TestCurrentSinceKeptThroughABreak: an item made current gets
// current_since, the time it became current, equal to its
// became_current_at, in the answer of PUT …/agenda/current and in
// agenda.current. The adjournment clears became_current_at and the
// resumption sets it to the resumption's time, but current_since stays
// as it was: in the REST tree, in the agenda.changed published after
// each, and in the live snapshot's current_item. Another item made
// current gets a new current_since, and the item that is now done keeps
// its own; an item taken up again gets the new time; the close leaves
// it. An item never current has null.
func TestCurrentSinceKeptThroughABreak(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newClockFixture(t, b, "A result before the break")
		a, bb := addItem(f.cast.Secretary, f.m, "A", ""), addItem(f.cast.Secretary, f.m, "B", "")
		if got := f.sinceRest(a); got.CurrentSince != nil {
			t.Errorf("A never current: current_since %s", showTime(got.CurrentSince))
		}
		f.cast.SetStatus(f.m, "scheduled", "live")

		apptest.Drain(f.rec)
		res := f.cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+f.m+"/agenda/current", map[string]any{"item_id": a})
		made := decodeSince(t, "the answer of PUT …/agenda/current", res.Body)
		if made.ItemID != a || made.CurrentSince == nil || !sameTime(made.CurrentSince, made.BecameCurrentAt) {
			t.Errorf("A made current: %s", res.Body)
		}
		if _, _, cur, found := f.sincePublished(a); !found || cur.ItemID != a || !sameTime(cur.CurrentSince, made.CurrentSince) {
			t.Errorf("agenda.current making A current: %+v (found %v)", cur, found)
		}
		if got := f.sinceRest(a); !sameTime(got.CurrentSince, made.CurrentSince) || !sameTime(got.BecameCurrentAt, made.BecameCurrentAt) {
			t.Errorf("A current (REST): current_since %s, became_current_at %s, want both %s",
				showTime(got.CurrentSince), showTime(got.BecameCurrentAt), showTime(made.CurrentSince))
		}

		f.backdate(a, 10*time.Minute) // A has been current for 10 minutes
		since := f.sinceRest(a).CurrentSince
		if since == nil || !since.Before(*made.CurrentSince) {
			t.Fatalf("A backdated: current_since %s", showTime(since))
		}

		f.cast.SetStatus(f.m, "adjourned")
		if ev, found, _, _ := f.sincePublished(a); !found || ev.BecameCurrentAt != nil || !sameTime(ev.CurrentSince, since) {
			t.Errorf("agenda.changed on adjournment: A became_current_at %s current_since %s (found %v), want null and %s",
				showTime(ev.BecameCurrentAt), showTime(ev.CurrentSince), found, showTime(since))
		}
		if got := f.sinceRest(a); got.Status != "current" || got.BecameCurrentAt != nil || !sameTime(got.CurrentSince, since) {
			t.Errorf("A adjourned (REST): %+v, want current_since %s", got, showTime(since))
		}
		if got := f.sinceSnapshot(); got.ItemID != a || !sameTime(got.CurrentSince, since) {
			t.Errorf("A adjourned (snapshot): %+v, want current_since %s", got, showTime(since))
		}

		f.cast.SetStatus(f.m, "live")
		ev, found, _, _ := f.sincePublished(a)
		if !found || ev.BecameCurrentAt == nil || !ev.BecameCurrentAt.After(*since) || !sameTime(ev.CurrentSince, since) {
			t.Errorf("agenda.changed on resumption: A became_current_at %s current_since %s (found %v), want a new start and %s",
				showTime(ev.BecameCurrentAt), showTime(ev.CurrentSince), found, showTime(since))
		}
		resumed := f.sinceRest(a)
		if resumed.Status != "current" || resumed.BecameCurrentAt == nil || resumed.BecameCurrentAt.Before(*made.BecameCurrentAt) ||
			!sameTime(resumed.CurrentSince, since) {
			t.Errorf("A resumed (REST): became_current_at %s current_since %s, want the resumption and %s",
				showTime(resumed.BecameCurrentAt), showTime(resumed.CurrentSince), showTime(since))
		}
		if got := f.sinceSnapshot(); got.ItemID != a || got.BecameCurrentAt == nil || !sameTime(got.CurrentSince, since) {
			t.Errorf("A resumed (snapshot): %+v, want current_since %s", got, showTime(since))
		}

		// Another item: a new current_since; A, done, keeps its own.
		res = f.cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+f.m+"/agenda/current", map[string]any{"item_id": bb})
		madeB := decodeSince(t, "the answer of PUT …/agenda/current", res.Body)
		if madeB.ItemID != bb || madeB.CurrentSince == nil || !sameTime(madeB.CurrentSince, madeB.BecameCurrentAt) ||
			madeB.CurrentSince.Before(*resumed.BecameCurrentAt) {
			t.Errorf("B made current: %s", res.Body)
		}
		if _, _, cur, found := f.sincePublished(bb); !found || cur.ItemID != bb || !sameTime(cur.CurrentSince, madeB.CurrentSince) {
			t.Errorf("agenda.current making B current: %+v (found %v)", cur, found)
		}
		if got := f.sinceRest(bb); got.Status != "current" || !sameTime(got.CurrentSince, madeB.CurrentSince) {
			t.Errorf("B current (REST): %+v, want current_since %s", got, showTime(madeB.CurrentSince))
		}
		if got := f.sinceRest(a); got.Status != "done" || !sameTime(got.CurrentSince, since) {
			t.Errorf("A done (REST): %+v, want current_since %s", got, showTime(since))
		}

		// Naming B again changes nothing, its current_since included.
		res = f.cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+f.m+"/agenda/current", map[string]any{"item_id": bb})
		if again := decodeSince(t, "the answer of PUT …/agenda/current", res.Body); !sameTime(again.CurrentSince, madeB.CurrentSince) {
			t.Errorf("B named again: %s, want current_since %s", res.Body, showTime(madeB.CurrentSince))
		}

		// A taken up again: the new time.
		res = f.cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+f.m+"/agenda/current", map[string]any{"item_id": a})
		back := decodeSince(t, "the answer of PUT …/agenda/current", res.Body)
		if back.ItemID != a || back.CurrentSince == nil || !sameTime(back.CurrentSince, back.BecameCurrentAt) || !back.CurrentSince.After(*since) {
			t.Errorf("A taken up again: %s", res.Body)
		}
		if got := f.sinceRest(a); got.Status != "current" || !sameTime(got.CurrentSince, back.CurrentSince) {
			t.Errorf("A taken up again (REST): %+v, want current_since %s", got, showTime(back.CurrentSince))
		}
		if got := f.sinceRest(bb); got.Status != "done" || !sameTime(got.CurrentSince, madeB.CurrentSince) {
			t.Errorf("B done (REST): %+v, want current_since %s", got, showTime(madeB.CurrentSince))
		}

		// Closed from a break: A is done and keeps the time it became current.
		f.cast.SetStatus(f.m, "adjourned", "closed")
		if got := f.sinceRest(a); got.Status != "done" || !sameTime(got.CurrentSince, back.CurrentSince) {
			t.Errorf("A after the close: %+v, want current_since %s", got, showTime(back.CurrentSince))
		}
	})
}

// preSinceItemRow is the agenda_items table as it was before current_since.
type preSinceItemRow struct {
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
	SpentSec        int `gorm:"not null;default:0"`
	DoneAt          *time.Time
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
}

func (preSinceItemRow) TableName() string { return "agenda_items" }

// TestCurrentSinceMigrates: a database made before current_since, with
// items in it, gets the column when the agenda migration runs (as on
// every start): an item that had been current gets its
// became_current_at (the best time known), one never current null; and
// migrating again does not touch the table.
func TestCurrentSinceMigrates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		u, dir := b.URL(t)
		db, err := database.Open(ctx, database.Options{URL: u, DataDir: dir})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		now := time.Now().UTC().Truncate(time.Microsecond)
		if err := db.Gorm.AutoMigrate(&preSinceItemRow{}); err != nil {
			t.Fatalf("old table: %v", err)
		}
		for _, r := range []preSinceItemRow{
			{ID: "was-current", MeetingID: "m", Title: "Đã bàn", Status: "done", BecameCurrentAt: &now, SpentSec: 60, DoneAt: &now, CreatedAt: now, UpdatedAt: now},
			{ID: "never", MeetingID: "m", Title: "Chưa bàn", Status: "pending", CreatedAt: now, UpdatedAt: now},
		} {
			if err := db.Gorm.Create(&r).Error; err != nil {
				t.Fatalf("old row: %v", err)
			}
		}
		if err := db.Migrate(ctx, agenda.Migration()); err != nil {
			t.Fatalf("migrate an older table: %v", err)
		}
		since := func(id string) *time.Time {
			t.Helper()
			var r struct{ CurrentSince *time.Time }
			if err := db.Gorm.Table("agenda_items").Select("current_since").Where("id = ?", id).Scan(&r).Error; err != nil {
				t.Fatalf("read current_since of %s: %v", id, err)
			}
			return r.CurrentSince
		}
		if got := since("was-current"); !sameTime(got, &now) {
			t.Errorf("an item current before: current_since %s, want %s", showTime(got), showTime(&now))
		}
		if got := since("never"); got != nil {
			t.Errorf("an item never current: current_since %s", showTime(got))
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
				strings.Contains(up, "CREATE TABLE") || strings.Contains(up, "INSERT INTO") || strings.Contains(up, "UPDATE ")) {
				t.Errorf("migrating an up-to-date table changed it: %s", s)
			}
		}
	})
}
