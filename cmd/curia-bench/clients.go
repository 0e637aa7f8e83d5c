package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// benchClient is one tablet: it records each page turn it receives.
type benchClient struct {
	ws     *websocket.Conn
	events int
	seen   []bool // by seq
	lat    []time.Duration
	dups   int
	ooo    int
	last   int64
	err    error // why reading stopped early
	done   chan struct{}
}

// connectAll opens n clients, 64 handshakes at a time.
func connectAll(ctx context.Context, addr string, n, events int) ([]*benchClient, error) {
	clients := make([]*benchClient, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			url := fmt.Sprintf("ws://%s/api/v1/meetings/bench/live?user=u%d", addr, i)
			ws, _, err := d.DialContext(ctx, url, nil)
			if err != nil {
				mu.Lock()
				firstErr = cmpErr(firstErr, fmt.Errorf("client %d: %w", i, err))
				mu.Unlock()
				return
			}
			c := &benchClient{ws: ws, events: events, seen: make([]bool, events+1), done: make(chan struct{}),
				lat: make([]time.Duration, 0, events)}
			clients[i] = c
			go c.read()
		}()
	}
	wg.Wait()
	var ok []*benchClient
	for _, c := range clients {
		if c != nil {
			ok = append(ok, c)
		}
	}
	return ok, firstErr
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// read takes messages until every event arrived or the socket closes.
// Other messages (snapshot, presence) are discarded unread: a real tablet
// has a CPU of its own, here thousands share two cores with the server.
func (c *benchClient) read() {
	defer close(c.done)
	// Answer pings with a generous deadline: a starved client goroutine
	// would miss gorilla's default of one second.
	c.ws.SetPingHandler(func(data string) error {
		return c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(30*time.Second))
	})
	buf := make([]byte, 512)
	for received := 0; received < c.events; {
		b, err := c.next(buf)
		if err != nil {
			c.err = err
			return
		}
		if b == nil {
			continue
		}
		if c.record(b, time.Now()) {
			received++
		}
	}
}

// next returns the next event message, or nil for any other message.
func (c *benchClient) next(buf []byte) ([]byte, error) {
	_, r, err := c.ws.NextReader()
	if err != nil {
		return nil, err
	}
	n, err := io.ReadFull(r, buf[:7])
	if err != nil || string(buf[:n]) != `{"seq":` {
		_, err = io.Copy(io.Discard, r)
		return nil, err
	}
	m, err := io.ReadFull(r, buf[7:])
	if err != io.ErrUnexpectedEOF {
		_, err = io.Copy(io.Discard, r) // longer than any page turn: not one
		return nil, err
	}
	return buf[:7+m], nil
}

// record notes one event; false for a duplicate or a stranger.
func (c *benchClient) record(b []byte, now time.Time) bool {
	var ev struct {
		Seq  int64    `json:"seq"`
		Data pageTurn `json:"data"`
	}
	if json.Unmarshal(b, &ev) != nil || ev.Seq < 1 || ev.Seq > int64(c.events) {
		return false
	}
	if c.seen[ev.Seq] {
		c.dups++
		return false
	}
	if ev.Seq < c.last {
		c.ooo++
	}
	c.seen[ev.Seq] = true
	c.last = max(c.last, ev.Seq)
	c.lat = append(c.lat, now.Sub(time.Unix(0, ev.Data.T)))
	return true
}

// waitAll waits for every client to have all events, at most limit.
func waitAll(clients []*benchClient, limit time.Duration) {
	deadline := time.After(limit)
	for _, c := range clients {
		select {
		case <-c.done:
		case <-deadline:
			return
		}
	}
}

func closeAll(clients []*benchClient) {
	for _, c := range clients {
		_ = c.ws.Close()
		<-c.done
	}
}
