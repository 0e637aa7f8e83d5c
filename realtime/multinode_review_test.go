package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/testdb"
)

// Review of Curia on several nodes sharing one PostgreSQL. Run with
// scripts/with-postgres.sh go test -count=1 -run 'TestMultinode' ./realtime/

// mnListeners returns the pids of the backends listening on channel.
func mnListeners(t *testing.T, db *database.DB, channel string) []int {
	t.Helper()
	var pids []int
	if err := db.Gorm.Raw(`SELECT pid FROM pg_stat_activity WHERE query = ? AND datname = current_database()`,
		"LISTEN "+channel).Scan(&pids).Error; err != nil {
		t.Fatal(err)
	}
	return pids
}

// mnKillListeners terminates every listener on channel and waits until
// their backends are gone: from then on, nobody hears the channel until
// the brokers listen again, after their first backoff, which it sets to
// a second for the rest of the test (100 ms by default: on a loaded
// machine a broker could listen again before the test sent what it must
// not hear).
func mnKillListeners(t *testing.T, db *database.DB, channel string, brokers ...*pgBroker) {
	t.Helper()
	for _, b := range brokers {
		b.relisten.Store(int64(time.Second))
	}
	pids := mnListeners(t, db, channel)
	killed := db.Gorm.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN ?`, pids)
	if len(pids) == 0 || killed.Error != nil || killed.RowsAffected < 1 {
		t.Fatalf("terminate the listeners %v: %v (%d)", pids, killed.Error, killed.RowsAffected)
	}
	eventually(t, "the listeners' backends to end", func() bool {
		for _, p := range mnListeners(t, db, channel) {
			if slices.Contains(pids, p) {
				return false
			}
		}
		return true
	})
}

// mnNext reads c's next message within d. It returns the message, or the
// close code (-1: the connection ended without one, 0: nothing came).
func mnNext(c *client, d time.Duration) (msg, int) {
	_ = c.ws.SetReadDeadline(time.Now().Add(d))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return msg{}, ce.Code
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return msg{}, 0
		}
		return msg{}, -1
	}
	var m msg
	_ = json.Unmarshal(b, &m)
	return m, 0
}

// mnNextEventOrClose skips ephemeral messages and returns the next
// sequenced event, or the close code, within d (code 0: nothing came).
func mnNextEventOrClose(c *client, d time.Duration) (msg, int) {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return msg{}, 0
		}
		m, code := mnNext(c, left)
		if code != 0 || m.Type == "" {
			return m, code
		}
		if m.Seq > 0 && m.Type != "snapshot" {
			return m, 0
		}
	}
}

// A participant removed on node A while node B's LISTEN connection is
// being re-established (a network blip, a failover, idle_session_timeout)
// is closed on node B too (4003) once B listens again, before any later
// event reaches them: the disconnect is stored with its NOTIFY, and a
// listener replays the stored disconnects it did not hear before it
// catches up the events (pgcontrols.go). Before that fix the disconnect
// was a bare NOTIFY, lost for good, and they kept receiving every event.
func TestMultinodeKickSurvivesListenerReconnect(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "chair", "chair")
	auth.add("m1", "bob", "delegate")
	a, b, db := twoNodes(t, auth)
	chair := dial(t, a, "m1", "chair", "")
	decodeSnap(t, chair.next())
	bob := dial(t, b, "m1", "bob", "")
	decodeSnap(t, bob.next())
	a.publish("m1", "page", 1)
	checkContiguous(t, bob.events(1), 1)

	channel := b.hub.broker.(*pgBroker).channel
	mnKillListeners(t, db, channel, a.hub.broker.(*pgBroker), b.hub.broker.(*pgBroker))
	// Bob is removed from the meeting on node A (the app calls Disconnect
	// right after the removal commits).
	auth.mu.Lock()
	delete(auth.members["m1"], "bob")
	auth.mu.Unlock()
	if err := a.hub.Disconnect(context.Background(), "m1", "bob"); err != nil {
		t.Fatal(err)
	}
	if n := len(mnListeners(t, db, channel)); n != 0 {
		t.Skipf("a broker listened again before the disconnect was sent (%d listeners): timing", n)
	}
	eventually(t, "both brokers to listen again", func() bool { return len(mnListeners(t, db, channel)) == 2 })

	a.publish("m1", "page", 2) // for everyone in the meeting
	m, code := mnNextEventOrClose(bob, 3*time.Second)
	if code != closeAccessChanged {
		t.Fatalf("bob, removed on node A, is still connected on node B (close code %d) and received %s seq %d %s",
			code, m.Type, m.Seq, m.Data)
	}
}

// A publish that cannot be stored resets the room (4001: forget your seq,
// refetch) so that the clients refetch the state the lost event would
// have announced, on every node: the clients of the same meeting on node
// B have no gap in the seqs to tell them they missed a change (a poll
// closed, a document withdrawn), so node A tells node B (a control
// message, Hub.resetElsewhere). Before that fix only node A's were told.
func TestMultinodePublishFailureResetsEveryNode(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	a, b, db := twoNodesWith(t, auth, func(o *Options) { o.PublishTimeout = 300 * time.Millisecond })
	alice := dial(t, a, "m1", "alice", "")
	decodeSnap(t, alice.next())
	bob := dial(t, b, "m1", "bob", "")
	decodeSnap(t, bob.next())
	a.publish("m1", "page", 1)
	checkContiguous(t, alice.events(1), 1)
	checkContiguous(t, bob.events(1), 1)

	// The database is slow for node A's append (another transaction holds
	// the meeting's counter longer than PublishTimeout).
	tx := db.Gorm.Begin()
	if err := tx.Exec(`SELECT seq FROM live_heads WHERE meeting_id = ? FOR UPDATE`, "m1").Error; err != nil {
		t.Fatal(err)
	}
	a.publish("m1", "poll.closed", map[string]string{"id": "p1"})
	if err := tx.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	if _, code := mnNextEventOrClose(alice, 3*time.Second); code != closeResync {
		t.Fatalf("alice on the publishing node: close code %d, want %d", code, closeResync)
	}
	if m, code := mnNextEventOrClose(bob, 3*time.Second); code != closeResync {
		t.Fatalf("bob on node B was not told the stream lost an event (close code %d, next event %q seq %d): he keeps the old state",
			code, m.Type, m.Seq)
	}
}

// mnProxy forwards TCP connections to PostgreSQL. freezeListeners makes
// the connections that ran LISTEN go silent without closing, as when a
// NAT or firewall forgets an idle flow, a VM is migrated, or the primary
// vanishes in a failover: the client hears nothing and gets no error.
type mnProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []*mnProxied
}

type mnProxied struct {
	client, server net.Conn
	listener       atomic.Bool // the client sent a LISTEN
	frozen         atomic.Bool
}

func newMNProxy(t *testing.T, target string) *mnProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &mnProxy{ln: ln}
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			_ = c.client.Close()
			_ = c.server.Close()
		}
	})
	go func() {
		for {
			cc, err := ln.Accept()
			if err != nil {
				return
			}
			sc, err := net.Dial("tcp", target)
			if err != nil {
				_ = cc.Close()
				continue
			}
			pc := &mnProxied{client: cc, server: sc}
			p.mu.Lock()
			p.conns = append(p.conns, pc)
			p.mu.Unlock()
			go func() { // client → server
				buf := make([]byte, 32<<10)
				for {
					n, err := cc.Read(buf)
					if n > 0 {
						if bytes.Contains(buf[:n], []byte("LISTEN ")) {
							pc.listener.Store(true)
						}
						if _, werr := sc.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						_ = sc.Close()
						return
					}
				}
			}()
			go func() { // server → client, dropped once frozen
				buf := make([]byte, 32<<10)
				for {
					n, err := sc.Read(buf)
					if n > 0 && !pc.frozen.Load() {
						if _, werr := cc.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						if !pc.frozen.Load() {
							_ = cc.Close()
						}
						return
					}
				}
			}()
		}
	}()
	return p
}

// freezeListeners silences the connections that are listening now and
// returns how many there were.
func (p *mnProxy) freezeListeners() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.conns {
		if c.listener.Load() {
			c.frozen.Store(true)
			n++
		}
	}
	return n
}

// twoNodesProxied is twoNodesWith with node B reaching PostgreSQL through
// a proxy.
func twoNodesProxied(t *testing.T, auth Authorizer, opt func(*Options)) (*node, *node, *mnProxy) {
	t.Helper()
	if os.Getenv("CURIA_TEST_POSTGRES") == "" {
		t.Skip("CURIA_TEST_POSTGRES is not set")
	}
	var pg testdb.Backend
	for _, be := range testdb.Backends() {
		if be.Name == "postgres" {
			pg = be
		}
	}
	raw, dir := pg.URL(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newMNProxy(t, u.Host)
	viaProxy := *u
	viaProxy.Host = proxy.ln.Addr().String()
	var dbs []*database.DB
	for _, s := range []string{raw, viaProxy.String()} {
		db, err := database.Open(context.Background(), database.Options{URL: s, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := db.Migrate(context.Background(), Migration()); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
	}
	return startNode(t, dbs[0], auth, opt), startNode(t, dbs[1], auth, opt), proxy
}

// A node whose LISTEN connection goes silent without an error (an idle
// flow forgotten by a NAT or firewall between the node and PostgreSQL, a
// failover) would be deaf until TCP keepalive gives up on it, minutes
// later: its clients would get no events at all, not even those
// published on the node itself (Publish succeeds), and no disconnect
// would reach them. The listener pings itself every PresenceHeartbeat and
// gives up on a connection that heard nothing, not even its ping, for
// three of them (at least 1 s): it reconnects and catches up, and bob
// gets the events he missed within the bound below (pgcontrols.go).
func TestMultinodeSilentListenerReconnects(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	a, b, proxy := twoNodesProxied(t, auth, func(o *Options) { o.PresenceHeartbeat = 200 * time.Millisecond })
	alice := dial(t, a, "m1", "alice", "")
	decodeSnap(t, alice.next())
	bob := dial(t, b, "m1", "bob", "")
	decodeSnap(t, bob.next())
	a.publish("m1", "page", 1)
	checkContiguous(t, alice.events(1), 1)
	checkContiguous(t, bob.events(1), 1)

	if n := proxy.freezeListeners(); n != 1 {
		t.Fatalf("froze %d listeners, want node B's one", n)
	}
	a.publish("m1", "page", 2)
	b.publish("m1", "page", 3) // on bob's own node
	checkContiguous(t, alice.events(2), 2)
	// Within ten heartbeats and 3 s more, node B hears again.
	m, code := mnNextEventOrClose(bob, 10*200*time.Millisecond+3*time.Second)
	if code != 0 || m.Seq != 2 {
		t.Fatalf("bob on node B, whose listener went silent: next event seq %d (close code %d), want seq 2", m.Seq, code)
	}
}

// A node that shuts down says so (sayGone: an empty list) while its
// presence loop may still be sending its last list on another connection;
// the two NOTIFYs commit in either order. The empty list leaves a
// tombstone with its generation (until the node has been silent for
// three heartbeats), so its older list arriving second is ignored. Before
// that fix the empty list forgot the node, its generation with it, and
// the older list brought its people back as ghosts for about 30 s.
func TestMultinodeGoneNodeOlderListStaysGone(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "chair", "chair")
	a, _, _ := twoNodesWith(t, auth, nil)
	chair := dial(t, a, "m1", "chair", "")
	decodeSnap(t, chair.next())
	waitCounts(t, chair, followCounts{Following: 1, Online: 1})
	note := func(gen int64, users ...string) *presenceNote {
		n := &presenceNote{Gen: gen}
		for _, u := range users {
			n.Parts = 1
			n.Users = append(n.Users, remoteUser{ID: u, Name: u, Role: "delegate", Following: true})
		}
		return n
	}
	a.hub.message(message{Node: "n2", MeetingID: "m1", Presence: note(10, "dora")})
	waitCounts(t, chair, followCounts{Following: 2, Online: 2})
	// n2 shuts down: its goodbye (gen 12) overtakes its last list (gen 11).
	a.hub.message(message{Node: "n2", MeetingID: "m1", Presence: note(12)})
	waitCounts(t, chair, followCounts{Following: 1, Online: 1})
	a.hub.message(message{Node: "n2", MeetingID: "m1", Presence: note(11, "dora")})
	for {
		m, code := mnNext(chair, time.Second)
		if code != 0 || m.Type == "" {
			return // nothing more: dora stayed gone
		}
		if m.Type == "presence.joined" {
			t.Fatalf("a stopped node's older list brought its people back: %s", m.Data)
		}
	}
}
