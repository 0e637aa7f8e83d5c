package app_test

import (
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
