package meeting_test

import (
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestUnstorableIDs: an id holding a NUL byte or bytes that are not UTF-8
// (from the path, %00 or %FF, or from a JSON body, \u0000) once reached
// PostgreSQL, which refuses the query (SQLSTATE 22021): a 500. The web
// layer now refuses them first: 404 in the path, 400 in a body. On SQLite
// they always got a 4xx, so only the PostgreSQL run can fail.
func TestUnstorableIDs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Bad ids")
		cast.SetStatus(m, "scheduled", "live")
		sec := cast.Secretary
		cases := []struct {
			name, method, path string
			body               any
			want               int
		}{
			{"meeting id with NUL", "GET", "/api/v1/meetings/%00", nil, notFound},
			{"meeting id not UTF-8", "GET", "/api/v1/meetings/%FF", nil, notFound},
			{"participants of a NUL meeting", "GET", "/api/v1/meetings/a%00b/participants", nil, notFound},
			{"put a NUL user", "PUT", "/api/v1/meetings/" + m + "/participants/a%00b", map[string]any{"role": "delegate"}, notFound},
			{"remove a non-UTF-8 user", "DELETE", "/api/v1/meetings/" + m + "/participants/%FF", nil, notFound},
			{"attendance of a NUL user", "POST", "/api/v1/meetings/" + m + "/attendance", `{"user_id":"a\u0000b","state":"present"}`, 400},
		}
		for _, tc := range cases {
			sec.Do(tc.method, tc.path, tc.body).Check(t, tc.name, tc.want)
		}
	})
}
