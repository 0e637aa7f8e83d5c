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
	// DefaultPool is how many long-lived workers are kept warm.
	DefaultPool = 2
	// DefaultRecycle is how many requests a long-lived worker serves
	// before it is replaced.
	DefaultRecycle = 100
)

const (
	// maxStdout bounds one line of the worker's stdout (a response, never
	// document bytes); longer lines are dropped.
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
// There are two kinds of worker. Inspect (of new uploads, which may be
// hostile) and Create run in one-shot workers: a fresh process per
// operation, which exits after it, so nothing a file does can be left
// behind for the next one. Watermark and Annotate work on documents the
// server has already accepted (inspected in a one-shot worker) and run in
// long-lived workers (see Pool), which serve many requests, one at a
// time, under the same limits; a long-lived worker that fails a request in
// any way (timeout, crash, memory, protocol) is killed, and the next
// request gets a fresh one.
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
	// Timeout bounds one operation, from the moment its request is sent
	// to its answer (and, for a one-shot worker, its exit); on expiry the
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
	// Parallel is the maximum number of concurrent operations (default
	// runtime.NumCPU()); further calls wait for a slot.
	Parallel int
	// Cold starts every one-shot worker when its call comes. By default,
	// once calls come in series, the Runner keeps one one-shot worker
	// started ahead of the next call (a spare), because starting one
	// costs more than most PDF work: the Go runtime and the package
	// initialisers of the whole binary (go-runewidth alone builds Unicode
	// tables for 60–250 ms). The spare gets its limits at start, like any
	// worker, reads nothing until its one request arrives, runs one
	// operation and exits like any other; a spare unused for spareIdle is
	// stopped.
	Cold bool
	// Pool is how many long-lived workers are kept warm between calls
	// (default DefaultPool; negative: none, every operation runs in a
	// one-shot worker). More may run at once, up to Parallel; those
	// beyond Pool exit after their call. An idle long-lived worker is
	// stopped after poolIdle.
	Pool int
	// Recycle is how many requests a long-lived worker serves before it
	// is replaced (default DefaultRecycle).
	Recycle int
	// RecycleRSS replaces a long-lived worker whose resident set is above
	// it after a request, so that one large document does not keep its
	// memory for the worker's life (default MemLimit/4).
	RecycleRSS int64

	once sync.Once
	sem  chan struct{}
	seq  atomic.Uint64  // request ids
	bg   sync.WaitGroup // workers being started in the background

	mu      sync.Mutex
	spare   *worker
	last    time.Time // when the last one-shot call started
	closed  bool
	stop    chan struct{} // closed by Close: background warm-ups give up
	idle    []*worker     // long-lived workers waiting for a request, last used last
	filling int           // long-lived workers being started in the background
	peak    atomic.Int64  // the largest resident set seen of a worker, in bytes
}

// spareIdle is how long a spare worker waits for a call before it is
// stopped.
const spareIdle = time.Minute

// poolIdle is how long a long-lived worker waits for a request before it
// is stopped.
const poolIdle = 10 * time.Minute

// worker is one started worker process.
type worker struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stdout  *responseWriter
	stderr  *cappedBuffer
	done    chan struct{} // closed once the process is reaped and its TMPDIR removed
	exited  atomic.Bool   // set as soon as the process is reaped
	waitErr error         // cmd.Wait's result, set before exited and done
	scratch string        // the worker's private TMPDIR, removed once it is reaped
	idle    *time.Timer
	served  int // requests answered (long-lived workers)
}

// Inspect inspects the PDF at path in a one-shot worker. The file must
// stay in place until Inspect returns. Errors for bad files are *Error; an
// error that is not is ctx's (the caller gave up).
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

// call runs one request in a fresh one-shot worker and decodes its
// result into out.
func (r *Runner) call(ctx context.Context, req request, out any) error {
	return r.do(ctx, req, out, false)
}

// callPooled runs one request in a long-lived worker (or a one-shot one
// when the Runner keeps no pool) and decodes its result into out. Use it
// only for documents the server has already accepted.
func (r *Runner) callPooled(ctx context.Context, req request, out any) error {
	return r.do(ctx, req, out, r.Pool >= 0)
}

func (r *Runner) do(ctx context.Context, req request, out any, pooled bool) error {
	if len(r.Command) == 0 {
		return newError(KindInternal, reasonInternal, "pdf.Runner has no Command")
	}
	if err := r.acquire(ctx); err != nil {
		return err
	}
	defer r.release()
	req.MemLimit = r.memLimit()
	req.ID = r.seq.Add(1)
	payload, err := encodeRequest(req)
	if err != nil {
		return err
	}
	var res response
	if pooled {
		res, err = r.runPooled(ctx, req.ID, payload)
	} else {
		res, err = r.runOnce(ctx, req.ID, payload)
	}
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

// encodeRequest encodes req as one protocol line.
func encodeRequest(req request) ([]byte, error) {
	payload, err := json.Marshal(req)
	if err != nil {
		return nil, newError(KindInternal, reasonInternal, "encode request: "+err.Error())
	}
	if len(payload) >= maxRequestBytes {
		return nil, newError(KindInternal, reasonInternal, "request too large")
	}
	return append(payload, '\n'), nil
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

// runOnce takes a started one-shot worker (the spare, or a new one),
// sends it the request and the end of its input, and waits for its answer
// and its exit.
func (r *Runner) runOnce(ctx context.Context, id uint64, payload []byte) (response, error) {
	w, err := r.take()
	if err != nil {
		return response{}, err
	}
	if r.busy() {
		r.refill()
	}
	deadline := time.Now().Add(r.timeout())
	res, err := r.exchange(ctx, w, id, payload, true, deadline)
	if err != nil {
		return response{}, err
	}
	// It answered and its input is closed: it exits now. Its exit status
	// still counts (a crash on the way out is a crash).
	if err := r.awaitExit(ctx, w, deadline); err != nil {
		return response{}, err
	}
	r.notePeak(maxRSS(w.cmd.ProcessState))
	if w.waitErr != nil {
		return response{}, crashError(w)
	}
	return res, nil
}

// awaitExit waits for a worker that has answered to exit, killing it at
// the deadline or when ctx is done.
func (r *Runner) awaitExit(ctx context.Context, w *worker, deadline time.Time) error {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-w.done:
		return nil
	case <-t.C:
		w.kill()
		return newError(KindTimeout, reasonTimeout, "worker killed after timeout")
	case <-ctx.Done():
		w.kill()
		return ctx.Err()
	}
}

// exchange sends the request id, encoded as payload, to w and waits for
// its response, until deadline.
// closeInput ends the worker's input after the request (a one-shot
// worker). Whenever exchange returns an error, w has exited or been
// killed (its whole process group) and reaped: the deadline passed, ctx
// was done, its RSS went above MemLimit, it exited without an answer, or
// it broke the protocol (an answer to another request, or garbage after
// the response mark).
func (r *Runner) exchange(ctx context.Context, w *worker, id uint64, payload []byte, closeInput bool, deadline time.Time) (response, error) {
	w.stderr.Reset()
	select {
	case <-w.stdout.resp: // an answer nobody asked for
		w.kill()
		return response{}, newError(KindUnreadable, reasonCrashed, "worker answered before its request")
	default:
	}
	tmark("send")
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		w.stdin.Write(payload) // fails only if the worker died; done reports that
		if closeInput {
			w.stdin.Close()
		}
	}()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	var res *response
	for {
		if res != nil && wrote == nil {
			return *res, nil
		}
		select {
		case line := <-w.stdout.resp:
			got, err := parseResponse(line, id)
			if err != nil {
				w.kill()
				return response{}, err
			}
			res = &got
		case <-wrote:
			wrote = nil
		case <-w.done:
			// Its answer may have come just before it exited: cmd.Wait
			// returns only once the output is copied.
			if res == nil {
				select {
				case line := <-w.stdout.resp:
					if got, err := parseResponse(line, id); err == nil {
						res = &got
					}
				default:
				}
			}
			r.notePeak(maxRSS(w.cmd.ProcessState))
			if res != nil {
				return *res, nil // answered; the caller sees how it exited
			}
			return response{}, crashError(w)
		case <-timer.C:
			w.kill()
			return response{}, newError(KindTimeout, reasonTimeout, "worker killed after timeout")
		case <-ctx.Done():
			w.kill()
			return response{}, ctx.Err()
		case <-poll.C:
			if rss, ok := residentBytes(w.cmd.Process.Pid); ok {
				r.notePeak(rss)
				if rss > r.memLimit() {
					w.kill()
					return response{}, newError(KindTooComplex, reasonTooComplex, "worker killed above memory limit")
				}
			}
		}
	}
}

// parseResponse decodes one response line and checks that it answers the
// request with the given id.
func parseResponse(line []byte, id uint64) (response, error) {
	var res response
	if err := json.Unmarshal(line, &res); err != nil || (res.Error == nil && res.Result == nil) {
		return response{}, newError(KindUnreadable, reasonCrashed, "worker sent no valid response")
	}
	if res.ID != id {
		return response{}, newError(KindUnreadable, reasonCrashed, fmt.Sprintf("worker answered request %d, not %d", res.ID, id))
	}
	return res, nil
}

// crashError describes a worker that exited without answering.
func crashError(w *worker) error {
	stderr := w.stderr.String()
	if w.waitErr == nil {
		return newError(KindUnreadable, reasonCrashed, "worker sent no valid response")
	}
	if outOfMemory(stderr) {
		return newError(KindTooComplex, reasonTooComplex, crashDetail(w.waitErr, stderr))
	}
	return newError(KindUnreadable, reasonCrashed, crashDetail(w.waitErr, stderr))
}

// start starts a worker process with its limits in place. It reads a
// request from stdin only when one is sent, so the worker cannot touch a
// document before the limits apply. Each worker gets a private TMPDIR,
// removed once the worker is reaped, whatever it left there.
func (r *Runner) start() (*worker, error) {
	scratch, err := os.MkdirTemp("", scratchPrefix)
	if err != nil {
		return nil, newError(KindInternal, reasonInternal, "worker directory: "+err.Error())
	}
	owner, err := lockScratch(scratch)
	if err != nil {
		os.RemoveAll(scratch)
		return nil, newError(KindInternal, reasonInternal, "worker directory lock: "+err.Error())
	}
	release := func() {
		os.RemoveAll(scratch)
		if owner != nil {
			owner.Close()
		}
	}
	cmd := exec.Command(r.Command[0], r.Command[1:]...)
	cmd.Env = r.workerEnv(scratch)
	w := &worker{cmd: cmd, stdout: newResponseWriter(), stderr: &cappedBuffer{max: maxStderr},
		done: make(chan struct{}), scratch: scratch}
	cmd.Stdout, cmd.Stderr = w.stdout, w.stderr
	cmd.SysProcAttr = workerSysProcAttr()
	cmd.WaitDelay = time.Second // don't wait forever on pipes held by a stray grandchild
	stdin, err := cmd.StdinPipe()
	if err != nil {
		release()
		return nil, newError(KindInternal, reasonInternal, "worker stdin: "+err.Error())
	}
	w.stdin = stdin
	tmark("spawn")
	if err := cmd.Start(); err != nil {
		release()
		return nil, newError(KindInternal, reasonInternal, "start worker: "+err.Error())
	}
	if err := limitAddressSpace(cmd.Process.Pid, r.memLimit()); err != nil {
		killGroup(cmd.Process)
		cmd.Wait()
		release()
		return nil, newError(KindInternal, reasonInternal, "limit worker memory: "+err.Error())
	}
	go func() {
		w.waitErr = cmd.Wait()
		w.exited.Store(true) // reaped: its pid may soon be another process's
		release()
		close(w.done)
	}()
	return w, nil
}

// alive reports whether the worker has not exited.
func (w *worker) alive() bool { return !w.exited.Load() }

// kill kills the worker's process group and waits until it is reaped.
func (w *worker) kill() {
	if w.alive() { // once reaped, its pid may belong to another process
		killGroup(w.cmd.Process)
	}
	w.stdin.Close()
	<-w.done
}

// stop is kill for a worker that is not in use.
func (w *worker) stop() {
	if w.idle != nil {
		w.idle.Stop()
	}
	w.kill()
}

// take returns the spare worker if there is a live one, else starts one.
func (r *Runner) take() (*worker, error) {
	r.mu.Lock()
	w := r.spare
	r.spare = nil
	r.mu.Unlock()
	if w != nil {
		w.idle.Stop()
		if w.alive() {
			return w, nil
		}
		// It died while waiting: start afresh.
	}
	return r.start()
}

// busy records a call and reports whether the one before it was recent:
// a spare is worth its start-up only when calls come in series (a batch
// of uploads), not for a lone call.
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
	if !busy {
		r.bg.Add(1) // under mu, before Close can set closed and Wait
	}
	r.mu.Unlock()
	if busy {
		return
	}
	go func() {
		defer r.bg.Done()
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

// Close stops the spare and the idle long-lived workers, and keeps none
// from now on: when Close returns, no idle worker process is left (those
// being started in the background are waited for and stopped), and a
// long-lived worker still serving a call is stopped when that call ends.
// Calls after Close still work, each in a worker started for it.
func (r *Runner) Close() {
	r.mu.Lock()
	ws := r.idle
	if r.spare != nil {
		ws = append(ws, r.spare)
	}
	if !r.closed {
		close(r.stopping())
	}
	r.spare, r.idle, r.closed = nil, nil, true
	r.mu.Unlock()
	for _, w := range ws {
		w.stop()
	}
	r.bg.Wait() // they see closed, and stop their worker
}

// stopping returns the channel Close closes; call it with r.mu held.
func (r *Runner) stopping() chan struct{} {
	if r.stop == nil {
		r.stop = make(chan struct{})
	}
	return r.stop
}

// PeakRSS returns the largest resident set size seen of any worker this
// Runner has run (ru_maxrss of the one-shot workers, the RSS checks of
// the long-lived ones), in bytes; 0 where the system does not report it.
func (r *Runner) PeakRSS() int64 { return r.peak.Load() }

func (r *Runner) notePeak(n int64) {
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
	return []string{"PATH", "LANG", "LC_ALL", "TZ", "GODEBUG", "GOTRACEBACK", "GOCOVERDIR", "GORACE"}
}

// workerEnv builds the worker's environment: the allow-listed variables,
// its private TMPDIR, GOMEMLIMIT, then Runner.Env.
func (r *Runner) workerEnv(tmp string) []string {
	var env []string
	for _, k := range inheritedEnv() {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, "TMPDIR="+tmp, "GOMEMLIMIT="+strconv.FormatInt(r.memLimit(), 10))
	return append(env, r.Env...)
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

// Reset empties the buffer (a long-lived worker's stderr, per request).
func (c *cappedBuffer) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Reset()
}

// responseWriter receives the worker's stdout. It passes on the lines
// that start with responseMark, in order, and drops everything else (a
// library printing to stdout), so stray output cannot break the framing;
// it never holds more than maxStdout bytes of one line.
type responseWriter struct {
	mu   sync.Mutex
	line []byte
	skip bool        // the current line is longer than maxStdout: drop it
	resp chan []byte // response lines, without the mark
	// extra is set when a response line came while one was waiting: the
	// worker answered more than it was asked, and is not used again.
	extra atomic.Bool
}

func newResponseWriter() *responseWriter {
	return &responseWriter{resp: make(chan []byte, 1)}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if !w.skip {
			if len(w.line)+len(chunk) > maxStdout {
				w.skip, w.line = true, w.line[:0]
			} else {
				w.line = append(w.line, chunk...)
			}
		}
		if i < 0 {
			break
		}
		if !w.skip {
			w.deliver(w.line)
		}
		w.line, w.skip = w.line[:0], false
		p = p[i+1:]
	}
	return n, nil
}

// deliver passes on a response line. One is expected per request; a
// second one while the first waits is dropped and marks the worker
// (extra).
func (w *responseWriter) deliver(line []byte) {
	rest, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte(responseMark))
	if !ok {
		return
	}
	select {
	case w.resp <- bytes.Clone(rest):
	default:
		w.extra.Store(true)
	}
}
