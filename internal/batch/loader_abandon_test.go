package batch

import (
	"context"
	"sync"
	"testing"
)

// Under overload (a flood of unknown tokens, a stalled database), callers
// give up; keys nobody waits for any more should not still be queried, or
// the queue of rounds grows without bound and live callers wait behind
// dead ones.
func TestLoaderSkipsKeysEveryCallerGaveUpOn(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var batches [][]int
	l := &Loader[int, int]{Fetch: func(_ context.Context, keys []int) (map[int]int, error) {
		mu.Lock()
		batches = append(batches, append([]int(nil), keys...))
		first := len(batches) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return map[int]int{}, nil
	}}
	go l.Load(context.Background(), 0) // holds the first query
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(batches) == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for k := 1; k <= 100; k++ {
		if _, _, err := l.Load(ctx, k); err == nil {
			t.Fatal("a cancelled Load succeeded")
		}
	}
	close(release)
	_, _, _ = l.Load(context.Background(), 1000) // a live caller after them
	mu.Lock()
	defer mu.Unlock()
	for _, b := range batches[1:] {
		for _, k := range b {
			if k >= 1 && k <= 100 {
				t.Fatalf("queried %v: keys whose callers all gave up were still read", b)
			}
		}
	}
}
