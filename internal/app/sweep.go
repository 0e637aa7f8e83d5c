package app

import (
	"context"
	"time"

	"github.com/curia/curia/docs/pdf"
)

// tempMaxAge is how long a temporary file in the data directory may go
// unwritten before it is taken for one a crashed node left behind. The
// data directory may be shared by several nodes: nothing younger is
// touched, whatever node it belongs to.
const tempMaxAge = 24 * time.Hour

// sweepEvery is how often a running node looks again: a node that
// crashed and restarted at once finds its leftovers still young, so the
// start alone would keep them until the next restart.
const sweepEvery = 6 * time.Hour

// sweepTemp removes, at start and then every sweepEvery until ctx ends,
// the temporary files a crashed node left in the data directory, and the
// private TMPDIRs its PDF workers left in the machine's (pdf.SweepScratch).
func (a *App) sweepTemp(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		n, err := a.Docs.SweepTemp(tempMaxAge)
		if err != nil {
			a.Log.Warn("remove stale temporary files", "err", err, "removed", n)
		} else if n > 0 {
			a.Log.Info("removed stale temporary files left by an interrupted request", "count", n, "older_than", tempMaxAge.String())
		}
		if n, err := pdf.SweepScratch(tempMaxAge); err != nil {
			a.Log.Warn("remove PDF workers' stale temporary directories", "err", err, "removed", n)
		} else if n > 0 {
			a.Log.Info("removed PDF workers' temporary directories left by a stopped server", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
