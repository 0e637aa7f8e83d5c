package docs

import (
	"context"
	"testing"
	"time"
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
