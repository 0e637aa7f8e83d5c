package main

import (
	"io"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
)

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
	})
}
