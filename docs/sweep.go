package docs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
// receiving bytes has a fresh modification time). It also removes the
// finished watermarked copies of document versions that no longer exist
// (sweepCopies). It returns how many files it removed; errors (a file
// another node removed first is none) are joined, and the sweep goes on
// past them.
func (s *Service) SweepTemp(olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	n1, err1 := sweepDir(s.tmpDir, cutoff, func(name string) bool {
		return (strings.HasPrefix(name, "upload-") || strings.HasPrefix(name, "export-")) && strings.HasSuffix(name, ".pdf")
	})
	n2, err2 := sweepDir(s.marks.dir, cutoff, func(name string) bool {
		return strings.Contains(name, ".pdf.tmp-")
	})
	n3, err3 := s.sweepCopies(context.Background())
	return n1 + n2 + n3, errors.Join(err1, err2, err3)
}

// sweepBatch is how many copy ids one query of sweepCopies looks up.
const sweepBatch = 500

// sweepCopies removes the finished watermarked copies (copies/ID.pdf)
// whose document version no longer exists: copies that a document's
// delete could not find because they were still being stamped, on a node
// that died before its stamp removed them again (stamp), and any other
// leftover of a deleted document. It costs one directory listing and one
// indexed query per sweepBatch copies, once a day.
//
// It is safe with several nodes sharing the data directory, with no age
// limit, because the copy row is written (copyFor) before its file is
// stamped, names its version for good, and a version goes only with its
// document and never comes back (ids are not reused): a copy whose
// version row is gone can never be served again, by any node, and a node
// still stamping it removes it itself (a removal that finds it gone is no
// error). A file with no copy row in this database (one the sweep cannot
// vouch for, e.g. with a database restored from a backup) is left alone.
func (s *Service) sweepCopies(ctx context.Context) (int, error) {
	entries, err := os.ReadDir(s.marks.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var ids []string
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".pdf")
		if ok && e.Type().IsRegular() && id != "" && !strings.ContainsAny(id, ".") {
			ids = append(ids, id) // never a link, a directory or a copy being stamped (.pdf.tmp-…)
		}
	}
	var errs []error
	n := 0
	for chunk := range slices.Chunk(ids, sweepBatch) {
		gone, err := s.store.copiesWithoutVersion(ctx, chunk)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, id := range gone {
			switch err := os.Remove(filepath.Join(s.marks.dir, id+".pdf")); {
			case err == nil:
				n++
			case !errors.Is(err, fs.ErrNotExist):
				errs = append(errs, err)
			}
		}
	}
	return n, errors.Join(errs...)
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
