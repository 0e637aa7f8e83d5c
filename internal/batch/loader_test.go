package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLoaderAnswersEachKey(t *testing.T) {
	var calls atomic.Int32
	l := &Loader[int, string]{Max: 50, Fetch: func(_ context.Context, keys []int) (map[int]string, error) {
		calls.Add(1)
		if len(keys) > 50 {
			t.Errorf("query of %d keys, want at most 50", len(keys))
		}
		time.Sleep(2 * time.Millisecond) // let callers pile up behind it
		out := map[int]string{}
		for _, k := range keys {
			if k%7 != 0 { // multiples of 7 do not exist
				out[k] = fmt.Sprint("v", k)
			}
		}
		return out, nil
	}}
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			v, ok, err := l.Load(context.Background(), i)
			switch {
			case err != nil:
				errs <- err
			case i%7 == 0 && ok:
				errs <- fmt.Errorf("key %d found, want missing", i)
			case i%7 != 0 && (!ok || v != fmt.Sprint("v", i)):
				errs <- fmt.Errorf("key %d = %q, %v", i, v, ok)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c := calls.Load(); c >= n/2 {
		t.Errorf("%d queries for %d concurrent lookups: not shared", c, n)
	}
}

func TestLoaderSameKeyOnce(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var batches [][]string
	l := &Loader[string, int]{Fetch: func(_ context.Context, keys []string) (map[string]int, error) {
		mu.Lock()
		batches = append(batches, append([]string(nil), keys...))
		first := len(batches) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return map[string]int{"a": 1, "b": 2}, nil
	}}
	go l.Load(context.Background(), "a") // first query, held
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(batches) == 1 })
	var wg sync.WaitGroup
	for _, k := range []string{"a", "b", "a", "a", "b"} {
		wg.Go(func() {
			if _, ok, err := l.Load(context.Background(), k); err != nil || !ok {
				t.Errorf("Load(%q) = %v, %v", k, ok, err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond) // they queue behind the held query
	close(release)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(batches) != 2 || len(batches[1]) != 2 {
		t.Fatalf("queries %v, want [a] then one query of a and b", batches)
	}
}

// A lookup made while a query runs is answered by a later query, so it
// sees every change made before it asked.
func TestLoaderNeverAnswersFromAnOlderQuery(t *testing.T) {
	var version atomic.Int32
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	l := &Loader[string, int32]{Fetch: func(_ context.Context, keys []string) (map[string]int32, error) {
		v := version.Load() // what the database holds when the query starts
		started <- struct{}{}
		<-release
		return map[string]int32{"k": v}, nil
	}}
	first := make(chan int32)
	go func() { v, _, _ := l.Load(context.Background(), "k"); first <- v }()
	<-started
	version.Store(1) // changed after the first query read
	second := make(chan int32)
	go func() { v, _, _ := l.Load(context.Background(), "k"); second <- v }()
	time.Sleep(10 * time.Millisecond)
	close(release)
	if v := <-first; v != 0 {
		t.Errorf("first lookup saw %d, want 0", v)
	}
	if v := <-second; v != 1 {
		t.Errorf("lookup made after the change saw %d: it was answered by the older query", v)
	}
}

func TestLoaderErrorsAndCancel(t *testing.T) {
	boom := errors.New("boom")
	l := &Loader[int, int]{Fetch: func(context.Context, []int) (map[int]int, error) { return nil, boom }}
	if _, _, err := l.Load(context.Background(), 1); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}

	p := &Loader[int, int]{Fetch: func(context.Context, []int) (map[int]int, error) { panic("bad") }}
	var pe *PanicError
	if _, _, err := p.Load(context.Background(), 1); !errors.As(err, &pe) {
		t.Errorf("err = %v, want a PanicError", err)
	}

	hold := make(chan struct{})
	defer close(hold)
	slow := &Loader[int, int]{Fetch: func(context.Context, []int) (map[int]int, error) { <-hold; return nil, nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := slow.Load(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the caller's deadline", err)
	}

	timed := &Loader[int, int]{Timeout: 20 * time.Millisecond, Fetch: func(ctx context.Context, _ []int) (map[int]int, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	if _, _, err := timed.Load(context.Background(), 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the query's timeout", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}
