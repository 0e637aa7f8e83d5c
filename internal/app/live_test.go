package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
	"github.com/curia/curia/presentation"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type snapshot struct {
	State struct {
		Meeting struct {
			Status string `json:"status"`
		} `json:"meeting"`
		Presentation presentation.State `json:"presentation"`
		CurrentItem  *struct {
			ItemID string `json:"item_id"`
		} `json:"current_item"`
		Quorum struct {
			Eligible int `json:"eligible"`
		} `json:"quorum"`
		Polls []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"polls"`
	} `json:"state"`
}

// A tablet connects, gets the live state, and follows the chair's page.
func TestLiveWiring(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := apptest.Start(t, b)
		c := s.NewCast("l")
		m := c.Meeting("Phiên trực tiếp")
		var doc docs.Document
		c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(4, "live"), nil).JSON(&doc)
		var item struct{ ID string }
		c.Secretary.Must(201, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Mục 1"}).JSON(&item)
		c.SetStatus(m, "scheduled", "live")
		c.Chair.Must(200, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": item.ID})
		c.Chair.Must(200, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 2})
		var poll struct{ ID string }
		c.Chair.Must(201, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Thông qua tờ trình", "secret": true}).JSON(&poll)
		c.Chair.Must(200, "POST", "/api/v1/polls/"+poll.ID+"/open", nil)

		tablet := c.Delegate.Live(m, "")
		first := tablet.Next()
		var snap snapshot
		if err := json.Unmarshal(first.Data, &snap); err != nil || first.Type != "snapshot" {
			t.Fatalf("first message %s: %v", first.Type, err)
		}
		st := snap.State
		if st.Meeting.Status != "live" || st.Presentation.Page != 2 || st.CurrentItem == nil || st.CurrentItem.ItemID != item.ID ||
			st.Quorum.Eligible != 2 || len(st.Polls) != 1 || st.Polls[0].ID != poll.ID || st.Polls[0].Status != "open" {
			t.Fatalf("snapshot: %+v", st)
		}

		c.Chair.Must(200, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 3})
		ev := tablet.NextOf("presentation.changed")
		var got presentation.State
		_ = json.Unmarshal(ev.Data, &got)
		if got.Page != 3 || ev.Seq <= first.Seq {
			t.Fatalf("page turn arrived as %+v (seq %d after snapshot %d)", got, ev.Seq, first.Seq)
		}
		if res := c.Delegate.Do("PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 1}); res.Status != 403 {
			t.Fatalf("a delegate turned the page: %d", res.Status)
		}

		for _, tc := range []struct {
			name    string
			client  *apptest.Client
			headers []string
			status  int
		}{
			{"outsider", c.Outsider, nil, 404},
			{"anonymous", s.Anonymous(), nil, 401},
			{"foreign origin", c.Delegate, []string{"Origin", "https://evil.example"}, 403},
			{"null origin", c.Delegate, []string{"Origin", "null"}, 403},
			{"admin", c.Admin, nil, 101},
			{"observer", c.Observer, nil, 101},
		} {
			_, status, _ := tc.client.DialLive(m, "", tc.headers...)
			if status != tc.status {
				t.Errorf("%s: status %d, want %d", tc.name, status, tc.status)
			}
		}
	})
}

// Someone removed from a meeting loses its live connection at once.
func TestRemovedParticipantIsDisconnected(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("r")
	m := c.Meeting("Rời phòng")
	tablet := c.Delegate.Live(m, "")
	tablet.NextOf("snapshot")
	c.Secretary.Must(204, "DELETE", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, nil)
	for range 100 {
		if _, _, err := tablet.Conn.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, 4003) {
				t.Fatalf("closed with %v, want 4003", err)
			}
			return
		}
	}
	t.Fatal("the removed participant's connection stayed open")
}

// The presenter's laser reaches the tablets and is refused from a delegate.
func TestPointerRelayed(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("p")
	m := c.Meeting("Con trỏ")
	var doc docs.Document
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(2, "laser"), nil).JSON(&doc)
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(200, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 1})
	chair, tablet := c.Chair.Live(m, ""), c.Delegate.Live(m, "")
	chair.NextOf("snapshot")
	tablet.NextOf("snapshot")
	laser := map[string]any{"type": "pointer", "data": map[string]any{"document_id": doc.ID, "page": 1, "kind": "laser", "x": 100, "y": 200}}
	chair.Send(laser)
	got := tablet.NextOf("pointer")
	var mv docs.PointerMove
	if err := json.Unmarshal(got.Data, &mv); err != nil || mv.X == nil || *mv.X != 100 || mv.Page != 1 || got.Seq != 0 {
		t.Fatalf("pointer arrived as %s (seq %d): %v", got.Data, got.Seq, err)
	}
	tablet.Send(laser)
	if e := tablet.NextOf("error"); !strings.Contains(string(e.Data), "forbidden") {
		t.Fatalf("a delegate's pointer: %s", e.Data)
	}
}
