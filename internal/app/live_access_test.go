package app_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// The live connection follows changes of the user's standing: it is
// closed with 4003 ("access changed") when the session it was opened with
// ends, when the user is disabled, their password reset or their
// administrator right changed, and when their role in the meeting
// changes; the reconnection is then authorised as the user now stands.

// liveRoom is a live meeting presenting page 1 of an open document.
func liveRoom(t *testing.T, b testdb.Backend, prefix string) (*apptest.Server, *apptest.Cast, string, docs.Document) {
	t.Helper()
	s := apptest.Start(t, b)
	c := s.NewCast(prefix)
	m := c.Meeting("Live access " + prefix)
	var doc docs.Document
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(3, prefix), nil).JSON(&doc)
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 1})
	return s, c, m, doc
}

// closeCode reads tl until it ends and returns the close code, failing
// the test when it stays open for 3 s.
func closeCode(t *testing.T, tl *apptest.LiveConn) int {
	t.Helper()
	_ = tl.Conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		if _, _, err := tl.Conn.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			t.Fatalf("the live connection was not closed: %v", err)
		}
	}
}

// Logging out closes the connections of that session and no others: the
// delegate's phone signs out, their tablet stays.
func TestLiveLogoutClosesThatSession(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s, c, m, doc := liveRoom(t, b, "lgo")
		tablet := s.SignIn(c.Delegate.UserID)
		phoneLive, tabletLive := c.Delegate.Live(m, ""), tablet.Live(m, "")
		phoneLive.NextOf("snapshot")
		tabletLive.NextOf("snapshot")

		c.Delegate.Must(http.StatusNoContent, "POST", "/api/v1/auth/logout", nil)
		if code := closeCode(t, phoneLive); code != 4003 {
			t.Fatalf("the signed-out session's connection closed with %d, want 4003", code)
		}
		if _, status, _ := c.Delegate.DialLive(m, ""); status != http.StatusUnauthorized {
			t.Fatalf("reconnecting with the ended session: %d, want 401", status)
		}
		c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 3})
		tabletLive.NextOf("presentation.changed")
	})
}

// Disabling a user and resetting a password end their sessions: every
// live connection of theirs closes with 4003 and reconnecting is a 401.
// Someone else's connection stays.
func TestLiveEndedSessionsClose(t *testing.T) {
	b := testdb.Backends()[0] // the rule is in the services; the logout test runs on both databases
	for _, change := range []map[string]any{{"disabled": true}, {"password": "a new password 1"}} {
		s, c, m, doc := liveRoom(t, b, "end")
		second := s.SignIn(c.Delegate.UserID)
		one, two, observer := c.Delegate.Live(m, ""), second.Live(m, ""), c.Observer.Live(m, "")
		for _, l := range []*apptest.LiveConn{one, two, observer} {
			l.NextOf("snapshot")
		}
		c.Admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+c.Delegate.UserID, change)
		for _, l := range []*apptest.LiveConn{one, two} {
			if code := closeCode(t, l); code != 4003 {
				t.Fatalf("%v: closed with %d, want 4003", change, code)
			}
		}
		if _, status, _ := second.DialLive(m, ""); status != http.StatusUnauthorized {
			t.Fatalf("%v: reconnecting: %d, want 401", change, status)
		}
		c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 2})
		observer.NextOf("presentation.changed")
	}
}

// A chair made a delegate is disconnected (4003) and reconnects as a
// delegate: no follow counts, my_role delegate.
func TestLiveRoleChangeReconnectsInNewRole(t *testing.T) {
	_, c, m, _ := liveRoom(t, testdb.Backends()[0], "rol")
	chair := c.Chair.Live(m, "")
	chair.NextOf("snapshot")
	c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Chair.UserID, map[string]any{"role": "delegate"})
	if code := closeCode(t, chair); code != 4003 {
		t.Fatalf("closed with %d, want 4003", code)
	}
	var snap struct {
		State struct {
			Meeting struct {
				MyRole string `json:"my_role"`
			} `json:"meeting"`
		} `json:"state"`
		Following json.RawMessage `json:"following"`
	}
	again := c.Chair.Live(m, "")
	if err := json.Unmarshal(again.NextOf("snapshot").Data, &snap); err != nil {
		t.Fatal(err)
	}
	if snap.State.Meeting.MyRole != "delegate" || snap.Following != nil {
		t.Fatalf("reconnected as %q with following %s, want a delegate without", snap.State.Meeting.MyRole, snap.Following)
	}
}

// Taking the administrator right away closes the live connections of the
// former administrator (4003), and they are refused (404) where they do
// not take part; giving it closes them too, so that they come back with
// it.
func TestLiveAdminRightChangeCloses(t *testing.T) {
	s, c, m, _ := liveRoom(t, testdb.Backends()[0], "adr")
	id := s.CreateUser("adr.admin2", "Quản trị 2", true)
	admin2 := s.SignIn(id)
	l := admin2.Live(m, "")
	l.NextOf("snapshot")
	c.Admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+id, map[string]any{"is_admin": false})
	if code := closeCode(t, l); code != 4003 {
		t.Fatalf("closed with %d, want 4003", code)
	}
	if _, status, _ := admin2.DialLive(m, ""); status != http.StatusNotFound {
		t.Fatalf("reconnecting without the admin right: %d, want 404", status)
	}

	d := c.Delegate.Live(m, "")
	d.NextOf("snapshot")
	c.Admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+c.Delegate.UserID, map[string]any{"is_admin": true})
	if code := closeCode(t, d); code != 4003 {
		t.Fatalf("a delegate made an administrator: closed with %d, want 4003", code)
	}
	var snap struct {
		Following json.RawMessage `json:"following"`
	}
	if err := json.Unmarshal(c.Delegate.Live(m, "").NextOf("snapshot").Data, &snap); err != nil {
		t.Fatal(err)
	}
	if snap.Following == nil {
		t.Fatal("the delegate made an administrator reconnected without the managers' follow counts")
	}
}
