package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/testdb"
)

// The hand-built INSERT of WriteMany must store exactly what gorm's Create
// (audit.Write) stores: same text/type of `at` (UTC and non-UTC zones, with
// and without fractions), an empty string rather than NULL for empty fields.
func TestWriteManyStoresWhatWriteStores(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		db := b.Open(t, audit.Migration())
		ctx := context.Background()
		zone := time.FixedZone("ICT", 7*3600)
		ats := []time.Time{
			time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC),
			time.Date(2026, 11, 26, 8, 30, 0, 123456789, time.UTC),
			time.Date(2026, 11, 26, 15, 30, 0, 500000000, zone),
		}
		var es []audit.Entry
		for i, at := range ats {
			es = append(es, audit.Entry{At: at, Action: "x", MeetingID: fmt.Sprint("w", i)},
				audit.Entry{At: at, ActorID: "u", Action: "x", Object: "o", MeetingID: fmt.Sprint("w", i),
					Detail: map[string]any{"k": "Đồng ý"}, ClientIP: "192.0.2.1"})
		}
		for _, e := range es {
			if err := audit.Write(db.Gorm.WithContext(ctx), e); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return audit.WriteMany(tx, es) }); err != nil {
			t.Fatal(err)
		}
		type stored struct {
			At, AtType, Actor, Object, Detail, DetailNull, IP string
		}
		typeOf := "typeof(at)"
		nullOf := "CASE WHEN detail IS NULL THEN 'null' ELSE typeof(detail) END"
		if b.Name == "postgres" {
			typeOf = "pg_typeof(at)::text"
			nullOf = "CASE WHEN detail IS NULL THEN 'null' ELSE 'text' END"
		}
		rows, err := db.Gorm.WithContext(ctx).Raw("SELECT CAST(at AS TEXT), " + typeOf + ", COALESCE(actor_id, '<null>'), COALESCE(object, '<null>'), " +
			"COALESCE(detail, '<null>'), " + nullOf + ", COALESCE(client_ip, '<null>') FROM audit_log ORDER BY id").Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []stored
		for rows.Next() {
			var s stored
			if err := rows.Scan(&s.At, &s.AtType, &s.Actor, &s.Object, &s.Detail, &s.DetailNull, &s.IP); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if len(got) != 2*len(es) {
			t.Fatalf("%d rows, want %d", len(got), 2*len(es))
		}
		for i := range es {
			if byCreate, byMany := got[i], got[len(es)+i]; byCreate != byMany {
				t.Errorf("entry %d stored differently:\n Write:     %+v\n WriteMany: %+v", i, byCreate, byMany)
			}
		}
		// And List reads both back identically.
		list, err := audit.New(db).List(ctx, audit.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n := len(es)
		for i := range es { // newest first: WriteMany's rows, then Write's
			m, w := list[n-1-i], list[2*n-1-i]
			if !m.At.Equal(w.At) || m.At.Location().String() != w.At.Location().String() || fmt.Sprint(m.Detail) != fmt.Sprint(w.Detail) {
				t.Errorf("entry %d read back differently: %v %v vs %v %v", i, m.At, m.Detail, w.At, w.Detail)
			}
		}
	})
}
