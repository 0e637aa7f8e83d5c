package presentation_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
	"github.com/curia/curia/presentation"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type fixture struct {
	s         *apptest.Server
	c         *apptest.Cast
	m         string
	doc       docs.Document
	presenter *apptest.Client
	rec       *event.Recorder
}

// setup makes a live meeting with a 5-page document and a current agenda
// item presented by a second delegate.
func setup(t *testing.T, b testdb.Backend) *fixture {
	t.Helper()
	rec := event.NewRecorder(1000)
	s := apptest.Start(t, b, apptest.WithPublisher(rec))
	c := s.NewCast("p")
	m := c.Meeting("Phiên họp")
	presenter := s.SignIn(s.CreateUser("presenter", "Người trình bày", false))
	c.Secretary.Must(201, "PUT", "/api/v1/meetings/"+m+"/participants/"+presenter.UserID, map[string]any{"role": "delegate"})
	var doc docs.Document
	res := c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "to-trinh.pdf", testpdf.Pages(5, "present"), nil)
	if res.Status != 201 {
		t.Fatalf("upload: %d %s", res.Status, res.Body)
	}
	res.JSON(&doc)
	var item struct{ ID string }
	c.Secretary.Must(201, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Tờ trình", "presenter_id": presenter.UserID}).JSON(&item)
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(200, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": item.ID})
	apptest.Drain(rec)
	return &fixture{s: s, c: c, m: m, doc: doc, presenter: presenter, rec: rec}
}

func TestPageSync(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := setup(t, b)
		path := "/api/v1/meetings/" + f.m + "/presentation"
		turn := func(c *apptest.Client, body any) apptest.Response { return c.Do("PUT", path, body) }
		cases := []struct {
			name   string
			c      *apptest.Client
			body   any
			status int
		}{
			{"chair", f.c.Chair, map[string]any{"document_id": f.doc.ID, "page": 2}, 200},
			{"presenter of the current item", f.presenter, map[string]any{"document_id": f.doc.ID, "page": 3}, 200},
			{"with a zoom region", f.c.Chair, map[string]any{"document_id": f.doc.ID, "page": 3, "zoom": map[string]float64{"x": 0.1, "y": 0.2, "w": 0.5, "h": 0.3}}, 200},
			{"delegate", f.c.Delegate, map[string]any{"document_id": f.doc.ID, "page": 1}, 403},
			{"observer", f.c.Observer, map[string]any{"document_id": f.doc.ID, "page": 1}, 403},
			{"secretary", f.c.Secretary, map[string]any{"document_id": f.doc.ID, "page": 1}, 403},
			{"outsider", f.c.Outsider, map[string]any{"document_id": f.doc.ID, "page": 1}, 404},
			{"page 0", f.c.Chair, map[string]any{"document_id": f.doc.ID, "page": 0}, 400},
			{"page past the end", f.c.Chair, map[string]any{"document_id": f.doc.ID, "page": 6}, 400},
			{"unknown document", f.c.Chair, map[string]any{"document_id": "nope", "page": 1}, 422},
			{"zoom outside the page", f.c.Chair, map[string]any{"document_id": f.doc.ID, "page": 1, "zoom": map[string]float64{"x": 0.8, "y": 0, "w": 0.5, "h": 0.5}}, 400},
			{"page as text", f.c.Chair, `{"document_id":"` + f.doc.ID + `","page":"2"}`, 400},
			{"missing version", f.c.Chair, map[string]any{"document_id": f.doc.ID, "page": 1, "version": 7}, 422},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if res := turn(tc.c, tc.body); res.Status != tc.status {
					t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.status)
				}
			})
		}
		var st presentation.State
		f.c.Delegate.Get(path, &st)
		if st.DocumentID == nil || *st.DocumentID != f.doc.ID || st.Page != 3 || st.Pages != 5 || st.Version != 1 || st.Zoom == nil || st.Zoom.W != 0.5 {
			t.Fatalf("refused turns changed the state: %+v", st)
		}
	})
}

// Rapid flips are coalesced, and the last page always arrives.
func TestRapidFlipsCoalesced(t *testing.T) {
	f := setup(t, testdb.Backends()[0])
	path := "/api/v1/meetings/" + f.m + "/presentation"
	for page := 1; page <= 5; page++ {
		for range 4 {
			f.c.Chair.Must(200, "PUT", path, map[string]any{"document_id": f.doc.ID, "page": page})
		}
	}
	time.Sleep(300 * time.Millisecond)
	evs := apptest.Drain(f.rec)
	if len(evs) == 0 || len(evs) >= 20 {
		t.Fatalf("20 turns gave %d events, want fewer than 20 and at least 1", len(evs))
	}
	last := evs[len(evs)-1].Data.(presentation.State)
	if evs[len(evs)-1].Type != "presentation.changed" || last.Page != 5 {
		t.Fatalf("last event %s page %d, want presentation.changed page 5", evs[len(evs)-1].Type, last.Page)
	}
}

// A confidential document's page reaches its readers; everyone else learns
// only that something they may not see is shown.
func TestConfidentialPresentation(t *testing.T) {
	f := setup(t, testdb.Backends()[0])
	var secret docs.Document
	res := f.c.Secretary.Upload("/api/v1/meetings/"+f.m+"/documents", "mat.pdf", testpdf.Pages(2, "secret"),
		map[string]string{"confidential": "true"})
	res.JSON(&secret)
	apptest.Drain(f.rec)
	path := "/api/v1/meetings/" + f.m + "/presentation"
	f.c.Chair.Must(200, "PUT", path, map[string]any{"document_id": secret.ID, "page": 2})
	time.Sleep(100 * time.Millisecond)
	evs := apptest.Drain(f.rec)
	if len(evs) != 2 {
		t.Fatalf("want a full and a hidden event, got %d", len(evs))
	}
	full, other := evs[0], evs[1]
	if !full.Visible(f.c.Chair.UserID) || full.Visible(f.c.Delegate.UserID) || full.Data.(presentation.State).DocumentID == nil {
		t.Errorf("full event reaches the wrong people: %+v", full)
	}
	if other.Visible(f.c.Chair.UserID) || !other.Visible(f.c.Delegate.UserID) || !other.Data.(presentation.State).Hidden {
		t.Errorf("hidden event: %+v", other)
	}
	var st presentation.State
	f.c.Delegate.Get(path, &st)
	if !st.Hidden || st.DocumentID != nil || st.Page != 0 {
		t.Fatalf("a delegate without access sees %+v", st)
	}
	st = presentation.State{}
	f.c.Chair.Get(path, &st)
	if st.Hidden || st.DocumentID == nil || *st.DocumentID != secret.ID {
		t.Fatalf("the chair sees %+v", st)
	}
}

// TestDocumentShownIsAudited: putting a document (or another version of
// it) before the room, and stopping, are audited with who did it; page
// turns and zooms within the document shown are not, nor are refused
// turns or a stop when nothing is shown.
func TestDocumentShownIsAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		f := setup(t, b)
		var annex docs.Document
		res := f.c.Secretary.Upload("/api/v1/meetings/"+f.m+"/documents", "phu-luc.pdf", testpdf.Pages(3, "annex"), nil)
		res.Check(t, "upload", 201)
		res.JSON(&annex)
		path := "/api/v1/meetings/" + f.m + "/presentation"
		show := func(c *apptest.Client, body map[string]any, want int) {
			t.Helper()
			c.Do("PUT", path, body).Check(t, "present", want)
		}
		doc := f.doc.ID
		show(f.c.Chair, map[string]any{}, 200) // nothing shown yet: no change
		show(f.c.Chair, map[string]any{"document_id": doc, "page": 2}, 200)
		show(f.c.Chair, map[string]any{"document_id": doc, "page": 3}, 200)
		show(f.presenter, map[string]any{"document_id": doc, "page": 4, "zoom": map[string]float64{"x": 0, "y": 0, "w": 0.5, "h": 0.5}}, 200)
		show(f.c.Chair, map[string]any{"document_id": doc, "page": 9}, 400)
		show(f.presenter, map[string]any{"document_id": annex.ID, "page": 1}, 200)
		show(f.c.Chair, map[string]any{"document_id": annex.ID, "page": 2, "version": 1}, 200)
		f.c.Secretary.Upload("/api/v1/documents/"+annex.ID+"/versions", "phu-luc-2.pdf", testpdf.Pages(2, "annex v2"), nil).Check(t, "new version", 201)
		show(f.c.Chair, map[string]any{"document_id": annex.ID, "page": 1}, 200) // the current version, 2
		show(f.c.Chair, map[string]any{"document_id": annex.ID, "page": 2, "version": 2}, 200)
		show(f.c.Chair, map[string]any{}, 200)
		show(f.c.Chair, map[string]any{}, 200)

		var log struct {
			Entries []struct {
				Action  string         `json:"action"`
				ActorID string         `json:"actor_id"`
				Object  string         `json:"object"`
				Detail  map[string]any `json:"detail"`
			} `json:"entries"`
		}
		f.c.Admin.Get("/api/v1/audit?limit=1000&meeting_id="+f.m, &log)
		var got []string
		for _, e := range slices.Backward(log.Entries) {
			if strings.HasPrefix(e.Action, "presentation.") {
				got = append(got, fmt.Sprintf("%s %s by %s version %v", e.Action, e.Object, e.ActorID, e.Detail["version"]))
			}
		}
		want := []string{
			fmt.Sprintf("presentation.shown document:%s by %s version 1", doc, f.c.Chair.UserID),
			fmt.Sprintf("presentation.shown document:%s by %s version 1", annex.ID, f.presenter.UserID),
			fmt.Sprintf("presentation.shown document:%s by %s version 2", annex.ID, f.c.Chair.UserID),
			fmt.Sprintf("presentation.stopped document:%s by %s version 2", annex.ID, f.c.Chair.UserID),
		}
		if !slices.Equal(got, want) {
			t.Errorf("presentation audit entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
