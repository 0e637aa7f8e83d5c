package realtime

import (
	"context"
	"encoding/json"
	"errors"
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

// TestWritesAfterDeadline: the writer's blocking writes (here the
// snapshot) leave a deadline on the socket; the fan-out's non-blocking
// writes that come after it has passed still go out. (No pings: each
// would push the deadline forward.)
func TestWritesAfterDeadline(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) {
			o.WriteWait = 50 * time.Millisecond
			o.PingInterval = time.Hour
		})
		alice := dial(t, n, "m1", "alice", "")
		decodeSnap(t, alice.next())
		for i := range 3 {
			time.Sleep(120 * time.Millisecond) // past the snapshot's deadline
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
		lazy := dialSmallBuffer(t, n, "m1", "lazy") // fills the server's socket after a few events
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
// close frame with the hub's, the code echoed; both go through the
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
		if err := alice.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "bye"), time.Now().Add(wait)); err != nil {
			t.Fatal(err)
		}
		if code := alice.closeCode(); code != websocket.CloseGoingAway {
			t.Fatalf("the hub answered a close 1001 with %d, want it echoed", code)
		}
	})
}

// bigSnap's state is size bytes of JSON string: an opening that no
// socket buffer takes at once.
type bigSnap struct{ size int }

func (s bigSnap) Snapshot(context.Context, Viewer, string) (any, error) {
	return map[string]any{"blob": strings.Repeat("s", s.size)}, nil
}

// dialSmallBuffer connects user with a 64 KB receive buffer (no
// autotuning), so that a client that does not read fills the server's
// socket after a few megabytes.
func dialSmallBuffer(t *testing.T, n *node, meetingID, user string) *client {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: wait, NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := nc.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(64 << 10)
		}
		return nc, err
	}}
	ws, _, err := d.Dial(liveURL(n, meetingID, ""), http.Header{"X-User": {user}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return &client{t: t, ws: ws}
}

// TestSlowDropWhileOpeningGetsNoFlush: a client dropped for being slow
// (1013) while its opening frames are still being written gets the close
// frame after them, not its whole queue first: "a client dropped for
// being slow gets no flush: it would not take it" (finishWrites), and the
// writer stops taking from the queue once the connection is closed.
//
// It failed on e05acfb: writeLoop called drain() after the opening
// frames without looking at done, and drain wrote every queued frame
// (blocking, up to WriteWait per batch) before the loop saw the close.
func TestSlowDropWhileOpeningGetsNoFlush(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "lazy", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) {
			o.Snapshotter = bigSnap{size: 16 << 20} // far beyond the socket buffers: the writer blocks in it
			o.QueueSize = 4
			o.WriteWait = time.Minute // slow, not broken
		})
		lazy := dialSmallBuffer(t, n, "m1", "lazy") // reads nothing until it is dropped
		for i := range 10 {
			n.publish("m1", "page", i+1)
		}
		eventually(t, "the lazy client to be dropped as slow", func() bool {
			return metricValue(t, n, "curia_live_slow_client_drops_total") == 1
		})

		if m := lazy.next(); m.Type != "snapshot" {
			t.Fatalf("first message: %s, want snapshot", m.Type)
		}
		_ = lazy.ws.SetReadDeadline(time.Now().Add(wait))
		var after []string
		code := -1
		for {
			_, data, err := lazy.ws.ReadMessage()
			if err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					code = ce.Code
				}
				break
			}
			after = append(after, string(data[:min(len(data), 60)]))
		}
		if code != websocket.CloseTryAgainLater {
			t.Fatalf("closed with %d, want 1013", code)
		}
		if len(after) > 0 {
			t.Fatalf("dropped as too slow while its opening was written, yet %d queued messages were written before the close frame: %q",
				len(after), after)
		}
	})
}

// TestReaderCloseFrameNotInsideHalfWrittenFrame: gorilla still writes
// close frames itself from the reader goroutine (a client message over
// the read limit: 1009; a protocol error: 1002). When a fan-out has left
// a frame half written (c.rest), that close frame must wait for the rest
// of it (gorillaConn); on e05acfb it went straight to the socket, landed
// inside the frame, and the client's stream was garbage from there on.
// The test does what flushNow does on a full socket and then
// holds wmu for the moment before the writer goroutine takes it to finish
// the frame (scheduling latency in production: the writer is only made
// runnable by signal).
func TestReaderCloseFrameNotInsideHalfWrittenFrame(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "lazy", "delegate")
		n := startNode(t, openDB(t, b), auth, func(o *Options) { o.WriteWait = time.Minute })
		lazy := dialSmallBuffer(t, n, "m1", "lazy")
		if m := lazy.next(); m.Type != "snapshot" {
			t.Fatalf("first message: %s, want snapshot", m.Type)
		}
		r := n.hub.lookup("m1")
		r.mu.Lock()
		c := r.members[0]
		r.mu.Unlock()

		// flushNow's write of a big event: the socket takes part of it.
		payload := `"` + strings.Repeat("p", 8<<20) + `"`
		c.wmu.Lock()
		held := true
		defer func() {
			if held {
				c.wmu.Unlock()
			}
		}()
		if c.writeNow([]*frame{newFrame([]byte(payload), time.Time{})}) {
			t.Fatal("the socket took 8 MB at once: nothing left half written")
		}
		before := len(payload) - len(c.rest[0]) // payload bytes on the wire before the cut

		// Before the writer finishes it, the client sends a message over
		// the read limit; gorilla answers with close 1009 from the reader.
		if err := lazy.ws.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 100<<10))); err != nil {
			t.Fatal(err)
		}
		type result struct {
			data []byte
			err  error
		}
		got := make(chan result, 1)
		go func() {
			_ = lazy.ws.SetReadDeadline(time.Now().Add(wait))
			for { // skip what came before (presence.joined)
				_, data, err := lazy.ws.ReadMessage()
				if err != nil || len(data) > 1<<20 {
					got <- result{data, err}
					return
				}
			}
		}()
		// On e05acfb the reader writes its close frame and closes at once;
		// a reader that waits for wmu instead does not, hence the bound.
		for stop := time.Now().Add(2 * time.Second); !c.closing() && time.Now().Before(stop); {
			time.Sleep(5 * time.Millisecond)
		}
		c.wmu.Unlock() // the writer (or whoever waits for wmu) finishes the frame
		held = false

		// The socket is closed with the client's big message unread, so
		// the client may get a reset before the end: judge what came.
		res := <-got
		if !strings.HasPrefix(payload, string(res.data)) {
			closeInside := strings.Contains(string(res.data), "\x88\x02\x03\xf1") // close 1009
			t.Fatalf("the half-written event arrived damaged (%d bytes of %d, cut after %d; err %v); gorilla's close frame inside it: %v",
				len(res.data), len(payload), before, res.err, closeInside)
		}
		if len(res.data) <= before {
			t.Skipf("inconclusive: %d bytes arrived before %v, the cut was at %d", len(res.data), res.err, before)
		}
	})
}
