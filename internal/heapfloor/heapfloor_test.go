package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

const mib = 1 << 20

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
	if total := memTotal(); total > 0 {
		if got := Effective(1<<50, none); got > total/4 {
			t.Errorf("a floor of a petabyte: %d, want at most a quarter of the machine's %d", got, total)
		}
	}
	old := debug.SetMemoryLimit(100 * mib)
	defer debug.SetMemoryLimit(old)
	if got := Effective(128*mib, none); got == 0 || got > 25*mib {
		t.Errorf("under GOMEMLIMIT 100 MiB: %d, want at most a quarter of it", got)
	}
}

// goal collects, then reads the heap goal and the live heap.
func goal() (goal, live uint64) {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

var keep []byte

// A collection comes once the heap has grown by the floor and what the
// program keeps: the goal is twice both, and the runtime's own again
// after stop.
func TestStartKeepsTheGoalAtTheFloor(t *testing.T) {
	const floor = 48 * mib
	before, _ := goal()
	if before >= floor {
		t.Fatalf("the goal is %d MiB before Start: the test needs a small heap", before/mib)
	}
	stop := Start(floor)
	defer stop()
	g, live := goal()
	if want := 2 * live; live < floor || g < want || g > want+8*mib {
		t.Errorf("goal %d MiB, live %d MiB with a %d MiB floor, want the floor counted live and twice that", g/mib, live/mib, floor/mib)
	}

	keep = make([]byte, 64*mib)
	for i := range keep {
		keep[i] = 1
	}
	g, live = goal()
	if want := uint64(2 * (floor + 64*mib)); live < floor+64*mib || g < want || g > want+16*mib {
		t.Errorf("goal %d MiB (live %d MiB) keeping 64 MiB, want about %d MiB (twice the floor and what is kept)", g/mib, live/mib, want/mib)
	}
	keep = nil

	stop()
	if g, live = goal(); g > floor {
		t.Errorf("goal %d MiB (live %d MiB) after stop, want the runtime's own (under %d MiB)", g/mib, live/mib, floor/mib)
	}
}

func TestStartZeroDoesNothing(t *testing.T) {
	before, _ := goal()
	Start(0)()
	if after, _ := goal(); after > before+4*mib {
		t.Errorf("goal %d MiB after Start(0), was %d MiB", after/mib, before/mib)
	}
}
