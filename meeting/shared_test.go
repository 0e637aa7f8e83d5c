package meeting

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// While one read runs, every newcomer waits for the next read, and that
// one read serves them all; nobody gets a read that started before it asked.
func TestSharedReads(t *testing.T) {
	var s sharedReads[int64]
	var started atomic.Int64 // the value a read returns: how many reads had started
	release := make(chan struct{})
	fn := func(context.Context) (int64, error) {
		n := started.Add(1)
		if n == 1 {
			<-release // the first read blocks until the newcomers are queued
		}
		return n, nil
	}
	ctx := context.Background()
	first := make(chan int64)
	go func() {
		v, _ := s.do(ctx, "m", fn)
		first <- v
	}()
	for started.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	const newcomers = 50
	var wg sync.WaitGroup
	got := make([]int64, newcomers)
	for i := range newcomers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := s.do(ctx, "m", fn)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	time.Sleep(50 * time.Millisecond) // let them all queue behind the running read
	if n := started.Load(); n != 1 {
		t.Fatalf("%d reads started while the first one ran, want 1", n)
	}
	close(release)
	if v := <-first; v != 1 {
		t.Errorf("first caller got read %d, want 1", v)
	}
	wg.Wait()
	for i, v := range got {
		if v != 2 {
			t.Errorf("newcomer %d got read %d, want 2 (the read that started after it asked)", i, v)
		}
	}
	if n := started.Load(); n != 2 {
		t.Errorf("%d reads for 51 callers, want 2", n)
	}
	// Nothing left behind: the next caller starts a fresh read at once.
	if v, _ := s.do(ctx, "m", fn); v != 3 {
		t.Errorf("a later caller got read %d, want 3", v)
	}
	s.mu.Lock()
	left := len(s.flights)
	s.mu.Unlock()
	if left != 0 {
		t.Errorf("%d flights left after every read ended", left)
	}
}

// Other keys do not wait for each other, and a caller that gives up is
// answered at once while the shared read goes on for the others.
func TestSharedReadsKeysAndCancel(t *testing.T) {
	var s sharedReads[string]
	block := make(chan struct{})
	go func() {
		_, _ = s.do(context.Background(), "a", func(context.Context) (string, error) { <-block; return "a1", nil })
	}()
	time.Sleep(10 * time.Millisecond)
	if v, _ := s.do(context.Background(), "b", func(context.Context) (string, error) { return "b1", nil }); v != "b1" {
		t.Fatalf("key b got %q", v)
	}
	// Two callers queue on "a": one gives up, the other gets the read.
	ctx, cancel := context.WithCancel(context.Background())
	next := func(context.Context) (string, error) { return "a2", nil }
	done := make(chan string, 2)
	go func() { v, _ := s.do(context.Background(), "a", next); done <- v }() // becomes the pending read's runner
	time.Sleep(10 * time.Millisecond)
	go func() { _, err := s.do(ctx, "a", next); done <- "cancelled:" + errString(err) }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if v := <-done; v != "cancelled:context canceled" {
		t.Errorf("the caller that gave up got %q", v)
	}
	close(block)
	if v := <-done; v != "a2" {
		t.Errorf("the waiting caller got %q, want a2", v)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
