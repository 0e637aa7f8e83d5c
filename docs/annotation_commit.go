package docs

import (
	"context"
	"errors"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
)

// annotationCommits writes concurrent annotation creates with group
// commit: while one transaction commits, the creates that arrive queue,
// and the next of them writes them all in one transaction. Fifty
// delegates drawing at once then cost a few fsyncs a second, not one per
// stroke. There is no background goroutine: a waiting request is handed
// the lead. The zero value is ready.
type annotationCommits struct {
	mu    sync.Mutex
	queue []*createJob
	busy  bool // a leader is writing
}

// createJob is one request's rows and how to judge those that exist.
type createJob struct {
	rows     []annotationRow
	entry    func(annotationRow) *audit.Entry
	check    func(existing map[string]annotationRow) error
	existing map[string]annotationRow
	err      error
	done     chan struct{} // closed once written (or refused)
	lead     chan struct{} // closed when this job is to write the next batch
}

// maxCommitRows bounds the rows of one group's INSERT (13 columns each:
// far below both databases' limits on statement parameters).
const maxCommitRows = 1000

// insert writes the job's rows as insertAnnotations does, with group
// commit, and returns the rows that existed before.
func (g *annotationCommits) insert(ctx context.Context, st *store, job *createJob) (map[string]annotationRow, error) {
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
	g.mu.Lock()
	batch := g.take()
	g.mu.Unlock()
	st.commitGroup(context.WithoutCancel(ctx), batch) // others wait on this batch: one request's end must not fail it
	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	<-job.done
	return job.existing, job.err
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
// becomes another's.
func (s *store) commitGroup(ctx context.Context, batch []*createJob) {
	var rows []annotationRow
	for _, j := range batch {
		rows = append(rows, j.rows...)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Omit("Document").Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != int64(len(rows)) {
			return errGroupReplayed
		}
		var es []audit.Entry // the whole group's, in one multi-row insert
		for _, j := range batch {
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
	for _, j := range batch {
		switch {
		case err == nil:
		case len(batch) > 1:
			j.existing, j.err = s.insertAnnotations(ctx, j.rows, j.entry, j.check)
		case errors.Is(err, errGroupReplayed):
			j.existing, j.err = s.insertCarefully(ctx, j.rows, j.entry, j.check)
		default:
			j.err = internal(err)
		}
		close(j.done)
	}
}
