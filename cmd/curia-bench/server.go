package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// benchServer is one kind of server under test.
type benchServer interface {
	live() http.Handler // the websocket endpoint, meeting id in {id}
	publish(page int)   // one page turn to every client
	close(ctx context.Context) error
}

// serve runs a server of the given mode on a loopback port until stdin
// closes (the parent finished or died) or ctx ends. It prints "ADDR
// host:port" once it listens.
func serve(ctx context.Context, mode, dbdir string, stdin io.Reader, stdout io.Writer) error {
	if profiling() {
		runtime.SetBlockProfileRate(100000)
		runtime.SetMutexProfileFraction(10)
	}
	var s benchServer
	var err error
	switch mode {
	case "bare":
		s = newBare()
	case "hub":
		s, err = newHubServer(ctx, dbdir)
	case "app":
		s, err = newAppServer(ctx, dbdir)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if a, ok := s.(*appServer); ok {
		a.addr = ln.Addr().String()
	}
	srv := &http.Server{Handler: debugMux(s), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Fprintf(stdout, "ADDR %s\n", ln.Addr())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _, _ = io.Copy(io.Discard, stdin); cancel() }()
	<-ctx.Done()
	closeCtx, done := context.WithTimeout(context.Background(), 20*time.Second)
	defer done()
	err = s.close(closeCtx)
	_ = srv.Close()
	return err
}

func debugMux(s benchServer) *http.ServeMux {
	mux := http.NewServeMux()
	if a, ok := s.(*appServer); ok {
		mux.Handle("/", a.live()) // the whole app
		mux.HandleFunc("POST /debug/seed", func(w http.ResponseWriter, r *http.Request) {
			n, err1 := strconv.Atoi(r.URL.Query().Get("users"))
			pages, err2 := strconv.Atoi(r.URL.Query().Get("pages"))
			if err1 != nil || err2 != nil || n < 1 || n > 20000 || pages < 2 || pages > 2000 {
				http.Error(w, "users=1..20000&pages=2..2000", http.StatusBadRequest)
				return
			}
			res, err := a.seed(r.Context(), n, pages)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			_ = json.NewEncoder(w).Encode(res)
		})
	} else {
		mux.Handle("GET /api/v1/meetings/{id}/live", s.live())
	}
	mux.HandleFunc("POST /debug/publish", func(w http.ResponseWriter, r *http.Request) {
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil {
			http.Error(w, "page?", http.StatusBadRequest)
			return
		}
		s.publish(page)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /debug/mem", func(w http.ResponseWriter, _ *http.Request) {
		m := readMem()
		switch h := s.(type) {
		case *hubServer:
			m.SlowDrops = h.slowDrops()
		case *appServer:
			m.SlowDrops = h.slowDrops()
		}
		_ = json.NewEncoder(w).Encode(m)
	})
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.Handle("GET /debug/pprof/block", pprof.Handler("block"))
	mux.Handle("GET /debug/pprof/mutex", pprof.Handler("mutex"))
	mux.Handle("GET /debug/pprof/goroutine", pprof.Handler("goroutine"))
	mux.HandleFunc("GET /debug/cpu", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(readCPU())
	})
	return mux
}

// pageTurn is the event data: what presentation.changed carries, plus the
// publish time for the latency measurement (same machine, same clock).
type pageTurn struct {
	DocumentID string `json:"document_id"`
	Page       int    `json:"page"`
	T          int64  `json:"t"`
}

// memStats is the server's memory after a full GC.
type memStats struct {
	RSS        int64 `json:"rss"`
	HeapInuse  int64 `json:"heap_inuse"`
	StackInuse int64 `json:"stack_inuse"`
	Goroutines int   `json:"goroutines"`
	// SlowDrops counts clients the hub dropped as too slow (hub only).
	SlowDrops float64 `json:"slow_drops"`
}

func readMem() memStats {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memStats{RSS: rss(), HeapInuse: int64(ms.HeapInuse), StackInuse: int64(ms.StackInuse),
		Goroutines: runtime.NumGoroutine()}
}

// rss reads the resident set size from /proc (0 where there is none).
func rss() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuTime is the process's CPU time so far.
type cpuTime struct {
	User time.Duration `json:"user"`
	Sys  time.Duration `json:"sys"`
}
