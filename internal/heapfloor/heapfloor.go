// Package heapfloor keeps the Go runtime from collecting a small heap over
// and over. With the default GOGC of 100 the runtime collects whenever the
// heap has doubled since the last collection; a Curia node lives in a few
// megabytes, so while fifty delegates draw it collected two or three times
// a second, and each collection's marking takes one of a small server's
// cores for a few milliseconds: the page turns that met one reached the
// tablets late (realtime/BENCHMARKS.md). A floor lets the heap grow to a
// fixed size before the first collection and between collections, and
// leaves GOGC's doubling rule in charge once the live heap is larger than
// half the floor.
//
// After every collection the percentage is set so that the next goal is
// about max(floor, what GOGC=100 gives), from the live heap, stacks and
// globals the collection measured (Percent). An
// operator's GOGC, a memory limit (GOMEMLIMIT) and a container's memory
// limit are respected: Start does nothing when GOGC is set, and the floor
// is lowered to half the memory limit and a quarter of the container's.
package heapfloor

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
)

// basePercent is GOGC's default: the doubling rule.
const basePercent = 100

// minimumHeap is the runtime's least heap goal at GOGC 100; it scales
// with GOGC.
const minimumHeap = 4 << 20

// assumedLive stands for the live heap before the first collection has
// measured it (the runtime's own first goal is 4 MiB at GOGC 100).
const assumedLive = 4 << 20

// Percent is the GOGC percentage that puts the next heap goal at floor
// when live bytes survived the last collection and roots bytes of stacks
// and globals were scanned with them, never below the doubling rule's 100.
// The runtime's goal is live + (live + roots) × GOGC / 100, and never
// below its minimum heap, 4 MiB × GOGC / 100: for a heap smaller than
// that the percentage is the one that puts the minimum at floor.
func Percent(live, roots, floor uint64) int {
	if live == 0 {
		live = assumedLive
	}
	scanned := live + roots
	if floor <= live+scanned {
		return basePercent
	}
	p := float64(floor-live) / float64(scanned) * 100
	p = min(p, float64(floor)/minimumHeap*100)
	return int(max(min(p, math.MaxInt32), basePercent))
}

// Effective is the floor Start would keep: floor, lowered to half of the
// runtime's memory limit and a quarter of the container's (cgroup), so
// that a node with little memory collects early enough. It is 0 when the
// floor is off: floor 0, or GOGC set by the operator.
func Effective(floor uint64, getenv func(string) string) uint64 {
	if floor == 0 || getenv("GOGC") != "" {
		return 0
	}
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < math.MaxInt64 {
		floor = min(floor, uint64(limit)/2)
	}
	if limit := cgroupLimit(); limit > 0 {
		floor = min(floor, limit/4)
	}
	return floor
}

// cgroupLimit reads the memory limit of the cgroup (v2) the process runs
// in, or 0 when there is none or it cannot be read.
func cgroupLimit() uint64 {
	b, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64) // "max": no limit
	if err != nil {
		return 0
	}
	return n
}

// tuner re-arms itself after every collection, through a cleanup on an
// object nothing keeps, and sets the percentage for the live heap the
// collection measured.
type tuner struct {
	floor   uint64
	mu      sync.Mutex
	stopped bool
	sample  []metrics.Sample
}

// sentinel is what the collector frees once per cycle. It holds a
// pointer so that it is never one of the runtime's tiny allocations,
// whose cleanups may never run.
type sentinel struct{ _ *byte }

// Start keeps the heap goal at floor bytes or more until stop is called,
// which gives GOGC's default back. A floor of 0 does nothing.
func Start(floor uint64) (stop func()) {
	if floor == 0 {
		return func() {}
	}
	t := &tuner{floor: floor, sample: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}}
	t.mu.Lock()
	t.tuneLocked()
	t.mu.Unlock()
	t.arm()
	return t.stop
}

func (t *tuner) arm() {
	runtime.AddCleanup(new(sentinel), (*tuner).cycle, t)
}

// cycle runs after a collection, on the runtime's cleanup goroutine.
func (t *tuner) cycle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.tuneLocked()
	t.arm()
}

func (t *tuner) tuneLocked() {
	metrics.Read(t.sample)
	var v [3]uint64
	for i, s := range t.sample {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = s.Value.Uint64()
		}
	}
	debug.SetGCPercent(Percent(v[0], v[1]+v[2], t.floor))
}

func (t *tuner) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.stopped {
		t.stopped = true
		debug.SetGCPercent(basePercent)
	}
}
