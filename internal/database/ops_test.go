package database_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/testdb"
)

// TestSQLiteDataDirWithURICharacters: the SQLite database belongs at
// DataDir/curia.db whatever characters the directory's name holds. The DSN
// was built as "file:" + path + "?…" without escaping the path, so a '#'
// or '?' in it cut the file name short: with CURIA_DATA_DIR=/srv/a#b the
// database silently became the file /srv/a (outside the data directory,
// which holds only the blobs), and a '%' was decoded or refused.
func TestSQLiteDataDirWithURICharacters(t *testing.T) {
	for label, name := range map[string]string{"hash": "council#2026", "question": "what?now", "percent": "100%41done"} {
		t.Run(label, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, name)
			db, err := database.Open(context.Background(), database.Options{DataDir: dir})
			if err != nil {
				t.Fatalf("open SQLite in %q: %v", dir, err)
			}
			defer db.Close()
			if err := db.Migrate(context.Background(), step()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "curia.db")); err != nil {
				entries, _ := os.ReadDir(parent)
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("no curia.db in the data directory %q (%v); the parent directory holds %q", dir, err, names)
			}
		})
	}
}

// TestSQLiteOpenErrorNamesThePath: CURIA_DATABASE_URL=sqlite:PATH
// in a directory that does not exist (a typo, a volume not mounted) stops
// Curia with "open sqlite database: unable to open database file: out of
// memory (14)": nothing said which file, and "out of memory" sent the
// operator the wrong way (14 is SQLITE_CANTOPEN).
func TestSQLiteOpenErrorNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-mounted", "curia.db")
	db, err := database.Open(context.Background(), database.Options{URL: "sqlite:" + path})
	if err == nil {
		db.Close()
		t.Fatalf("opened %s in a directory that does not exist", path)
	}
	if !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "out of memory") {
		t.Fatalf("error %q: want the path %s named, and no \"out of memory\"", err, path)
	}
}

// TestSQLiteURLWithURICharacters: a sqlite: URL's file name is taken as
// written, '#', '?' and '%' included.
func TestSQLiteURLWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a#b?c%41d.db")
	db, err := database.Open(context.Background(), database.Options{URL: "sqlite:" + path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background(), step()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("no %s (%v); the directory holds %q", path, err, names)
	}
}

// TestMustExist: with MustExist, Open refuses a database that is not
// there yet (and makes nothing), and opens one that is.
func TestMustExist(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		u, dir := b.URL(t)
		if b.Name == "sqlite" {
			dir = filepath.Join(dir, "not-made")
			u = "" // the default place: DataDir/curia.db
		}
		_, err := database.Open(ctx, database.Options{URL: u, DataDir: dir, MustExist: true})
		if !errors.Is(err, database.ErrNoDatabase) {
			t.Fatalf("open a database that is not there: %v; want ErrNoDatabase", err)
		}
		if _, serr := os.Stat(dir); b.Name == "sqlite" && serr == nil {
			t.Fatalf("Open with MustExist made %s", dir)
		}
		db, err := database.Open(ctx, database.Options{URL: u, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx, step()); err != nil {
			t.Fatal(err)
		}
		_ = db.Close()
		db, err = database.Open(ctx, database.Options{URL: u, DataDir: dir, MustExist: true})
		if err != nil {
			t.Fatalf("open an existing database: %v", err)
		}
		_ = db.Close()
	})
}

// TestUniqueViolationIsNotLoggedAsError: a unique-constraint violation
// is a Conflict the services answer (409), not an error for the log; a
// real SQL error still is one.
func TestUniqueViolationIsNotLoggedAsError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		var buf bytes.Buffer
		u, dir := b.URL(t)
		db, err := database.Open(ctx, database.Options{URL: u, DataDir: dir, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx, step()); err != nil {
			t.Fatal(err)
		}
		if err := db.Gorm.Create(&mark{Writer: "w"}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Gorm.Create(&mark{Writer: "w"}).Error; !database.IsUniqueViolation(err) {
			t.Fatalf("second insert: %v; want a unique violation", err)
		}
		if strings.Contains(buf.String(), "level=ERROR") {
			t.Fatalf("a unique violation is logged as an error:\n%s", buf.String())
		}
		if err := db.Gorm.Exec("SELECT * FROM no_such_table WHERE secret = ?", "s3cret-value").Error; err == nil {
			t.Fatal("a query on a missing table succeeded")
		}
		if !strings.Contains(buf.String(), "level=ERROR") {
			t.Fatalf("a real SQL error is not logged:\n%s", buf.String())
		}
		if strings.Contains(buf.String(), "s3cret-value") {
			t.Fatalf("a bound value is logged:\n%s", buf.String())
		}
	})
}
