package account_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

func TestLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := apptest.Start(t, b)
		s.CreateUser("an.nguyen", "Nguyễn Văn An", false)
		disabled := s.CreateUser("old.user", "Old User", false)
		admin := s.Login(adminName(s))
		if res := admin.Do("PATCH", "/api/v1/users/"+disabled, map[string]any{"disabled": true}); res.Status != http.StatusOK {
			t.Fatalf("disable: %d %s", res.Status, res.Body)
		}
		cases := []struct {
			name       string
			body       any
			wantStatus int
			wantCode   string
		}{
			{"OK", map[string]string{"username": "an.nguyen", "password": apptest.Password}, 200, ""},
			{"OK mixed case and spaces", map[string]string{"username": " An.Nguyen ", "password": apptest.Password}, 200, ""},
			{"bad password", map[string]string{"username": "an.nguyen", "password": "wrong password"}, 401, "unauthenticated"},
			{"unknown user", map[string]string{"username": "nobody", "password": apptest.Password}, 401, "unauthenticated"},
			{"disabled user", map[string]string{"username": "old.user", "password": apptest.Password}, 401, "unauthenticated"},
			{"missing password", map[string]string{"username": "an.nguyen"}, 400, "invalid"},
			{"wrong type", `{"username":"an.nguyen","password":12}`, 400, "invalid"},
			{"malformed JSON", `{"username":`, 400, "invalid"},
			{"unknown field", `{"username":"an.nguyen","password":"x","admin":true}`, 400, "invalid"},
			{"two values", `{"username":"a","password":"b"}{}`, 400, "invalid"},
			{"not JSON", "username=an.nguyen", 415, "unsupported_media_type"},
			{"oversized body", `{"username":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "too_large"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				hdr := []string{}
				if tc.name == "not JSON" {
					hdr = []string{"Content-Type", "application/x-www-form-urlencoded"}
				}
				res := s.Anonymous().Do("POST", "/api/v1/auth/login", tc.body, hdr...)
				if res.Status != tc.wantStatus || res.ErrorCode() != tc.wantCode {
					t.Fatalf("got %d %s, want %d %q", res.Status, res.Body, tc.wantStatus, tc.wantCode)
				}
				if tc.wantStatus == 200 && !strings.Contains(res.Header.Get("Set-Cookie"), "HttpOnly") {
					t.Errorf("no HttpOnly session cookie: %q", res.Header.Get("Set-Cookie"))
				}
			})
		}
		if strings.Contains(s.Logs.String(), apptest.Password) || strings.Contains(s.Logs.String(), "wrong password") {
			t.Error("a password reached the server log")
		}
	})
}

// adminName makes an admin user and returns its username.
func adminName(s *apptest.Server) string {
	s.CreateUser("root", "Root Admin", true)
	return "root"
}

func TestSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := apptest.Start(t, b)
		s.CreateUser("binh", "Trần Thị Bình", false)

		t.Run("me with token", func(t *testing.T) {
			c := s.Login("binh")
			var me account.User
			res := c.Do("GET", "/api/v1/me", nil)
			res.JSON(&me)
			if res.Status != 200 || me.Username != "binh" || me.FullName != "Trần Thị Bình" {
				t.Fatalf("me: %d %s", res.Status, res.Body)
			}
		})
		t.Run("no token", func(t *testing.T) {
			if res := s.Anonymous().Do("GET", "/api/v1/me", nil); res.Status != 401 || res.ErrorCode() != "unauthenticated" {
				t.Fatalf("got %d %s", res.Status, res.Body)
			}
		})
		t.Run("forged token", func(t *testing.T) {
			c := s.Anonymous()
			c.Token = "forged-token-value"
			if res := c.Do("GET", "/api/v1/me", nil); res.Status != 401 {
				t.Fatalf("got %d %s", res.Status, res.Body)
			}
		})
		t.Run("logout revokes the token", func(t *testing.T) {
			c := s.Login("binh")
			if res := c.Do("POST", "/api/v1/auth/logout", nil); res.Status != 204 {
				t.Fatalf("logout: %d %s", res.Status, res.Body)
			}
			if res := c.Do("GET", "/api/v1/me", nil); res.Status != 401 {
				t.Fatalf("token still works after logout: %d", res.Status)
			}
		})
		t.Run("disabling a user ends their sessions", func(t *testing.T) {
			id := s.CreateUser("cuong", "Cường", false)
			c := s.Login("cuong")
			admin := s.Login(adminName(s))
			if res := admin.Do("PATCH", "/api/v1/users/"+id, map[string]any{"disabled": true}); res.Status != 200 {
				t.Fatalf("disable: %d %s", res.Status, res.Body)
			}
			if res := c.Do("GET", "/api/v1/me", nil); res.Status != 401 {
				t.Fatalf("disabled user's token still works: %d", res.Status)
			}
		})
	})
}

// TestFirstRequestsAtOnce: sessions not cached yet share their lookups
// (batch.Loader); each request must still resolve to its own user.
func TestFirstRequestsAtOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := apptest.Start(t, b, func(c *app.Config) { c.LoginLimits = account.LoginLimits{PerClient: 1000} })
		const n = 24
		clients := make([]*apptest.Client, n)
		for i := range n {
			name := fmt.Sprintf("storm%02d", i)
			s.CreateUser(name, "Đại biểu "+name, false)
			clients[i] = s.Login(name)
		}
		forged := s.Anonymous()
		forged.Token = "not-a-session"
		errs := make(chan error, 2*n)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				var me account.User
				res := c.Do("GET", "/api/v1/me", nil)
				res.JSON(&me)
				if want := fmt.Sprintf("storm%02d", i); res.Status != 200 || me.Username != want {
					errs <- fmt.Errorf("client %d: %d %q, want %s", i, res.Status, me.Username, want)
				}
			})
			wg.Go(func() {
				if res := forged.Do("GET", "/api/v1/me", nil); res.Status != 401 {
					errs <- fmt.Errorf("forged token among them: %d", res.Status)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	b := testdb.Backends()[0]
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	db := b.Open(t, app.Migrations()...)
	svc, err := account.NewService(db, account.Config{Hash: account.FastHashParams(), SessionTTL: time.Hour, IdleTimeout: 10 * time.Minute, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, nil, account.NewUser{Username: "dung", Password: apptest.Password, FullName: "Dung"}, ""); err != nil {
		t.Fatal(err)
	}
	login := func() string {
		sess, err := svc.Login(ctx, account.Credentials{Username: "dung", Password: apptest.Password}, account.Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		return sess.Token
	}
	t.Run("idle timeout", func(t *testing.T) {
		tok := login()
		now = now.Add(9 * time.Minute)
		if _, err := svc.Authenticate(ctx, tok); err != nil {
			t.Fatalf("active session refused: %v", err)
		}
		now = now.Add(11 * time.Minute)
		if _, err := svc.Authenticate(ctx, tok); err == nil {
			t.Fatal("idle session accepted")
		}
	})
	t.Run("absolute lifetime", func(t *testing.T) {
		tok := login()
		for range 6 { // keep it busy up to its lifetime
			now = now.Add(9 * time.Minute)
			if _, err := svc.Authenticate(ctx, tok); err != nil {
				t.Fatalf("session ended early: %v", err)
			}
		}
		now = now.Add(9 * time.Minute)
		if _, err := svc.Authenticate(ctx, tok); err == nil {
			t.Fatal("expired session accepted")
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) {
		c.LoginLimits = account.LoginLimits{PerUser: 3, PerClient: 6, Window: time.Minute}
	})
	s.CreateUser("hanh", "Hạnh", false)
	try := func(user, pw string) apptest.Response {
		return s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pw})
	}
	for i := range 3 {
		if res := try("hanh", "wrong password"); res.Status != 401 {
			t.Fatalf("attempt %d: %d", i, res.Status)
		}
	}
	res := try("hanh", apptest.Password)
	if res.Status != 429 || res.ErrorCode() != "rate_limited" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("per-user limit: got %d %s, Retry-After %q", res.Status, res.Body, res.Header.Get("Retry-After"))
	}
	// The per-client limit counts every attempt from one address.
	for range 3 {
		try("someone.else", "wrong password")
	}
	if res := try("another", "wrong password"); res.Status != 429 {
		t.Fatalf("per-client limit: got %d", res.Status)
	}
}

func TestCrossSiteCookieRefused(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	admin := s.Login(adminName(s))
	cookie := "curia_session=" + admin.Token
	body := map[string]any{"username": "mallory", "password": "long enough pw", "full_name": "M"}
	anon := s.Anonymous()
	res := anon.Do("POST", "/api/v1/users", body, "Cookie", cookie, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if res.Status != 403 {
		t.Fatalf("cross-site cookie POST: got %d %s", res.Status, res.Body)
	}
	res = anon.Do("POST", "/api/v1/users", body, "Cookie", cookie, "Origin", "https://evil.example")
	if res.Status != 403 {
		t.Fatalf("foreign Origin cookie POST: got %d %s", res.Status, res.Body)
	}
	if res := admin.Do("GET", "/api/v1/users", nil); strings.Contains(string(res.Body), "mallory") {
		t.Fatal("the refused request created a user")
	}
	res = anon.Do("POST", "/api/v1/users", body, "Cookie", cookie, "Sec-Fetch-Site", "same-origin")
	if res.Status != 201 {
		t.Fatalf("same-origin cookie POST: got %d %s", res.Status, res.Body)
	}
}

func TestUsers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := apptest.Start(t, b)
		s.CreateUser("giang", "Vũ Thị Giang", false)
		admin, user := s.Login(adminName(s)), s.Login("giang")
		good := map[string]any{"username": "khoa", "password": "đủ dài rồi", "full_name": "Đỗ Văn Khoa"}
		cases := []struct {
			name   string
			c      *apptest.Client
			body   any
			status int
		}{
			{"non-admin cannot create", user, good, 403},
			{"admin creates", admin, good, 201},
			{"duplicate username", admin, good, 409},
			{"duplicate differing in case", admin, map[string]any{"username": "KHOA", "password": "long enough", "full_name": "K"}, 409},
			{"short password", admin, map[string]any{"username": "lan", "password": "short", "full_name": "Lan"}, 400},
			{"bad username", admin, map[string]any{"username": "a b", "password": "long enough", "full_name": "Lan"}, 400},
			{"empty full name", admin, map[string]any{"username": "lan", "password": "long enough", "full_name": " "}, 400},
			{"missing fields", admin, map[string]any{}, 400},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if res := tc.c.Do("POST", "/api/v1/users", tc.body); res.Status != tc.status {
					t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.status)
				}
			})
		}
		var list struct{ Users []account.User }
		admin.Do("GET", "/api/v1/users", nil).JSON(&list)
		if len(list.Users) != 3 {
			t.Fatalf("want 3 users (root, giang, khoa), got %+v", list.Users)
		}
		if res := user.Do("PATCH", "/api/v1/users/"+list.Users[0].ID, map[string]any{"is_admin": true}); res.Status != 403 {
			t.Fatalf("non-admin PATCH: %d", res.Status)
		}
		if res := admin.Do("PATCH", "/api/v1/users/nope", map[string]any{"full_name": "X"}); res.Status != 404 {
			t.Fatalf("PATCH unknown user: %d", res.Status)
		}
		var entries struct{ Entries []struct{ Action string } }
		admin.Do("GET", "/api/v1/audit?action=user.created", nil).JSON(&entries)
		if len(entries.Entries) != 3 {
			t.Fatalf("want 3 user.created audit entries, got %d", len(entries.Entries))
		}
		if res := user.Do("GET", "/api/v1/audit", nil); res.Status != 403 {
			t.Fatalf("non-admin audit read: %d", res.Status)
		}
	})
}

// X-Forwarded-For counts only from a trusted proxy: a client cannot dodge
// the per-address limit by inventing addresses.
func TestForwardedForTrust(t *testing.T) {
	cases := []struct {
		name     string
		trusted  string
		wantLast int
	}{
		{"untrusted XFF is ignored", "", 429},
		{"trusted proxy's XFF is believed", "127.0.0.1/32", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) {
				c.LoginLimits = account.LoginLimits{PerUser: 100, PerClient: 3, Window: time.Minute}
				if tc.trusted != "" {
					_, n, _ := net.ParseCIDR(tc.trusted)
					c.TrustedProxies = []*net.IPNet{n}
				}
			})
			var last int
			for i := range 4 {
				res := s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": "x", "password": "wrong password"},
					"X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
				last = res.Status
			}
			if last != tc.wantLast {
				t.Fatalf("fourth attempt from a new forwarded address: %d, want %d", last, tc.wantLast)
			}
		})
	}
}

func TestTokensNeverLogged(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	s.CreateUser("lan", "Lan", false)
	c := s.Login("lan")
	c.Do("GET", "/api/v1/me", nil)
	c.Do("GET", "/api/v1/me?token="+c.Token, nil)
	if strings.Contains(s.Logs.String(), c.Token) {
		t.Fatal("a session token reached the server log")
	}
}
