package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/realtime"
)

// bare is the baseline: the smallest sound gorilla broadcaster (the chat
// example's shape: a buffered channel and a writer goroutine per client,
// slow clients dropped) writing one PreparedMessage to every socket. No
// database, no sequencing, no auth. It uses the hub's buffer settings, so
// the comparison isolates what the hub adds.
type bare struct {
	upgrader websocket.Upgrader
	mu       sync.Mutex
	conns    map[*bareConn]struct{}
	wg       sync.WaitGroup
}

type bareConn struct {
	ws   *websocket.Conn
	send chan *websocket.PreparedMessage
}

func newBare() *bare {
	return &bare{conns: map[*bareConn]struct{}{}, upgrader: websocket.Upgrader{
		ReadBufferSize: 1024, WriteBufferPool: &sync.Pool{}, CheckOrigin: func(*http.Request) bool { return true }}}
}

func (b *bare) live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := b.upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &bareConn{ws: ws, send: make(chan *websocket.PreparedMessage, 256)}
		welcome, _ := websocket.NewPreparedMessage(websocket.TextMessage, []byte(`{"type":"welcome"}`))
		c.send <- welcome
		b.mu.Lock()
		b.conns[c] = struct{}{}
		b.mu.Unlock()
		b.wg.Add(2)
		go b.write(c)
		go b.read(c)
	})
}

func (b *bare) write(c *bareConn) {
	defer b.wg.Done()
	defer c.ws.Close()
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case pm, ok := <-c.send:
			if !ok {
				return
			}
			_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if c.ws.WritePreparedMessage(pm) != nil {
				return
			}
		case <-ping.C:
			if c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second)) != nil {
				return
			}
		}
	}
}

func (b *bare) read(c *bareConn) {
	defer b.wg.Done()
	c.ws.SetReadLimit(64 << 10)
	for {
		if _, _, err := c.ws.ReadMessage(); err != nil {
			b.drop(c)
			return
		}
	}
}

// drop unregisters c and closes its channel; only under mu, only once.
func (b *bare) drop(c *bareConn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.conns[c]; ok {
		delete(b.conns, c)
		close(c.send)
	}
}

func (b *bare) publish(page int) {
	t := time.Now().UnixNano()
	msg := fmt.Appendf(nil, `{"seq":%d,"type":"presentation.changed","data":{"document_id":"d1","page":%d,"t":%d}}`, page, page, t)
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, msg)
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.conns {
		select {
		case c.send <- pm:
		default:
			delete(b.conns, c)
			close(c.send)
		}
	}
}

func (b *bare) close(context.Context) error {
	b.mu.Lock()
	for c := range b.conns {
		delete(b.conns, c)
		close(c.send)
	}
	b.mu.Unlock()
	b.wg.Wait()
	return nil
}

// hubServer is the realtime hub on a fresh SQLite database, with a fake
// Authorizer (the user named in ?user=) and Snapshotter.
type hubServer struct {
	hub *realtime.Hub
	db  *database.DB
	reg *prometheus.Registry
	dir string
}

func newHubServer(ctx context.Context, dbdir string) (*hubServer, error) {
	dir, err := os.MkdirTemp(dbdir, "curia-bench-")
	if err != nil {
		return nil, err
	}
	db, err := database.Open(ctx, database.Options{URL: "sqlite:" + filepath.Join(dir, "bench.db"), DataDir: dir})
	if err == nil {
		err = db.Migrate(ctx, realtime.Migration())
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	reg := prometheus.NewRegistry()
	hub, err := realtime.New(realtime.Options{DB: db, Authorizer: benchAuth{}, Snapshotter: benchSnap{}, Metrics: reg})
	if err != nil {
		_ = db.Close()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &hubServer{hub: hub, db: db, reg: reg, dir: dir}, nil
}

func (s *hubServer) live() http.Handler { return s.hub.Handler() }

// slowDrops reads the hub's count of clients dropped for being slow.
func (s *hubServer) slowDrops() float64 {
	mfs, _ := s.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "curia_live_slow_client_drops_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

func (s *hubServer) publish(page int) {
	s.hub.Publish(context.Background(), event.Event{MeetingID: "bench", Type: "presentation.changed",
		Data: pageTurn{DocumentID: "d1", Page: page, T: time.Now().UnixNano()}})
}

func (s *hubServer) close(ctx context.Context) error {
	err := s.hub.Close(ctx)
	_ = s.db.Close()
	_ = os.RemoveAll(s.dir)
	return err
}

type benchAuth struct{}

func (benchAuth) Authorize(r *http.Request, _ string) (realtime.Viewer, error) {
	user := r.URL.Query().Get("user")
	if user == "" {
		return realtime.Viewer{}, apperr.New(apperr.Unauthenticated, "?user= missing")
	}
	return realtime.Viewer{UserID: user, Name: user, Role: "delegate"}, nil
}

type benchSnap struct{}

func (benchSnap) Snapshot(context.Context, realtime.Viewer, string) (any, error) {
	return map[string]any{"status": "live", "presentation": map[string]any{"document_id": "d1", "page": 0}}, nil
}
