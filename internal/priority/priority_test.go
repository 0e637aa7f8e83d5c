package priority

import (
	"testing"
	"time"
)

func TestWaitReturnsAtOnceWhenIdle(t *testing.T) {
	var g Gate
	start := time.Now()
	g.Wait(time.Second)
	g.Begin()() // begun and ended
	g.Wait(time.Second)
	var none *Gate
	none.Wait(time.Second)
	none.Begin()()
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("Wait on an idle gate took %v", d)
	}
}

func TestWaitWaitsForTheLastEnd(t *testing.T) {
	var g Gate
	end1, end2 := g.Begin(), g.Begin()
	done := make(chan struct{})
	go func() { g.Wait(10 * time.Second); close(done) }()
	end1()
	end1() // a second call changes nothing
	select {
	case <-done:
		t.Fatal("Wait returned while urgent work was still in flight")
	case <-time.After(50 * time.Millisecond):
	}
	end2()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return once the urgent work ended")
	}
}

func TestWaitIsBounded(t *testing.T) {
	var g Gate
	end := g.Begin()
	defer end()
	start := time.Now()
	g.Wait(30 * time.Millisecond)
	if d := time.Since(start); d < 30*time.Millisecond || d > 2*time.Second {
		t.Errorf("Wait with urgent work in flight returned after %v, want about 30 ms", d)
	}
}
