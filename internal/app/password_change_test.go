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

// A delegate follows a live meeting on two tablets (two sessions) and
// changes their password on one of them (POST /auth/password): 204; that
// tablet's session and live connection go on, the other tablet's session
// ends (401) and its live connection is closed; the new password signs
// in, the old one does not.
func TestPasswordChangeOverHTTPEndsOtherSessionsAndLiveConnections(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("pwchange")
	m := c.Meeting("Password change")
	var doc docs.Document
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(3, "pw"), nil).JSON(&doc)
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 1})

	this := c.Delegate
	other := s.SignIn(this.UserID)
	thisLive, otherLive := this.Live(m, ""), other.Live(m, "")
	thisLive.NextOf("snapshot")
	otherLive.NextOf("snapshot")

	const next = "a new password for the delegate"
	res := this.Do("POST", "/api/v1/auth/password", map[string]string{"current_password": apptest.Password, "new_password": next})
	res.Check(t, "change the password", http.StatusNoContent)
	if res.Header.Get("Set-Cookie") != "" {
		t.Errorf("the change touched the cookie: %q", res.Header.Values("Set-Cookie"))
	}
	this.Do("GET", "/api/v1/me", nil).Check(t, "the session that changed the password", http.StatusOK)
	other.Do("GET", "/api/v1/me", nil).Check(t, "the user's other session", http.StatusUnauthorized)

	c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/presentation", map[string]any{"document_id": doc.ID, "page": 2})
	thisLive.NextOf("presentation.changed") // still open
	_ = otherLive.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, b, err := otherLive.Conn.ReadMessage()
		if err != nil {
			if strings.Contains(err.Error(), "timeout") {
				t.Fatal("the other session's live connection stayed open")
			}
			break // closed: right
		}
		var msg apptest.Message
		_ = json.Unmarshal(b, &msg)
		if msg.Type == "presentation.changed" {
			t.Fatalf("the other session's live connection still streams the meeting: %s", b)
		}
	}

	anon := s.Anonymous()
	anon.Do("POST", "/api/v1/auth/login", map[string]string{"username": "pwchange.delegate", "password": apptest.Password}).
		Check(t, "sign in with the old password", http.StatusUnauthorized)
	anon.Do("POST", "/api/v1/auth/login", map[string]string{"username": "pwchange.delegate", "password": next}).
		Check(t, "sign in with the new password", http.StatusOK)
}

// The route's refusals: no session 401; a wrong current password 403
// with a message that says so; a malformed body, an unknown field, a
// missing field or a new password that breaks the rules 400 naming the
// field. None of them changes the password.
func TestPasswordChangeOverHTTPRefusals(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	s.CreateUser("pw.user", "PW", false)
	u := s.Login("pw.user")
	s.Anonymous().Do("POST", "/api/v1/auth/password", map[string]string{"current_password": apptest.Password, "new_password": "whatever it is"}).
		Check(t, "without a session", http.StatusUnauthorized)
	u.Do("POST", "/api/v1/auth/password", map[string]string{"current_password": "not the password", "new_password": "whatever it is"}).
		Check(t, "a wrong current password", http.StatusForbidden, "current password is wrong")
	for _, c := range []struct{ name, body, fragment string }{
		{"malformed", `{"current_password":`, ""},
		{"unknown field", `{"current_password":"correct horse battery","new_password":"whatever it is","password":"x"}`, "password"},
		{"no new password", `{"current_password":"correct horse battery"}`, "new_password"},
		{"too short", `{"current_password":"correct horse battery","new_password":"short"}`, "new_password"},
		{"NUL", `{"current_password":"correct horse battery","new_password":"new\u0000password"}`, ""},
		{"control character", `{"current_password":"correct horse battery","new_password":"new\u0007password"}`, "new_password"},
	} {
		u.Do("POST", "/api/v1/auth/password", c.body).Check(t, c.name, http.StatusBadRequest, c.fragment)
	}
	u.Do("GET", "/api/v1/me", nil).Check(t, "the session after the refusals", http.StatusOK)
	s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": "pw.user", "password": apptest.Password}).
		Check(t, "the password after the refusals", http.StatusOK)
}
