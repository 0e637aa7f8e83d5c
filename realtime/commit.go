package realtime

import (
	"context"
	"slices"
	"sync"
	"time"
)

// groupCommit turns concurrent Append calls into few transactions: while
// one transaction commits, the appends that arrive queue, and the next of
// them (the leader) writes them all, for every meeting, in one
// transaction. Fifty delegates drawing at once then cost a few commits a
// second instead of one fsync per stroke. There is no background
// goroutine: a waiting caller is handed the lead.
//
// Order: jobs are written in queue order; each meeting's records get
// consecutive seqs in that order; delivered runs after commit and before
// the next group is written, so a node delivers a meeting's events in seq
// order. Every caller returns once its records are stored and delivered
// (or failed): Publish still blocks until its events are durable.
type groupCommit struct {
	// write stores the groups in one transaction, giving them their seqs.
	// Groups are ordered by meeting id, so that two nodes lock meetings'
	// counters in the same order and never deadlock.
	write func(ctx context.Context, groups []appendGroup) error
	// delivered runs after a successful write (the local broker delivers).
	delivered func(groups []appendGroup)
	timeout   time.Duration // bound on one group's transaction

	mu    sync.Mutex
	queue []*appendJob
	busy  bool // a leader is writing
}

// appendJob is one Append call.
type appendJob struct {
	ctx       context.Context
	meetingID string
	recs      []record
	err       error
	done      chan struct{} // closed once written (or failed)
	lead      chan struct{} // closed when this job is to write the next group
}

// appendGroup is the records of one meeting in one transaction.
type appendGroup struct {
	meetingID string
	recs      []record
	jobs      []*appendJob
}

// maxGroupRecords bounds the records of one transaction.
const maxGroupRecords = 2000

// append stores recs (one meeting, in order) with group commit and sets
// their seqs.
func (g *groupCommit) append(ctx context.Context, meetingID string, recs []record) error {
	job := &appendJob{ctx: ctx, meetingID: meetingID, recs: recs, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, job)
	leader := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !leader {
		// Not cancellable: once queued, a job is written by some leader, and
		// the caller must learn whether it was.
		select {
		case <-job.done:
			return job.err
		case <-job.lead:
		}
	}
	g.mu.Lock()
	batch := g.take()
	g.mu.Unlock()
	g.commit(batch)
	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	<-job.done
	return job.err
}

// take removes the jobs of the next group from the queue (at least one).
func (g *groupCommit) take() []*appendJob {
	n, recs := 0, 0
	for n < len(g.queue) && (n == 0 || recs+len(g.queue[n].recs) <= maxGroupRecords) {
		recs += len(g.queue[n].recs)
		n++
	}
	batch := g.queue[:n:n]
	g.queue = append([]*appendJob(nil), g.queue[n:]...)
	return batch
}

// commit writes batch in one transaction. When that fails and there was
// more than one job, each job is written on its own, in order, with its
// own context, so that one caller's expired deadline never fails another.
func (g *groupCommit) commit(batch []*appendJob) {
	if len(batch) > 1 {
		ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
		groups := groupJobs(batch)
		err := g.write(ctx, groups)
		cancel()
		if err == nil {
			g.finish(groups)
			return
		}
	}
	for _, j := range batch {
		groups := groupJobs([]*appendJob{j})
		if j.err = g.write(j.ctx, groups); j.err == nil {
			g.finish(groups)
		} else {
			close(j.done)
		}
	}
}

// finish copies the seqs back to the callers' records, delivers, and
// releases the callers.
func (g *groupCommit) finish(groups []appendGroup) {
	for _, gr := range groups {
		i := 0
		for _, j := range gr.jobs {
			i += copy(j.recs, gr.recs[i:i+len(j.recs)])
		}
	}
	if g.delivered != nil {
		g.delivered(groups)
	}
	for _, gr := range groups {
		for _, j := range gr.jobs {
			close(j.done)
		}
	}
}

// groupJobs concatenates the jobs' records per meeting, in queue order,
// with the meetings sorted by id.
func groupJobs(batch []*appendJob) []appendGroup {
	index := map[string]int{}
	var groups []appendGroup
	for _, j := range batch {
		i, ok := index[j.meetingID]
		if !ok {
			i = len(groups)
			index[j.meetingID] = i
			groups = append(groups, appendGroup{meetingID: j.meetingID})
		}
		groups[i].recs = append(groups[i].recs, j.recs...)
		groups[i].jobs = append(groups[i].jobs, j)
	}
	slices.SortFunc(groups, func(a, b appendGroup) int {
		switch {
		case a.meetingID < b.meetingID:
			return -1
		case a.meetingID > b.meetingID:
			return 1
		}
		return 0
	})
	return groups
}
