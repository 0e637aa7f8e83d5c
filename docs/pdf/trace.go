package pdf

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// Phase timing for measurements: when CURIA_PDF_TRACE names a file (give
// it to workers through Runner.Env), each process appends "pid phase
// unix-nanoseconds" lines to it: the parent when it starts a worker
// (spawn) and sends a request (send), the worker when it is ready (main),
// has a request (request), has read the document (open), has its fonts
// (font), has rendered the stamp (form), has built the update (update),
// has written the copy (write) and has answered (response). Off by
// default; it costs nothing then.
var traceState struct {
	once sync.Once
	f    *os.File
	mu   sync.Mutex
}

// tmark records that phase is reached now.
func tmark(phase string) {
	traceState.once.Do(func() {
		if p := os.Getenv("CURIA_PDF_TRACE"); p != "" {
			traceState.f, _ = os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		}
	})
	if traceState.f == nil {
		return
	}
	traceState.mu.Lock()
	defer traceState.mu.Unlock()
	fmt.Fprintf(traceState.f, "%d %s %s\n", os.Getpid(), phase, strconv.FormatInt(time.Now().UnixNano(), 10))
}
