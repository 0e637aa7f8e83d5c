package minutes_test

import (
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestASCIINameOfDecomposedVietnamese proves that a title typed with
// combining marks (Unicode tổ hợp, as some Vietnamese Windows keyboards
// send it) gives the minutes the same ASCII file name as the precomposed
// title ("bien-ban-ky-hop.html", not "bien-ban-ky-ho-p.html"), and that a
// mark with no precomposed letter to join is left out, not taken for a
// word break.
func TestASCIINameOfDecomposedVietnamese(t *testing.T) {
	_, c := apptest.StartCast(t, testdb.Backends()[0])
	for title, want := range map[string]string{
		"Ky\u0300 ho\u0323p":            "bien-ban-ky-hop.html",     // "Kỳ họp", decomposed
		"Kỳ họp":                        "bien-ban-ky-hop.html",     // precomposed
		"Nghi\u0323 quyê\u0301t":        "bien-ban-nghi-quyet.html", // "Nghị quyết"
		"Ha\u0301\u0302 Ni\u0303\u0301": "bien-ban-ha-ni.html",      // marks with no letter to compose into
	} {
		m := c.Meeting(title)
		res := c.Secretary.Must(ok, "GET", "/api/v1/meetings/"+m+"/minutes", nil)
		if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="`+want+`"`) {
			t.Errorf("%q: Content-Disposition %q, want the ASCII name %s", title, cd, want)
		}
	}
}
