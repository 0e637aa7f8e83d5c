package main

import (
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"time"
)

// CURIA_BENCH_PROFILE=joins (or =publish, or =draw for the drawing phase of draw) saves 20 s CPU profiles of
// server and clients from the start of that phase, and the server's block
// and mutex profiles after the joins, to /tmp/curia-bench-*.pprof: for
// tuning, not for the figures. The drawing phases after the first save
// theirs with a number (curia-bench-draw-2.pprof, …).
func profiling() bool { return os.Getenv("CURIA_BENCH_PROFILE") != "" }

func profilePhase(phase string) bool { return os.Getenv("CURIA_BENCH_PROFILE") == phase }

// profiles counts the CPU profiles started.
var profiles atomic.Int32

// profileCPU starts 20 s CPU profiles of the server and of this process.
func profileCPU(srv *child, mode string) {
	if n := profiles.Add(1); n > 1 { // the second and later phases: numbered files
		mode += "-" + strconv.Itoa(int(n))
	}
	go save(srv, "/debug/pprof/profile?seconds=20", "/tmp/curia-bench-"+mode+".pprof")
	f, err := os.Create("/tmp/curia-bench-clients-" + mode + ".pprof")
	if err != nil || pprof.StartCPUProfile(f) != nil {
		return
	}
	time.AfterFunc(20*time.Second, func() { pprof.StopCPUProfile(); _ = f.Close() })
}

// saveContention saves the server's block and mutex profiles.
func saveContention(srv *child, mode string) {
	for _, kind := range []string{"block", "mutex"} {
		save(srv, "/debug/pprof/"+kind, "/tmp/curia-bench-"+mode+"-"+kind+".pprof")
	}
}

func save(srv *child, path, file string) {
	resp, err := srv.http.Get("http://" + srv.addr + path)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, resp.Body)
}
