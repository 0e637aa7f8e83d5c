package main

import (
	"context"

	"github.com/curia/curia/docs/pdf"
)

// cmdPDFWorker runs isolated PDF jobs (see docs/pdf): the server starts it
// as a subprocess and sends its jobs on standard input, one JSON line each
// (one job for an upload's inspection, many for a long-lived worker that
// stamps readers' copies), never a person.
func cmdPDFWorker(ctx context.Context, e env) error {
	return pdf.ServeWorker(ctx, e.stdin, e.stdout)
}
