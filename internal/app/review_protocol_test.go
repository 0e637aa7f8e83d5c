package app_test

import (
	"encoding/json"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// reviewProtocolError reads the next error message of tl.
func reviewProtocolError(t *testing.T, tl *apptest.LiveConn) (code, message string) {
	t.Helper()
	m := tl.NextOf("error")
	var e struct{ Code, Message string }
	if err := json.Unmarshal(m.Data, &e); err != nil {
		t.Fatalf("error data %s: %v", m.Data, err)
	}
	return e.Code, e.Message
}

// api/live.md §3: pointer refusals are "forbidden for someone who may not
// point" and "conflict when the page has just changed". Someone who may
// never point (a delegate who presents nothing) must be told forbidden,
// whatever page their message names: today the page is compared before
// the right to point is checked (docs/annotation_pointer.go:92, before the check at :102), so they
// are told "conflict: point at the presented page: it has changed", which
// invites a client to refresh the page and try again.
func TestReviewProtocolPointerFromNonPresenterIsForbidden(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("rpf")
	m := c.Meeting("Con trỏ trái phép")
	c.SetStatus(m, "scheduled", "live")
	tablet := c.Delegate.Live(m, "")
	tablet.NextOf("snapshot")

	laser := func(docID string, page int) map[string]any {
		return map[string]any{"type": "pointer", "data": map[string]any{
			"document_id": docID, "page": page, "kind": "laser", "x": 10, "y": 10}}
	}

	// Nothing is shown.
	tablet.Send(laser("01JNOTSHOWN", 1))
	if code, msg := reviewProtocolError(t, tablet); code != "forbidden" {
		t.Errorf("a delegate's pointer while nothing is shown: %s %q, want forbidden", code, msg)
	}

	// A document is shown, and the delegate names another page of it.
	var doc docs.Document
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(3, "p"), nil).JSON(&doc)
	c.Chair.Must(200, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 1})
	tablet.Send(laser(doc.ID, 2))
	if code, msg := reviewProtocolError(t, tablet); code != "forbidden" {
		t.Errorf("a delegate's pointer on another page: %s %q, want forbidden", code, msg)
	}

	// The observer, who may never point, either.
	obs := c.Observer.Live(m, "")
	obs.NextOf("snapshot")
	obs.Send(laser(doc.ID, 3))
	if code, msg := reviewProtocolError(t, obs); code != "forbidden" {
		t.Errorf("an observer's pointer on another page: %s %q, want forbidden", code, msg)
	}
}
