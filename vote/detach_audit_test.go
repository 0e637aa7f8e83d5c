package vote_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestDetachedPollIsAudited: deleting an agenda item that a poll
// cancelled before it opened names sets that poll's agenda_item_id to
// null (AgendaDeleteGuard), in the deleting transaction; the audit log
// must say so, or the poll's own entries (poll.created with its item)
// would be the last word. (Found by review.)
func TestDetachedPollIsAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		sec := cast.Secretary
		m := cast.Meeting("Nhầm mục")
		var it struct{ ID string }
		sec.Must(201, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Nhầm mục", "duration_min": 5}).JSON(&it)
		p := newPoll(sec, m, map[string]any{"title": "Nhầm", "agenda_item_id": it.ID})
		step(sec, p, "cancel", ok)

		type entry struct {
			Action string         `json:"action"`
			Object string         `json:"object"`
			Detail map[string]any `json:"detail"`
		}
		read := func() []entry {
			var out struct{ Entries []entry }
			cast.Admin.Get("/api/v1/audit?limit=1000&meeting_id="+m, &out)
			slices.Reverse(out.Entries) // oldest first
			return out.Entries
		}
		before := len(read())
		sec.Must(204, "DELETE", "/api/v1/agenda-items/"+it.ID, nil)

		var got p0
		sec.Get("/api/v1/polls/"+p, &got)
		if got.AgendaItemID != nil {
			t.Fatalf("the poll still names the item: the delete did not detach it")
		}
		after := read()[before:]
		for _, e := range after {
			d, _ := json.Marshal(e.Detail)
			if strings.Contains(e.Object, p) || strings.Contains(string(d), p) {
				if e.Action != "poll.detached" || e.Detail["agenda_item_id"] != it.ID {
					t.Errorf("the detach is audited as %s %v, want poll.detached naming the item", e.Action, e.Detail)
				}
				return // the detach is on the record
			}
		}
		t.Errorf("the poll %s lost its agenda item without an audit entry naming it; entries written by the delete: %+v", p, after)
	})
}

type p0 struct {
	AgendaItemID *string `json:"agenda_item_id"`
}
