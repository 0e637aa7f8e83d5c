package docs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SweepTemp removes the temporary files that a node killed mid-request
// (OOM, SIGKILL, a power cut) left in the data directory: uploads being
// received (tmp/upload-*.pdf), annotated exports being made or sent
// (tmp/export-*.pdf) and watermarked copies being stamped
// (copies/*.pdf.tmp-*). A request removes its own files when it ends, so
// only a crash leaves them; but the data directory may be shared by
// several nodes, so a file is removed only when nothing has written it
// for olderThan (a day is far beyond any request in flight: a file still
// receiving bytes has a fresh modification time). It returns how many
// files it removed; errors (a file another node removed first is none)
// are joined, and the sweep goes on past them.
func (s *Service) SweepTemp(olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	n1, err1 := sweepDir(s.tmpDir, cutoff, func(name string) bool {
		return (strings.HasPrefix(name, "upload-") || strings.HasPrefix(name, "export-")) && strings.HasSuffix(name, ".pdf")
	})
	n2, err2 := sweepDir(s.marks.dir, cutoff, func(name string) bool {
		return strings.Contains(name, ".pdf.tmp-")
	})
	return n1 + n2, errors.Join(err1, err2)
}

// sweepDir removes the regular files directly in dir whose names match
// and that were last modified before cutoff. A missing dir holds nothing.
func sweepDir(dir string, cutoff time.Time, match func(string) bool) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var errs []error
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !match(e.Name()) {
			continue // never follow a link, never touch a directory
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !info.ModTime().Before(cutoff) {
			continue // may belong to a request in flight, here or on another node
		}
		switch err := os.Remove(filepath.Join(dir, e.Name())); {
		case err == nil:
			n++
		case !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}
