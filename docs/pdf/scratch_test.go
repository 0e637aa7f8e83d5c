package pdf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSweepScratch: the sweep removes the TMPDIRs that dead servers'
// workers left (their owner lock free, or no lock and older than the
// limit) and keeps a live worker's, however old, and anything else in
// the temporary directory.
func TestSweepScratch(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	r := poolRunner(t)
	live := whoServes(t, r)
	if filepath.Dir(live.Tmp) != tmp {
		t.Fatalf("the worker's TMPDIR %s is not in %s", live.Tmp, tmp)
	}
	longAgo := time.Now().Add(-48 * time.Hour)
	age := func(path string, at time.Time) {
		t.Helper()
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	age(live.Tmp, longAgo) // a pool worker idle for two days

	mk := func(name string, owner bool, at time.Time) string {
		t.Helper()
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
		if owner {
			if err := os.WriteFile(filepath.Join(dir, scratchOwner), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		age(dir, at)
		return dir
	}
	gone := []string{
		mk(scratchPrefix+"dead", true, time.Now().Add(-2*time.Minute)), // its server was killed
		mk(scratchPrefix+"oldbuild", false, time.Now().Add(-25*time.Hour)),
	}
	kept := []string{
		live.Tmp,
		mk(scratchPrefix+"justmade", true, time.Now()), // between making and locking
		mk(scratchPrefix+"nolock", false, time.Now().Add(-2*time.Hour)),
		mk("someone-else", false, longAgo),
	}

	n, err := SweepScratch(24 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(gone) {
		t.Errorf("removed %d directories, want %d", n, len(gone))
	}
	for _, d := range gone {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was left: %v", filepath.Base(d), err)
		}
	}
	for _, d := range kept {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(d), err)
		}
	}
	if again := whoServes(t, r); again.Pid != live.Pid || again.Tmp != live.Tmp {
		t.Errorf("the live worker %+v was replaced by %+v", live, again)
	}
}
