package main

import (
	"context"

	"github.com/curia/curia/docs/pdf"
)

// cmdPDFWorker runs one isolated PDF job (see docs/pdf): the server starts
// it as a subprocess with the job on standard input, never a person.
func cmdPDFWorker(ctx context.Context, e env) error {
	return pdf.ServeWorker(ctx, e.stdin, e.stdout)
}
