package agenda_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// The item's clock and the breaks of the session: an adjournment is no
// time spent on the item under discussion. The adjournment adds the
// running spell to the item's spent_sec and clears its
// became_current_at (the clock stands at spent_sec); the resumption
// starts a new spell from then. The REST item, the live snapshot's
// current_item, agenda.changed (published after each) and agenda.current
// all say so.

// clockItem is an item's clock as the wire carries it.
type clockItem struct {
	ID              string     `json:"id"`
	ItemID          string     `json:"item_id"` // the snapshot's current_item and agenda.current
	Status          string     `json:"status"`
	BecameCurrentAt *time.Time `json:"became_current_at"`
	SpentSec        *int       `json:"spent_sec"`
}

func (c clockItem) String() string {
	return fmt.Sprintf("{id %s%s status %q became_current_at %v spent_sec %d}", c.ID, c.ItemID, c.Status, c.BecameCurrentAt, spent(c))
}

// usedSec is the time used on the item now, as the screens count it.
func (c clockItem) usedSec() int {
	used := 0
	if c.SpentSec != nil {
		used = *c.SpentSec
	}
	if c.BecameCurrentAt != nil {
		used += int(time.Since(*c.BecameCurrentAt).Round(time.Second) / time.Second)
	}
	return used
}

// clockFixture is a server whose clock the test moves on by hand.
type clockFixture struct {
	t    *testing.T
	srv  *apptest.Server
	cast *apptest.Cast
	rec  *event.Recorder
	m    string
}

func newClockFixture(t *testing.T, b testdb.Backend, title string) *clockFixture {
	rec := event.NewRecorder(100)
	srv, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
	return &clockFixture{t: t, srv: srv, cast: cast, rec: rec, m: cast.Meeting(title)}
}

// pass makes d go by for item id: its running spell, if it has one,
// began d earlier. A clock that stands (no became_current_at) does not
// move.
func (f *clockFixture) pass(id string, d time.Duration) {
	f.t.Helper()
	db := f.srv.App.DB.Gorm
	var r struct{ BecameCurrentAt *time.Time }
	if err := db.Table("agenda_items").Select("became_current_at").Where("id = ?", id).Scan(&r).Error; err != nil {
		f.t.Fatalf("read %s: %v", id, err)
	}
	if r.BecameCurrentAt == nil {
		return
	}
	at := r.BecameCurrentAt.UTC().Add(-d).Truncate(time.Microsecond)
	if err := db.Table("agenda_items").Where("id = ?", id).Update("became_current_at", at).Error; err != nil {
		f.t.Fatalf("move %s's clock: %v", id, err)
	}
}

// rest reads item id's clock from the agenda as the chair sees it.
func (f *clockFixture) rest(id string) clockItem {
	f.t.Helper()
	var ag struct{ Items []json.RawMessage }
	f.cast.Chair.Get("/api/v1/meetings/"+f.m+"/agenda", &ag)
	return findClock(f.t, ag.Items, id)
}

// snapshot reads the live snapshot's current_item, as an observer's
// screen gets it on connecting.
func (f *clockFixture) snapshot() clockItem {
	f.t.Helper()
	var snap struct {
		State struct {
			CurrentItem *clockItem `json:"current_item"`
		} `json:"state"`
	}
	lc := f.cast.Observer.Live(f.m, "")
	err := json.Unmarshal(lc.NextOf("snapshot").Data, &snap)
	_ = lc.Conn.Close()
	if err != nil {
		f.t.Fatal(err)
	}
	if snap.State.CurrentItem == nil {
		f.t.Fatalf("the snapshot has no current item")
	}
	return *snap.State.CurrentItem
}

// published drains the events and returns their types, with item id's
// clock as the last agenda.changed carried it (ok false without one).
func (f *clockFixture) published(id string) (types []string, it clockItem, ok bool) {
	f.t.Helper()
	for _, e := range apptest.Drain(f.rec) {
		types = append(types, e.Type)
		if e.Type != "agenda.changed" {
			continue
		}
		raw, err := json.Marshal(e.Data)
		if err != nil {
			f.t.Fatal(err)
		}
		var ag struct{ Items []json.RawMessage }
		if err := json.Unmarshal(raw, &ag); err != nil {
			f.t.Fatal(err)
		}
		it, ok = findClock(f.t, ag.Items, id), true
	}
	return types, it, ok
}

// findClock finds item id in a tree of items.
func findClock(t *testing.T, items []json.RawMessage, id string) clockItem {
	t.Helper()
	for len(items) > 0 {
		var it struct {
			clockItem
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(items[0], &it); err != nil {
			t.Fatal(err)
		}
		if it.ID == id {
			if it.SpentSec == nil {
				t.Fatalf("item %s has no spent_sec: %s", id, items[0])
			}
			return it.clockItem
		}
		items = append(items[1:], it.Items...)
	}
	t.Fatalf("no item %s in the agenda", id)
	return clockItem{}
}

// near: the seconds got are want, give or take the test's own run time.
func near(got, want int) bool { return got >= want && got <= want+3 }

func spent(c clockItem) int {
	if c.SpentSec == nil {
		return -1
	}
	return *c.SpentSec
}

// TestAdjournClockBreakIsNotSpent: an item current for 10 minutes, then
// a one-hour adjournment, then 5 more minutes has used 15 minutes, not
// 75. During the break its clock stands at 10 minutes, in REST, in the
// snapshot and in the agenda.changed published after the adjournment;
// after the resumption it runs again from 10 minutes.
func TestAdjournClockBreakIsNotSpent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newClockFixture(t, b, "A break in the discussion")
		a := addItem(f.cast.Secretary, f.m, "A", "")
		f.cast.SetStatus(f.m, "scheduled", "live")
		setCurrent(t, f.cast.Chair, f.m, a, ok)
		f.pass(a, 10*time.Minute)

		apptest.Drain(f.rec)
		f.cast.SetStatus(f.m, "adjourned")
		types, ev, found := f.published(a)
		if !found || !slices.Equal(types, []string{"agenda.changed", "meeting.updated"}) {
			t.Errorf("the adjournment published %v", types)
		} else if ev.BecameCurrentAt != nil || !near(spent(ev), 600) {
			t.Errorf("agenda.changed on adjournment: A %+v (spent_sec %d)", ev, spent(ev))
		}
		if got := f.rest(a); got.Status != "current" || got.BecameCurrentAt != nil || !near(spent(got), 600) {
			t.Errorf("A adjourned: status %s, became_current_at %v, spent_sec %d", got.Status, got.BecameCurrentAt, spent(got))
		}

		f.pass(a, 60*time.Minute) // the break
		if got := f.rest(a); !near(got.usedSec(), 600) {
			t.Errorf("A after an hour's break (REST): used %d s, want 600", got.usedSec())
		}
		if got := f.snapshot(); got.ItemID != a || got.BecameCurrentAt != nil || !near(got.usedSec(), 600) {
			t.Errorf("A after an hour's break (snapshot): %+v, used %d s, want 600", got, got.usedSec())
		}

		f.cast.SetStatus(f.m, "live")
		types, ev, found = f.published(a)
		if !found || !slices.Equal(types, []string{"agenda.changed", "meeting.updated"}) {
			t.Errorf("the resumption published %v", types)
		} else if ev.BecameCurrentAt == nil || !near(spent(ev), 600) || !near(ev.usedSec(), 600) {
			t.Errorf("agenda.changed on resumption: A %+v (spent_sec %d)", ev, spent(ev))
		}

		f.pass(a, 5*time.Minute)
		if got := f.rest(a); got.Status != "current" || got.BecameCurrentAt == nil || !near(got.usedSec(), 900) {
			t.Errorf("A 5 minutes after the break (REST): %+v, used %d s, want 900", got, got.usedSec())
		}
		if got := f.snapshot(); got.ItemID != a || !near(got.usedSec(), 900) {
			t.Errorf("A 5 minutes after the break (snapshot): %+v, used %d s, want 900", got, got.usedSec())
		}

		// Moving on ends the spell: A is done with 15 minutes, and agenda.current says so.
		bb := addItem(f.cast.Secretary, f.m, "B", "")
		apptest.Drain(f.rec)
		setCurrent(t, f.cast.Chair, f.m, bb, ok)
		if got := f.rest(a); got.Status != "done" || !near(spent(got), 900) {
			t.Errorf("A done after 15 minutes: status %s, spent_sec %d", got.Status, spent(got))
		}
		for _, e := range apptest.Drain(f.rec) {
			if e.Type != "agenda.current" {
				continue
			}
			raw, _ := json.Marshal(e.Data)
			var cur struct {
				ItemID         string  `json:"item_id"`
				PreviousItemID *string `json:"previous_item_id"`
			}
			if err := json.Unmarshal(raw, &cur); err != nil || cur.ItemID != bb || cur.PreviousItemID == nil || *cur.PreviousItemID != a {
				t.Errorf("agenda.current moving on: %s", raw)
			}
		}
	})
}

// TestAdjournClockTakenUpAgainKeepsTime: an item taken up again after a
// break keeps the time spent on it before and after the break, and none
// of the break: agenda.current and the answer of PUT …/agenda/current
// carry it. Closed from an adjournment, the item is done with the time
// spent before the break.
func TestAdjournClockTakenUpAgainKeepsTime(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := newClockFixture(t, b, "Back to A after lunch")
		a, bb := addItem(f.cast.Secretary, f.m, "A", ""), addItem(f.cast.Secretary, f.m, "B", "")
		f.cast.SetStatus(f.m, "scheduled", "live")
		setCurrent(t, f.cast.Chair, f.m, a, ok)
		f.pass(a, 10*time.Minute)
		f.cast.SetStatus(f.m, "adjourned")
		f.pass(a, 60*time.Minute)
		f.cast.SetStatus(f.m, "live")
		f.pass(a, 5*time.Minute)
		setCurrent(t, f.cast.Chair, f.m, bb, ok)
		f.pass(bb, 2*time.Minute)

		apptest.Drain(f.rec)
		res := f.cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+f.m+"/agenda/current", map[string]any{"item_id": a})
		var back clockItem
		res.JSON(&back)
		if back.ItemID != a || back.BecameCurrentAt == nil || !near(spent(back), 900) {
			t.Errorf("A taken up again: %s", res.Body)
		}
		var cur *clockItem
		for _, e := range apptest.Drain(f.rec) {
			if e.Type == "agenda.current" {
				raw, _ := json.Marshal(e.Data)
				cur = &clockItem{}
				if err := json.Unmarshal(raw, cur); err != nil {
					t.Fatal(err)
				}
			}
		}
		if cur == nil || cur.ItemID != a || !near(spent(*cur), 900) || !near(cur.usedSec(), 900) {
			t.Errorf("agenda.current taking A up again: %+v", cur)
		}
		if got := f.rest(bb); got.Status != "done" || !near(spent(got), 120) {
			t.Errorf("B after 2 minutes: status %s, spent_sec %d", got.Status, spent(got))
		}

		// A second break, then the close from it: A is done with the time before the break.
		f.pass(a, time.Minute)
		f.cast.SetStatus(f.m, "adjourned")
		f.pass(a, 60*time.Minute)
		if got := f.snapshot(); got.ItemID != a || !near(got.usedSec(), 960) {
			t.Errorf("A in the second break (snapshot): %+v, used %d s, want 960", got, got.usedSec())
		}
		f.cast.SetStatus(f.m, "closed")
		if got := f.rest(a); got.Status != "done" || !near(spent(got), 960) {
			t.Errorf("A closed from the break: status %s, spent_sec %d, want 960", got.Status, spent(got))
		}
	})
}
