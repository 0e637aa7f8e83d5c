package audit_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/testdb"
)

// TestReviewAuditBatchOneBadEntryFailsOthers proves that the Batcher's
// group commit makes every entry of a group fail with the one entry that
// cannot be written (here a detail JSON cannot encode; on PostgreSQL also
// a value longer than its column): Record of a well-formed entry, queued
// by another request at the same moment, returns an error and its entry
// is not written, so that request (a document opened, an export) is
// refused with a 500 for someone else's entry. The writer should encode
// each entry before the batch (answering a bad one alone), or retry the
// rest of a failed group one by one.
func TestReviewAuditBatchOneBadEntryFailsOthers(t *testing.T) {
	db := testdb.Backends()[0].Open(t, audit.Migration())
	bt := audit.NewBatcher(db)
	defer bt.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Hold the write lock so that the writer is busy with a first entry
	// while the next two are queued together.
	tx := db.Gorm.Begin()
	if err := tx.Error; err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		first <- bt.Record(ctx, audit.Entry{Action: "document.opened", MeetingID: "m", Object: "document:first"})
	}()
	time.Sleep(200 * time.Millisecond)
	good, bad := make(chan error, 1), make(chan error, 1)
	go func() {
		good <- bt.Record(ctx, audit.Entry{Action: "document.opened", MeetingID: "m", Object: "document:good"})
	}()
	go func() {
		bad <- bt.Record(ctx, audit.Entry{Action: "x", MeetingID: "m", Object: "bad", Detail: map[string]any{"v": math.NaN()}})
	}()
	time.Sleep(200 * time.Millisecond)
	if err := tx.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatalf("first entry: %v", err)
	}
	<-bad
	if err := <-good; err != nil {
		t.Errorf("a well-formed entry queued beside an unwritable one was refused: %v", err)
	}
	got, err := audit.New(db).List(ctx, audit.Filter{Object: "document:good"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("the well-formed entry is not in the log (%d entries)", len(got))
	}
}

// TestBatchEntryTheDatabaseRefusesFailsAlone: when the database refuses
// one entry of a group (on PostgreSQL a value longer than its column;
// here on SQLite a trigger that refuses it), the group's transaction
// fails and the Batcher writes each of its entries in a transaction of
// its own: only the refused entry's Record fails, the others are written
// once each; an entry that cannot be encoded in the same group fails
// alone too.
func TestBatchEntryTheDatabaseRefusesFailsAlone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration())
		refused := "document:refused"
		if b.Name == "sqlite" {
			if err := db.Gorm.Exec(`CREATE TRIGGER audit_refuse BEFORE INSERT ON audit_log WHEN NEW.object = 'document:refused'
				BEGIN SELECT RAISE(ABORT, 'refused'); END`).Error; err != nil {
				t.Fatal(err)
			}
		} else {
			refused = "document:" + strings.Repeat("x", 200) // object is 128 at most
		}
		bt := audit.NewBatcher(db)
		defer bt.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()

		// As above: the writer is busy with a first entry while the
		// others are queued together.
		tx := db.Gorm.Begin()
		if err := tx.Error; err != nil {
			t.Fatal(err)
		}
		first := make(chan error, 1)
		go func() {
			first <- bt.Record(ctx, audit.Entry{Action: "document.opened", MeetingID: "m", Object: "document:first"})
		}()
		time.Sleep(200 * time.Millisecond)
		objects := []string{"document:good1", refused, "document:good2", "bad", "document:good3"}
		errs := make([]chan error, len(objects))
		for i, o := range objects {
			errs[i] = make(chan error, 1)
			e := audit.Entry{Action: "document.opened", MeetingID: "m", Object: o}
			if o == "bad" {
				e.Detail = map[string]any{"v": math.Inf(1)}
			}
			go func() { errs[i] <- bt.Record(ctx, e) }()
		}
		time.Sleep(200 * time.Millisecond)
		if err := tx.Rollback().Error; err != nil {
			t.Fatal(err)
		}
		if err := <-first; err != nil {
			t.Fatalf("first entry: %v", err)
		}
		log := audit.New(db)
		for i, o := range objects {
			err := <-errs[i]
			if fail := o == refused || o == "bad"; fail != (err != nil) {
				t.Errorf("%.40s: Record returned %v", o, err)
			}
			got, lerr := log.List(ctx, audit.Filter{Object: o})
			if lerr != nil {
				t.Fatal(lerr)
			}
			if want := map[bool]int{true: 1, false: 0}[err == nil]; len(got) != want {
				t.Errorf("%.40s: %d entries in the log, want %d", o, len(got), want)
			}
		}
	})
}
