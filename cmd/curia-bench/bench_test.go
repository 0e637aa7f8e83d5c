package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
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
		in   string
		seq  int64
		typ  string
		sent int64
	}{
		{`{"seq":12,"type":"presentation.changed","data":{"page":3}}`, 12, "presentation.changed", 0},
		{`{"type":"snapshot","data":{}}`, 0, "snapshot", 0},
		{`{"seq":7,"type":"annotation.created","data":{"id":"s1234x5x6","page":1}}`, 7, "annotation.created", 1234},
		{`garbage`, 0, "", 0},
	} {
		seq, typ := head([]byte(tc.in))
		sent, _ := strokeSent([]byte(tc.in))
		if seq != tc.seq || typ != tc.typ || sent != tc.sent {
			t.Errorf("%s: seq %d type %q sent %d", tc.in, seq, typ, sent)
		}
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
}
