package heapfloor

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

const mib = 1 << 20

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		name               string
		live, roots, floor uint64
		want               int
	}{
		{"a small heap waits for the floor", 7 * mib, 1 * mib, 128 * mib, 1512},                                 // 7 + 8 × 15.12 = 128
		{"a heap under 4 MiB: the runtime's minimum heap put at the floor", 126 << 10, 4 << 10, 96 * mib, 2400}, // 4 MiB × 24 = 96
		{"before the first collection: 4 MiB assumed", 0, 0, 128 * mib, 3100},                                   // 4 + 4 × 31 = 128
		{"a heap past half the floor doubles as usual", 70 * mib, 0, 128 * mib, basePercent},                    // 140 > 128
		{"just at the doubling rule", 64 * mib, 0, 128 * mib, basePercent},
		{"roots count towards the goal", 8 * mib, 8 * mib, 128 * mib, 750}, // 8 + 16 × 7.5 = 128
		{"a tiny heap and a huge floor stay an int32", 1, 0, math.MaxUint64, math.MaxInt32},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Percent(c.live, c.roots, c.floor); got != c.want {
				t.Errorf("Percent(%d, %d, %d) = %d, want %d", c.live, c.roots, c.floor, got, c.want)
			}
		})
	}
}

func TestEffective(t *testing.T) {
	none := func(string) string { return "" }
	if got := Effective(0, none); got != 0 {
		t.Errorf("floor 0: %d, want 0 (off)", got)
	}
	gogc := func(k string) string {
		if k == "GOGC" {
			return "200"
		}
		return ""
	}
	if got := Effective(128*mib, gogc); got != 0 {
		t.Errorf("with GOGC set: %d, want 0 (the operator's choice stands)", got)
	}
	if got := Effective(128*mib, none); got == 0 || got > 128*mib {
		t.Errorf("no limits here: %d, want (0, 128 MiB]", got)
	}
	old := debug.SetMemoryLimit(100 * mib)
	defer debug.SetMemoryLimit(old)
	if got := Effective(128*mib, none); got == 0 || got > 50*mib {
		t.Errorf("under GOMEMLIMIT 100 MiB: %d, want at most half of it", got)
	}
}

func read(names ...string) []uint64 {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	out := make([]uint64, len(s))
	for i := range s {
		out[i] = s[i].Value.Uint64()
	}
	return out
}

func gogc() uint64 { return read("/gc/gogc:percent")[0] }

// eventually collects until cond holds: the tuner runs on the runtime's
// cleanup goroutine some time after a collection.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s (GOGC %d, goal %d MiB)", what, gogc(), read("/gc/heap/goal:bytes")[0]/mib)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

var keep []byte

// The floor follows the live heap from one collection to the next: the
// goal sits at the floor while the heap is small, the doubling rule takes
// over once it holds more than half the floor, and the floor comes back
// when that memory is freed. Stop gives GOGC 100 back for good.
func TestStartFollowsTheLiveHeap(t *testing.T) {
	const floor = 96 * mib
	stop := Start(floor)
	defer stop()
	if gogc() <= basePercent {
		t.Fatalf("GOGC %d right after Start, want above 100", gogc())
	}
	goalNearFloor := func() bool {
		goal := read("/gc/heap/goal:bytes")[0]
		return goal >= floor*9/10 && goal <= floor*11/10
	}
	eventually(t, "the goal near the floor with a small heap", goalNearFloor)

	keep = make([]byte, 64*mib)
	for i := range keep {
		keep[i] = 1
	}
	eventually(t, "GOGC 100 with 64 MiB live", func() bool { return gogc() == basePercent })
	goal := read("/gc/heap/goal:bytes")[0]
	if goal < 128*mib {
		t.Errorf("goal %d MiB with 64 MiB live, want at least twice that", goal/mib)
	}

	keep = nil
	eventually(t, "the floor back once the memory is free", func() bool { return gogc() > basePercent && goalNearFloor() })

	stop()
	if got := gogc(); got != basePercent {
		t.Fatalf("GOGC %d after stop, want 100", got)
	}
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	runtime.GC()
	if got := gogc(); got != basePercent {
		t.Errorf("GOGC %d after stop and two collections, want 100 (the tuner disarmed)", got)
	}
}

func TestStartZeroDoesNothing(t *testing.T) {
	before := gogc()
	Start(0)()
	if got := gogc(); got != before {
		t.Errorf("GOGC %d after Start(0), want %d", got, before)
	}
}
