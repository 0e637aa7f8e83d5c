//go:build unix

package pdf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lockScratch creates the owner file in a worker's TMPDIR and holds it
// locked until the returned file is closed (after the directory is
// removed) or the process dies.
func lockScratch(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, scratchOwner), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ownerAlive tells whether a process holds dir's owner lock.
func ownerAlive(dir string) ownerState {
	f, err := os.Open(filepath.Join(dir, scratchOwner))
	if errors.Is(err, fs.ErrNotExist) {
		return ownerMissing
	}
	if err != nil {
		return ownerHeld // cannot be told: leave it
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); err != nil {
		return ownerHeld
	}
	return ownerGone // released when f closes
}
