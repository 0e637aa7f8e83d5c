package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// revokeRoom is a live meeting presenting page 1 of an open document.
func revokeRoom(t *testing.T, prefix string) (*apptest.Server, *apptest.Cast, string, docs.Document) {
	t.Helper()
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast(prefix)
	m := c.Meeting("Review S7 " + prefix)
	var doc docs.Document
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(3, "s7"), nil).JSON(&doc)
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 1})
	return s, c, m, doc
}

// mustNotSee reads tl for up to d and fails when a message of type
// typ arrives; the connection ending (any close) is what should happen.
func mustNotSee(t *testing.T, tl *apptest.LiveConn, typ string, d time.Duration, why string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		_ = tl.Conn.SetReadDeadline(deadline)
		_, b, err := tl.Conn.ReadMessage()
		if err != nil {
			if strings.Contains(err.Error(), "timeout") {
				t.Fatalf("%s: the live connection stayed open for %v (it should have been closed)", why, d)
			}
			return // closed: right
		}
		var m apptest.Message
		_ = json.Unmarshal(b, &m)
		if m.Type == typ {
			t.Fatalf("%s: still received %s: %s", why, typ, b)
		}
	}
}

// A disabled user's sessions end (REST answers 401 at once), and so must
// their open live connection: it once kept streaming the meeting's events.
func TestDisabledUserLosesLiveStream(t *testing.T) {
	_, c, m, doc := revokeRoom(t, "s7dis")
	tablet := c.Delegate.Live(m, "")
	tablet.NextOf("snapshot")

	c.Admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+c.Delegate.UserID, map[string]any{"disabled": true})
	if res := c.Delegate.Do("GET", "/api/v1/meetings/"+m, nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("REST after disabling: %d, want 401", res.Status)
	}
	c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 2})
	mustNotSee(t, tablet, "presentation.changed", 3*time.Second, "a disabled user")
}

// An administrator who does not take part watches a meeting live; their
// administrator right is then taken away, so REST refuses them the
// meeting (404); the live connection, which once kept delivering its
// events, must close.
func TestRevokedAdminLosesLiveStream(t *testing.T) {
	s, c, m, doc := revokeRoom(t, "s7adm")
	id := s.CreateUser("s7adm.admin2", "Quản trị 2", true)
	admin2 := s.SignIn(id)
	tablet := admin2.Live(m, "")
	tablet.NextOf("snapshot")

	c.Admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+id, map[string]any{"is_admin": false})
	if res := admin2.Do("GET", "/api/v1/meetings/"+m, nil); res.Status != http.StatusNotFound {
		t.Fatalf("REST after losing the admin right: %d, want 404", res.Status)
	}
	if _, status, _ := admin2.DialLive(m, ""); status != http.StatusNotFound {
		t.Fatalf("a new live connection after losing the admin right: %d, want 404", status)
	}
	c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 2})
	mustNotSee(t, tablet, "presentation.changed", 3*time.Second, "a former administrator outside the meeting")
}

// A chair made a delegate is no longer a manager: their open connection
// must stop receiving follow.changed (who does not follow), which
// api/live.md reserves for the chair, the secretary and administrators.
func TestDemotedChairLosesFollowCounts(t *testing.T) {
	_, c, m, _ := revokeRoom(t, "s7dem")
	exChair := c.Chair.Live(m, "")
	exChair.NextOf("snapshot")
	secretary := c.Secretary.Live(m, "")
	secretary.NextOf("snapshot")

	c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Chair.UserID, map[string]any{"role": "delegate"})
	c.Delegate.Live(m, "following=false").NextOf("snapshot")
	for { // the secretary is told that the delegate does not follow
		if f := secretary.NextOf("follow.changed"); strings.Contains(string(f.Data), c.Delegate.UserID) {
			break
		}
	}

	deadline := time.Now().Add(time.Second)
	for {
		_ = exChair.Conn.SetReadDeadline(deadline)
		_, b, err := exChair.Conn.ReadMessage()
		if err != nil {
			return // nothing more, or closed: right
		}
		var msg apptest.Message
		_ = json.Unmarshal(b, &msg)
		if msg.Type == "follow.changed" && strings.Contains(string(msg.Data), c.Delegate.UserID) {
			t.Fatalf("the demoted chair (now a delegate) still receives follow counts: %s", b)
		}
	}
}

// An administrator who takes part as a delegate may turn the page (REST
// treats them as an administrator), and api/live.md says whoever may
// turn the page may point; the pointer was once refused as forbidden.
func TestAdminParticipantMayPoint(t *testing.T) {
	_, c, m, doc := revokeRoom(t, "s7ap")
	c.Secretary.Must(http.StatusCreated, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Admin.UserID, map[string]any{"role": "delegate"})
	c.Admin.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 1})

	admin, tablet := c.Admin.Live(m, ""), c.Delegate.Live(m, "")
	admin.NextOf("snapshot")
	tablet.NextOf("snapshot")
	admin.Send(map[string]any{"type": "pointer", "data": map[string]any{"document_id": doc.ID, "page": 1, "kind": "laser", "x": 50, "y": 60}})

	deadline := time.Now().Add(3 * time.Second)
	for {
		_ = admin.Conn.SetReadDeadline(deadline)
		_, b, err := admin.Conn.ReadMessage()
		if err != nil {
			break // no error came back
		}
		var msg apptest.Message
		_ = json.Unmarshal(b, &msg)
		if msg.Type == "error" {
			t.Fatalf("the administrator who turned the page may not point: %s", msg.Data)
		}
		if msg.Type == "pointer" {
			break
		}
	}
	if got := tablet.NextOf("pointer"); !strings.Contains(string(got.Data), `"by":"`+c.Admin.UserID+`"`) {
		t.Fatalf("pointer %s", got.Data)
	}
}

// On PostgreSQL (the multi-node set-up of docker-compose.yml) a pointer
// message travels between nodes by NOTIFY, which carries about 7.8 KB;
// api/live.md allows a pointer message of 16 KiB and 500 points. A
// presenter's stroke of 500 points (about 10 KB) was shown on this node
// only and the presenter answered "internal error"; it now crosses in
// parts (realtime/pgbroker.go).
func TestLongPointerStrokeOverPostgres(t *testing.T) {
	var pg *testdb.Backend
	for _, b := range testdb.Backends() {
		if b.Name == "postgres" {
			pg = &b
		}
	}
	if pg == nil {
		t.Skip("needs PostgreSQL (CURIA_TEST_POSTGRES; scripts/with-postgres.sh)")
	}
	s := apptest.Start(t, *pg)
	c := s.NewCast("s7pg")
	m := c.Meeting("Review S7 pg")
	var doc docs.Document
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(2, "s7"), nil).JSON(&doc)
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 1})
	chair := c.Chair.Live(m, "")
	chair.NextOf("snapshot")

	points := make([][]float64, 500)
	for i := range points {
		points[i] = []float64{100 + float64(i%300) + 0.25, 400.75, 0.55}
	}
	data := map[string]any{"document_id": doc.ID, "page": 1, "kind": "stroke", "stroke": "s1", "points": points}
	if b, _ := json.Marshal(data); len(b) > 16<<10 {
		t.Fatalf("test stroke is %d bytes, over the documented 16 KiB", len(b))
	}
	chair.Send(map[string]any{"type": "pointer", "data": data})
	deadline := time.Now().Add(3 * time.Second)
	for {
		_ = chair.Conn.SetReadDeadline(deadline)
		_, b, err := chair.Conn.ReadMessage()
		if err != nil {
			t.Fatalf("no pointer came back: %v", err)
		}
		var msg apptest.Message
		_ = json.Unmarshal(b, &msg)
		if msg.Type == "error" {
			t.Fatalf("a documented-size stroke was refused: %s", msg.Data)
		}
		if msg.Type == "pointer" {
			// delivered here; now make sure no error follows it
			_ = chair.Conn.SetReadDeadline(time.Now().Add(time.Second))
			if _, b, err := chair.Conn.ReadMessage(); err == nil && strings.Contains(string(b), `"error"`) {
				t.Fatalf("a documented-size stroke was answered with %s (and not sent to other nodes)", b)
			}
			return
		}
	}
}
