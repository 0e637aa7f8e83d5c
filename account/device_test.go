package account_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// Addresses of the device tests: the server believes 127.0.0.1's
// X-Forwarded-For, so that the user and a stranger can sign in from
// different clients.
const (
	userIP     = "192.0.2.10"
	strangerIP = "198.51.100.66"
)

// deviceServer starts a server whose per-username window is perUser
// failures and whose per-address window is perClient attempts.
func deviceServer(t *testing.T, perUser, perClient int, opts ...apptest.Option) *apptest.Server {
	t.Helper()
	opts = append([]apptest.Option{func(c *app.Config) {
		c.LoginLimits = account.LoginLimits{PerUser: perUser, PerClient: perClient, Window: time.Minute}
		_, n, _ := net.ParseCIDR("127.0.0.1/32")
		c.TrustedProxies = []*net.IPNet{n}
	}}, opts...)
	return apptest.Start(t, testdb.Backends()[0], opts...)
}

// signIn tries a sign-in from ip, with the device token device ("" for no
// device cookie).
func signIn(s *apptest.Server, username, password, ip, device string) apptest.Response {
	h := []string{"X-Forwarded-For", ip}
	if device != "" {
		h = append(h, "Cookie", account.DeviceCookieName+"="+device)
	}
	return s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, h...)
}

// cookieOf returns the cookie name that res sets, or nil.
func cookieOf(res apptest.Response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// deviceOf signs username in from userIP (with the device token device,
// or none) and returns the device token the answer hands out.
func deviceOf(t *testing.T, s *apptest.Server, username, device string) string {
	t.Helper()
	res := signIn(s, username, apptest.Password, userIP, device)
	if res.Status != http.StatusOK {
		t.Fatalf("sign-in of %s: %d %s", username, res.Status, res.Body)
	}
	ck := cookieOf(res, account.DeviceCookieName)
	if ck == nil || ck.Value == "" {
		t.Fatalf("a successful sign-in set no %s cookie: %q", account.DeviceCookieName, res.Header.Values("Set-Cookie"))
	}
	return ck.Value
}

// lockOut makes perUser wrong guesses at username from the stranger's
// address (without a device cookie) and checks that the username's window
// is then shut to the stranger.
func lockOut(t *testing.T, s *apptest.Server, username string, perUser int) {
	t.Helper()
	for i := range perUser {
		if res := signIn(s, username, "a wrong guess", strangerIP, ""); res.Status != http.StatusUnauthorized {
			t.Fatalf("stranger's guess %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	if res := signIn(s, username, apptest.Password, strangerIP, ""); res.Status != http.StatusTooManyRequests {
		t.Fatalf("the username's window is not shut after %d failures: %d", perUser, res.Status)
	}
}

// devices counts the device tokens stored for userID.
func devices(t *testing.T, s *apptest.Server, userID string) int64 {
	t.Helper()
	var n int64
	if err := s.App.DB.Gorm.Table("login_devices").Where("user_id = ?", userID).Count(&n).Error; err != nil {
		t.Fatalf("count devices: %v", err)
	}
	return n
}

// The red team's lockout: a stranger on the meeting Wi-Fi who sends
// PerUser wrong passwords a minute for the chair's username kept the chair
// from signing in with the right password for as long as they kept at it.
// A device the chair has signed in from before is not counted in (nor
// refused by) the username's shared window: it still signs in.
func TestDeviceCookieOutlastsStrangersGuesses(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 100)
	s.CreateUser("chair", "Chủ tọa", false)
	device := deviceOf(t, s, "chair", "")

	lockOut(t, s, "chair", perUser)
	if res := signIn(s, "chair", apptest.Password, userIP, ""); res.Status != http.StatusTooManyRequests {
		t.Fatalf("the chair without the device cookie: %d, want 429 as before", res.Status)
	}
	res := signIn(s, "chair", apptest.Password, userIP, device)
	if res.Status != http.StatusOK {
		t.Fatalf("the chair with the device cookie of an earlier sign-in and the right password: %d %s, want 200",
			res.Status, res.Body)
	}
	if ck := cookieOf(res, account.DeviceCookieName); ck == nil || ck.Value != device {
		t.Errorf("the sign-in did not renew the device cookie it came with: %q", res.Header.Values("Set-Cookie"))
	}
	// The chair's success forgives the device's failures, not the
	// stranger's: the username's window stays shut to them.
	if res := signIn(s, "chair", "another guess", strangerIP, ""); res.Status != http.StatusTooManyRequests {
		t.Fatalf("the stranger after the chair signed in: %d, want 429", res.Status)
	}
}

// A client with a device cookie that guesses wrong PerUser times uses up
// the device's own window, and its token is dropped: from then on it is an
// unknown device, counted in (and refused by) the username's window. The
// answers do not tell a valid device token from none.
func TestDeviceCookieGuessingIsLimitedAndDropsIt(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 100)
	id := s.CreateUser("delegate", "Đại biểu", false)
	device := deviceOf(t, s, "delegate", "")
	if n := devices(t, s, id); n != 1 {
		t.Fatalf("%d device tokens stored after one sign-in, want 1", n)
	}
	plain := signIn(s, "nobody.at.all", "a wrong guess", strangerIP, "")
	for i := range perUser {
		res := signIn(s, "delegate", "a wrong guess", userIP, device)
		if res.Status != http.StatusUnauthorized || string(res.Body) != string(plain.Body) || res.Header.Get("Set-Cookie") != "" {
			t.Fatalf("guess %d with the device cookie: %d %s %q, want the 401 of any wrong guess (%s) and no cookie",
				i+1, res.Status, res.Body, res.Header.Values("Set-Cookie"), plain.Body)
		}
	}
	if n := devices(t, s, id); n != 0 {
		t.Fatalf("the device token is still stored (%d) after %d failures with it", n, perUser)
	}
	// Now an unknown device: the username's window counts it.
	for i := range perUser {
		if res := signIn(s, "delegate", "a wrong guess", userIP, device); res.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d with the dropped token: %d", i+1, res.Status)
		}
	}
	if res := signIn(s, "delegate", apptest.Password, userIP, device); res.Status != http.StatusTooManyRequests {
		t.Fatalf("after 2×%d failures, the dropped device token and the right password: %d, want 429", perUser, res.Status)
	}
}

// Guesses sent at once with one device cookie are bounded too: the
// device's window counts them before their passwords are checked, and
// those beyond it fall to the username's window.
func TestDeviceCookieGuessesAtOnceStayBounded(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 1000)
	id := s.CreateUser("victim", "Victim", false)
	device := deviceOf(t, s, "victim", "")
	statuses := apptest.AtOnce(30, func(int) int {
		return signIn(s, "victim", "a wrong guess", userIP, device).Status
	})
	checked := 0
	for _, st := range statuses {
		if st == http.StatusUnauthorized {
			checked++
		}
	}
	if checked > 2*perUser {
		t.Fatalf("%d guesses were checked (statuses %v), want at most %d (the device's window and the username's)",
			checked, statuses, 2*perUser)
	}
	if n := devices(t, s, id); n != 0 {
		t.Fatalf("the device token survived a burst of failures (%d stored)", n)
	}
}

// Only a device token of the username tried counts: another user's, an
// unknown one, a malformed one and a stale one are treated as no device
// cookie (the username's window refuses them), never as an error.
func TestDeviceCookieOnlyHelpsItsOwnUser(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 1000)
	s.CreateUser("user.a", "A", false)
	bID := s.CreateUser("user.b", "B", false)
	deviceA := deviceOf(t, s, "user.a", "")
	deviceB := deviceOf(t, s, "user.b", "")
	lockOut(t, s, "user.b", perUser)
	for name, device := range map[string]string{
		"user A's":        deviceA,
		"unknown":         strings.Repeat("A", 43),
		"malformed":       "not a token; " + strings.Repeat("x", 300),
		"one off in form": deviceB[:42] + "!",
	} {
		t.Run(name, func(t *testing.T) {
			res := signIn(s, "user.b", apptest.Password, userIP, device)
			if res.Status != http.StatusTooManyRequests || res.ErrorCode() != "rate_limited" {
				t.Fatalf("user B with %s device cookie: %d %s, want 429 like no device cookie", name, res.Status, res.Body)
			}
		})
	}
	t.Run("stale", func(t *testing.T) {
		old := time.Now().Add(-account.DeviceTTL - time.Hour)
		if err := s.App.DB.Gorm.Table("login_devices").Where("user_id = ?", bID).Update("last_used_at", old).Error; err != nil {
			t.Fatal(err)
		}
		if res := signIn(s, "user.b", apptest.Password, userIP, deviceB); res.Status != http.StatusTooManyRequests {
			t.Fatalf("user B with a device token unused for longer than DeviceTTL: %d, want 429", res.Status)
		}
	})
	t.Run("its own", func(t *testing.T) {
		if res := signIn(s, "user.a", apptest.Password, userIP, deviceA); res.Status != http.StatusOK {
			t.Fatalf("user A with their own device cookie: %d", res.Status)
		}
	})
}

// Resetting or changing a user's password, or disabling them, ends the
// trust in the devices they signed in from, as it ends their sessions.
func TestDeviceTokensEndWithPasswordChangeResetAndDisabling(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 1000)
	admin := s.Login(adminName(s))
	const fresh = "a fresh new password"
	cases := []struct {
		name     string
		password string // the user's password afterwards
		do       func(t *testing.T, username, id, token string)
	}{
		{"own change", fresh, func(t *testing.T, username, id, token string) {
			c := s.Anonymous()
			c.Token = token
			c.Must(http.StatusNoContent, "POST", "/api/v1/auth/password",
				map[string]string{"current_password": apptest.Password, "new_password": fresh})
		}},
		{"administrator's reset", fresh, func(t *testing.T, username, id, token string) {
			admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+id, map[string]any{"password": fresh})
		}},
		{"command line reset", fresh, func(t *testing.T, username, id, token string) {
			if _, err := s.App.Accounts.SetPassword(context.Background(), username, fresh); err != nil {
				t.Fatal(err)
			}
		}},
		{"disabled and enabled again", apptest.Password, func(t *testing.T, username, id, token string) {
			admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+id, map[string]any{"disabled": true})
			admin.Must(http.StatusOK, "PATCH", "/api/v1/users/"+id, map[string]any{"disabled": false})
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			username := "member" + string(rune('a'+i))
			id := s.CreateUser(username, "Member", false)
			res := signIn(s, username, apptest.Password, userIP, "")
			ck := cookieOf(res, account.DeviceCookieName)
			if res.Status != http.StatusOK || ck == nil {
				t.Fatalf("sign-in: %d, device cookie %v", res.Status, ck)
			}
			var out struct{ Token string }
			res.JSON(&out)
			tc.do(t, username, id, out.Token)
			if n := devices(t, s, id); n != 0 {
				t.Fatalf("%d device tokens left", n)
			}
			lockOut(t, s, username, perUser)
			if res := signIn(s, username, tc.password, userIP, ck.Value); res.Status != http.StatusTooManyRequests {
				t.Fatalf("the device cookie from before still skips the username's window: %d", res.Status)
			}
		})
	}
}

// The device cookie: HttpOnly, Secure when the session cookie is,
// SameSite=Strict, sent to the sign-in routes only, lasting about a year;
// the token is not in the body, and a user keeps at most a handful of
// devices.
func TestDeviceCookieFlagsAndCap(t *testing.T) {
	s := deviceServer(t, 5, 1000, func(c *app.Config) { c.SecureCookie = true })
	id := s.CreateUser("flags", "Flags", false)
	res := signIn(s, "flags", apptest.Password, userIP, "")
	if res.Status != http.StatusOK {
		t.Fatalf("sign-in: %d %s", res.Status, res.Body)
	}
	ck := cookieOf(res, account.DeviceCookieName)
	if ck == nil || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/api/v1/auth" ||
		ck.MaxAge < 300*24*3600 || len(ck.Value) < 40 {
		t.Fatalf("device cookie %q", res.Header.Values("Set-Cookie"))
	}
	if strings.Contains(string(res.Body), ck.Value) {
		t.Error("the device token is in the body")
	}
	if sc := cookieOf(res, account.CookieName); sc == nil || !sc.HttpOnly || !sc.Secure || sc.Path != "/" {
		t.Fatalf("session cookie %q", res.Header.Values("Set-Cookie"))
	}
	for range 7 {
		deviceOf(t, s, "flags", "")
	}
	if n := devices(t, s, id); n != 5 {
		t.Fatalf("%d device tokens kept after 8 sign-ins from new devices, want the 5 most recently used", n)
	}
}

// Without a device cookie nothing changes: a user who has signed in
// before (a device token exists) but whose client does not send it is
// counted in the username's window; and the per-address limit counts a
// client with a valid device cookie too.
func TestNoDeviceCookieLimitsAsBefore(t *testing.T) {
	const perUser = 3
	s := deviceServer(t, perUser, 6)
	s.CreateUser("plain", "Plain", false)
	device := deviceOf(t, s, "plain", "") // 1 attempt of the address's 6
	for i := range perUser {
		if res := signIn(s, "plain", "a wrong guess", userIP, ""); res.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, res.Status)
		}
	}
	if res := signIn(s, "plain", apptest.Password, userIP, ""); res.Status != http.StatusTooManyRequests {
		t.Fatalf("the right password without the device cookie after %d failures: %d, want 429", perUser, res.Status)
	}
	// The address has had 4 attempts let through (a refused one does not
	// count); 2 more pass, then none, device cookie or not.
	for i := range 2 {
		if res := signIn(s, "plain", apptest.Password, userIP, device); res.Status != http.StatusOK {
			t.Fatalf("attempt %d of the address's 6, with the device cookie: %d", 5+i, res.Status)
		}
	}
	res := signIn(s, "plain", apptest.Password, userIP, device)
	if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("a 7th attempt from the address, with the device cookie: %d, want 429 (per-address limit)", res.Status)
	}
}
