// Package pdf is the one place in Curia that reads or writes PDF files
// (with pdfcpu).
//
// pdfcpu can panic on hostile input in ways recover does not catch, loop,
// or allocate without bound, and it takes no deadline. So the server never
// calls it directly: a Runner runs PDF work in worker subprocesses, the
// same binary running the hidden `curia pdf-worker` subcommand, which
// calls ServeWorker. The worker reads JSON-line requests on stdin and
// answers each with one marked JSON line on stdout (worker.go); requests
// name files, so no document bytes cross the pipes.
//
// Uploads are inspected in one-shot workers: a fresh process per file,
// which exits after answering, so a hostile file cannot leave anything
// behind for the next one. Stamping and annotation export, which only
// touch documents the server has already accepted, run in a small pool
// of long-lived workers (pool.go) that serve requests one at a time and
// are recycled after Runner.Recycle requests, above Runner.RecycleRSS, or
// at once on any failure. Every worker, one-shot or long-lived, is
// bounded:
//
//   - time: Runner.Timeout per request, after which the worker's process
//     group is killed (KindTimeout);
//   - memory: Runner.MemLimit, as GOMEMLIMIT, an RSS check by the parent
//     and RLIMIT_AS (KindTooComplex);
//   - environment: a short allowlist, and a private TMPDIR removed when
//     the worker is gone;
//   - concurrency: Runner.Parallel operations at a time.
//
// A worker that crashes, is killed or answers garbage becomes a
// KindUnreadable error; the server carries on. Every error about a file
// is an *Error whose Reason can be shown to the uploader and whose Detail
// is for logs only.
//
// Wiring, in the server's main:
//
//	case "pdf-worker": // hidden subcommand
//		if err := pdf.ServeWorker(ctx, os.Stdin, os.Stdout); err != nil {
//			os.Exit(1)
//		}
//		os.Exit(0)
//
//	exe, _ := os.Executable()
//	runner := &pdf.Runner{Command: []string{exe, "pdf-worker"}}
//	defer runner.Close() // stops the long-lived workers
//	info, err := runner.Inspect(ctx, uploadedTempFile)
//
// For measurements, a worker started with CURIA_PDF_TRACE=<file> in
// Runner.Env appends the time of each phase of its requests to that file
// (trace.go).
//
// Reading is deliberately forgiving but never guesses: each document is
// tried with pdfcpu's relaxed validation, then without validation, then
// with its cross-reference table rebuilt from a scan of the file
// (rescan.go), and the first result whose page tree agrees with its
// /Count entries, and that validation did not change, is kept. A page's
// size and the boxes stamps and marks go on are read as pdf.js, the
// app's viewer, reads them (pagetree.go); a document of more than
// MaxPages pages is refused (KindTooComplex).
package pdf
