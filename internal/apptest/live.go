package apptest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Message is one message from the live hub.
type Message struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// LiveConn is a tablet's live connection in a test.
type LiveConn struct {
	Conn *websocket.Conn
	s    *Server
}

// DialLive opens GET /api/v1/meetings/{id}/live with query (e.g.
// "since=4"), authenticated by the client's token, and returns the
// connection or the refusal's HTTP status.
func (c *Client) DialLive(meetingID, query string, headers ...string) (*LiveConn, int, error) {
	u := "ws" + strings.TrimPrefix(c.s.URL, "http") + "/api/v1/meetings/" + meetingID + "/live"
	if query != "" {
		u += "?" + query
	}
	h := http.Header{}
	if c.Token != "" {
		h.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	conn, res, err := d.Dial(u, h)
	status := 0
	if res != nil {
		status = res.StatusCode
	}
	if err != nil {
		return nil, status, err
	}
	c.s.t.Cleanup(func() { conn.Close() })
	return &LiveConn{Conn: conn, s: c.s}, status, nil
}

// Live opens a live connection and fails the test when it is refused.
func (c *Client) Live(meetingID, query string) *LiveConn {
	c.s.t.Helper()
	lc, status, err := c.DialLive(meetingID, query)
	if err != nil {
		c.s.t.Fatalf("live connection refused (%d): %v", status, err)
	}
	return lc
}

// Next returns the next message, failing the test after 5 s.
func (l *LiveConn) Next() Message {
	l.s.t.Helper()
	_ = l.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m Message
	if err := l.Conn.ReadJSON(&m); err != nil {
		l.s.t.Fatalf("read live message: %v", err)
	}
	return m
}

// NextOf skips messages until one of type typ arrives.
func (l *LiveConn) NextOf(typ string) Message {
	l.s.t.Helper()
	for range 1000 {
		if m := l.Next(); m.Type == typ {
			return m
		}
	}
	l.s.t.Fatalf("no %s message", typ)
	return Message{}
}

// Send writes one client message.
func (l *LiveConn) Send(v any) {
	l.s.t.Helper()
	if err := l.Conn.WriteJSON(v); err != nil {
		l.s.t.Fatalf("send live message: %v", err)
	}
}
