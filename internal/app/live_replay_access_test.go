package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// resumeFromStart opens a live connection for c to learn the epoch and
// the head, then resumes from since=0 and returns every message that
// resume brings (until the replay reaches the head, or a quiet spell).
func resumeFromStart(t *testing.T, c *apptest.Client, m string) []apptest.Message {
	t.Helper()
	first := c.Live(m, "")
	snap := first.NextOf("snapshot")
	var sd struct {
		Epoch string `json:"epoch"`
	}
	if err := json.Unmarshal(snap.Data, &sd); err != nil {
		t.Fatal(err)
	}
	first.Conn.Close()
	lc := c.Live(m, "since=0&epoch="+sd.Epoch)
	var out []apptest.Message
	for {
		_ = lc.Conn.SetReadDeadline(time.Now().Add(700 * time.Millisecond))
		var msg apptest.Message
		if err := lc.Conn.ReadJSON(&msg); err != nil {
			return out
		}
		out = append(out, msg)
		if msg.Seq >= snap.Seq && msg.Type != "snapshot" {
			return out
		}
	}
}

// resumed reports whether a resume was answered with a replay ("resumed"
// snapshot) rather than resync and a full snapshot.
func resumed(t *testing.T, msgs []apptest.Message) bool {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no message after resuming")
	}
	if msgs[0].Type == "resync" {
		if len(msgs) < 2 || msgs[1].Type != "snapshot" || !strings.Contains(string(msgs[1].Data), `"state":`) {
			t.Fatalf("resync not followed by a full snapshot: %v", msgs)
		}
		return false
	}
	if msgs[0].Type != "snapshot" || !strings.Contains(string(msgs[0].Data), `"resumed":true`) {
		t.Fatalf("first message after resuming: %s %s", msgs[0].Type, msgs[0].Data)
	}
	return true
}

// A document that was open and is then made confidential must not reach,
// through the live replay (resume with ?since=), a participant who is not
// among its readers now: neither its title nor the shared notes made on
// it while it was open. The events stored while it was open carry no
// audience; a resume over them is answered with resync and a full
// snapshot (built from current access) for a delegate added after it
// became confidential and for the observer who took part then, while its
// reader still gets the replay.
func TestLiveReplayAfterMadeConfidential(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := apptest.Start(t, b)
		c := s.NewCast("rpl")
		m := c.Meeting("Replay")
		const title = "Phương án nhân sự MẬT"
		const note = "ghi chú về ông Bình"
		var doc docs.Document
		c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(2, "rpl"), map[string]string{"title": title}).JSON(&doc)
		c.Delegate.Must(http.StatusCreated, "POST", "/api/v1/documents/"+doc.ID+"/annotations", map[string]any{"id": "rpl-note-1", "page": 1, "kind": "note", "shared": true,
			"data": map[string]any{"x": 10, "y": 10, "text": note}})
		c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/documents/"+doc.ID+"/access", map[string]any{"user_ids": []string{c.Delegate.UserID}})
		c.Secretary.Must(http.StatusOK, "PATCH", "/api/v1/documents/"+doc.ID, map[string]any{"confidential": true})

		late := s.SignIn(s.CreateUser("rpl.late", "Đến muộn", false))
		c.Secretary.Must(http.StatusCreated, "PUT", "/api/v1/meetings/"+m+"/participants/"+late.UserID, map[string]any{"role": "delegate"})
		if r := late.Do("GET", "/api/v1/documents/"+doc.ID, nil); r.Status != http.StatusNotFound {
			t.Fatalf("the late delegate reads the confidential document over REST: %d", r.Status)
		}
		for _, who := range []struct {
			name string
			c    *apptest.Client
		}{{"a delegate added after it became confidential", late}, {"the observer, not a reader", c.Observer}} {
			msgs := resumeFromStart(t, who.c, m)
			for _, msg := range msgs {
				raw := string(msg.Data)
				if strings.Contains(raw, title) || strings.Contains(raw, note) || strings.Contains(raw, "rpl-note-1") {
					t.Errorf("%s replays %s (seq %d) of the confidential document: %s", who.name, msg.Type, msg.Seq, raw)
				}
			}
			if resumed(t, msgs) {
				t.Errorf("%s resumed over events about a document they may no longer see; want resync", who.name)
			}
		}

		// Its reader still resumes, and the replay brings the note.
		msgs := resumeFromStart(t, c.Delegate, m)
		if !resumed(t, msgs) {
			t.Fatal("the reader was told to resync; want the replay")
		}
		found := false
		for _, msg := range msgs {
			found = found || msg.Type == "annotations.created" && strings.Contains(string(msg.Data), note)
		}
		if !found {
			t.Fatalf("the reader's replay lacks the note: %v", msgs)
		}
	})
}

// A chair made a delegate no longer sees draft polls: a resume over the
// poll.created sent to the chair and the secretary is answered with
// resync, not the draft; the secretary still resumes.
func TestLiveReplayAfterDemotion(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("rpd")
	m := c.Meeting("Replay")
	const title = "Dự thảo biểu quyết kín"
	c.Chair.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": title})
	c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Chair.UserID, map[string]any{"role": "delegate"})

	msgs := resumeFromStart(t, c.Chair, m)
	for _, msg := range msgs {
		if strings.Contains(string(msg.Data), title) {
			t.Errorf("the former chair replays %s (seq %d) of a draft poll: %s", msg.Type, msg.Seq, msg.Data)
		}
	}
	if resumed(t, msgs) {
		t.Error("the former chair resumed over a draft poll; want resync")
	}
	if !resumed(t, resumeFromStart(t, c.Secretary, m)) {
		t.Error("the secretary was told to resync; want the replay")
	}
}
