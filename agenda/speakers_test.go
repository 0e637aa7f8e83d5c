package agenda_test

import (
	"slices"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

type entry struct {
	ID       string `json:"id"`
	UserID   string `json:"user_id"`
	FullName string `json:"full_name"`
	Status   string `json:"status"`
}

type queues struct {
	Active                       *entry
	Speeches, Questions, History []entry
}

func readQueues(c *apptest.Client, itemID string) queues {
	var q queues
	c.Get("/api/v1/agenda-items/"+itemID+"/speakers", &q)
	return q
}

// users lists the user ids of entries, in order.
func users(list []entry) []string {
	out := []string{}
	for _, e := range list {
		out = append(out, e.UserID)
	}
	return out
}

// TestSpeakerQueues checks queue order, that nobody waits twice in one
// queue, that one speaker per meeting has the floor, and the history.
func TestSpeakerQueues(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Speakers")
		it, other := addItem(cast.Secretary, m, "Thảo luận", ""), addItem(cast.Secretary, m, "Khác", "")
		d, ch, sec := cast.Delegate, cast.Chair, cast.Secretary
		sd := enqueue(d, it, "speech", "")
		sc := enqueue(ch, it, "speech", "")
		ss := enqueue(ch, it, "speech", sec.UserID)
		qd := enqueue(d, it, "question", "")
		path := "/api/v1/agenda-items/" + it + "/speakers"
		d.Do("POST", path, map[string]any{"kind": "speech"}).Check(t, "second waiting speech", conflict)
		ch.Do("POST", path, map[string]any{"kind": "question", "user_id": d.UserID}).Check(t, "second waiting question", conflict)
		q := readQueues(cast.Observer, it)
		if got, want := users(q.Speeches), []string{d.UserID, ch.UserID, sec.UserID}; !slices.Equal(got, want) {
			t.Errorf("speeches %v, want %v", got, want)
		}
		if got := users(q.Questions); !slices.Equal(got, []string{d.UserID}) || q.Speeches[0].FullName != "Người delegate" {
			t.Errorf("questions %v, %+v", got, q.Speeches[0])
		}

		start := func(id string, want int) {
			t.Helper()
			ch.Do("POST", "/api/v1/speakers/"+id+"/start", map[string]any{"time_limit_sec": 120}).Check(t, "start", want)
		}
		start(sd, conflict) // not in session
		cast.SetStatus(m, "scheduled", "live")
		start(sd, conflict) // no item is current
		ch.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": it})
		start(sd, ok)
		start(sc, conflict) // one speaker at a time
		otherSpeaker := enqueue(d, other, "speech", "")
		start(otherSpeaker, conflict) // the floor is on the current item only
		d.Do("POST", "/api/v1/speakers/"+sd+"/cancel", nil).Check(t, "cancel the active one", conflict)
		d.Do("POST", "/api/v1/speakers/"+sc+"/finish", nil).Check(t, "delegate finishes another", forbidden)
		d.Do("POST", "/api/v1/speakers/"+sd+"/finish", nil).Check(t, "finish own speech", ok, `"status":"done"`, `"finished_at":"2`)
		start(sd, conflict) // done stays done
		start(sc, ok)
		d.Do("POST", "/api/v1/speakers/"+qd+"/cancel", nil).Check(t, "withdraw", ok, `"status":"cancelled"`)
		requeued := enqueue(d, it, "question", "") // may queue again after withdrawing
		q = readQueues(cast.Observer, it)
		if q.Active == nil || q.Active.ID != sc {
			t.Errorf("active %+v, want %s", q.Active, sc)
		}
		if h := q.History; len(h) != 2 || h[0].ID != sd || h[0].Status != "done" || h[1].ID != qd || h[1].Status != "cancelled" {
			t.Errorf("history %+v", h)
		}
		if len(q.Questions) != 1 || q.Questions[0].ID != requeued || len(q.Speeches) != 1 || q.Speeches[0].ID != ss {
			t.Errorf("queues after moves: %+v", q)
		}
	})
}

// TestSpeakerRaces has many requests race for one queue place and for
// the floor: exactly one wins each time, on both engines.
func TestSpeakerRaces(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Races")
		it := addItem(cast.Secretary, m, "Tranh luận", "")
		cast.SetStatus(m, "scheduled", "live")
		cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": it})
		won := race(t, 8, func(int) int {
			return cast.Delegate.Do("POST", "/api/v1/agenda-items/"+it+"/speakers", map[string]any{"kind": "speech"}).Status
		})
		if won != 1 {
			t.Errorf("%d waiting entries for one person in one queue", won)
		}
		var ids []string
		for _, c := range []*apptest.Client{cast.Chair, cast.Secretary, cast.Delegate} {
			ids = append(ids, enqueue(c, it, "question", ""))
		}
		won = race(t, 3, func(i int) int {
			return cast.Chair.Do("POST", "/api/v1/speakers/"+ids[i]+"/start", nil).Status
		})
		if won != 1 {
			t.Errorf("%d speakers have the floor", won)
		}
	})
}

// race runs fn n times at once and counts the 2xx answers; every other
// answer must be a 409.
func race(t *testing.T, n int, fn func(i int) int) int {
	t.Helper()
	won := 0
	for _, c := range apptest.AtOnce(n, fn) {
		switch {
		case c < 300:
			won++
		case c != conflict:
			t.Errorf("racing request answered %d", c)
		}
	}
	return won
}

// TestFloorNeedsARightToSpeak: someone who asked for the floor and was
// then taken out of the meeting, or made an observer, does not get it:
// their entries are taken off the list as that change commits (see
// TestLeavingCancelsSpeakerEntries), so starting one is a 409 that
// changes nothing. Once they may speak again, they ask again.
func TestFloorNeedsARightToSpeak(t *testing.T) {
	for _, tc := range []struct {
		name string
		lose func(c *apptest.Cast, m string)
	}{
		{"removed from the meeting", func(c *apptest.Cast, m string) {
			c.Secretary.Must(noContent, "DELETE", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, nil)
		}},
		{"made an observer", func(c *apptest.Cast, m string) {
			c.Secretary.Must(ok, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, map[string]any{"role": "observer"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, b testdb.Backend) {
				_, cast := apptest.StartCast(t, b)
				m := cast.Meeting("Floor")
				it := addItem(cast.Secretary, m, "Thảo luận", "")
				cast.SetStatus(m, "scheduled", "live")
				cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": it})
				sp, other := enqueue(cast.Delegate, it, "speech", ""), enqueue(cast.Delegate, it, "question", "")
				tc.lose(cast, m)
				before := len(cast.AuditActions(t, m))

				cast.Chair.Do("POST", "/api/v1/speakers/"+sp+"/start", nil).Check(t, "start", conflict, "only a waiting speaker")
				q := readQueues(cast.Chair, it)
				if q.Active != nil || len(q.Speeches)+len(q.Questions) != 0 || len(q.History) != 2 {
					t.Errorf("queues of someone who may no longer speak: %+v", q)
				}
				if after := cast.AuditActions(t, m); len(after) != before {
					t.Errorf("a refused start was audited: %v", after[before:])
				}
				cast.Chair.Do("POST", "/api/v1/speakers/"+other+"/cancel", nil).Check(t, "cancel", conflict, "this one is cancelled")

				res := cast.Secretary.Do("PUT", "/api/v1/meetings/"+m+"/participants/"+cast.Delegate.UserID, map[string]any{"role": "delegate"})
				if res.Status != ok && res.Status != created {
					t.Fatalf("make them a delegate again: %d %s", res.Status, res.Body)
				}
				cast.Chair.Must(ok, "POST", "/api/v1/speakers/"+enqueue(cast.Delegate, it, "speech", "")+"/start", nil)
			})
		})
	}
}
