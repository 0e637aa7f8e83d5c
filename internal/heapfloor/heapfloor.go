// Package heapfloor keeps the Go runtime from collecting a small heap over
// and over. With the default GOGC of 100 the runtime collects whenever the
// heap has doubled since the last collection; a Curia node lives in a few
// megabytes, so while fifty delegates draw it collected two or three times
// a second, and each collection's marking takes one of a small server's
// cores for a few milliseconds: the page turns that met one reached the
// tablets late (realtime/BENCHMARKS.md).
//
// The floor is a ballast: one allocation of floor bytes that holds no
// pointers and is never written. The collector counts it as live, so with
// GOGC's doubling rule a collection comes once the heap has grown by the
// floor and what the program keeps (the goal is 2 × (floor + live)) at
// every collection, with nothing to lag behind a heap that grows (an
// earlier version set GOGC after each collection, and a heap that grew
// between two collections met a goal many times too high until the next
// setting). Marking it costs nothing (no pointers). Its pages are mostly
// never touched, so the kernel maps none of them in; but the runtime
// clears them when it places the ballast over memory the program has used
// and freed (a quarter of the time, measured, when a collection ran
// before): count up to twice the floor as memory the server may use. An
// operator's GOGC, a memory limit (GOMEMLIMIT) and a container's memory
// limit are respected (Effective).
package heapfloor

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// Effective is the floor Start should keep: floor, lowered to a quarter
// of the runtime's memory limit, of the container's (cgroup) and of the
// machine's memory, so that a node with little memory collects early
// enough. It is 0 when the
// floor is off: floor 0, or GOGC set by the operator.
func Effective(floor uint64, getenv func(string) string) uint64 {
	if floor == 0 || getenv("GOGC") != "" {
		return 0
	}
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < math.MaxInt64 {
		floor = min(floor, uint64(limit)/4)
	}
	if limit := cgroupLimit(); limit > 0 {
		floor = min(floor, limit/4)
	}
	if total := memTotal(); total > 0 {
		floor = min(floor, total/4) // a ballast larger than the machine may be refused outright
	}
	return floor
}

// memTotal reads the machine's memory from /proc/meminfo (Linux), or 0.
func memTotal() uint64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// cgroupLimit reads the memory limit of the cgroup the process runs in
// (v2, else v1), or 0 when there is none or it cannot be read.
func cgroupLimit() uint64 {
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// v2 writes "max" for no limit, v1 a number near 2^63.
		n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || n >= 1<<62 {
			return 0
		}
		return n
	}
	return 0
}

// Start holds a ballast of floor bytes until stop is called. Call it
// early, while the heap is small: the ballast is then most likely memory
// fresh from the kernel, which the runtime need not clear. A floor of 0
// does nothing.
func Start(floor uint64) (stop func()) {
	if floor == 0 {
		return func() {}
	}
	ballast := make([]byte, floor)
	var once sync.Once
	return func() {
		once.Do(func() {
			runtime.KeepAlive(ballast)
			ballast = nil
		})
	}
}
