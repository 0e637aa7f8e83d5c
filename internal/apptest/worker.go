package apptest

import (
	"context"
	"os"
	"testing"

	"github.com/curia/curia/docs/pdf"
)

// workerEnv makes a test binary act as Curia's PDF worker: the servers a
// test starts run PDF work in subprocesses of the test binary itself.
const workerEnv = "CURIA_PDF_WORKER"

// mainEnv tells Start that the package's TestMain went through Main.
const mainEnv = "CURIA_APPTEST_MAIN"

// Main is the TestMain of a package whose tests upload PDFs:
//
//	func TestMain(m *testing.M) { apptest.Main(m) }
//
// It runs the tests, or, when started as a PDF worker, one PDF job.
func Main(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := pdf.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Setenv(mainEnv, "1")
	os.Exit(m.Run())
}

// WorkerCommand is how a test server starts PDF workers: the test binary
// in worker mode, or — without Main — a command that fails, so a test
// that forgot Main gets clear errors instead of running itself again.
func WorkerCommand() (argv, env []string) {
	exe, err := os.Executable()
	if err != nil || os.Getenv(mainEnv) != "1" {
		return []string{"/bin/false"}, nil
	}
	return []string{exe}, []string{workerEnv + "=1"}
}
