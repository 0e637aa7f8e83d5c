package vote_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestMeetingCloseWaitsForOpenPoll: a meeting cannot be closed, from live
// or from adjourned, while one of its polls is open: 409 with a message
// that says what to do, and the meeting stays as it was. A draft poll
// does not stand in the way; once the poll is closed the meeting closes.
func TestMeetingCloseWaitsForOpenPoll(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vgrd")
		m, p := livePoll(c, nil)
		newPoll(c.Secretary, m, map[string]any{"title": "Còn ở dạng dự thảo"}) // a draft: no obstacle
		step(c.Chair, p, "open", ok)
		voteAs(c.Delegate, p, "agree").Check(t, "vote", created)

		closeMeeting := func() apptest.Response {
			return c.Chair.Do("POST", "/api/v1/meetings/"+m+"/status", map[string]any{"status": "closed"})
		}
		before := count(c.AuditActions(t, m), "meeting.status")
		closeMeeting().Check(t, "close the meeting with a poll open", conflict, "close or cancel the open vote first")
		if after := count(c.AuditActions(t, m), "meeting.status"); after != before {
			t.Errorf("a refused close was audited: %d meeting.status entries, %d before", after, before)
		}
		c.Chair.Do("GET", "/api/v1/meetings/"+m, nil).Check(t, "still live", ok, `"status":"live"`)

		c.SetStatus(m, "adjourned")
		closeMeeting().Check(t, "close the adjourned meeting with a poll open", conflict, "close or cancel the open vote first")
		c.Chair.Do("GET", "/api/v1/meetings/"+m, nil).Check(t, "still adjourned", ok, `"status":"adjourned"`)
		c.SetStatus(m, "live")
		if got := readPoll(c.Chair, p); got.Status != "open" || got.Voted != 1 {
			t.Fatalf("the refused close touched the poll: %+v", got)
		}

		step(c.Chair, p, "close", ok)
		closeMeeting().Check(t, "close the meeting once the poll is closed", ok, `"status":"closed"`)
		if got := readPoll(c.Chair, p); got.Status != "closed" || got.Voted != 1 {
			t.Errorf("poll after the meeting closed: %+v", got)
		}
	})
}

// count counts s in list.
func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestMeetingCloseWithCancelledPoll: a cancelled poll does not hold the
// meeting open either.
func TestMeetingCloseWithCancelledPoll(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vgrc")
		m, p := livePoll(c, nil)
		step(c.Chair, p, "open", ok)
		c.Chair.Do("POST", "/api/v1/meetings/"+m+"/status", map[string]any{"status": "closed"}).Check(t, "close with the poll open", conflict)
		step(c.Chair, p, "cancel", ok)
		c.Chair.Do("POST", "/api/v1/meetings/"+m+"/status", map[string]any{"status": "closed"}).Check(t, "close after cancel", ok)
	})
}

// TestVoteAuditHasClientAddress: the audit entry of a vote names the voter
// and the address the vote came from, like every other entry, and never
// the choice; so do the entries of the poll's steps.
func TestVoteAuditHasClientAddress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vaud")
		m, p := livePoll(c, map[string]any{"title": "Bầu kín", "secret": true,
			"options": []map[string]string{{"id": "phuong-an-xq", "label": "Phương án X"}, {"id": "phuong-an-yq", "label": "Phương án Y"}}})
		step(c.Chair, p, "open", ok)
		voteAs(c.Delegate, p, "phuong-an-xq").Check(t, "vote", created)
		step(c.Chair, p, "close", ok)
		var out struct {
			Entries []struct {
				Action   string          `json:"action"`
				ActorID  string          `json:"actor_id"`
				Object   string          `json:"object"`
				ClientIP string          `json:"client_ip"`
				Detail   json.RawMessage `json:"detail"`
			} `json:"entries"`
		}
		c.Admin.Get("/api/v1/audit?limit=1000&meeting_id="+m, &out)
		seen := map[string]bool{}
		for _, e := range out.Entries {
			if !strings.HasPrefix(e.Action, "vote.") && !strings.HasPrefix(e.Action, "poll.") {
				continue
			}
			seen[e.Action] = true
			if e.ClientIP != "127.0.0.1" {
				t.Errorf("%s: client_ip %q, want 127.0.0.1", e.Action, e.ClientIP)
			}
			if strings.Contains(string(e.Detail), "phuong-an-") {
				t.Errorf("%s names a choice: %s", e.Action, e.Detail)
			}
			if e.Action == "vote.cast" && (e.ActorID != c.Delegate.UserID || e.Object != "poll:"+p) {
				t.Errorf("vote.cast entry %+v", e)
			}
		}
		for _, a := range []string{"poll.created", "poll.opened", "vote.cast", "poll.closed"} {
			if !seen[a] {
				t.Errorf("no %s entry in %+v", a, out.Entries)
			}
		}
	})
}
