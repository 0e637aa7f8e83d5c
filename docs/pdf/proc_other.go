//go:build !linux

package pdf

import (
	"os"
	"syscall"
)

// Outside Linux the worker still runs in a subprocess with a deadline and
// GOMEMLIMIT, but without a process group, RLIMIT_AS or RSS checks.
// Curia's servers run on Linux; this keeps the package building elsewhere.

func workerSysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process) { _ = p.Kill() }

func limitAddressSpace(int, int64) error { return nil }

func residentBytes(int) (int64, bool) { return 0, false }

func maxRSS(*os.ProcessState) int64 { return 0 }

// sameChangeTime is not known here: the size and modification time decide.
func sameChangeTime(a, b os.FileInfo) bool { return true }
