package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/testdb"
)

// TestBadInput: each kind of bad input is answered or closes that
// connection only; a bystander keeps receiving events.
func TestBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "mallory", "delegate")
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) { o.RateLimit, o.RateBurst = 20, 10 })
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())
		tests := []struct {
			name  string
			send  func(c *client)
			code  string // error message expected, or
			close int    // close code expected
		}{
			{name: "malformed JSON", send: text(`{"type":`), code: "invalid"},
			{name: "no type", send: text(`{"data":1}`), code: "invalid"},
			{name: "unknown type", send: text(`{"type":"launch"}`), code: "invalid"},
			{name: "follow without flag", send: text(`{"type":"follow"}`), code: "invalid"},
			{name: "NUL in text (no database can store it)", send: text(`{"type":"ping","data":"a\u0000"}`), code: "invalid"},
			{name: "binary frame", send: func(c *client) { _ = c.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2}) }, code: "invalid"},
			{name: "10 MB frame", send: text(`{"type":"ping","data":"` + strings.Repeat("x", 10<<20) + `"}`), close: 1009},
			{name: "flood", send: flood, code: "rate_limited", close: 1008},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := dial(t, n, "m1", "mallory", "")
				decodeSnap(t, c.next())
				if tt.close != 0 {
					go tt.send(c) // it may block until the server closes; nothing else writes to c
				} else {
					tt.send(c)
				}
				if tt.code != "" {
					m := c.nextOf("error")
					var d errorData
					if err := json.Unmarshal(m.Data, &d); err != nil || d.Code != tt.code || d.Message == "" {
						t.Fatalf("error %s, want code %s with a message", m.Data, tt.code)
					}
				}
				if tt.close != 0 {
					if code := c.closeCode(); code != tt.close {
						t.Fatalf("close code %d, want %d", code, tt.close)
					}
				} else {
					c.send(map[string]string{"type": "ping"})
					c.nextOf("pong") // the connection is still usable
				}
				n.publish("m1", "after", i)
				if e := alice.nextOf("after"); string(e.Data) != strings.TrimSpace(string(mustJSON(i))) {
					t.Fatalf("bystander got %s, want %d", e.Data, i)
				}
			})
		}
	})
}

func text(s string) func(*client) {
	return func(c *client) { _ = c.ws.WriteMessage(websocket.TextMessage, []byte(s)) }
}

// flood sends far more than the rate limit allows, until the server closes.
func flood(c *client) {
	for range 2000 {
		if c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)) != nil {
			return
		}
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestClientHandlers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "chair", "chair")
		n := startNode(t, openDB(t, b), auth, nil)
		got := make(chan string, 1)
		n.hub.Handle("pointer", func(_ context.Context, v Viewer, meetingID string, data json.RawMessage) error {
			got <- v.UserID + " " + meetingID + " " + string(data)
			return nil
		})
		n.hub.Handle("vote", func(context.Context, Viewer, string, json.RawMessage) error {
			return apperr.Conflictf("the poll is closed")
		})
		n.hub.Handle("crash", func(context.Context, Viewer, string, json.RawMessage) error {
			panic("boom")
		})
		n.hub.Handle("db", func(context.Context, Viewer, string, json.RawMessage) error {
			return errors.New("connection refused to 10.0.0.5")
		})
		c := dial(t, n, "m1", "chair", "")
		decodeSnap(t, c.next())

		c.send(map[string]any{"type": "pointer", "data": map[string]float64{"x": 0.25}})
		if s := <-got; s != `chair m1 {"x":0.25}` {
			t.Fatalf("handler got %q", s)
		}
		for typ, want := range map[string]errorData{
			"vote":  {Code: "conflict", Message: "the poll is closed"},
			"crash": {Code: "internal", Message: "internal error"},
			"db":    {Code: "internal", Message: "internal error"}, // internal text never reaches a client
		} {
			c.send(map[string]string{"type": typ})
			var d errorData
			_ = json.Unmarshal(c.nextOf("error").Data, &d)
			if d != want {
				t.Errorf("%s: error %+v, want %+v", typ, d, want)
			}
		}
		defer func() {
			if recover() == nil {
				t.Error("Handle(\"ping\") did not panic")
			}
		}()
		n.hub.Handle("ping", func(context.Context, Viewer, string, json.RawMessage) error { return nil })
	})
}
