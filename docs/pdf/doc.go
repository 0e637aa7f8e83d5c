// Package pdf is the one place in Curia that reads or writes PDF files
// (with pdfcpu).
//
// pdfcpu can panic on hostile input in ways recover does not catch, loop,
// or allocate without bound, and it takes no deadline. So the server never
// calls it directly: a Runner starts a worker subprocess per operation,
// the same binary running the hidden `curia pdf-worker` subcommand, which
// calls ServeWorker. The worker gets one JSON request on stdin and answers
// with one JSON response on stdout; requests name files, so no document
// bytes cross the pipes. The Runner bounds each worker:
//
//   - time: Runner.Timeout, after which the worker's process group is
//     killed (KindTimeout);
//   - memory: Runner.MemLimit, as GOMEMLIMIT, an RSS check by the parent
//     and RLIMIT_AS (KindTooComplex);
//   - concurrency: Runner.Parallel workers at a time.
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
//	info, err := runner.Inspect(ctx, uploadedTempFile)
//
// Reading is deliberately forgiving but never guesses: each document is
// tried with pdfcpu's relaxed validation, then without validation, then
// with its cross-reference table rebuilt from a scan of the file
// (rescan.go), and the first result whose page tree agrees with its
// /Count is kept (pagetree.go).
package pdf
