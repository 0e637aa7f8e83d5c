package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
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
	// For the draw bench: strokes are numbered per drawer from 0 up to
	// drawers × perDrawer, and every client checks each arrives once, in
	// its drawer's order.
	drawers, perDrawer int
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
	pages   []int64 // arrival (unix ns) by page, when this client read it; 0 not yet
	pagesRx []int64 // by page, when it reached the client's socket (kernel time); 0 unknown
	nc      net.Conn
	got     int // distinct pages received
	dups    int // pages received twice
	ooo     int // pages received after a later page
	last    int
	lastSeq int64
	gaps    int64 // seqs skipped (a sequenced message missing)
	seqDups int64 // seqs seen twice or backwards

	strokes    []time.Duration // send-to-arrival of shared strokes, one per delivery
	strokeSeen []uint64        // bit d*perDrawer+n: stroke n of drawer d arrived
	perDrawer  int
	lastStroke []int // by drawer: the last stroke number that arrived, -1 none
	strokeDups int   // strokes that arrived again
	strokeOOO  int   // strokes that arrived after a later one of their drawer
	strokeBad  int   // stroke ids out of range
	strokeMsgs int   // messages that carried strokes
	err        error // why reading stopped early
	done       chan struct{}
}

// connectAll opens n clients, 64 handshakes at a time.
func connectAll(ctx context.Context, t target, n, pages, want int) ([]*benchClient, error) {
	clients := make([]*benchClient, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	rb := max(t.readBuf, 1024)
	d := websocket.Dialer{HandshakeTimeout: 60 * time.Second, ReadBufferSize: rb, WriteBufferSize: 1024, NetDialContext: dialStamped}
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
			c := &benchClient{ws: ws, nc: ws.NetConn(), want: want, pages: make([]int64, pages+1), pagesRx: make([]int64, pages+1), done: make(chan struct{})}
			if t.drawers > 0 {
				c.perDrawer = t.perDrawer
				c.strokeSeen = make([]uint64, (t.drawers*t.perDrawer+63)/64)
				c.lastStroke = slices.Repeat([]int{-1}, t.drawers)
				// Room for every stroke of the run, taken now: grown as
				// they came, the copies were 8 % of the clients' CPU and
				// the garbage collector's work grew in mid-run.
				c.strokes = make([]time.Duration, 0, t.drawers*t.perDrawer)
			}
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
	// One buffer for every message, grown when one does not fit and
	// never cleared: a bytes.Buffer zeroes what it grows into, which
	// showed as a quarter of the clients' CPU with batches of strokes.
	buf := make([]byte, 0, 16<<10)
	for c.want == 0 || c.got < c.want {
		_, r, err := c.ws.NextReader()
		if err != nil {
			c.err = err
			return
		}
		buf = buf[:0]
		for err == nil {
			if len(buf) == cap(buf) {
				if len(buf) >= 1<<20 {
					c.err = errors.New("a message over 1 MiB")
					return
				}
				buf = slices.Grow(buf, len(buf))
			}
			var n int
			n, err = r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
		}
		if err != io.EOF {
			c.err = err
			return
		}
		c.record(buf, time.Now())
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
		c.pagesRx[p] = received(c.nc)
		c.last = max(c.last, p)
		c.got++
	case "annotations.created", "annotation.created": // a batch, or one (servers before the batch event)
		c.strokeMsgs++
		eachStroke(b, func(sent int64, d, n int) {
			c.strokes = append(c.strokes, now.Sub(time.Unix(0, sent)))
			c.stroke(d, n)
		})
	}
}

// stroke checks that stroke n of drawer d arrives once and in order.
func (c *benchClient) stroke(d, n int) {
	if c.strokeSeen == nil {
		return
	}
	if d < 0 || d >= len(c.lastStroke) || n < 0 || n >= c.perDrawer {
		c.strokeBad++
		return
	}
	bit := d*c.perDrawer + n
	if c.strokeSeen[bit/64]&(1<<(bit%64)) != 0 {
		c.strokeDups++
		return
	}
	c.strokeSeen[bit/64] |= 1 << (bit % 64)
	if n < c.lastStroke[d] {
		c.strokeOOO++
	}
	c.lastStroke[d] = max(c.lastStroke[d], n)
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

// eachStroke calls fn for every stroke in an annotation event, by the
// send time, drawer and number the drawer put in its id
// ("s<unix ns>x<drawer>x<n>"): the items of annotations.created, or the
// data of annotation.created. Nothing else in an annotation has the key
// "id" (document_id and author_id do not match the leading quote).
func eachStroke(b []byte, fn func(sent int64, d, n int)) {
	key := []byte(`{"id":"s`)
	for {
		i := bytes.Index(b, key)
		if i < 0 {
			return
		}
		b = b[i+len(key):]
		var nums [3]int64
		k, digits := 0, 0
		for len(b) > 0 && b[0] != '"' {
			switch c := b[0]; {
			case c >= '0' && c <= '9' && digits < 19:
				nums[k] = nums[k]*10 + int64(c-'0')
				digits++
			case c == 'x' && k < 2 && digits > 0:
				k, digits = k+1, 0
			default:
				k = -1 // not a bench stroke id
			}
			if k < 0 {
				break
			}
			b = b[1:]
		}
		if k == 2 && digits > 0 {
			fn(nums[0], int(nums[1]), int(nums[2]))
		}
	}
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
