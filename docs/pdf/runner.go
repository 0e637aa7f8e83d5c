package pdf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for a zero Runner field.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultMemLimit = 1 << 30 // 1 GiB
)

const (
	// maxStdout bounds what is kept of the worker's stdout: one response,
	// never document bytes.
	maxStdout = 1 << 20
	// maxStderr bounds what is kept of the worker's stderr, for Detail.
	maxStderr = 64 << 10
	// pollEvery is how often the worker's resident memory is checked.
	pollEvery = 20 * time.Millisecond
)

// Runner runs PDF operations in worker subprocesses, each bounded in time
// and memory, so that a hostile file costs one killed process and a clean
// *Error instead of a crashed or stuck server.
//
// A Runner is safe for concurrent use. Set its fields before the first
// call and do not copy it afterwards.
type Runner struct {
	// Command is the argv that starts a worker, which must run
	// ServeWorker: typically {os.Executable(), "pdf-worker"}.
	Command []string
	// Env holds extra "KEY=VALUE" variables for the worker. The worker
	// does not inherit the server's environment beyond a short allowlist
	// (see inheritedEnv); later entries win.
	Env []string
	// Timeout bounds one worker run, from start to exit; on expiry the
	// worker's whole process group is killed (default DefaultTimeout).
	// Waiting for a free slot (see Parallel) is bounded by ctx only.
	Timeout time.Duration
	// MemLimit bounds the worker's memory in bytes (default
	// DefaultMemLimit). It is enforced three ways: GOMEMLIMIT and
	// debug.SetMemoryLimit make the worker's GC work hard near it; the
	// parent kills the worker when its resident set (RSS) exceeds it; and
	// RLIMIT_AS caps its virtual address space at MemLimit plus the
	// constant address space the Go runtime reserves up front
	// (addressSpaceSlack), which stops huge allocations between two RSS
	// checks. RLIMIT_AS is skipped in -race builds, whose shadow memory
	// needs terabytes of address space.
	//
	// pdfcpu holds every stream of the document in memory (the file
	// itself is read object by object, not held): inspecting a 110 MB,
	// 500-page file peaks near 150 MB (ru_maxrss, see PeakRSS). Allow
	// about 1.5 times the largest upload, plus room for odd files.
	MemLimit int64
	// Parallel is the maximum number of concurrent workers (default
	// runtime.NumCPU()); further calls wait for a slot.
	Parallel int
	// Cold starts every worker when its call comes. By default, once calls
	// come in series, the Runner keeps one worker started ahead of the
	// next call (a spare), because
	// starting one costs more than most PDF work: the Go runtime and the
	// package initialisers of the whole binary (go-runewidth alone builds
	// Unicode tables for 60–250 ms). The spare gets its limits at start,
	// like any worker, reads nothing until its one request arrives, runs
	// one operation and exits like any other; a spare unused for
	// spareIdle is stopped.
	Cold bool

	once sync.Once
	sem  chan struct{}

	mu     sync.Mutex
	spare  *worker
	last   time.Time // when the last call started
	closed bool
	peak   atomic.Int64 // the largest ru_maxrss of a worker, in bytes
}

// spareIdle is how long a spare worker waits for a call before it is
// stopped.
const spareIdle = time.Minute

// worker is one started worker process.
type worker struct {
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	stdout, stderr *cappedBuffer
	done           chan error // receives cmd.Wait's result once
	idle           *time.Timer
}

// Inspect inspects the PDF at path in a worker. The file must stay in
// place until Inspect returns. Errors for bad files are *Error; an error
// that is not is ctx's (the caller gave up).
func (r *Runner) Inspect(ctx context.Context, path string) (Info, error) {
	abs, err := r.checkInput(path)
	if err != nil {
		return Info{}, err
	}
	var info Info
	err = r.call(ctx, request{Op: "inspect", Path: abs}, &info)
	return info, err
}

// checkInput sniffs the file in the parent, which is safe (it reads 1 KiB
// and parses nothing), so that a non-PDF costs no process.
func (r *Runner) checkInput(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", newError(KindInternal, reasonInternal, "input path: "+err.Error())
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", newError(KindInternal, reasonInternal, "open input: "+err.Error())
	}
	defer f.Close()
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", newError(KindInternal, reasonInternal, "read input: "+err.Error())
	}
	if n == 0 {
		return "", newError(KindUnreadable, reasonEmpty, "empty input")
	}
	if !Sniff(head[:n]) {
		return "", newError(KindNotPDF, reasonNotPDF, "no %PDF- header")
	}
	return abs, nil
}

// call runs one request in a fresh worker and decodes its result into out.
func (r *Runner) call(ctx context.Context, req request, out any) error {
	if len(r.Command) == 0 {
		return newError(KindInternal, reasonInternal, "pdf.Runner has no Command")
	}
	if err := r.acquire(ctx); err != nil {
		return err
	}
	defer r.release()
	req.MemLimit = r.memLimit()
	payload, err := json.Marshal(req)
	if err != nil {
		return newError(KindInternal, reasonInternal, "encode request: "+err.Error())
	}
	res, err := r.run(ctx, payload)
	if err != nil {
		return err
	}
	if res.Error != nil {
		return res.Error.toError()
	}
	if out != nil {
		if err := json.Unmarshal(res.Result, out); err != nil {
			return newError(KindUnreadable, reasonCrashed, "decode result: "+err.Error())
		}
	}
	return nil
}

func (r *Runner) acquire(ctx context.Context) error {
	r.once.Do(func() {
		n := r.Parallel
		if n <= 0 {
			n = runtime.NumCPU()
		}
		r.sem = make(chan struct{}, n)
	})
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Runner) release() { <-r.sem }

func (r *Runner) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

func (r *Runner) memLimit() int64 {
	if r.MemLimit > 0 {
		return r.MemLimit
	}
	return DefaultMemLimit
}

// outcome says how a worker run ended, when the parent ended it.
type outcome int

const (
	exited     outcome = iota // the worker exited on its own
	timedOut                  // killed: Timeout expired
	overMemory                // killed: RSS above MemLimit
	cancelled                 // killed: ctx done
)

// run takes a started worker (the spare, or a new one), feeds it
// payload, supervises it and interprets how it ended. The time limit runs
// from the moment the worker gets its request.
func (r *Runner) run(ctx context.Context, payload []byte) (response, error) {
	w, err := r.take()
	if err != nil {
		return response{}, err
	}
	if r.busy() {
		r.refill()
	}
	go func() {
		w.stdin.Write(payload) // fails only if the worker died; Wait reports that
		w.stdin.Close()
	}()
	how, waitErr := r.supervise(ctx, w.cmd.Process, w.done)
	r.notePeak(w.cmd.ProcessState)
	return interpret(ctx, how, waitErr, w.stdout.Bytes(), w.stderr.String())
}

// start starts a worker process with its limits in place. It reads its
// request from stdin only when run sends it, so the worker cannot touch a
// document before the limits apply.
func (r *Runner) start() (*worker, error) {
	cmd := exec.Command(r.Command[0], r.Command[1:]...)
	cmd.Env = r.workerEnv()
	w := &worker{cmd: cmd, stdout: &cappedBuffer{max: maxStdout}, stderr: &cappedBuffer{max: maxStderr}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = w.stdout, w.stderr
	cmd.SysProcAttr = workerSysProcAttr()
	cmd.WaitDelay = time.Second // don't wait forever on pipes held by a stray grandchild
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, newError(KindInternal, reasonInternal, "worker stdin: "+err.Error())
	}
	w.stdin = stdin
	if err := cmd.Start(); err != nil {
		return nil, newError(KindInternal, reasonInternal, "start worker: "+err.Error())
	}
	if err := limitAddressSpace(cmd.Process.Pid, r.memLimit()); err != nil {
		killGroup(cmd.Process)
		cmd.Wait()
		return nil, newError(KindInternal, reasonInternal, "limit worker memory: "+err.Error())
	}
	go func() { w.done <- cmd.Wait() }()
	return w, nil
}

// take returns the spare worker if there is a live one, else starts one.
func (r *Runner) take() (*worker, error) {
	r.mu.Lock()
	w := r.spare
	r.spare = nil
	r.mu.Unlock()
	if w != nil {
		w.idle.Stop()
		select {
		case err := <-w.done: // it died while waiting: put the result back for nobody, start afresh
			_ = err
		default:
			return w, nil
		}
	}
	return r.start()
}

// busy records a call and reports whether the one before it was recent:
// a spare is worth its start-up only when calls come in series (a batch
// of uploads, a confidential pack stamped for each reader), not for a
// lone call.
func (r *Runner) busy() bool {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	recent := !r.last.IsZero() && now.Sub(r.last) < spareIdle
	r.last = now
	return recent
}

// refill starts the next spare in the background, unless the Runner is
// Cold or closed, or has a spare already.
func (r *Runner) refill() {
	if r.Cold {
		return
	}
	r.mu.Lock()
	busy := r.closed || r.spare != nil
	r.mu.Unlock()
	if busy {
		return
	}
	go func() {
		w, err := r.start()
		if err != nil {
			return // the next call starts its own worker and reports the error
		}
		w.idle = time.AfterFunc(spareIdle, func() { r.drop(w) })
		r.mu.Lock()
		keep := !r.closed && r.spare == nil
		if keep {
			r.spare = w
		}
		r.mu.Unlock()
		if !keep {
			w.idle.Stop()
			w.stop()
		}
	}()
}

// drop stops w if it is still the unused spare.
func (r *Runner) drop(w *worker) {
	r.mu.Lock()
	mine := r.spare == w
	if mine {
		r.spare = nil
	}
	r.mu.Unlock()
	if mine {
		w.stop()
	}
}

// stop kills an unused worker and reaps it.
func (w *worker) stop() {
	killGroup(w.cmd.Process)
	w.stdin.Close()
	<-w.done
}

// Close stops the spare worker and keeps none from now on; calls after
// Close still work, starting their workers on demand.
func (r *Runner) Close() {
	r.mu.Lock()
	w := r.spare
	r.spare, r.closed = nil, true
	r.mu.Unlock()
	if w != nil {
		w.idle.Stop()
		w.stop()
	}
}

// PeakRSS returns the largest peak resident set size (ru_maxrss) of any
// worker this Runner has run to the end, in bytes; 0 where the system
// does not report it.
func (r *Runner) PeakRSS() int64 { return r.peak.Load() }

func (r *Runner) notePeak(ps *os.ProcessState) {
	n := maxRSS(ps)
	for {
		old := r.peak.Load()
		if n <= old || r.peak.CompareAndSwap(old, n) {
			return
		}
	}
}

// inheritedEnv lists the only variables the worker inherits from the
// server, whose environment may hold secrets (database URLs, keys) that a
// compromised worker should not see.
func inheritedEnv() []string {
	return []string{"PATH", "TMPDIR", "LANG", "LC_ALL", "TZ", "GODEBUG", "GOTRACEBACK", "GOCOVERDIR", "GORACE"}
}

// workerEnv builds the worker's environment: the allow-listed variables,
// GOMEMLIMIT, then Runner.Env.
func (r *Runner) workerEnv() []string {
	var env []string
	for _, k := range inheritedEnv() {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, "GOMEMLIMIT="+strconv.FormatInt(r.memLimit(), 10))
	return append(env, r.Env...)
}

// supervise waits for the worker to exit, killing its process group when
// the deadline passes, ctx is done, or its RSS exceeds MemLimit.
func (r *Runner) supervise(ctx context.Context, p *os.Process, done <-chan error) (outcome, error) {
	deadline := time.NewTimer(r.timeout())
	defer deadline.Stop()
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	kill := func(why outcome) (outcome, error) {
		killGroup(p)
		return why, <-done
	}
	for {
		select {
		case err := <-done:
			return exited, err
		case <-deadline.C:
			return kill(timedOut)
		case <-ctx.Done():
			return kill(cancelled)
		case <-poll.C:
			if rss, ok := residentBytes(p.Pid); ok && rss > r.memLimit() {
				return kill(overMemory)
			}
		}
	}
}

// interpret maps how a worker ended to a response or an *Error.
func interpret(ctx context.Context, how outcome, waitErr error, stdout []byte, stderr string) (response, error) {
	switch how {
	case timedOut:
		return response{}, newError(KindTimeout, reasonTimeout, "worker killed after timeout")
	case overMemory:
		return response{}, newError(KindTooComplex, reasonTooComplex, "worker killed above memory limit")
	case cancelled:
		return response{}, ctx.Err()
	}
	if waitErr != nil {
		if outOfMemory(stderr) {
			return response{}, newError(KindTooComplex, reasonTooComplex, crashDetail(waitErr, stderr))
		}
		return response{}, newError(KindUnreadable, reasonCrashed, crashDetail(waitErr, stderr))
	}
	var res response
	if err := json.Unmarshal(lastLine(stdout), &res); err != nil || (res.Error == nil && res.Result == nil) {
		return response{}, newError(KindUnreadable, reasonCrashed, "worker sent no valid response")
	}
	return res, nil
}

// outOfMemory recognises the Go runtime's fatal errors when an allocation
// fails (RLIMIT_AS reached).
func outOfMemory(stderr string) bool {
	return bytes.Contains([]byte(stderr), []byte("out of memory")) ||
		bytes.Contains([]byte(stderr), []byte("cannot allocate memory"))
}

// crashDetail summarises a crash for logs: exit status and the first line
// of stderr (the panic or fatal error message, not the stack).
func crashDetail(waitErr error, stderr string) string {
	first, _, _ := bytes.Cut(bytes.TrimSpace([]byte(stderr)), []byte("\n"))
	if len(first) > 300 {
		first = first[:300]
	}
	return fmt.Sprintf("worker %v: %s", waitErr, first)
}

// lastLine returns the last non-empty line of b.
func lastLine(b []byte) []byte {
	b = bytes.TrimRight(b, "\r\n\t ")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// cappedBuffer keeps the first max bytes written to it and discards the
// rest, so a runaway worker cannot grow the server's memory.
type cappedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *cappedBuffer) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}

func (c *cappedBuffer) String() string { return string(c.Bytes()) }
