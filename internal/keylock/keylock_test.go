package keylock

import (
	"sync"
	"testing"
	"time"
)

func TestOneKeyWaitsForItselfOnly(t *testing.T) {
	var k Map
	unlockA := k.Lock("a")
	// Another key is free while a is held.
	done := make(chan struct{})
	go func() {
		k.Lock("b")()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("b waited for a")
	}
	// The same key waits.
	got := make(chan struct{})
	go func() {
		k.Lock("a")()
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a taken twice")
	case <-time.After(50 * time.Millisecond):
	}
	unlockA()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("a never released")
	}
	if n := k.Len(); n != 0 {
		t.Fatalf("%d entries left, want 0", n)
	}
}

func TestExclusiveUnderContention(t *testing.T) {
	var k Map
	var wg sync.WaitGroup
	inside := map[string]int{}
	var mu sync.Mutex
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := []string{"x", "y", "z"}[i%3]
			unlock := k.Lock(key)
			mu.Lock()
			inside[key]++
			if inside[key] != 1 {
				t.Errorf("%s held by %d at once", key, inside[key])
			}
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			mu.Lock()
			inside[key]--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if n := k.Len(); n != 0 {
		t.Fatalf("%d entries left, want 0", n)
	}
}

func TestTryLock(t *testing.T) {
	var k Map
	unlock, ok := k.TryLock("a")
	if !ok {
		t.Fatal("a free key was not taken")
	}
	if _, again := k.TryLock("a"); again {
		t.Fatal("a held key was taken again")
	}
	if u, other := k.TryLock("b"); !other {
		t.Fatal("another key was refused")
	} else {
		u()
	}
	unlock()
	if n := k.Len(); n != 0 {
		t.Fatalf("%d entries left, want 0", n)
	}
	u, ok := k.TryLock("a")
	if !ok {
		t.Fatal("a released key was refused")
	}
	u()
}
