package vote

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/curia/curia/internal/apperr"
)

// Timeouts of the writer: how long a vote may wait for room in the queue,
// and how long one transaction may take.
const (
	queueWait   = 10 * time.Second
	batchWithin = 20 * time.Second
)

// writer records votes with group commit: one goroutine takes the first
// queued vote and every vote queued behind it (up to max), writes them in
// one transaction, and then answers each. Under load the queue fills while
// a commit's fsync runs, so a thousand votes cost a handful of commits
// instead of a thousand; alone, a vote is written at once.
//
// Poll changes (create, open, close, cancel …) go through the same queue
// as jobs, between batches. On SQLite a close would otherwise wait for the
// write lock with backoff while the writer takes it again batch after
// batch; in the queue it simply takes its turn. On PostgreSQL the row
// locks order them too, so several nodes stay correct.
type writer struct {
	store    *pinnedStore // used by the writer goroutine only
	max      int
	log      *slog.Logger
	recorded func(pollID, meetingID string) // after a commit, per poll with new votes; must not block

	queue chan *queued
	mu    sync.RWMutex // held shared to enqueue, exclusive to close
	shut  bool
	done  chan struct{}
}

// queued is a vote (req) or a job waiting for the writer.
type queued struct {
	req    castRequest
	job    func(ctx context.Context, st *store) error
	result chan error // buffered: the writer never waits for the asker
}

func newWriter(st *pinnedStore, max int, log *slog.Logger, recorded func(pollID, meetingID string)) *writer {
	w := &writer{store: st, max: max, log: log, recorded: recorded, queue: make(chan *queued, 4*max), done: make(chan struct{})}
	go w.run()
	return w
}

// submit queues a vote and waits until it is committed or refused. Its
// error is nil only for a vote that is durably recorded.
func (w *writer) submit(ctx context.Context, req castRequest) error {
	return w.wait(ctx, &queued{req: req, result: make(chan error, 1)})
}

// do runs job in the writer's turn, on its connection, and returns its error.
func (w *writer) do(ctx context.Context, job func(ctx context.Context, st *store) error) error {
	return w.wait(ctx, &queued{job: job, result: make(chan error, 1)})
}

func (w *writer) wait(ctx context.Context, q *queued) error {
	if err := w.enqueue(ctx, q); err != nil {
		return err
	}
	select {
	case err := <-q.result:
		return err
	case <-ctx.Done():
		// The caller is gone; the change may still be made, and a retry
		// then finds it made (a second vote is refused, a close is a no-op).
		return apperr.New(apperr.Unavailable, "the request ended before its change was confirmed; check whether it was made")
	}
}

func (w *writer) enqueue(ctx context.Context, q *queued) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.shut {
		return apperr.New(apperr.Unavailable, "the server is shutting down; try again in a moment")
	}
	t := time.NewTimer(queueWait)
	defer t.Stop()
	select {
	case w.queue <- q:
		return nil
	case <-t.C:
		return apperr.New(apperr.Unavailable, "too many votes at once; try again in a moment")
	case <-ctx.Done():
		return apperr.New(apperr.Unavailable, "the request ended before it was queued")
	}
}

// run writes batches and runs jobs, in queue order, until the queue is
// closed and empty.
func (w *writer) run() {
	defer close(w.done)
	defer w.store.release()
	var next *queued
	for {
		first := next
		if first == nil {
			var ok bool
			if first, ok = <-w.queue; !ok {
				return
			}
		}
		if first.job != nil {
			w.runJob(first)
			next = nil
			continue
		}
		var batch []*queued
		batch, next = w.gather(first)
		w.write(batch)
	}
}

// gather takes the votes queued behind first, without waiting for more,
// up to max; it stops at a job and returns it as next.
func (w *writer) gather(first *queued) (batch []*queued, next *queued) {
	batch = []*queued{first}
	for len(batch) < w.max {
		select {
		case q, ok := <-w.queue:
			if !ok {
				return batch, nil
			}
			if q.job != nil {
				return batch, q
			}
			batch = append(batch, q)
		default:
			return batch, nil
		}
	}
	return batch, nil
}

func (w *writer) runJob(q *queued) {
	ctx, cancel := context.WithTimeout(context.Background(), batchWithin)
	defer cancel()
	q.result <- w.store.do(ctx, q.job)
}

// write commits a batch. Should the batch fail as a whole, each vote is
// tried again alone, so that one vote cannot sink the others.
func (w *writer) write(batch []*queued) {
	reqs := make([]castRequest, len(batch))
	for i, q := range batch {
		reqs[i] = q.req
	}
	res, err := w.commit(reqs)
	if err != nil && len(batch) > 1 {
		w.log.Error("vote batch failed; writing its votes one by one", "votes", len(batch), "err", err)
		for _, q := range batch {
			w.write([]*queued{q})
		}
		return
	}
	for i, q := range batch {
		if err != nil {
			q.result <- err
			continue
		}
		q.result <- res[i]
	}
	if err == nil {
		w.announce(reqs, res)
	}
}

func (w *writer) commit(reqs []castRequest) ([]error, error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchWithin)
	defer cancel()
	var res []error
	err := w.store.do(ctx, func(ctx context.Context, st *store) error {
		var err error
		res, err = st.castBatch(ctx, reqs)
		return err
	})
	return res, err
}

// announce tells, once per poll, that it has new votes.
func (w *writer) announce(reqs []castRequest, res []error) {
	seen := map[string]bool{}
	for i, r := range reqs {
		if res[i] == nil && !seen[r.PollID] {
			seen[r.PollID] = true
			w.recorded(r.PollID, r.MeetingID)
		}
	}
}

// close stops taking votes and jobs, finishes those already queued, and
// returns when the last one is answered.
func (w *writer) close() {
	w.mu.Lock()
	if !w.shut {
		w.shut = true
		close(w.queue)
	}
	w.mu.Unlock()
	<-w.done
}
