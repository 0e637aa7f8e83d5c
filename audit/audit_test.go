package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/testdb"
)

// WriteMany keeps every field and the order of the entries, across the
// statements it splits them into.
func TestWriteManyKeepsEntriesInOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration())
		ctx := context.Background()
		at := time.Date(2026, 11, 26, 8, 30, 0, 123456000, time.UTC)
		const n = 333 // more than two statements' worth
		es := make([]audit.Entry, n)
		for i := range es {
			es[i] = audit.Entry{At: at.Add(time.Duration(i) * time.Millisecond), ActorID: fmt.Sprintf("u%03d", i), Action: "vote.cast",
				Object: "poll:p1", MeetingID: "m1", ClientIP: "192.0.2.7"}
			if i%2 == 0 {
				es[i].Detail = map[string]any{"copy": fmt.Sprintf("c%d", i), "ghi chú": "Đồng ý"}
			}
		}
		err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return audit.WriteMany(tx, es) })
		if err != nil {
			t.Fatal(err)
		}
		got, err := audit.New(db).List(ctx, audit.Filter{MeetingID: "m1", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("%d entries read back, want %d", len(got), n)
		}
		for j, e := range got { // newest (highest id) first
			want := es[n-1-j]
			if e.ActorID != want.ActorID || e.Action != want.Action || e.Object != want.Object || e.ClientIP != want.ClientIP ||
				!e.At.Equal(want.At) || fmt.Sprint(e.Detail) != fmt.Sprint(want.Detail) {
				t.Fatalf("entry %d = %+v, want %+v", j, e, want)
			}
		}
	})
}

// A failing WriteMany leaves its transaction to roll back: nothing of it stays.
func TestWriteManyInAFailedTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration())
		ctx := context.Background()
		err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := audit.WriteMany(tx, []audit.Entry{{Action: "a", MeetingID: "m2"}, {Action: "b", MeetingID: "m2"}}); err != nil {
				return err
			}
			return fmt.Errorf("the change failed")
		})
		if err == nil {
			t.Fatal("transaction did not fail")
		}
		got, err := audit.New(db).List(ctx, audit.Filter{MeetingID: "m2"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Fatalf("%d entries of a rolled-back transaction remain", len(got))
		}
	})
}

func TestBatcherRecordsEveryEntryOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration())
		bt := audit.NewBatcher(db)
		ctx := context.Background()
		const n = 300
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if err := bt.Record(ctx, audit.Entry{Action: "document.opened", MeetingID: "m3", Object: fmt.Sprint("doc:", i)}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		bt.Close()
		got, err := audit.New(db).List(ctx, audit.Filter{MeetingID: "m3", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range got {
			if seen[e.Object] {
				t.Errorf("%s recorded twice", e.Object)
			}
			seen[e.Object] = true
		}
		if len(seen) != n {
			t.Fatalf("%d distinct entries, want %d", len(seen), n)
		}
		late, cancel := context.WithTimeout(ctx, 5*time.Second) // a regression fails, not hangs
		defer cancel()
		if err := bt.Record(late, audit.Entry{Action: "late"}); err == nil || late.Err() != nil {
			t.Errorf("Record after Close: %v (it must be refused at once)", err)
		}
	})
}

// List's filters combine: by object ("who opened this document"), action,
// actor and meeting, newest first, paged by before_id.
func TestListFilters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration())
		ctx := context.Background()
		log := audit.New(db)
		write := func(actor, action, object, meeting string) {
			t.Helper()
			if err := log.Record(ctx, audit.Entry{ActorID: actor, Action: action, Object: object, MeetingID: meeting}); err != nil {
				t.Fatal(err)
			}
		}
		write("u1", "document.opened", "document:d1", "m1")
		write("u2", "document.opened", "document:d2", "m1")
		write("u2", "document.opened", "document:d1", "m1")
		write("u1", "document.exported", "document:d1", "m1")
		write("u3", "document.opened", "document:d1", "m2")
		list := func(f audit.Filter) []string {
			t.Helper()
			es, err := log.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.ActorID+" "+e.Action+" "+e.Object)
			}
			return got
		}
		check := func(name string, got []string, want ...string) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: got %q, want %q", name, got, want)
			}
		}
		check("object", list(audit.Filter{Object: "document:d1"}),
			"u3 document.opened document:d1", "u1 document.exported document:d1", "u2 document.opened document:d1", "u1 document.opened document:d1")
		check("object and action", list(audit.Filter{Object: "document:d1", Action: "document.opened", MeetingID: "m1"}),
			"u2 document.opened document:d1", "u1 document.opened document:d1")
		check("object and actor", list(audit.Filter{Object: "document:d1", ActorID: "u1", Action: "document.opened"}),
			"u1 document.opened document:d1")
		first := list(audit.Filter{Object: "document:d1", Limit: 2})
		check("first page", first, "u3 document.opened document:d1", "u1 document.exported document:d1")
		es, err := log.List(ctx, audit.Filter{Object: "document:d1", Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		check("next page", list(audit.Filter{Object: "document:d1", BeforeID: es[1].ID}),
			"u2 document.opened document:d1", "u1 document.opened document:d1")
		check("unknown object", list(audit.Filter{Object: "document:none"}))
	})
}
