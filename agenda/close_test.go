package agenda_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// TestCloseEndsTheTurnAndTheItem proves that closing a meeting, which
// makes it read-only for good, does not leave a turn running and an item
// under discussion for ever (every tablet's timer counting up, the
// minutes saying "still speaking"): the close itself, in its own
// transaction, finishes the turn of whoever has the floor and marks the
// current item done, each audited with the reason, and announces both
// after the commit (speakers.changed for the item, agenda.current with no
// item). A close that a guard refuses (a vote still open) ends neither,
// and a meeting closed with nothing running gets no such entries.
func TestCloseEndsTheTurnAndTheItem(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Close with the floor taken")
		a := addItem(cast.Secretary, m, "A", "")
		cast.SetStatus(m, "scheduled", "live")
		cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": a})
		sp := enqueue(cast.Delegate, a, "speech", "")
		cast.Chair.Must(ok, "POST", "/api/v1/speakers/"+sp+"/start", nil)
		closeIt := func() apptest.Response {
			return cast.Secretary.Do("POST", "/api/v1/meetings/"+m+"/status", map[string]any{"status": "closed"})
		}

		// A guard refuses: nothing ends.
		var poll struct{ ID string }
		cast.Secretary.Must(created, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Thông qua"}).JSON(&poll)
		cast.Chair.Must(ok, "POST", "/api/v1/polls/"+poll.ID+"/open", nil)
		before := auditCount(cast, m)
		apptest.Drain(rec)
		closeIt().Check(t, "close with a vote open", conflict)
		if q := readQueues(cast.Chair, a); q.Active == nil || q.Active.ID != sp {
			t.Errorf("a refused close ended the turn: %+v", q)
		}
		if ag := readAgenda(cast.Chair, m); ag.CurrentItemID == nil || *ag.CurrentItemID != a {
			t.Errorf("a refused close ended the item: current %v", ag.CurrentItemID)
		}
		if n := auditCount(cast, m); n != before {
			t.Errorf("a refused close was audited: %v", actions(auditSince(cast, m, before)))
		}
		if types := eventTypes(apptest.Drain(rec)); len(types) != 0 {
			t.Errorf("a refused close published %v", types)
		}

		cast.Chair.Must(ok, "POST", "/api/v1/polls/"+poll.ID+"/cancel", nil)
		before = auditCount(cast, m)
		apptest.Drain(rec)
		closeIt().Check(t, "close", ok)

		if q := readQueues(cast.Chair, a); q.Active != nil || len(q.History) != 1 || q.History[0].ID != sp || q.History[0].Status != "done" {
			t.Errorf("closed meeting's queues: %+v", q)
		}
		if ag := readAgenda(cast.Chair, m); ag.CurrentItemID != nil || status(ag, a) != "done" {
			t.Errorf("closed meeting's agenda: current %v, A is %q", ag.CurrentItemID, status(ag, a))
		}
		added := auditSince(cast, m, before)
		if got := actions(added); !slices.Equal(got, []string{"speaker.finished", "agenda.current", "meeting.status"}) {
			t.Fatalf("the close audited %v", got)
		}
		for _, e := range added[:2] {
			if !strings.Contains(fmt.Sprint(e.Detail["reason"]), "close of the meeting") || e.ActorID != cast.Secretary.UserID {
				t.Errorf("%s audited as %+v", e.Action, e)
			}
		}
		es := apptest.Drain(rec)
		if types := eventTypes(es); !slices.Equal(types, []string{"speakers.changed", "agenda.current", "meeting.updated"}) {
			t.Fatalf("the close published %v", types)
		}
		if q, isQ := es[0].Data.(agenda.Queues); !isQ || q.AgendaItemID != a || q.Active != nil || len(q.History) != 1 || q.History[0].FinishedAt == nil {
			t.Errorf("speakers.changed on close: %#v", es[0].Data)
		}
		if cur, isCur := es[1].Data.(agenda.CurrentItem); !isCur || cur.ItemID != nil || cur.PreviousItemID == nil || *cur.PreviousItemID != a {
			t.Errorf("agenda.current on close: %#v", es[1].Data)
		}

		// Nothing running: the close is the close alone.
		quiet := cast.Meeting("Quiet close")
		addItem(cast.Secretary, quiet, "A", "")
		cast.SetStatus(quiet, "scheduled", "live")
		before = auditCount(cast, quiet)
		apptest.Drain(rec)
		cast.SetStatus(quiet, "closed")
		if got := actions(auditSince(cast, quiet, before)); !slices.Equal(got, []string{"meeting.status"}) {
			t.Errorf("a quiet close audited %v", got)
		}
		if types := eventTypes(apptest.Drain(rec)); !slices.Equal(types, []string{"meeting.updated"}) {
			t.Errorf("a quiet close published %v", types)
		}
	})
}
