package main

import (
	"context"
	"errors"
)

// cmdPDFWorker runs one isolated PDF job (see docs/pdf); the server starts
// it as a subprocess, never a person.
func cmdPDFWorker(ctx context.Context, e env) error {
	_, _ = ctx, e
	return errors.New("pdf-worker: not wired yet")
}
