package app_test

import (
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// A sign-in whose User-Agent header holds bytes that are not UTF-8 (HTTP
// allows obs-text; any client can send them) must not store them: the
// house rule is that no text a database cannot hold is written, and on
// PostgreSQL the session row is refused, so the sign-in is a 500.
func TestReviewAccountLoginStoresUserAgentBytesAsIs(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	s.CreateUser("ua.bytes", "UA Bytes", false)
	res := s.Anonymous().Do("POST", "/api/v1/auth/login",
		map[string]string{"username": "ua.bytes", "password": apptest.Password}, "User-Agent", "Tablet/1.0 (\xff\xfe)")
	if res.Status != http.StatusOK {
		t.Fatalf("login with a User-Agent of stray bytes: %d %s", res.Status, res.Body)
	}
	var stored []string
	if err := s.App.DB.Gorm.Table("sessions").Pluck("user_agent", &stored).Error; err != nil {
		t.Fatal(err)
	}
	for _, ua := range stored {
		if !utf8.ValidString(ua) {
			t.Fatalf("the session's user_agent was stored as bytes that are not UTF-8: %q", ua)
		}
	}
}

// PATCH /users/{id} by someone who is not an administrator is a 403
// whatever the body, as POST /users is ("refused before the body is
// read"): a non-administrator is not told how to word a valid change.
func TestReviewAccountNonAdminPatchRefusedBeforeBody(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	other := s.CreateUser("other.user", "Other", false)
	s.CreateUser("plain.user", "Plain", false)
	u := s.Login("plain.user")
	for _, body := range []string{`{"is_admin":true,"bogus":1}`, `{"is_admin":"yes"}`, `{"is_admin":`} {
		if res := u.Do("PATCH", "/api/v1/users/"+other, body); res.Status != http.StatusForbidden {
			t.Errorf("non-admin PATCH %s: %d %s, want 403", body, res.Status, res.Body)
		}
	}
}
