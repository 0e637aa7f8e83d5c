package vote_test

import (
	"fmt"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestOptionLabelIsOneLine proves that a poll option's label is one line
// by the rule of meeting.CleanTitle (meeting.NotInALine): besides the
// control characters, the Unicode line and paragraph separators (U+2028,
// U+2029), which break a line on the ballot and in the minutes, are
// refused with a 400 naming the option, and no poll is stored. A label
// with neither is taken.
func TestOptionLabelIsOneLine(t *testing.T) {
	srv := apptest.Start(t, testdb.Backends()[0])
	c := srv.NewCast("vol")
	m := c.Meeting("One-line labels")
	for _, label := range []string{"An\nBình", "An\u0085Bình", "An\u2028Bình", "An\u2029Bình"} {
		body := map[string]any{"title": "Bầu", "options": []map[string]string{{"label": "Chi"}, {"label": label}}}
		c.Secretary.Do("POST", "/api/v1/meetings/"+m+"/polls", body).Check(t, fmt.Sprintf("label %q", label), invalid, "option 2")
	}
	var list struct{ Polls []poll }
	c.Secretary.Get("/api/v1/meetings/"+m+"/polls", &list)
	if len(list.Polls) != 0 {
		t.Errorf("refused polls were stored: %+v", list.Polls)
	}
	c.Secretary.Must(created, "POST", "/api/v1/meetings/"+m+"/polls",
		map[string]any{"title": "Bầu", "options": []map[string]string{{"label": "Chi"}, {"label": "An – Bình"}}})
}
