package docs

import (
	"context"
	"testing"
	"time"

	"github.com/curia/curia/internal/priority"
)

// However the creates come (here one after another, each finding nobody
// writing), a batch starts no sooner than gatherWindow after the one
// before it: a room gets at most one message of strokes per window.
func TestGroupCommitOneBatchPerWindow(t *testing.T) {
	var g annotationCommits
	var announced []time.Time
	announce := func(context.Context, []*createJob) { announced = append(announced, time.Now()) }
	start := time.Now()
	for range 3 {
		// No store: the write fails (a recovered panic), and the batch is
		// announced and answered all the same.
		if _, err := g.insert(context.Background(), nil, &createJob{}, announce); err == nil {
			t.Fatal("a write without a store succeeded")
		}
	}
	if len(announced) != 3 {
		t.Fatalf("%d batches announced, want 3", len(announced))
	}
	if d := announced[2].Sub(start); d < 2*gatherWindow {
		t.Errorf("three batches announced within %v: want at least two windows (%v) between the first start and the last", d, 2*gatherWindow)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.busy || len(g.queue) != 0 {
		t.Errorf("after the last batch: busy %v, %d queued", g.busy, len(g.queue))
	}
}

// While a page turn is in flight (the gate held), a batch of strokes
// waits for it before its write and again before its announcement, each
// time at most StrokeYield; once the turn ends, it goes at once.
func TestGroupCommitYieldsToUrgentWork(t *testing.T) {
	g := annotationCommits{urgent: &priority.Gate{}}
	var announced time.Time
	announce := func(context.Context, []*createJob) { announced = time.Now() }

	end := g.urgent.Begin() // a page turn that outlasts both waits
	start := time.Now()
	_, _ = g.insert(context.Background(), nil, &createJob{}, announce)
	if d := announced.Sub(start); d < 2*StrokeYield || d > 5*time.Second {
		t.Errorf("announced %v after the create with a page turn in flight, want at least 2 × %v (and bounded)", d, StrokeYield)
	}

	// A turn that ends while the batch waits lets it go then.
	time.Sleep(gatherWindow) // no gathering wait for the next batch
	go func() { time.Sleep(StrokeYield / 2); end() }()
	start = time.Now()
	_, _ = g.insert(context.Background(), nil, &createJob{}, announce)
	if d := announced.Sub(start); d < StrokeYield/2-time.Millisecond {
		t.Errorf("announced %v after the create, before the page turn in flight ended", d)
	}
}
