// Package testdb gives tests a fresh, migrated database on every backend
// Curia supports: SQLite always, and PostgreSQL when CURIA_TEST_POSTGRES
// holds a postgres:// URL. One suite, two backends.
package testdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/ids"
)

// Backend names a database engine a test runs on.
type Backend struct {
	Name string // "sqlite" or "postgres"
	url  string // base URL for PostgreSQL
}

// Backends returns the backends to test: SQLite, and PostgreSQL when
// configured.
func Backends() []Backend {
	bs := []Backend{{Name: "sqlite"}}
	if u := os.Getenv("CURIA_TEST_POSTGRES"); u != "" {
		bs = append(bs, Backend{Name: "postgres", url: u})
	}
	return bs
}

// Each runs fn as a subtest once per backend.
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// URL returns a database URL for a new, empty database on b that is
// removed when the test ends, and the data directory to go with it.
func (b Backend) URL(tb testing.TB) (dbURL, dataDir string) {
	tb.Helper()
	dataDir = tb.TempDir()
	if b.Name == "sqlite" {
		return "sqlite:" + filepath.Join(dataDir, "curia.db"), dataDir
	}
	schema := "t_" + ids.New()
	admin, err := gorm.Open(postgres.Open(b.url), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("connect to CURIA_TEST_POSTGRES: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if sqlDB, err := admin.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	sep := "?"
	if strings.Contains(b.url, "?") {
		sep = "&"
	}
	return b.url + sep + "search_path=" + schema, dataDir
}

// Open returns an open database on b, migrated with steps, closed when the
// test ends.
func (b Backend) Open(tb testing.TB, steps ...database.Step) *database.DB {
	tb.Helper()
	u, dir := b.URL(tb)
	db, err := database.Open(context.Background(), database.Options{URL: u, DataDir: dir})
	if err != nil {
		tb.Fatalf("open %s: %v", b.Name, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(context.Background(), steps...); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}
