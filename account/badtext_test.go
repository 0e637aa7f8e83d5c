package account_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestLoginWithNUL: a username holding a NUL byte must not reach the
// database, which PostgreSQL refuses (SQLSTATE 22021): a 500 where every
// other unknown username gets 401. (The JSON body check answers 400.)
func TestLoginWithNUL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := apptest.Start(t, b)
		res := s.Anonymous().Do("POST", "/api/v1/auth/login", `{"username":"an\u0000nguyen","password":"long enough"}`)
		if res.Status != 401 && res.Status != 400 {
			t.Errorf("login with a NUL in the username: got %d, want 401 (or 400): %s", res.Status, res.Body)
		}
	})
}

// TestFullNameWithControlCharacters: a name with a NUL byte or other
// control characters was stored on SQLite (201) and was a 500 on
// PostgreSQL, which cannot store NUL. Names go onto every page of a
// confidential document's watermark and into exports; like titles
// (meeting.CleanTitle), they must be one line without control characters:
// 400, nothing written.
func TestFullNameWithControlCharacters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := apptest.Start(t, b)
		admin := s.Login(adminName(s))
		admin.Do("POST", "/api/v1/users", `{"username":"nul.name","password":"long enough","full_name":"Nguyễn\u0000An"}`).
			Check(t, "create a user whose name holds NUL", 400)
		admin.Do("POST", "/api/v1/users", `{"username":"bell.name","password":"long enough","full_name":"Nguyễn\u0007An"}`).
			Check(t, "create a user whose name holds BEL", 400)
		id := s.CreateUser("plain.name", "Trần Bình", false)
		admin.Do("PATCH", "/api/v1/users/"+id, `{"full_name":"Trần\u0000Bình"}`).Check(t, "rename to a name with NUL", 400)
		var u struct {
			FullName string `json:"full_name"`
		}
		admin.Get("/api/v1/users/"+id, &u)
		if u.FullName != "Trần Bình" {
			t.Errorf("a refused rename changed the name to %q", u.FullName)
		}
	})
}

// TestFullNameOnOneLine proves that a full name, printed on watermarks,
// minutes and exports, is refused (400, naming the field) with a line or
// paragraph separator (U+2028, U+2029) or a bidi control such as U+202E
// RIGHT-TO-LEFT OVERRIDE, which reverses how the rest of the line is
// drawn, or U+2066 LEFT-TO-RIGHT ISOLATE: on creation and on change.
func TestFullNameOnOneLine(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	admin := s.Login(adminName(s))
	id := s.CreateUser("an.nguyen", "Nguyễn Văn An", false)
	for i, name := range []string{"Nguyễn Văn\u2028An", "Nguyễn Văn\u2029An", "Nguyễn \u202eVăn An", "Nguyễn \u202aVăn An", "\u2066Nguyễn Văn An\u2069"} {
		res := admin.Do("PATCH", "/api/v1/users/"+id, map[string]any{"full_name": name})
		res.Check(t, fmt.Sprintf("rename to %q", name), http.StatusBadRequest)
		if !strings.Contains(string(res.Body), "full_name") {
			t.Errorf("the refusal of %q does not name the field: %s", name, res.Body)
		}
		res = admin.Do("POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("odd.name%d", i), "password": apptest.Password, "full_name": name})
		res.Check(t, fmt.Sprintf("new user named %q", name), http.StatusBadRequest)
	}
	admin.Do("PATCH", "/api/v1/users/"+id, map[string]any{"full_name": "Nguyễn Văn Ân"}).Check(t, "a plain rename", http.StatusOK)
}
