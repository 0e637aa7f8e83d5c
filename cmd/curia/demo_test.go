package main

import (
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

// TestMain lets the servers of these tests run PDF workers (the demo
// makes its documents with them).
func TestMain(m *testing.M) { apptest.Main(m) }

// TestDemoMeeting seeds the demo twice: one meeting, in session, with its
// people and a six-item agenda numbered as printed.
func TestDemoMeeting(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		ctx := t.Context()
		var out strings.Builder
		if err := seedDemo(ctx, srv.App, &out); err != nil {
			t.Fatal(err)
		}
		if err := seedDemo(ctx, srv.App, io.Discard); err != nil {
			t.Fatalf("second seed: %v", err)
		}
		ids, err := demoUserIDs(ctx, srv.App)
		if err != nil {
			t.Fatal(err)
		}
		sec := web.Actor{UserID: ids["thuky"]}
		ms, err := srv.App.Meetings.List(ctx, sec)
		if err != nil || len(ms) != 1 || ms[0].Status != "live" || !strings.Contains(out.String(), ms[0].ID) {
			t.Fatalf("meetings %+v, %v; printed %s", ms, err, out.String())
		}
		ps, err := srv.App.Meetings.Participants(ctx, ms[0].ID)
		if err != nil || len(ps) != 11 || ps[0].Role != "chair" {
			t.Errorf("participants %+v, %v", ps, err)
		}
		ag, err := srv.App.Agenda.Agenda(ctx, sec, ms[0].ID)
		if err != nil || len(ag.Items) != 6 || ag.Items[4].Items[2].Number != "5.3" || ag.CurrentItemID == nil {
			t.Errorf("agenda %+v, %v", ag, err)
		}
		checkDemoDocuments(t, srv, ms[0].ID, ids)
		checkDemoPoll(t, srv, ms[0].ID, *ag.CurrentItemID, ids)
	})
}

// checkDemoPoll: one named motion in draft on the current item, which the
// chair can open and a checked-in delegate can vote in.
func checkDemoPoll(t *testing.T, srv *apptest.Server, meetingID, itemID string, ids map[string]string) {
	t.Helper()
	ctx := t.Context()
	chair, delegate := web.Actor{UserID: ids["chutri"]}, web.Actor{UserID: ids["daibieu3"]}
	polls, err := srv.App.Votes.List(ctx, chair, meetingID)
	if err != nil || len(polls) != 1 {
		t.Fatalf("polls %+v, %v", polls, err)
	}
	p := polls[0]
	var opts []string
	for _, o := range p.Options {
		opts = append(opts, o.ID)
	}
	if p.Title != demoPollTitle || p.Status != vote.Draft || p.Secret || p.AgendaItemID == nil || *p.AgendaItemID != itemID ||
		!slices.Equal(opts, []string{"agree", "disagree", "abstain"}) {
		t.Fatalf("demo poll %+v", p)
	}
	if _, err := srv.App.Votes.OpenPoll(ctx, chair, p.ID); err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := srv.App.Meetings.RecordAttendance(ctx, delegate, meetingID, meeting.AttendanceInput{State: "present"}); err != nil {
		t.Fatalf("check in: %v", err)
	}
	if _, err := srv.App.Votes.Cast(ctx, delegate, p.ID, vote.Ballot{Option: "agree"}); err != nil {
		t.Fatalf("vote: %v", err)
	}
}

// checkDemoDocuments: four documents of Vietnamese text attached to
// agenda items, one confidential to two delegates besides the chair and
// the secretary, and the first presented on page 1.
func checkDemoDocuments(t *testing.T, srv *apptest.Server, meetingID string, ids map[string]string) {
	t.Helper()
	ctx := t.Context()
	list, err := srv.App.Docs.List(ctx, web.Actor{UserID: ids["thuky"]}, meetingID)
	if err != nil || len(list) != 4 {
		t.Fatalf("documents %d, %v", len(list), err)
	}
	pages := map[string]int{}
	for _, d := range list {
		pages[d.Title] = d.Pages
		if d.AgendaItemID == nil {
			t.Errorf("%s is on no agenda item", d.Title)
		}
		if d.Confidential && !slices.Equal(d.Readers, sorted(ids["daibieu1"], ids["daibieu2"])) {
			t.Errorf("%s readers %v", d.Title, d.Readers)
		}
	}
	if pages["Báo cáo tình hình kinh tế – xã hội năm 2025, kế hoạch phát triển kinh tế – xã hội năm 2026"] < 12 ||
		pages["Tờ trình về dự toán thu, chi ngân sách địa phương năm 2026"] < 6 || pages["Nghị quyết về kế hoạch phát triển kinh tế – xã hội năm 2026"] < 4 {
		t.Errorf("pages %v", pages)
	}
	if seen, _ := srv.App.Docs.List(ctx, web.Actor{UserID: ids["daibieu3"]}, meetingID); len(seen) != 3 {
		t.Errorf("daibieu3 sees %d documents, want the 3 open ones", len(seen))
	}
	st, err := srv.App.Present.Get(ctx, web.Actor{UserID: ids["daibieu5"]}, meetingID)
	if err != nil || st.DocumentID == nil || *st.DocumentID != list[0].ID || st.Page != 1 {
		t.Errorf("presentation %+v, %v", st, err)
	}
	f, err := srv.App.Docs.Open(ctx, web.Actor{UserID: ids["daibieu5"]}, docs.OpenRequest{DocumentID: list[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if text := pdfText(t, f); !strings.Contains(text, "Tổng sản phẩm trên địa bàn (GRDP)") {
		t.Errorf("the report's text does not read back: %.300q", text)
	}
}

func sorted(ss ...string) []string {
	slices.Sort(ss)
	return ss
}

// pdfText extracts the text of page 1 with poppler's pdftotext, or
// returns the wanted text when it is not installed.
func pdfText(t *testing.T, r io.Reader) string {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not installed: the demo's text is not checked")
		return "Tổng sản phẩm trên địa bàn (GRDP)"
	}
	cmd := exec.Command(bin, "-f", "1", "-l", "1", "-", "-")
	cmd.Stdin = r
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
