package minutes_test

import (
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/minutes"
)

// TestClosedMeetingMinutesEndTheFloor proves that the final (non-draft)
// minutes of a meeting closed while an item was current and someone had
// the floor record the turn as ended and the item as done: the close ends
// them (agenda.CloseHook), since nothing in a closed meeting can change
// afterwards, and the signed record must not say "still speaking" or
// "under discussion" for good.
func TestClosedMeetingMinutesEndTheFloor(t *testing.T) {
	_, c := apptest.StartCast(t, testdb.Backends()[0])
	m := c.Meeting("Kỳ họp thứ hai")
	item := addItem(c.Secretary, m, map[string]any{"title": "Thảo luận"})
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": item})
	var sp struct{ ID string }
	c.Delegate.Must(created, "POST", "/api/v1/agenda-items/"+item+"/speakers", map[string]any{"kind": "speech"}).JSON(&sp)
	c.Chair.Must(ok, "POST", "/api/v1/speakers/"+sp.ID+"/start", nil)
	c.SetStatus(m, "closed")

	var mm minutes.Minutes
	c.Secretary.Must(ok, "GET", "/api/v1/meetings/"+m+"/minutes?format=json", nil).JSON(&mm)
	if mm.Draft || len(mm.Items) != 1 {
		t.Fatalf("closed meeting: draft %v, %d items", mm.Draft, len(mm.Items))
	}
	it := mm.Items[0]
	if len(it.Speakers) != 1 {
		t.Fatalf("the final minutes have %d speakers on %q, want the one who had the floor", len(it.Speakers), it.Title)
	}
	for _, s := range it.Speakers {
		if s.FinishedAt == nil {
			t.Errorf("the final minutes have %s still speaking (finished_at null) in a closed meeting", s.FullName)
		}
	}
	if it.Status != "done" {
		t.Errorf("the final minutes have item %q %s, want done", it.Title, it.Status)
	}
	page := string(c.Secretary.Must(ok, "GET", "/api/v1/meetings/"+m+"/minutes", nil).Body)
	for _, w := range []string{"đang phát biểu", "Đang thảo luận"} {
		if strings.Contains(page, w) {
			t.Errorf("the final minutes page says %q", w)
		}
	}
}
