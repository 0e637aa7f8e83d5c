package docs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/priority"
	"github.com/curia/curia/internal/web"
)

// annotationCommits writes concurrent annotation creates with group
// commit: while one batch is written and announced, the creates that
// arrive queue, and the next of them writes them all in one transaction
// and announces them in one event per document and audience
// (Service.announceCreated). Fifty delegates drawing at once then cost a
// few dozen transactions and live messages a second, not one of each per
// stroke. There is no background goroutine: a waiting request is handed
// the lead. The zero value is ready.
//
// A batch keeps the lead until it is announced, not only written. When
// the next batch could be written while the previous one was still being
// announced, writing (a millisecond) outran announcing (a live message to
// every tablet): batches of one stroke each were written at once, their
// announcements queued behind one another, and strokes waited up to
// 300 ms for their turn (measured with 50 delegates drawing for 550
// tablets). Holding the lead makes a batch take everything that arrived
// while the one before it was written and announced, so the batches grow
// with the load instead of the queue of announcements.
//
// A batch starts no sooner than gatherWindow after the previous one
// started, so that the strokes of that window go out together: however
// many delegates draw, a room gets at most one message of strokes per
// window. A create that comes after a quiet window goes at once.
type annotationCommits struct {
	mu        sync.Mutex
	queue     []*createJob
	busy      bool      // a leader is writing or announcing
	lastStart time.Time // when the previous batch was taken
	// gate, when set (by tests), runs once before a leader takes a batch.
	gate func(queued func() int)
	// reads caches what Annotate reads before it queues (annotation_cache.go).
	reads annotateReads
	// urgent is the node's urgent work in flight (page turns): a batch
	// waits for it, at most StrokeYield, before it is written and again
	// before it is announced.
	urgent *priority.Gate
}

// StrokeYield is the longest a batch of strokes waits for a page turn in
// flight, before its write and before its announcement. A page turn is
// stored and handed to the hub within a few milliseconds; while 50
// delegates draw, letting it go first brought the page turns' p99 at the
// tablets' sockets from 1.26-1.56 x to 0.96-1.48 x of the quiet value,
// and the strokes' p99 stayed at 49 ms (realtime/BENCHMARKS.md).
const StrokeYield = 10 * time.Millisecond

// gatherWindow is the least time between two batches. Each batch is a
// live message to every tablet of the room, and what a message costs the
// server (a write to each socket, a wake-up of each writer) hardly
// depends on its size: at 500 strokes a second for 550 tablets, a window
// of 20 ms (ten strokes a message) kept the server at 63-73 % of a core,
// 40 ms (twenty strokes) at 51-56 %, and page turns meanwhile reach the
// tablets sooner. A stroke waits 20 ms more on average before the others
// see it, which nobody watching a pen notices (realtime/BENCHMARKS.md).
const gatherWindow = 40 * time.Millisecond

// createJob is one request's rows and how to judge those that exist.
type createJob struct {
	actor    web.Actor // who asked: checked again when the rows are written
	shared   bool      // some of the rows are shared
	rows     []annotationRow
	entry    func(annotationRow) *audit.Entry
	check    func(existing map[string]annotationRow) error
	doc      documentRow // the document of every row, as the request read it
	existing map[string]annotationRow
	fresh    []annotationRow // created by this job, in its order
	err      error
	done     chan struct{} // closed once written and announced (or refused)
	lead     chan struct{} // closed when this job is to write the next batch
}

// maxCommitRows bounds the rows of one group's INSERT (13 columns each:
// far below both databases' limits on statement parameters).
const maxCommitRows = 1000

// insert writes the job's rows as insertAnnotations does, with group
// commit, has announce publish the new rows of the whole batch, and
// returns the rows that existed before, once they are announced. Batches
// are written and announced one at a time, in the order they were taken.
func (g *annotationCommits) insert(ctx context.Context, st *store, job *createJob, announce func(ctx context.Context, batch []*createJob)) (map[string]annotationRow, error) {
	job.done, job.lead = make(chan struct{}), make(chan struct{})
	g.mu.Lock()
	g.queue = append(g.queue, job)
	leader := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !leader {
		select {
		case <-job.done:
			return job.existing, job.err
		case <-job.lead:
		}
	}
	g.gather()
	g.mu.Lock()
	if gate := g.gate; gate != nil {
		g.gate = nil
		g.mu.Unlock()
		gate(func() int { g.mu.Lock(); defer g.mu.Unlock(); return len(g.queue) })
		g.mu.Lock()
	}
	g.mu.Unlock()
	g.urgent.Wait(StrokeYield) // a page turn in flight goes first
	g.mu.Lock()
	batch := g.take()
	g.lastStart = time.Now()
	g.mu.Unlock()
	wctx := context.WithoutCancel(ctx) // others wait on this batch: one request's end must not fail it
	func() {
		// However the batch ends (a panic in the announcement included),
		// its requests are answered and the lead passes on.
		defer func() {
			for _, j := range batch {
				close(j.done)
			}
			g.mu.Lock()
			if len(g.queue) > 0 {
				close(g.queue[0].lead)
			} else {
				g.busy = false
			}
			g.mu.Unlock()
		}()
		commitSafely(wctx, st, batch)
		g.urgent.Wait(StrokeYield)
		announce(wctx, batch)
	}()
	return job.existing, job.err
}

// commitSafely writes a batch; should the write panic, every request of
// the batch gets an error (nothing of it was committed) and the lead still
// passes on.
func commitSafely(ctx context.Context, st *store, batch []*createJob) {
	defer func() {
		if p := recover(); p != nil {
			for _, j := range batch {
				j.fresh, j.err = nil, apperr.Internalf(fmt.Errorf("panic: %v", p), "write annotations")
			}
		}
	}()
	st.commitGroup(ctx, batch)
}

// gather waits, as a leader, until the window since the previous batch
// started has passed.
func (g *annotationCommits) gather() {
	g.mu.Lock()
	wait := time.Until(g.lastStart.Add(gatherWindow))
	g.mu.Unlock()
	if wait > 0 {
		time.Sleep(wait)
	}
}

// take removes the jobs of the next batch from the queue (at least one).
func (g *annotationCommits) take() []*createJob {
	n, rows := 0, 0
	for n < len(g.queue) && (n == 0 || rows+len(g.queue[n].rows) <= maxCommitRows) {
		rows += len(g.queue[n].rows)
		n++
	}
	batch := g.queue[:n:n]
	g.queue = append([]*createJob(nil), g.queue[n:]...)
	return batch
}

// errGroupReplayed rolls back a group in which some row exists already.
var errGroupReplayed = errors.New("a group holds replayed annotations")

// commitGroup writes all jobs' rows in one INSERT and transaction when
// they are all new, the usual case; otherwise, or when anything fails,
// each job is written on its own, so one request's replay or error never
// becomes another's. It sets each job's outcome and fresh rows; the
// caller announces them and releases the jobs.
func (s *store) commitGroup(ctx context.Context, batch []*createJob) {
	var refused []error // by job, on the second look (stillAllowed)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if refused, err = s.stillAllowed(tx, batch); err != nil {
			return err
		}
		rowsOf := make([][]annotationRow, len(batch))
		for i, j := range batch {
			rowsOf[i] = j.rows // all new, or the group is rolled back (errGroupReplayed)
		}
		if err := s.withinLimits(tx, batch, rowsOf, refused); err != nil {
			return err
		}
		var allowed []*createJob
		var rows []annotationRow
		for i, j := range batch {
			if refused[i] == nil {
				allowed = append(allowed, j)
				rows = append(rows, j.rows...)
			}
		}
		if len(rows) == 0 {
			return nil
		}
		res := tx.Omit("Document").Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != int64(len(rows)) {
			return errGroupReplayed
		}
		var es []audit.Entry // the whole group's, in one multi-row insert
		for _, j := range allowed {
			for _, r := range j.rows {
				if e := j.entry(r); e != nil {
					es = append(es, *e)
				}
			}
		}
		if len(es) == 0 {
			return nil
		}
		return audit.WriteMany(tx, es)
	})
	for i, j := range batch {
		switch {
		case refused != nil && refused[i] != nil: // unless it is a replay, which writes nothing (nor passes a limit)
			j.existing, j.err = s.insertCarefully(ctx, j)
		case err == nil:
		case len(batch) > 1:
			j.existing, j.err = s.insertAnnotations(ctx, j)
		case errors.Is(err, errGroupReplayed):
			j.existing, j.err = s.insertCarefully(ctx, j)
		default:
			j.err = internal(err)
		}
		if j.err != nil {
			continue
		}
		for _, r := range j.rows {
			if _, ok := j.existing[r.ID]; !ok {
				j.fresh = append(j.fresh, r)
			}
		}
	}
}
