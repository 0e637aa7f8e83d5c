package pdf

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// addressSpaceSlack is added to MemLimit for RLIMIT_AS. A Go process
// reserves (but does not use) about 1.2 GiB of address space at start-up
// for its heap metadata, plus arena and thread-stack reservations as it
// runs; without this slack a worker could not even start. RSS, checked
// by the parent, is the precise limit; RLIMIT_AS is the backstop that
// stops one enormous allocation instantly.
const addressSpaceSlack = 2 << 30

// workerSysProcAttr puts the worker in its own process group, so that a
// kill reaches anything it started, and asks the kernel to kill it if the
// server dies first.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the worker's process group, then the worker itself in
// case it left the group.
func killGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	_ = p.Kill()
}

// limitAddressSpace sets RLIMIT_AS on the started worker, right after
// Start and before the request is written to it.
func limitAddressSpace(pid int, memLimit int64) error {
	if raceEnabled {
		return nil // the race detector's shadow memory cannot fit any useful limit
	}
	v := uint64(memLimit) + addressSpaceSlack
	err := unix.Prlimit(pid, unix.RLIMIT_AS, &unix.Rlimit{Cur: v, Max: v}, nil)
	if errors.Is(err, unix.ESRCH) {
		return nil // already exited (it has no request yet); Wait reports how
	}
	return err
}

// residentBytes returns the resident set size of pid from /proc.
func residentBytes(pid int) (int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

// maxRSS returns the peak resident set size of an exited worker, in
// bytes (Linux reports ru_maxrss in KiB).
func maxRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return 0
}

// sameChangeTime reports whether a and b have the same inode change time,
// which every write moves and which, unlike the modification time, cannot
// be set back.
func sameChangeTime(a, b os.FileInfo) bool {
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Ctim == sb.Ctim
}
