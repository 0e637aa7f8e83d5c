package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// afterEventHook runs fn once, in the publishing goroutine, after the hub
// has published an event of type typ: what another request does at that
// moment.
type afterEventHook struct {
	typ string
	fn  chan func()
}

func (h *afterEventHook) Publish(_ context.Context, events ...event.Event) {
	for _, e := range events {
		if e.Type != h.typ {
			continue
		}
		select {
		case fn := <-h.fn:
			fn()
		default:
		}
	}
}

// TestRemovedParticipantIsCutBeforeEvents: a participant's live
// connections are closed (4003) right after the removal commits, before
// it publishes participants.changed and quorum.changed. Before, they
// were closed last, and an open document uploaded meanwhile (any
// concurrent request; here, one run when participants.changed is
// published) reached the removed delegate, title and all, though REST
// already refused them. (Found by review.)
func TestRemovedParticipantIsCutBeforeEvents(t *testing.T) {
	hook := &afterEventHook{typ: "participants.changed", fn: make(chan func(), 1)}
	s := apptest.Start(t, testdb.Backends()[0], apptest.WithPublisher(hook))
	c := s.NewCast("rvrem")
	m := c.Meeting("Removal order")
	del := c.Delegate.Live(m, "")
	del.NextOf("snapshot")

	const title = "Tài liệu sau khi rời cuộc họp"
	hook.fn <- func() {
		c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "late.pdf", testpdf.Pages(1, "rvrem"), map[string]string{"title": title})
	}
	c.Secretary.Must(http.StatusNoContent, "DELETE", "/api/v1/meetings/"+m+"/participants/"+c.Delegate.UserID, nil)
	if r := c.Delegate.Do("GET", "/api/v1/meetings/"+m+"/documents", nil); r.Status != http.StatusNotFound {
		t.Fatalf("the removed delegate lists the documents over REST: %d", r.Status)
	}

	_ = del.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var msg apptest.Message
		if err := del.Conn.ReadJSON(&msg); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != 4003 {
				t.Fatalf("connection ended with %v, want 4003", err)
			}
			return
		}
		if strings.Contains(string(msg.Data), title) {
			t.Fatalf("the removed delegate received %s (seq %d) after the removal committed: %s", msg.Type, msg.Seq, msg.Data)
		}
	}
}
