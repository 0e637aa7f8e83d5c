package pdf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// scratchPrefix starts the name of every worker's private TMPDIR, made in
// the server's temporary directory (os.TempDir).
const scratchPrefix = "curia-pdf-worker-"

// scratchOwner is the file in a worker's TMPDIR that the server holds
// locked (flock) for as long as the worker lives. The kernel lets the lock
// go when the server dies, however it dies, so a sweep can tell a
// directory in use (by this server or another on the same machine) from
// one left behind, whatever the age or the process ids.
const scratchOwner = ".curia-owner"

// scratchGrace is how young a directory is left alone whatever its lock
// says: the moment between making it and taking the lock.
const scratchGrace = time.Minute

// SweepScratch removes the private TMPDIRs of workers whose server was
// killed (SIGKILL, OOM, a power cut): a reaped worker's directory is
// removed by its server, but a server that dies has no chance to, and its
// workers die with it (Pdeathsig). A directory is removed when no live
// process holds its owner lock, or (made by an older build, or by a
// server killed before it took the lock) it has none and is older than
// olderThan. It returns how many it removed; errors are joined and the
// sweep goes on past them. Outside Unix, where the lock is not taken,
// only the age decides.
func SweepScratch(olderThan time.Duration) (int, error) {
	dir := os.TempDir()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	now := time.Now()
	var errs []error
	n := 0
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), scratchPrefix) {
			continue // never follow a link
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		age := now.Sub(info.ModTime())
		if age < scratchGrace {
			continue
		}
		path := filepath.Join(dir, e.Name())
		switch ownerAlive(path) {
		case ownerHeld:
			continue
		case ownerMissing:
			if age < olderThan {
				continue
			}
		}
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

type ownerState int

const (
	ownerGone    ownerState = iota // the lock file is there and nobody holds it
	ownerHeld                      // a live process holds it, or it cannot be told
	ownerMissing                   // no lock file
)
