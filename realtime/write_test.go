package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// TestWritesAfterDeadline: the writer's blocking writes (the snapshot, a
// ping) leave a deadline on the socket; the fan-out's non-blocking writes
// that come after it has passed still go out.
func TestWritesAfterDeadline(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) {
			o.WriteWait = 50 * time.Millisecond
			o.PingInterval = 30 * time.Millisecond
		})
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())
		for i := range 3 {
			time.Sleep(120 * time.Millisecond) // past the deadline of the snapshot, then of a ping
			n.publish("m1", "page", i+1)
			if m := alice.events(1)[0]; m.Seq != int64(i+1) || string(m.Data) != fmt.Sprint(i+1) {
				t.Fatalf("event %d: got seq %d data %s", i+1, m.Seq, m.Data)
			}
		}
	})
}

// TestFullSocketKeepsOrder: a tablet that stops reading while big events
// keep coming fills its socket, so the fan-out's writes stop half way
// and the connection's writer finishes them. Once it reads again, every
// event arrives whole and in order, and a tablet that kept reading got
// each one meanwhile.
func TestFullSocketKeepsOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "lazy", "delegate")
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) {
			o.QueueSize, o.QueueBytes = 10000, 256<<20 // slow, but not dropped
			o.WriteWait = time.Minute
		})
		// A small receive buffer fills the server's socket after a few
		// events, not after megabytes.
		d := websocket.Dialer{HandshakeTimeout: wait, NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := nc.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(64 << 10)
			}
			return nc, err
		}}
		ws, _, err := d.Dial(liveURL(n, "m1", ""), http.Header{"X-User": {"lazy"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ws.Close() })
		lazy := &client{t: t, ws: ws}
		decodeSnap(t, lazy.next())
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())

		const events = 200
		body := func(i int) string { return strings.Repeat(string(rune('a'+i%26)), 48<<10+i) }
		for i := range events {
			n.hub.Publish(context.Background(), event.Event{MeetingID: "m1", Type: "page", Data: body(i)})
			if m := alice.events(1)[0]; m.Seq != int64(i+1) {
				t.Fatalf("alice: event %d came as seq %d", i+1, m.Seq)
			}
		}
		if metricValue(t, n, "curia_live_writes_deferred_total") == 0 {
			t.Fatal("no write was left half done: the test did not fill the socket")
		}
		got := lazy.events(events)
		checkContiguous(t, got, 1)
		for i, m := range got {
			var s string
			if err := json.Unmarshal(m.Data, &s); err != nil || s != body(i) {
				t.Fatalf("event %d arrived damaged (%d bytes, %v)", i+1, len(s), err)
			}
		}
	})
}

// TestControlFrames: a client's ping is answered with a pong, and its
// close frame with the hub's close frame, code 1000; both go through the
// connection's writer, never in the middle of a message.
func TestControlFrames(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())
		pong := make(chan string, 1)
		alice.ws.SetPongHandler(func(data string) error { pong <- data; return nil })
		if err := alice.ws.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(wait)); err != nil {
			t.Fatal(err)
		}
		// The client sees the pong while it reads: read events until it has.
		var got string
		for i := 1; got == "" && i <= 50; i++ {
			n.publish("m1", "page", i)
			alice.events(1)
			select {
			case got = <-pong:
			default:
			}
		}
		if got != "are you there" {
			t.Fatalf("pong carried %q (empty: none came)", got)
		}
		if err := alice.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(wait)); err != nil {
			t.Fatal(err)
		}
		if code := alice.closeCode(); code != websocket.CloseNormalClosure {
			t.Fatalf("the hub answered a close with %d, want 1000", code)
		}
	})
}
