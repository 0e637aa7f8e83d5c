package pdf

import (
	"context"
	"encoding/json"
	"time"
)

// The pool of long-lived workers, for operations on documents the server
// has already accepted (Watermark, Annotate). Uploads are inspected in
// one-shot workers instead (Runner.Inspect): a hostile file must not be
// able to leave anything behind (a goroutine, a corrupted global, a
// poisoned cache) for the next file, and a fresh process per upload rules
// that out. A long-lived worker serves requests one at a time, under the
// same limits as a one-shot one (RLIMIT_AS, GOMEMLIMIT, the RSS check,
// the per-request deadline, the environment allowlist), and is replaced:
//
//   - after Runner.Recycle requests, or when its resident set is above
//     Runner.RecycleRSS after a request;
//   - at once (its process group killed) when a request times out, its
//     caller gives up, it goes over MemLimit, it crashes, or it breaks the
//     protocol: that caller gets the same error as from a one-shot
//     worker, and the next request gets a fresh worker;
//   - after poolIdle without a request, and at Runner.Close.

func (r *Runner) poolSize() int {
	if r.Pool == 0 {
		return DefaultPool
	}
	return max(r.Pool, 0)
}

func (r *Runner) recycleAfter() int {
	if r.Recycle > 0 {
		return r.Recycle
	}
	return DefaultRecycle
}

func (r *Runner) recycleRSS() int64 {
	if r.RecycleRSS > 0 {
		return r.RecycleRSS
	}
	return r.memLimit() / 4
}

// runPooled sends req to an idle long-lived worker, or to a new one, and
// puts the worker back (or retires it) once it has answered.
func (r *Runner) runPooled(ctx context.Context, id uint64, payload []byte) (response, error) {
	w, err := r.takeIdle()
	if err != nil {
		return response{}, err
	}
	res, err := r.exchange(ctx, w, id, payload, false, time.Now().Add(r.timeout()))
	if err != nil {
		// w is gone (exchange killed it, or it died): a fresh one for the
		// next request.
		r.replenish()
		return response{}, err
	}
	if (res.Error != nil && res.Error.Reason == reasonCrashed) || (res.Error == nil && !json.Valid(res.Result)) {
		// The operation panicked and the worker recovered (a lock may be
		// held, a global half-updated), or the worker answered something
		// that is not a result: answer, but never use this worker again.
		w.kill()
		r.replenish()
		return res, nil
	}
	w.served++
	r.putBack(w)
	return res, nil
}

// takeIdle returns the most recently used idle worker that is still
// sound, else starts one.
func (r *Runner) takeIdle() (*worker, error) {
	for {
		r.mu.Lock()
		n := len(r.idle)
		if n == 0 {
			r.mu.Unlock()
			return r.start()
		}
		w := r.idle[n-1]
		r.idle = r.idle[:n-1]
		r.mu.Unlock()
		w.idle.Stop()
		if w.sound() {
			return w, nil
		}
		w.kill()
	}
}

// sound reports whether an idle worker can take a request: it is running
// and has said nothing since its last answer.
func (w *worker) sound() bool {
	if !w.alive() || w.stdout.extra.Load() {
		return false
	}
	select {
	case <-w.stdout.resp:
		return false
	default:
		return true
	}
}

// putBack returns a worker that has answered to the idle pool, or stops
// it: when it has served its share of requests, grown too large, or the
// pool is full or closed.
func (r *Runner) putBack(w *worker) {
	retire := w.served >= r.recycleAfter() || !w.alive()
	if rss, ok := residentBytes(w.cmd.Process.Pid); ok {
		r.notePeak(rss)
		retire = retire || rss > r.recycleRSS()
	}
	r.mu.Lock()
	keep := !retire && !r.closed && len(r.idle) < r.poolSize()
	if keep {
		w.idle = time.AfterFunc(poolIdle, func() { r.dropIdle(w) })
		r.idle = append(r.idle, w)
	}
	r.mu.Unlock()
	if keep {
		return
	}
	w.kill()
	if retire {
		r.replenish()
	}
}

// replenish starts a long-lived worker in the background when the pool
// has room, so that the request after a retired or failed worker finds a
// warm one.
func (r *Runner) replenish() {
	r.mu.Lock()
	room := !r.closed && len(r.idle)+r.filling < r.poolSize()
	if room {
		r.filling++
		r.bg.Add(1) // under mu, before Close can set closed and Wait
	}
	r.mu.Unlock()
	if !room {
		return
	}
	go func() {
		defer r.bg.Done()
		w, err := r.start()
		if err == nil {
			err = r.warm(w)
		}
		r.mu.Lock()
		r.filling--
		keep := err == nil && !r.closed && len(r.idle) < r.poolSize()
		if keep {
			w.idle = time.AfterFunc(poolIdle, func() { r.dropIdle(w) })
			r.idle = append([]*worker{w}, r.idle...) // least recently used: taken last
		}
		r.mu.Unlock()
		if err == nil && !keep {
			w.kill()
		}
	}()
}

// warm has a new long-lived worker install its fonts and run pdfcpu once,
// so that the request it is kept for finds it ready (opWarm). Close
// stops a warm-up under way at once rather than wait for its timeout.
func (r *Runner) warm(w *worker) error {
	req := request{ID: r.seq.Add(1), Op: "warm", MemLimit: r.memLimit()}
	payload, err := encodeRequest(req)
	if err != nil {
		w.kill()
		return err
	}
	r.mu.Lock()
	stop := r.stopping()
	r.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	res, err := r.exchange(ctx, w, req.ID, payload, false, time.Now().Add(r.timeout()))
	if err == nil && res.Error != nil {
		w.kill()
		err = res.Error.toError()
	}
	return err
}

// dropIdle stops w if it is still idle in the pool.
func (r *Runner) dropIdle(w *worker) {
	r.mu.Lock()
	found := false
	for i, x := range r.idle {
		if x == w {
			r.idle = append(r.idle[:i], r.idle[i+1:]...)
			found = true
			break
		}
	}
	r.mu.Unlock()
	if found {
		w.kill()
	}
}
