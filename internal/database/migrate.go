package database

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Step is one package's part of the schema. Steps are idempotent: they run
// on every start (gorm's AutoMigrate plus any extra indexes) so a node that
// starts against an older schema brings it up to date.
type Step struct {
	Name string
	Run  func(tx *gorm.DB) error
}

// migrationLockKey is the PostgreSQL advisory lock that serialises
// migrations when several nodes start at once.
const migrationLockKey = 0x43555249 // "CURI"

type schemaRun struct {
	Name  string `gorm:"primaryKey;size:100"`
	RanAt time.Time
}

func (schemaRun) TableName() string { return "schema_runs" }

// Migrate runs every step in one transaction. On PostgreSQL a transaction
// advisory lock makes concurrent nodes wait for each other; on SQLite the
// immediate transaction does the same.
func (db *DB) Migrate(ctx context.Context, steps ...Step) error {
	return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if db.Dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error; err != nil {
				return fmt.Errorf("migration lock: %w", err)
			}
		}
		if err := tx.AutoMigrate(&schemaRun{}); err != nil {
			return fmt.Errorf("migrate schema_runs: %w", err)
		}
		for _, s := range steps {
			if err := s.Run(tx); err != nil {
				return fmt.Errorf("migrate %s: %w", s.Name, err)
			}
			run := schemaRun{Name: s.Name, RanAt: time.Now().UTC()}
			if err := tx.Save(&run).Error; err != nil {
				return fmt.Errorf("record migration %s: %w", s.Name, err)
			}
		}
		return nil
	})
}
