package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// A live connection lives and dies with its session: it closes (4003,
// "session ended") at the session's absolute end, and while it is open
// it keeps the session in use, so that a tablet following a meeting
// without any request is not signed out by the idle timeout.

// expiryRoom is a live meeting on a server whose sessions last ttl and
// go idle after idle (zero: the defaults).
func expiryRoom(t *testing.T, b testdb.Backend, prefix string, ttl, idle time.Duration) (*apptest.Server, *apptest.Cast, string) {
	t.Helper()
	s := apptest.Start(t, b, func(c *app.Config) { c.SessionTTL, c.IdleTimeout = ttl, idle })
	c := s.NewCast(prefix)
	m := c.Meeting("Session expiry " + prefix)
	c.SetStatus(m, "scheduled", "live")
	return s, c, m
}

// closeWithin reads tl until it closes, within d, and returns how.
func closeWithin(t *testing.T, tl *apptest.LiveConn, d time.Duration) *websocket.CloseError {
	t.Helper()
	_ = tl.Conn.SetReadDeadline(time.Now().Add(d))
	for {
		if _, _, err := tl.Conn.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("the live connection was not closed within %v: %v", d, err)
			}
			return ce
		}
	}
}

// At the session's end (CURIA_SESSION_TTL) the tablet's connection closes
// with 4003 although nothing happens in the meeting, not before, and the
// reconnection is refused (401): sign in again.
func TestLiveClosesAtSessionEnd(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s, c, m := expiryRoom(t, b, "ttl", 3*time.Second, 0)
		tablet := s.SignIn(c.Delegate.UserID)
		_, end, err := s.App.Accounts.AuthenticateUntil(context.Background(), tablet.Token)
		if err != nil {
			t.Fatal(err)
		}
		live := tablet.Live(m, "")
		live.NextOf("snapshot")

		ce := closeWithin(t, live, time.Until(end)+5*time.Second)
		if early := time.Until(end); early > 100*time.Millisecond {
			t.Fatalf("closed %v before the session's end", early)
		}
		if ce.Code != 4003 || ce.Text != "session ended" {
			t.Fatalf("closed with %d %q, want 4003 \"session ended\"", ce.Code, ce.Text)
		}
		if _, status, _ := tablet.DialLive(m, ""); status != http.StatusUnauthorized {
			t.Fatalf("reconnecting after the session's end: %d, want 401", status)
		}
	})
}

// A tablet whose only use of its session is the live connection stays
// signed in beyond the idle timeout: a REST call afterwards is answered,
// while a session of the same user that nothing used has ended. A session
// that ends meanwhile (its row deleted, as by a logout on a node whose
// message was lost) is found at the periodic check and its connection
// closes.
func TestLiveKeepsSessionInUse(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		const idle = 3 * time.Second // the check runs every idle/4
		s, c, m := expiryRoom(t, b, "idl", time.Hour, idle)
		tablet, unused := s.SignIn(c.Delegate.UserID), s.SignIn(c.Delegate.UserID)
		live := tablet.Live(m, "")
		live.NextOf("snapshot")

		time.Sleep(2*idle + time.Second) // no request from the tablet meanwhile
		if res := tablet.Do("GET", "/api/v1/meetings/"+m, nil); res.Status != http.StatusOK {
			t.Fatalf("the tablet's session after %v of live use: %d, want 200", 2*idle+time.Second, res.Status)
		}
		if res := unused.Do("GET", "/api/v1/meetings/"+m, nil); res.Status != http.StatusUnauthorized {
			t.Fatalf("the unused session after %v: %d, want 401 (idle)", 2*idle+time.Second, res.Status)
		}
		live.Send(map[string]string{"type": "ping"})
		live.NextOf("pong")

		sum := sha256.Sum256([]byte(tablet.Token))
		if err := s.App.DB.Gorm.Exec("DELETE FROM sessions WHERE id = ?", hex.EncodeToString(sum[:])).Error; err != nil {
			t.Fatal(err)
		}
		if ce := closeWithin(t, live, idle+5*time.Second); ce.Code != 4003 || ce.Text != "session ended" {
			t.Fatalf("closed with %d %q, want 4003 \"session ended\"", ce.Code, ce.Text)
		}
	})
}
