package agenda_test

import (
	"net/http"
	"testing"

	"github.com/curia/curia/internal/apptest"
)

// TestMain lets the test binary serve as the PDF worker of the test
// servers, for the tests that upload documents.
func TestMain(m *testing.M) { apptest.Main(m) }

const (
	ok            = http.StatusOK
	created       = http.StatusCreated
	noContent     = http.StatusNoContent
	invalid       = http.StatusBadRequest
	forbidden     = http.StatusForbidden
	notFound      = http.StatusNotFound
	conflict      = http.StatusConflict
	unprocessable = http.StatusUnprocessableEntity
)

// item is an agenda item as the API shows it.
type item struct {
	ID              string  `json:"id"`
	ParentID        *string `json:"parent_id"`
	Number          string  `json:"number"`
	Title           string  `json:"title"`
	DurationMin     int     `json:"duration_min"`
	TotalMin        int     `json:"total_min"`
	PresenterID     *string `json:"presenter_id"`
	PresenterName   string  `json:"presenter_name"`
	Status          string  `json:"status"`
	BecameCurrentAt *string `json:"became_current_at"`
	Items           []item  `json:"items"`
}

type agendaTree struct {
	Items         []item  `json:"items"`
	CurrentItemID *string `json:"current_item_id"`
	PlannedMin    int     `json:"planned_min"`
}

// addItem adds an item as c and returns its id; parent "" is the top level.
func addItem(c *apptest.Client, m, title, parent string) string {
	body := map[string]any{"title": title, "duration_min": 10}
	if parent != "" {
		body["parent_id"] = parent
	}
	var it item
	c.Must(created, "POST", "/api/v1/meetings/"+m+"/agenda", body).JSON(&it)
	return it.ID
}

// readAgenda returns a meeting's agenda as c sees it.
func readAgenda(c *apptest.Client, m string) agendaTree {
	var ag agendaTree
	c.Get("/api/v1/meetings/"+m+"/agenda", &ag)
	return ag
}

// outline renders a tree as "number title" lines, depth-first.
func outline(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Number+" "+it.Title)
		out = append(out, outline(it.Items)...)
	}
	return out
}

// enqueue asks for the floor for userID ("" for oneself) and returns the entry id.
func enqueue(c *apptest.Client, itemID, kind, userID string) string {
	body := map[string]any{"kind": kind}
	if userID != "" {
		body["user_id"] = userID
	}
	var sp struct{ ID string }
	c.Must(created, "POST", "/api/v1/agenda-items/"+itemID+"/speakers", body).JSON(&sp)
	return sp.ID
}
