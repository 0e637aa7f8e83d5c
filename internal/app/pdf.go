package app

import (
	"os"

	"github.com/curia/curia/docs/pdf"
)

// newPDFWorkers runs PDF work in subprocesses of this binary (curia
// pdf-worker), bounded in time and memory, so a hostile file cannot take
// the server down: uploads are inspected in a fresh process each, and the
// readers' stamped copies are made by a small pool of long-lived workers
// (pdf.DefaultPool, recycled every pdf.DefaultRecycle requests), stopped
// by Docs.Close.
func newPDFWorkers(cfg Config) *pdf.Runner {
	argv := cfg.WorkerCmd
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			exe = os.Args[0]
		}
		argv = []string{exe, "pdf-worker"}
	}
	return &pdf.Runner{Command: argv, Env: cfg.WorkerEnv}
}
