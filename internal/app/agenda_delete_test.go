package app_test

import (
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// TestAgendaDeleteKeepsConfidentialTitles proves that an administrator
// outside a meeting, who may manage its agenda but not read its
// confidential document (the minutes only count it), is refused the
// delete of the agenda item the document is filed under (409) without
// being told the document's title (docs.AgendaDeleteGuard).
func TestAgendaDeleteKeepsConfidentialTitles(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("guard")
	m := c.Meeting("Họp kỷ luật")
	var it struct{ ID string }
	c.Secretary.Must(201, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Xem xét kỷ luật"}).JSON(&it)
	const title = "Danh sách kỷ luật MẬT"
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "k.pdf", testpdf.Pages(1, "k"),
		map[string]string{"title": title, "confidential": "true", "agenda_item_id": it.ID, "reader_ids": c.Delegate.UserID}).
		Check(t, "upload", 201)
	res := c.Admin.Do("DELETE", "/api/v1/agenda-items/"+it.ID, nil)
	res.Check(t, "delete the item", 409)
	if strings.Contains(string(res.Body), title) {
		t.Errorf("the refusal gives an admin outside the meeting the confidential title: %s", res.Body)
	}
}
