package agenda_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// auditEntry is an audit entry as the administrator reads it.
type auditEntry struct {
	Action  string         `json:"action"`
	ActorID string         `json:"actor_id"`
	Object  string         `json:"object"`
	Detail  map[string]any `json:"detail"`
}

// auditSince returns the meeting's audit entries after the first n, oldest first.
func auditSince(c *apptest.Cast, m string, n int) []auditEntry {
	var out struct{ Entries []auditEntry }
	c.Admin.Get("/api/v1/audit?limit=1000&meeting_id="+m, &out)
	slices.Reverse(out.Entries)
	return out.Entries[n:]
}

func auditCount(c *apptest.Cast, m string) int { return len(auditSince(c, m, 0)) }

// speakerEvents drains rec and returns its speakers.changed queues by item.
func speakerEvents(t *testing.T, rec *event.Recorder) map[string]agenda.Queues {
	t.Helper()
	out := map[string]agenda.Queues{}
	for _, e := range apptest.Drain(rec) {
		if e.Type != "speakers.changed" {
			continue
		}
		q, ok := e.Data.(agenda.Queues)
		if !ok {
			t.Fatalf("speakers.changed carries %#v", e.Data)
		}
		out[q.AgendaItemID] = q // the last one of each item is the state
	}
	return out
}

// TestLeavingCancelsSpeakerEntries: a participant removed from the
// meeting, or made an observer, is taken off every speaker list of the
// meeting as that change commits — their waiting speeches and questions
// on every item cancelled, a turn they have finished — each audited as
// the remover's cancel or finish, with speakers.changed for each item
// touched. Everybody else keeps their place; a change of role that keeps
// the right to speak (a delegate without a vote) takes nobody off.
func TestLeavingCancelsSpeakerEntries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(1000)
		s, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		sec, chair := cast.Secretary, cast.Chair
		m := cast.Meeting("Rời phiên họp")
		people := map[string]*apptest.Client{}
		for _, name := range []string{"removed", "observer", "speaking", "novote"} {
			c := s.SignIn(s.CreateUser("left-"+name, "Người "+name, false))
			sec.Must(created, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.UserID, map[string]any{"role": "delegate"})
			people[name] = c
		}
		a, bb := addItem(sec, m, "Thảo luận", ""), addItem(sec, m, "Khác", "")
		cast.SetStatus(m, "scheduled", "live")
		chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": a})

		// Everyone waits in both queues of a, and to speak on b.
		type mine struct{ speech, question, later string }
		entries := map[string]mine{}
		for name, c := range people {
			entries[name] = mine{enqueue(c, a, "speech", ""), enqueue(c, a, "question", ""), enqueue(c, bb, "speech", "")}
		}
		keepers := mine{enqueue(cast.Delegate, a, "speech", ""), enqueue(chair, a, "question", cast.Delegate.UserID),
			enqueue(cast.Delegate, bb, "speech", "")}
		speaking := people["speaking"]
		chair.Must(ok, "POST", "/api/v1/speakers/"+entries["speaking"].speech+"/start", nil)
		apptest.Drain(rec)

		leave := func(name string, how func(c *apptest.Client)) {
			t.Helper()
			c, e := people[name], entries[name]
			before := auditCount(cast, m)
			how(c)
			events := speakerEvents(t, rec)
			if len(events) != 2 || events[a].AgendaItemID != a || events[bb].AgendaItemID != bb {
				t.Errorf("%s: speakers.changed for %v, want items a and b", name, slices.Sorted(maps.Keys(events)))
			}
			for item, q := range events {
				for _, sp := range slices.Concat(q.Speeches, q.Questions) {
					if sp.UserID == c.UserID {
						t.Errorf("%s: still waiting on %s in the event: %+v", name, item, sp)
					}
				}
			}
			wantGone := map[string]string{e.speech: "speaker.cancelled", e.question: "speaker.cancelled", e.later: "speaker.cancelled"}
			if name == "speaking" {
				wantGone[e.speech] = "speaker.finished"
			}
			for _, en := range auditSince(cast, m, before) {
				id, ok := strings.CutPrefix(en.Object, "speaker:")
				if !ok {
					continue
				}
				if wantGone[id] != en.Action {
					t.Errorf("%s: audit %s %s, want %q", name, en.Action, en.Object, wantGone[id])
				}
				if en.ActorID != sec.UserID || en.Detail["user_id"] != c.UserID || en.Detail["reason"] == "" {
					t.Errorf("%s: audit entry %+v, want the secretary's, naming %s and a reason", name, en, c.UserID)
				}
				delete(wantGone, id)
			}
			if len(wantGone) != 0 {
				t.Errorf("%s: not audited: %v", name, wantGone)
			}
		}

		// Removed while waiting.
		leave("removed", func(c *apptest.Client) {
			sec.Must(noContent, "DELETE", "/api/v1/meetings/"+m+"/participants/"+c.UserID, nil)
		})
		// Made an observer while waiting.
		leave("observer", func(c *apptest.Client) {
			sec.Must(ok, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.UserID, map[string]any{"role": "observer"})
		})
		// Removed while speaking: the turn ends, recorded.
		leave("speaking", func(c *apptest.Client) {
			sec.Must(noContent, "DELETE", "/api/v1/meetings/"+m+"/participants/"+c.UserID, nil)
		})
		// A delegate without a vote may still speak: nothing changes.
		before := auditCount(cast, m)
		sec.Must(ok, "PUT", "/api/v1/meetings/"+m+"/participants/"+people["novote"].UserID, map[string]any{"role": "delegate", "can_vote": false})
		if ev := speakerEvents(t, rec); len(ev) != 0 {
			t.Errorf("a role change that keeps the floor published speakers.changed for %d items", len(ev))
		}
		if n := len(auditSince(cast, m, before)); n != 1 { // participant.set
			t.Errorf("%d audit entries for a role change that keeps the floor, want 1", n)
		}

		qa, qb := readQueues(chair, a), readQueues(chair, bb)
		if got, want := users(qa.Speeches), []string{people["novote"].UserID, cast.Delegate.UserID}; !slices.Equal(got, want) {
			t.Errorf("speeches on a: %v, want %v", got, want)
		}
		if got, want := users(qa.Questions), []string{people["novote"].UserID, cast.Delegate.UserID}; !slices.Equal(got, want) {
			t.Errorf("questions on a: %v, want %v", got, want)
		}
		if got, want := users(qb.Speeches), []string{people["novote"].UserID, cast.Delegate.UserID}; !slices.Equal(got, want) {
			t.Errorf("speeches on b: %v, want %v", got, want)
		}
		if qa.Active != nil {
			t.Errorf("%s still has the floor: %+v", speaking.UserID, qa.Active)
		}
		status := map[string]string{}
		for _, e := range slices.Concat(qa.History, qb.History) {
			status[e.ID] = e.Status
		}
		for _, name := range []string{"removed", "observer", "speaking"} {
			e := entries[name]
			want := map[string]string{e.speech: "cancelled", e.question: "cancelled", e.later: "cancelled"}
			if name == "speaking" {
				want[e.speech] = "done"
			}
			for id, st := range want {
				if status[id] != st {
					t.Errorf("%s: entry %s is %q, want %q", name, id, status[id], st)
				}
			}
		}
		// The floor is free again, for someone who stayed.
		chair.Must(ok, "POST", "/api/v1/speakers/"+keepers.speech+"/start", nil)
	})
}
