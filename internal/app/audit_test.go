package app_test

import (
	"fmt"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestAuditLimitInRange: api/openapi.yaml gives GET /audit a limit from 1
// to 1000 and 400 outside it; limit=0 was once taken as "the default".
func TestAuditLimitInRange(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0]) // the check is in the handler, not the database
	s.CreateUser("root", "Root", true)
	admin := s.Login("root")
	admin.Do("GET", "/api/v1/audit?limit=1", nil).Check(t, "limit 1", 200)
	admin.Do("GET", "/api/v1/audit?limit=1001", nil).Check(t, "limit 1001", 400)
	admin.Do("GET", "/api/v1/audit?limit=0", nil).Check(t, "limit 0", 400)
}

// TestAuditByObject: ?object= selects the entries about one object (here a
// user: their creation and their sign-in), and nothing else.
func TestAuditByObject(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	s.CreateUser("root", "Root", true)
	ana := s.CreateUser("ana", "Ana", false)
	s.CreateUser("bao", "Bao", false)
	s.Login("ana")
	s.Login("bao")
	admin := s.Login("root")
	var got struct {
		Entries []struct{ Action, Object string }
	}
	res := admin.Do("GET", "/api/v1/audit?object=user:"+ana, nil)
	res.Check(t, "by object", 200)
	res.JSON(&got)
	var actions []string
	for _, e := range got.Entries {
		if e.Object != "user:"+ana {
			t.Errorf("entry about %q in a list about user:%s", e.Object, ana)
		}
		actions = append(actions, e.Action)
	}
	if fmt.Sprint(actions) != "[login.succeeded user.created]" {
		t.Errorf("actions about ana: %v, want her sign-in and her creation", actions)
	}
}
