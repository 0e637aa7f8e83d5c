package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestMain lets the test binary serve as its own child processes, as the
// curia-bench binary does (fanout-server, pdf-worker).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "fanout-server" || os.Args[1] == "pdf-worker") {
		if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestHead(t *testing.T) {
	for _, tc := range []struct {
		in  string
		seq int64
		typ string
	}{
		{`{"seq":12,"type":"presentation.changed","data":{"page":3}}`, 12, "presentation.changed"},
		{`{"type":"snapshot","data":{}}`, 0, "snapshot"},
		{`{"seq":7,"type":"annotations.created","data":{"document_id":"d","items":[{"id":"s1234x5x6","page":1}]}}`, 7, "annotations.created"},
		{`garbage`, 0, ""},
	} {
		if seq, typ := head([]byte(tc.in)); seq != tc.seq || typ != tc.typ {
			t.Errorf("%s: seq %d type %q", tc.in, seq, typ)
		}
	}
}

// Every stroke of a batch is found, by its send time, drawer and number;
// ids that are not the bench's are passed over.
func TestEachStroke(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`{"seq":7,"type":"annotations.created","data":{"document_id":"sdoc","items":[` +
			`{"id":"s1234x5x6","document_id":"sdoc","author_id":"s9x9x9","page":1,"data":{"strokes":[[[1,2]]]}},` +
			`{"id":"s1235x0x17","document_id":"sdoc","page":1},{"id":"sxx","page":1},{"id":"s1x2","page":1},{"id":"s12x3x4y"}]}}`,
			[]string{"1234/5/6", "1235/0/17"}},
		{`{"seq":7,"type":"annotation.created","data":{"id":"s99x1x2","page":1}}`, []string{"99/1/2"}},
		{`{"seq":8,"type":"skip"}`, nil},
	} {
		var got []string
		eachStroke([]byte(tc.in), func(sent int64, d, n int) { got = append(got, fmt.Sprintf("%d/%d/%d", sent, d, n)) })
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.in, got, tc.want)
		}
	}
}

// A client counts a stroke that comes twice, one that comes after a
// later one of its drawer, and one from outside the run.
func TestStrokeChecks(t *testing.T) {
	c := &benchClient{perDrawer: 10, strokeSeen: make([]uint64, 1), lastStroke: []int{-1, -1, -1}, pages: make([]int64, 2)}
	msg := func(ids ...string) []byte {
		b := []byte(`{"seq":1,"type":"annotations.created","data":{"document_id":"d","items":[`)
		for i, id := range ids {
			if i > 0 {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, `{"id":"s%d%s","page":1}`, time.Now().UnixNano(), id)
		}
		return append(b, "]}}"...)
	}
	c.record(msg("x0x0", "x0x1", "x1x0", "x2x9"), time.Now())
	c.record(msg("x0x1", "x0x3", "x0x2", "x3x0", "x0x10"), time.Now())
	if c.strokeDups != 1 || c.strokeOOO != 1 || c.strokeBad != 2 || len(c.strokes) != 9 {
		t.Errorf("dups %d, out of order %d, bad %d, deliveries %d; want 1, 1, 2, 9", c.strokeDups, c.strokeOOO, c.strokeBad, len(c.strokes))
	}
	var sc strokeCounts
	sc.add(c)
	if sc.distinct != 6 {
		t.Errorf("%d distinct strokes, want 6", sc.distinct)
	}
}

// The fan-out bench measures all three servers end to end, with nothing
// lost, at a small size.
func TestFanoutSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	// Turns 250 ms apart: closer ones may be coalesced by the presentation
	// service (the last page always arrives), which would count as lost here.
	cfg := fanoutConfig{clients: 20, events: 5, interval: 250 * time.Millisecond, modes: []string{"bare", "hub", "app"},
		dbdir: t.TempDir(), rounds: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := fanout(ctx, cfg, &out); err != nil {
		t.Fatalf("fanout: %v\n%s", err, out.String())
	}
	for _, mode := range []string{"hub", "app"} {
		if !regexp.MustCompile(`(?m)^` + mode + `: 0 lost, 0 duplicate, 0 out of order, 0 seq gaps`).Match(out.Bytes()) {
			t.Errorf("%s lost messages:\n%s", mode, out.String())
		}
	}
}

// The draw bench creates strokes through the API and every follower gets
// every one of them.
func TestDrawSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	cfg := drawConfig{drawers: 3, followers: 5, rate: 5, duration: time.Second, interval: 100 * time.Millisecond,
		perRequest: 1, rounds: 1, dbdir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := draw(ctx, cfg, &out); err != nil {
		t.Fatalf("draw: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`shared strokes to the followers: (\d+) of (\d+) delivered \((\d+) lost\)`).FindSubmatch(out.Bytes())
	if m == nil {
		t.Fatalf("no stroke figures:\n%s", out.String())
	}
	got, _ := strconv.Atoi(string(m[1]))
	want, _ := strconv.Atoi(string(m[2]))
	if want != cfg.drawers*cfg.rate*cfg.followers || got != want {
		t.Errorf("%d of %d strokes delivered, want all %d:\n%s", got, want, cfg.drawers*cfg.rate*cfg.followers, out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("out of order: 0 (target 0)")) {
		t.Errorf("sequence gaps:\n%s", out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("strokes the followers saw twice: 0, out of their drawer's order: 0, not from this run: 0")) {
		t.Errorf("strokes twice or out of order:\n%s", out.String())
	}
	// Every page turn a follower read was stamped by the kernel on arrival.
	if runtime.GOOS == "linux" {
		st := regexp.MustCompile(`page-sync to the followers' sockets \(kernel receive time, (\d+) of (\d+) deliveries;`).FindSubmatch(out.Bytes())
		if st == nil || string(st[1]) != string(st[2]) || string(st[1]) == "0" {
			t.Errorf("page turns without a receive time:\n%s", out.String())
		}
	}
	tab := regexp.MustCompile(`the drawers' own tablets: (\d+) of (\d+) strokes \(0 lost, 0 duplicate, 0 out of order\)`).FindSubmatch(out.Bytes())
	if tab == nil || string(tab[1]) != string(tab[2]) || string(tab[2]) != strconv.Itoa(cfg.drawers*cfg.rate*cfg.drawers) {
		t.Errorf("the drawers' tablets:\n%s", out.String())
	}
}

// TestPooled: the page-sync summary takes every delivery of every phase
// of a kind, so two slow turns out of three phases' do not set the p99
// the way they set their own phase's.
func TestPooled(t *testing.T) {
	ms := func(n int, d time.Duration) []time.Duration { return slices.Repeat([]time.Duration{d}, n) }
	calm := &phaseResult{lats: ms(100, time.Millisecond)}
	slow := &phaseResult{lats: append(ms(99, 2*time.Millisecond), 50*time.Millisecond)}
	got := pooled([]*phaseResult{calm, slow, calm}, func(ph *phaseResult) []time.Duration { return ph.lats })
	if got.p50 != time.Millisecond || got.p99 != 2*time.Millisecond || got.max != 50*time.Millisecond {
		t.Fatalf("pooled: p50 %v p99 %v max %v, want 1ms 2ms 50ms", got.p50, got.p99, got.max)
	}
	if one := summarise(slices.Clone(slow.lats)); one.p99 != 50*time.Millisecond {
		t.Fatalf("the slow phase alone: p99 %v, want 50ms", one.p99)
	}
}
