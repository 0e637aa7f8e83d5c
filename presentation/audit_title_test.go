package presentation_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/presentation"
)

// The documents service tells the presentation the titles it may audit:
// were its methods to drift from the interface, titles would silently go.
var _ presentation.Documents = (*docs.Service)(nil)

// TestAuditTitleShownAndStopped: presentation.shown and .stopped name an
// open document by its title at the time (so the audit screen names it
// once it is renamed or deleted), also when it stops because it was
// deleted, while a confidential document's entries, which an
// administrator who may not read it sees, give no title.
func TestAuditTitleShownAndStopped(t *testing.T) {
	f := setup(t, testdb.Backends()[0])
	const openTitle, renamed, secret = "Tờ trình ngân sách", "Tờ trình ngân sách (sửa)", "Danh sách kỷ luật MẬT"
	upload := func(name string, fields map[string]string) docs.Document {
		t.Helper()
		var d docs.Document
		res := f.c.Secretary.Upload("/api/v1/meetings/"+f.m+"/documents", name, testpdf.Pages(2, name), fields)
		res.Check(t, "upload "+name, 201)
		res.JSON(&d)
		return d
	}
	open := upload("ngan-sach.pdf", map[string]string{"title": openTitle})
	conf := upload("ky-luat.pdf", map[string]string{"title": secret, "confidential": "true"})
	path := "/api/v1/meetings/" + f.m + "/presentation"
	show := func(body map[string]any) {
		t.Helper()
		f.c.Chair.Do("PUT", path, body).Check(t, "present", 200)
	}
	show(map[string]any{"document_id": open.ID, "page": 1})
	show(map[string]any{"document_id": open.ID, "page": 2}) // a turn: not audited
	show(map[string]any{"document_id": conf.ID, "page": 1})
	show(map[string]any{"document_id": open.ID, "page": 1})
	f.c.Secretary.Must(200, "PATCH", "/api/v1/documents/"+open.ID, map[string]any{"title": renamed})
	show(map[string]any{})
	show(map[string]any{"document_id": conf.ID, "page": 2})
	show(map[string]any{})
	// Deleted while shown: the stop is audited by the deletion, after it.
	show(map[string]any{"document_id": open.ID, "page": 2})
	f.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+open.ID, nil)
	show(map[string]any{"document_id": conf.ID, "page": 1})
	f.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+conf.ID, nil)

	var log struct {
		Entries []struct {
			Action string         `json:"action"`
			Object string         `json:"object"`
			Detail map[string]any `json:"detail"`
		} `json:"entries"`
	}
	f.c.Admin.Get("/api/v1/audit?limit=1000&meeting_id="+f.m, &log)
	type named struct{ action, object, title string }
	var got []named
	for _, e := range slices.Backward(log.Entries) {
		if !strings.HasPrefix(e.Action, "presentation.") {
			continue
		}
		b, _ := json.Marshal(e.Detail)
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(secret)) {
			t.Errorf("%s of a confidential document gives its title to the audit log: %s", e.Action, b)
		}
		title, _ := e.Detail["title"].(string)
		got = append(got, named{e.Action, e.Object, title})
	}
	want := []named{
		{"presentation.shown", "document:" + open.ID, openTitle},
		{"presentation.shown", "document:" + conf.ID, ""},
		{"presentation.shown", "document:" + open.ID, openTitle},
		{"presentation.stopped", "document:" + open.ID, renamed}, // its title when it stopped
		{"presentation.shown", "document:" + conf.ID, ""},
		{"presentation.stopped", "document:" + conf.ID, ""},
		{"presentation.shown", "document:" + open.ID, renamed},
		{"presentation.stopped", "document:" + open.ID, renamed}, // deleted: the title it had
		{"presentation.shown", "document:" + conf.ID, ""},
		{"presentation.stopped", "document:" + conf.ID, ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("presentation entries (action, object, title):\n%v\nwant:\n%v", got, want)
	}
}

// titledDocs is one open ten-page document, titled, counting the calls a
// turn or a stop makes.
type titledDocs struct {
	meetingID, docID, title string
	pages, looked           atomic.Int32
}

func (d *titledDocs) Pages(_ context.Context, _ web.Actor, docID string, _ int) (string, int, int, string, error) {
	d.pages.Add(1)
	if docID != d.docID {
		return "", 0, 0, "", apperr.NotFoundf("document not found")
	}
	return d.meetingID, 1, 10, d.title, nil
}

func (d *titledDocs) AuditTitle(_ context.Context, docID string) (string, error) {
	d.looked.Add(1)
	if docID != d.docID {
		return "", apperr.NotFoundf("document not found")
	}
	return d.title, nil
}

func (d *titledDocs) Audience(context.Context, string) ([]string, error) { return nil, nil }

// TestAuditTitleCostsATurnNothing: the title of the document shown comes
// with its pages, in the one call a turn makes anyway; only a stop looks
// a title up on its own.
func TestAuditTitleCostsATurnNothing(t *testing.T) {
	db := testdb.Backends()[0].Open(t, audit.Migration(), meeting.Migration(), presentation.Migration())
	ms := meeting.NewService(db, meeting.Config{Users: reviewUsers{}})
	ctx := context.Background()
	sec, chair := web.Actor{UserID: "sec"}, web.Actor{UserID: "chair"}
	m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Phiên họp"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ms.PutParticipant(ctx, sec, m.ID, chair.UserID, meeting.ParticipantInput{Role: "chair"}); err != nil {
		t.Fatal(err)
	}
	d := &titledDocs{meetingID: m.ID, docID: "doc-1", title: "Tờ trình"}
	svc := presentation.NewService(db, presentation.Config{Meetings: ms, Agenda: reviewNoAgenda{}, Documents: d,
		Publisher: event.NewRecorder(1000), Coalesce: time.Millisecond})
	t.Cleanup(svc.Close)
	for page := 1; page <= 5; page++ {
		if _, err := svc.Set(ctx, chair, m.ID, presentation.Input{DocumentID: &d.docID, Page: page}); err != nil {
			t.Fatal(err)
		}
	}
	if p, l := d.pages.Load(), d.looked.Load(); p != 5 || l != 0 {
		t.Errorf("5 turns made %d Pages and %d AuditTitle calls, want 5 and 0", p, l)
	}
	if _, err := svc.Set(ctx, chair, m.ID, presentation.Input{}); err != nil {
		t.Fatal(err)
	}
	if l := d.looked.Load(); l != 1 {
		t.Errorf("a stop made %d AuditTitle calls, want 1", l)
	}
	entries, err := audit.New(db).List(ctx, audit.Filter{MeetingID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range slices.Backward(entries) {
		if strings.HasPrefix(e.Action, "presentation.") {
			title, _ := e.Detail["title"].(string)
			got = append(got, e.Action+" "+title)
		}
	}
	if want := []string{"presentation.shown Tờ trình", "presentation.stopped Tờ trình"}; !slices.Equal(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
}
