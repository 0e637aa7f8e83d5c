package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// target says where client i connects and as whom.
type target struct {
	addr    string
	meeting string
	tokens  []string // Bearer token of client i (app mode); nil: ?user=u<i>
	readBuf int      // the client's read buffer
}

func (t target) url(i int) string {
	u := fmt.Sprintf("ws://%s/api/v1/meetings/%s/live", t.addr, t.meeting)
	if t.tokens == nil {
		u += fmt.Sprintf("?user=u%d", i)
	}
	return u
}

func (t target) header(i int) http.Header {
	if t.tokens == nil {
		return nil
	}
	return http.Header{"Authorization": {"Bearer " + t.tokens[i%len(t.tokens)]}}
}

// sendTimes holds when the parent sent page turn p (unix ns), for the
// clients to measure against: one clock, in this process.
type sendTimes []atomic.Int64

// benchClient is one tablet: it records when each page turn and each
// shared stroke arrives, and checks the seqs of what it receives.
type benchClient struct {
	ws      *websocket.Conn
	want    int     // page turns after which it is done (0: read until closed)
	pages   []int64 // arrival (unix ns) by page; 0 not yet
	got     int     // distinct pages received
	dups    int     // pages received twice
	ooo     int     // pages received after a later page
	last    int
	lastSeq int64
	gaps    int64 // seqs skipped (a sequenced message missing)
	seqDups int64 // seqs seen twice or backwards

	strokes []time.Duration // send-to-arrival of shared strokes
	err     error           // why reading stopped early
	done    chan struct{}
}

// connectAll opens n clients, 64 handshakes at a time.
func connectAll(ctx context.Context, t target, n, pages, want int) ([]*benchClient, error) {
	clients := make([]*benchClient, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	rb := max(t.readBuf, 1024)
	d := websocket.Dialer{HandshakeTimeout: 60 * time.Second, ReadBufferSize: rb, WriteBufferSize: 1024}
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ws, resp, err := d.DialContext(ctx, t.url(i), t.header(i))
			if err != nil {
				if resp != nil {
					err = fmt.Errorf("%w (%s)", err, resp.Status)
				}
				mu.Lock()
				firstErr = cmpErr(firstErr, fmt.Errorf("client %d: %w", i, err))
				mu.Unlock()
				return
			}
			c := &benchClient{ws: ws, want: want, pages: make([]int64, pages+1), done: make(chan struct{})}
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

// read takes messages until want page turns arrived or the socket closes.
func (c *benchClient) read() {
	defer close(c.done)
	// Answer pings with a generous deadline: a starved client goroutine
	// would miss gorilla's default of one second.
	c.ws.SetPingHandler(func(data string) error {
		return c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(30*time.Second))
	})
	var buf bytes.Buffer
	for c.want == 0 || c.got < c.want {
		_, r, err := c.ws.NextReader()
		if err != nil {
			c.err = err
			return
		}
		buf.Reset()
		if _, err := io.Copy(&buf, io.LimitReader(r, 1<<20)); err != nil {
			c.err = err
			return
		}
		c.record(buf.Bytes(), time.Now())
	}
}

// record notes one message. Only page turns and strokes are decoded; the
// rest (snapshot, presence) is looked at no further than its seq: a real
// tablet has a CPU of its own, here hundreds share two cores with the
// server.
func (c *benchClient) record(b []byte, now time.Time) {
	seq, typ := head(b)
	if seq > 0 {
		switch {
		case c.lastSeq == 0:
		case seq <= c.lastSeq:
			c.seqDups++
		case seq > c.lastSeq+1:
			c.gaps += seq - c.lastSeq - 1
		}
		c.lastSeq = max(c.lastSeq, seq)
	}
	switch typ {
	case "presentation.changed":
		var ev struct {
			Data struct {
				Page int `json:"page"`
			} `json:"data"`
		}
		if json.Unmarshal(b, &ev) != nil || ev.Data.Page < 1 || ev.Data.Page >= len(c.pages) {
			return
		}
		p := ev.Data.Page
		switch {
		case c.pages[p] != 0:
			c.dups++
			return
		case p < c.last:
			c.ooo++
		}
		c.pages[p] = now.UnixNano()
		c.last = max(c.last, p)
		c.got++
	case "annotation.created":
		if sent, ok := strokeSent(b); ok {
			c.strokes = append(c.strokes, now.Sub(time.Unix(0, sent)))
		}
	}
}

// head reads the seq and type of {"seq":N,"type":"T",…} or {"type":"T",…}.
func head(b []byte) (int64, string) {
	var seq int64
	if rest, ok := bytes.CutPrefix(b, []byte(`{"seq":`)); ok {
		end := bytes.IndexByte(rest, ',')
		if end < 0 {
			return 0, ""
		}
		seq, _ = strconv.ParseInt(string(rest[:end]), 10, 64)
		b = rest[end:]
	}
	i := bytes.Index(b, []byte(`"type":"`))
	if i < 0 || i > 8 {
		return seq, ""
	}
	b = b[i+8:]
	end := bytes.IndexByte(b, '"')
	if end < 0 {
		return seq, ""
	}
	return seq, string(b[:end])
}

// strokeSent reads the send time the drawer put in a stroke's id
// ("s<unix ns>x<drawer>x<n>").
func strokeSent(b []byte) (int64, bool) {
	i := bytes.Index(b, []byte(`"data":{"id":"s`))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(`"data":{"id":"s`):]
	end := bytes.IndexByte(b, 'x')
	if end < 0 {
		return 0, false
	}
	t, err := strconv.ParseInt(string(b[:end]), 10, 64)
	return t, err == nil
}

// waitAll waits for every client to be done, at most limit.
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
