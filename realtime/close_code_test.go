package realtime

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/testdb"
)

// The tests here prove that a client breaking the read limit or the
// protocol gets exactly one close frame with the code api/live.md §4
// promises, whether gorilla sends it (a length over the limit: 1009; a
// protocol error: 1002) or the hub must (a length gorilla cannot
// represent: 1009), and nothing after it.

// socketDial opens a live connection over a bare socket, so that a test can
// send frames no websocket library would and see every byte the server
// sends.
func socketDial(t *testing.T, n *node, meetingID, user string) (net.Conn, *bufio.Reader) {
	t.Helper()
	u, err := url.Parse(n.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.DialTimeout("tcp", u.Host, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	req := "GET /api/v1/meetings/" + meetingID + "/live HTTP/1.1\r\nHost: " + u.Host + "\r\n" +
		"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-User: " + user + "\r\n\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(wait))
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade answered %d", resp.StatusCode)
	}
	return nc, br
}

// serverFrame is one frame as the server sent it (servers do not mask).
type serverFrame struct {
	op      int
	payload []byte
}

// readOne reads one server frame.
func readOne(br *bufio.Reader) (serverFrame, error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return serverFrame{}, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return serverFrame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return serverFrame{}, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(br, p); err != nil {
		return serverFrame{}, err
	}
	return serverFrame{op: int(h[0] & 0x0f), payload: p}, nil
}

// framesUntilEOF reads what the server sends until it closes the socket.
func framesUntilEOF(t *testing.T, nc net.Conn, br *bufio.Reader) []serverFrame {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(wait))
	var out []serverFrame
	for {
		f, err := readOne(br)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the server did not close the connection")
			}
			return out // EOF, or a reset after the close frame
		}
		out = append(out, f)
	}
}

// clientHeader is a masked client frame header (mask key 1 2 3 4) with a
// 64-bit length.
func clientHeader(first byte, length uint64) []byte {
	h := []byte{first, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}
	binary.BigEndian.PutUint64(h[2:10], length)
	return h
}

func TestReadErrorsCloseOnceWithTheirCode(t *testing.T) {
	tests := []struct {
		name string
		send []byte
		code int
	}{
		{
			// RFC 6455 §5.2 forbids the top bit; gorilla fails the read
			// with ErrReadLimit without a close frame of its own.
			name: "64-bit length with the top bit set",
			send: clientHeader(0x81, 1<<63),
			code: websocket.CloseMessageTooBig,
		},
		{
			// A first fragment of one byte, then a continuation whose
			// length overflows the message's total: the same.
			name: "fragments whose total overflows",
			send: append([]byte{0x01, 0x80 | 1, 1, 2, 3, 4, 'x' ^ 1}, clientHeader(0x80, 1<<63-1)...),
			code: websocket.CloseMessageTooBig,
		},
		{
			// Over the 64 KiB limit: gorilla sends the 1009 itself.
			name: "length over the read limit",
			send: clientHeader(0x81, 100<<10),
			code: websocket.CloseMessageTooBig,
		},
		{
			// RSV2 set: gorilla sends 1002 itself.
			name: "protocol error",
			send: []byte{0x81 | 0x20, 0x80 | 1, 1, 2, 3, 4, 'x' ^ 1},
			code: websocket.CloseProtocolError,
		},
	}
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "mallory", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				nc, br := socketDial(t, n, "m1", "mallory")
				f, err := readOne(br)
				if err != nil || f.op != websocket.TextMessage {
					t.Fatalf("first frame: op %d, %v", f.op, err)
				}
				if _, err := nc.Write(tt.send); err != nil {
					t.Fatal(err)
				}
				frames := framesUntilEOF(t, nc, br)
				closes := 0
				for _, f := range frames {
					if f.op == websocket.CloseMessage {
						closes++
					}
				}
				if closes != 1 || frames[len(frames)-1].op != websocket.CloseMessage {
					t.Fatalf("%d close frames in %d frames, want one, the last", closes, len(frames))
				}
				p := frames[len(frames)-1].payload
				if len(p) < 2 || int(binary.BigEndian.Uint16(p)) != tt.code {
					t.Fatalf("close payload %q, want code %d", p, tt.code)
				}
				if tt.code == websocket.CloseMessageTooBig && len(p) != 2 {
					t.Fatalf("close 1009 with reason %q; api/live.md §4 gives none", p[2:])
				}
			})
		}
	})
}
