package agenda_test

import (
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// TestAttachDeleteRace: deleting an item at the same moment as a poll is
// prepared for it and a document is moved under it, round after round
// (bounded in count and time). Either the delete wins and both are
// refused, or one of them commits first, the delete is refused and both
// are filed under the item; never does a poll or a document name an item
// that is gone.
func TestAttachDeleteRace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		sec := cast.Secretary
		m := cast.Meeting("Race")
		var doc struct{ ID string }
		sec.Upload("/api/v1/meetings/"+m+"/documents", "to-trinh.pdf", testpdf.Pages(1, "race"), nil).JSON(&doc)
		deadline := time.Now().Add(20 * time.Second)
		rounds, won := 0, map[string]int{}
		for ; rounds < 25 && time.Now().Before(deadline); rounds++ {
			it := addItem(sec, m, "Biểu quyết", "")
			got := apptest.AtOnce(3, func(i int) int {
				switch i {
				case 0:
					return sec.Do("DELETE", "/api/v1/agenda-items/"+it, nil).Status
				case 1:
					return sec.Do("POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Thông qua", "agenda_item_id": it}).Status
				}
				return sec.Do("PATCH", "/api/v1/documents/"+doc.ID, map[string]any{"agenda_item_id": it}).Status
			})
			del, poll, move := got[0], got[1], got[2]
			switch {
			case del == noContent && poll == unprocessable && move == unprocessable:
				won["delete"]++
			case del == conflict && poll == created && move == ok: // the item stays: both are filed under it
				won["attach"]++
			default:
				t.Fatalf("round %d: delete %d, poll %d, move %d", rounds, del, poll, move)
			}
			sec.Must(ok, "PATCH", "/api/v1/documents/"+doc.ID, map[string]any{"agenda_item_id": ""})
		}
		if d := dangling(t, sec, m); len(d) > 0 {
			t.Errorf("dangling links after %d rounds: %v", rounds, d)
		}
		t.Logf("%d rounds: %v", rounds, won)
	})
}
