package account_test

import (
	"net/http"
	"testing"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/apptest"
)

// changeOwnPassword sends POST /auth/password for the session of c, from
// ip (X-Forwarded-For; the device tests' server believes it).
func changeOwnPassword(c *apptest.Client, current, next, ip string) apptest.Response {
	return c.Do("POST", "/api/v1/auth/password",
		map[string]string{"current_password": current, "new_password": next}, "X-Forwarded-For", ip)
}

// A stranger who fills the username's sign-in window with wrong guesses
// does not keep the signed-in user from changing their password: the
// change counts in a window of the user's own. (It shared the username's
// window once, and was 429 here.) The user's success does not forgive the
// stranger's failures.
func TestPasswordWindowStrangersGuessesDoNotBlockTheChange(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 100)
	s.CreateUser("chair", "Chủ tọa", false)
	c := s.Login("chair")

	lockOut(t, s, "chair", perUser)
	if res := changeOwnPassword(c, "a wrong current password", "a fresh new password", userIP); res.Status != http.StatusForbidden {
		t.Fatalf("a wrong current password once the username's window is full: %d %s, want 403", res.Status, res.Body)
	}
	if res := changeOwnPassword(c, apptest.Password, "a fresh new password", userIP); res.Status != http.StatusNoContent {
		t.Fatalf("the signed-in user's change once a stranger filled the username's window: %d %s, want 204",
			res.Status, res.Body)
	}
	c.Do("GET", "/api/v1/me", nil).Check(t, "the session after the change", http.StatusOK)
	if res := signIn(s, "chair", "a fresh new password", strangerIP, ""); res.Status != http.StatusTooManyRequests {
		t.Fatalf("the stranger after the user's change: %d, want 429 (the change forgives no sign-in failures)", res.Status)
	}
}

// Wrong current passwords through /auth/password are limited per user as
// sign-ins are: PerUser of them a window, then 429 with Retry-After even
// with the right password, from every session of the user and from
// another address. The first refusal is audited once as login.limited
// with via password_change, each wrong password as login.failed.
func TestPasswordWindowWrongCurrentPasswordsAreLimited(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 100)
	admin := s.Login(adminName(s))
	id := s.CreateUser("member", "Thành viên", false)
	c, other := s.Login("member"), s.Login("member")

	for i := range perUser {
		if res := changeOwnPassword(c, "a wrong guess", "a fresh new password", userIP); res.Status != http.StatusForbidden {
			t.Fatalf("wrong current password %d: %d %s, want 403", i+1, res.Status, res.Body)
		}
	}
	for _, x := range []struct {
		name string
		c    *apptest.Client
		ip   string
	}{{"the same session", c, userIP}, {"the user's other session", other, userIP}, {"another address", c, strangerIP}} {
		res := changeOwnPassword(x.c, apptest.Password, "a fresh new password", x.ip)
		if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("%s after %d wrong current passwords: %d (Retry-After %q), want 429 with Retry-After",
				x.name, perUser, res.Status, res.Header.Get("Retry-After"))
		}
	}

	var limited struct{ Entries []loginEntry }
	admin.Get("/api/v1/audit?action=login.limited", &limited)
	if len(limited.Entries) != 1 {
		t.Fatalf("login.limited entries: %+v, want 1 (the window's first refusal)", limited.Entries)
	}
	if e := limited.Entries[0]; e.Object != "user:"+id || e.Detail["via"] != "password_change" ||
		e.Detail["limit"] != "username" || e.Detail["username"] != "member" {
		t.Errorf("login.limited: %+v", e)
	}
	var failed struct{ Entries []loginEntry }
	admin.Get("/api/v1/audit?action=login.failed", &failed)
	n := 0
	for _, e := range failed.Entries {
		if e.Detail["via"] == "password_change" && e.Object == "user:"+id {
			n++
		}
	}
	if n != perUser {
		t.Errorf("login.failed entries with via password_change: %d, want %d", n, perUser)
	}
}

// The change also counts against the client address's window, as a
// sign-in does: an address that used up its attempts is refused a change.
func TestPasswordWindowCountsAgainstTheAddress(t *testing.T) {
	const perClient = 3
	s := deviceServer(t, 5, perClient)
	s.CreateUser("member", "Thành viên", false)
	c := s.Login("member")
	for i := range perClient {
		if res := signIn(s, "someone.else", "a wrong guess", strangerIP, ""); res.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d from the stranger's address: %d", i+1, res.Status)
		}
	}
	if res := changeOwnPassword(c, apptest.Password, "a fresh new password", strangerIP); res.Status != http.StatusTooManyRequests {
		t.Fatalf("a change from an address whose window is full: %d %s, want 429", res.Status, res.Body)
	}
	if res := changeOwnPassword(c, apptest.Password, "a fresh new password", userIP); res.Status != http.StatusNoContent {
		t.Fatalf("the change from another address: %d %s, want 204", res.Status, res.Body)
	}
}

// A wrong current password also counts in the username's sign-in window
// (loginLimiter.changeFailed): guesses made through a session use up the
// sign-in tries of browsers without a device cookie, rather than coming
// on top of them. A device the user signed in from keeps its own window.
func TestPasswordWindowWrongCurrentCountsInSignInWindow(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 100)
	s.CreateUser("member", "Thành viên", false)
	res := signIn(s, "member", apptest.Password, userIP, "")
	ck := cookieOf(res, account.DeviceCookieName)
	if res.Status != http.StatusOK || ck == nil {
		t.Fatalf("sign-in: %d, device cookie %v", res.Status, ck)
	}
	var out struct{ Token string }
	res.JSON(&out)
	c := s.Anonymous()
	c.Token = out.Token

	for i := range perUser {
		if res := changeOwnPassword(c, "a wrong guess", "a fresh new password", userIP); res.Status != http.StatusForbidden {
			t.Fatalf("wrong current password %d: %d %s, want 403", i+1, res.Status, res.Body)
		}
	}
	if res := signIn(s, "member", apptest.Password, strangerIP, ""); res.Status != http.StatusTooManyRequests {
		t.Fatalf("a sign-in without a device cookie after %d wrong current passwords: %d, want 429", perUser, res.Status)
	}
	if res := signIn(s, "member", apptest.Password, userIP, ck.Value); res.Status != http.StatusOK {
		t.Fatalf("a sign-in with the device cookie after the wrong current passwords: %d %s, want 200",
			res.Status, res.Body)
	}
}
