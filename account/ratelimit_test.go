package account_test

import (
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// The per-username limit of failed sign-ins must hold when the guesses
// arrive at once: 30 wrong passwords sent together for one username (from
// an address whose own limit is not the bound) may get at most PerUser
// "wrong password" answers; the rest must be 429. (The limiter once
// checked the count before the password and counted the failure only
// afterwards, so every attempt in flight passed the check.)
func TestLoginPerUserLimitHoldsUnderConcurrency(t *testing.T) {
	const perUser = 3
	s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) {
		c.LoginLimits = account.LoginLimits{PerUser: perUser, PerClient: 1000, Window: time.Minute}
	})
	s.CreateUser("victim", "Victim", false)
	statuses := apptest.AtOnce(30, func(int) int {
		return s.Anonymous().Do("POST", "/api/v1/auth/login",
			map[string]string{"username": "victim", "password": "a wrong guess"}).Status
	})
	guesses := 0
	for _, st := range statuses {
		if st == http.StatusUnauthorized {
			guesses++
		}
	}
	if guesses > perUser {
		t.Fatalf("%d password guesses were checked for one username within the window (statuses %v), want at most %d",
			guesses, statuses, perUser)
	}
}

// The per-address limit must not be dodged by rotating through the
// addresses of one IPv6 network: anyone on an IPv6 link holds at least a
// /64 (2^64 addresses), so a limit keyed by the full address bounds
// nothing. Addresses of one /64 should count as one client. (Here the
// addresses arrive through a trusted proxy's X-Forwarded-For, which is how
// the test can speak from many addresses; a client with a /64 can do the
// same directly.)
func TestLoginPerClientLimitCoversIPv6Prefix(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) {
		c.LoginLimits = account.LoginLimits{PerUser: 1000, PerClient: 3, Window: time.Minute}
		_, n, _ := net.ParseCIDR("127.0.0.1/32")
		c.TrustedProxies = []*net.IPNet{n}
	})
	last := 0
	for i := range 8 {
		res := s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": fmt.Sprintf("spray%d", i), "password": "wrong password"},
			"X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x", i+1))
		last = res.Status
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("the 8th attempt from the same /64: %d, want 429 (per-client limit 3)", last)
	}
}

// Refused sign-ins must be cheap: the point of the per-address limit is
// that a flood of attempts costs the server little. Every refused attempt
// (429) once wrote a login.limited row, so a flood at any rate became the
// same rate of database writes (on SQLite, through the one writer that
// votes need). Refusals are audited once per window and key.
func TestRefusedLoginsDoNotWriteEach(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) {
		c.LoginLimits = account.LoginLimits{PerUser: 2, PerClient: 3, Window: time.Minute}
	})
	admin := s.Login(adminName(s)) // before the flood: this address is about to be limited
	const flood = 60
	limited := 0
	for i := range flood {
		res := s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": fmt.Sprintf("nobody%d", i%4), "password": "wrong password"})
		if res.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < flood-10 {
		t.Fatalf("only %d of %d attempts were limited", limited, flood)
	}
	var out struct{ Entries []struct{ Action string } }
	admin.Get("/api/v1/audit?action=login.limited&limit=1000", &out)
	if len(out.Entries) > 10 {
		t.Fatalf("%d refused sign-ins wrote %d login.limited audit rows; want them bounded per window", limited, len(out.Entries))
	}
}

// The session cookie is HttpOnly, SameSite, scoped to the site, Secure
// when so configured, and logging out clears it.
func TestSessionCookieFlags(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) { c.SecureCookie = true })
	s.CreateUser("cookie.user", "Cookie", false)
	res := s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": "cookie.user", "password": apptest.Password})
	if res.Status != http.StatusOK {
		t.Fatalf("login: %d", res.Status)
	}
	var ck []*http.Cookie // the session cookie (the device cookie, device_test.go, is set too)
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name != account.DeviceCookieName {
			ck = append(ck, c)
		}
	}
	if len(ck) != 1 || ck[0].Name != account.CookieName || !ck[0].HttpOnly || !ck[0].Secure ||
		ck[0].SameSite != http.SameSiteLaxMode && ck[0].SameSite != http.SameSiteStrictMode || ck[0].Path != "/" {
		t.Fatalf("session cookie %q", res.Header.Values("Set-Cookie"))
	}
	out := s.Anonymous().Do("POST", "/api/v1/auth/logout", nil, "Cookie", account.CookieName+"="+ck[0].Value, "Sec-Fetch-Site", "same-origin")
	if out.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", out.Status, out.Body)
	}
	gone := (&http.Response{Header: out.Header}).Cookies()
	if len(gone) != 1 || gone[0].Value != "" || gone[0].MaxAge >= 0 && !gone[0].Expires.Before(time.Now()) {
		t.Fatalf("logout did not clear the cookie: %q", out.Header.Values("Set-Cookie"))
	}
	if again := s.Anonymous().Do("GET", "/api/v1/me", nil, "Cookie", account.CookieName+"="+ck[0].Value); again.Status != http.StatusUnauthorized {
		t.Fatalf("the logged-out cookie still works: %d", again.Status)
	}
}

// An unknown username, a wrong password and a disabled account get the
// same answer, byte for byte, so the answer does not tell which usernames
// exist.
func TestLoginAnswersDoNotTellUsersApart(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	s.CreateUser("exists", "Exists", false)
	off := s.CreateUser("off.user", "Off", false)
	admin := s.Login(adminName(s))
	admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+off, map[string]any{"disabled": true})
	var bodies []string
	for _, cr := range [][2]string{{"nobody.here", "wrong password"}, {"exists", "wrong password"}, {"off.user", apptest.Password}} {
		res := s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": cr[0], "password": cr[1]})
		if res.Status != http.StatusUnauthorized || res.Header.Get("Set-Cookie") != "" {
			t.Fatalf("%s: %d %q", cr[0], res.Status, res.Header.Get("Set-Cookie"))
		}
		bodies = append(bodies, string(res.Body))
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Fatalf("login refusals differ: %q", bodies)
	}
}
