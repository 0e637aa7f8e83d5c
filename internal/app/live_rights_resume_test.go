package app_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// The tests here prove that a participant whose role changed, closed
// with 4003 and reconnecting with since as api/live.md §4 says, is not
// resumed but answered with resync and a full snapshot (§5), in both
// directions: a chair made a delegate keeps nothing of what only the
// chair saw (a draft poll), and a delegate made secretary is brought to
// what they may now see; while a 4003 that changed no rights (a new
// voting weight) still resumes (realtime/rights.go).

// rightsEpoch reads the epoch of a snapshot message.
func rightsEpoch(t *testing.T, m apptest.Message) string {
	t.Helper()
	var d struct {
		Epoch string `json:"epoch"`
	}
	if m.Type != "snapshot" {
		t.Fatalf("got %s, want snapshot", m.Type)
	}
	if err := json.Unmarshal(m.Data, &d); err != nil || d.Epoch == "" {
		t.Fatalf("snapshot %s: %v", m.Data, err)
	}
	return d.Epoch
}

// rightsUntilClosed reads tl as a tablet would, keeping the last seq it
// applied, until the server closes it; it returns that seq and the close
// code.
func rightsUntilClosed(t *testing.T, tl *apptest.LiveConn, last int64) (int64, int) {
	t.Helper()
	_ = tl.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m apptest.Message
		if err := tl.Conn.ReadJSON(&m); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return last, ce.Code
			}
			t.Fatalf("the live connection was not closed: %v", err)
		}
		if m.Seq > last && m.Type != "snapshot" {
			last = m.Seq
		}
	}
}

// rightsReconnect reconnects c with since and epoch, as a tablet does
// after a 4003, and reports whether the server resumed it; a resync must
// come with a full snapshot.
func rightsReconnect(t *testing.T, c *apptest.Client, m string, since int64, epoch string) bool {
	t.Helper()
	lc := c.Live(m, fmt.Sprintf("since=%d&epoch=%s", since, epoch))
	_ = lc.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var first apptest.Message
	if err := lc.Conn.ReadJSON(&first); err != nil {
		t.Fatalf("no message after reconnecting: %v", err)
	}
	if first.Type == "resync" {
		snap := lc.NextOf("snapshot")
		if strings.Contains(string(snap.Data), `"resumed":true`) || !strings.Contains(string(snap.Data), `"state":`) {
			t.Fatalf("resync not followed by a full snapshot: %s", snap.Data)
		}
		return false
	}
	if first.Type != "snapshot" || !strings.Contains(string(first.Data), `"resumed":true`) {
		t.Fatalf("first message after reconnecting: %s %s", first.Type, first.Data)
	}
	return true
}

// A chair made a delegate: the tablet showed the draft poll (from
// poll.created), and the events it missed around the 4003 are harmless
// (participants.changed, the quorum), so the replay check alone would
// resume it and the tablet would keep the draft that REST now refuses.
func TestLiveDemotedChairReconnectionResyncs(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("rrdem")
	m := c.Meeting("Demotion")
	chair := c.Chair.Live(m, "")
	epoch := rightsEpoch(t, chair.NextOf("snapshot"))

	const title = "Dự thảo kín của chủ tọa"
	var poll struct {
		ID string `json:"id"`
	}
	c.Chair.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": title}).JSON(&poll)
	created := chair.NextOf("poll.created")
	if !strings.Contains(string(created.Data), title) {
		t.Fatalf("poll.created %s", created.Data)
	}

	c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Chair.UserID, map[string]any{"role": "delegate"})
	last, code := rightsUntilClosed(t, chair, created.Seq)
	if code != 4003 {
		t.Fatalf("closed with %d, want 4003", code)
	}
	if r := c.Chair.Do("GET", "/api/v1/polls/"+poll.ID, nil); r.Status != http.StatusNotFound {
		t.Fatalf("the former chair reads the draft over REST: %d", r.Status)
	}
	if rightsReconnect(t, c.Chair, m, last, epoch) {
		t.Errorf("the former chair's reconnection (since=%d) was resumed: the tablet keeps the draft %q; want resync", last, title)
	}
	// The secretary, whose access did not change, still resumes.
	sec := c.Secretary.Live(m, "")
	secEpoch := rightsEpoch(t, sec.NextOf("snapshot"))
	sec.Conn.Close()
	if !rightsReconnect(t, c.Secretary, m, last, secEpoch) {
		t.Error("the secretary was told to resync; want the replay")
	}
}

// A delegate made secretary: the draft poll created before came to them
// as a skip, so a resume would never show it although
// GET /meetings/{id}/polls now lists it for them.
func TestLivePromotedDelegateReconnectionResyncs(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("rrpro")
	m := c.Meeting("Promotion")
	del := c.Delegate.Live(m, "")
	epoch := rightsEpoch(t, del.NextOf("snapshot"))

	const title = "Dự thảo trước khi thăng chức"
	c.Chair.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": title})
	skip := del.NextOf("skip") // the draft's poll.created, not for a delegate

	c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, map[string]any{"role": "secretary"})
	last, code := rightsUntilClosed(t, del, skip.Seq)
	if code != 4003 {
		t.Fatalf("closed with %d, want 4003", code)
	}
	if r := c.Delegate.Do("GET", "/api/v1/meetings/"+m+"/polls", nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), title) {
		t.Fatalf("the new secretary does not list the draft over REST: %d %s", r.Status, r.Body)
	}
	if rightsReconnect(t, c.Delegate, m, last, epoch) {
		t.Errorf("the delegate made secretary was resumed (since=%d) and never told of the draft %q; want resync", last, title)
	}
}

// A delegate whose voting weight changed is closed with 4003 too, but
// sees what they saw before: their reconnection still resumes.
func TestLiveWeightChangeReconnectionResumes(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("rrwgt")
	m := c.Meeting("Weight")
	del := c.Delegate.Live(m, "")
	snap := del.NextOf("snapshot")
	epoch := rightsEpoch(t, snap)

	c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, map[string]any{"role": "delegate", "weight": 3})
	last, code := rightsUntilClosed(t, del, snap.Seq)
	if code != 4003 {
		t.Fatalf("closed with %d, want 4003", code)
	}
	if !rightsReconnect(t, c.Delegate, m, last, epoch) {
		t.Error("the delegate whose weight changed was told to resync; want the replay")
	}
}
