package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// baseline times n simultaneous inserts through a bare group-commit
// writer: one goroutine writes whatever is queued (up to 500 rows) in one
// transaction and acknowledges each row after the commit. No HTTP, no
// session, no rules: the floor under the vote path on this database.
func baseline(ctx context.Context, db *gorm.DB, n int) (timings, error) {
	if err := db.Exec("CREATE TABLE IF NOT EXISTS votebench_rows (id VARCHAR(32) PRIMARY KEY, v INTEGER NOT NULL)").Error; err != nil {
		return timings{}, err
	}
	type row struct {
		id   string
		done chan error
	}
	queue := make(chan row, n)
	go func() {
		for first := range queue {
			batch := []row{first}
			for more := true; more && len(batch) < 500; {
				select {
				case r := <-queue:
					batch = append(batch, r)
				default:
					more = false
				}
			}
			err := insertRows(ctx, db, batch, func(r row) string { return r.id })
			for _, r := range batch {
				r.done <- err
			}
		}
	}()
	defer close(queue)
	tag := fmt.Sprint(time.Now().UnixNano())
	return measure(n, func(i int) error {
		r := row{id: fmt.Sprintf("%s-%d", tag, i), done: make(chan error, 1)}
		queue <- r
		select {
		case err := <-r.done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

func insertRows[T any](ctx context.Context, db *gorm.DB, batch []T, id func(T) string) error {
	var sql strings.Builder
	args := make([]any, 0, len(batch))
	sql.WriteString("INSERT INTO votebench_rows (id, v) VALUES ")
	for i, r := range batch {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?, 1)")
		args = append(args, id(r))
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return tx.Exec(sql.String(), args...).Error })
}

// measure starts n calls of fn at the same moment and times each from
// that moment to its return.
func measure(n int, fn func(i int) error) (timings, error) {
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			errs[i] = fn(i)
			lat[i] = time.Since(t0)
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	t := newTimings(lat, time.Since(began))
	for _, err := range errs {
		if err != nil {
			return t, err
		}
	}
	return t, nil
}
