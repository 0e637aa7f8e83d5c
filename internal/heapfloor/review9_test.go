package heapfloor_test

import (
	"runtime/metrics"
	"testing"
	"time"

	"github.com/curia/curia/internal/heapfloor"
)

var review9Keep [][]byte

// A live heap that grows past half the floor between two collections:
// the collection that measures it computes the next goal with the
// percentage tuned for the small heap before (up to 32 × with a 128 MiB
// floor), and that goal stands until the tuner's cleanup has run, which
// is only after the whole cycle's sweep (cleanups are queued in per-P
// blocks flushed when sweeping ends). For that while the runtime lets the
// heap grow to many times both the floor and twice the live heap.
func TestReview9GoalAfterALiveHeapJump(t *testing.T) {
	const mib = 1 << 20
	const floor = 64 * mib
	stop := heapfloor.Start(floor)
	defer stop()
	defer func() { review9Keep = nil }()
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/gc/heap/live:bytes"},
		{Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	var worst float64
	var worstGoal, worstLive, peakHeap uint64
	var over time.Duration
	var overSince time.Time
	for range 160 { // 160 MiB kept, one MiB at a time
		b := make([]byte, mib)
		for j := range b {
			b[j] = 1
		}
		review9Keep = append(review9Keep, b)
		metrics.Read(s)
		goal, live, roots := s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()+s[3].Value.Uint64()
		peakHeap = max(peakHeap, s[4].Value.Uint64())
		want := max(floor, live+(live+roots)) // max(floor, what GOGC=100 gives)
		if r := float64(goal) / float64(want); r > worst {
			worst, worstGoal, worstLive = r, goal, live
		}
		if goal > 2*want {
			if overSince.IsZero() {
				overSince = time.Now()
			}
		} else if !overSince.IsZero() {
			over += time.Since(overSince)
			overSince = time.Time{}
		}
	}
	t.Logf("worst: goal %d MiB with %d MiB live (%.1f × max(floor, GOGC=100's goal)), for %v; heap at most %d MiB",
		worstGoal/mib, worstLive/mib, worst, over, peakHeap/mib)
	if worst > 2 {
		t.Errorf("heap goal %d MiB with %d MiB live and a %d MiB floor: %.1f × max(floor, GOGC=100's goal), want about 1 ×",
			worstGoal/mib, worstLive/mib, floor/mib, worst)
	}
}
