package presentation

import (
	"context"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// TestTurnsOfOtherMeetingsDoNotWait: the lock that orders one meeting's
// page turns is held across the UPDATE, which share-locks the meeting row
// (meeting.WhileOpen). A turn in meeting A that waits for A's row (a close
// running its guards, an agenda delete) must hold up no other meeting:
// with 64 others turning meanwhile, a lock shared between meetings (a
// striped one, as this was first written, or a global one) would almost
// surely make one of them wait. (Found by review.)
//
// PostgreSQL only: on SQLite every writer waits for the one write lock anyway.
func TestTurnsOfOtherMeetingsDoNotWait(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		if b.Name != "postgres" {
			t.Skip("row locks: PostgreSQL only")
		}
		db := b.Open(t, audit.Migration(), meeting.Migration(), Migration())
		ms := meeting.NewService(db, meeting.Config{Users: noUsers{}})
		svc := NewService(db, Config{Meetings: staleMeetings{}, Agenda: noAgenda{}, Documents: tenPages{},
			Publisher: event.NewRecorder(100000), Coalesce: time.Millisecond})
		t.Cleanup(svc.Close)
		ctx := context.Background()
		sec := web.Actor{UserID: "secretary"}
		chair := web.Actor{UserID: "chair"}
		create := func() string {
			m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Phiên họp"})
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		a := create()
		others := make([]string, 64)
		for i := range others {
			others[i] = create()
		}
		turn := func(m string, page int) error {
			doc := m + "/to-trinh"
			_, err := svc.Set(ctx, chair, m, Input{DocumentID: &doc, Page: page})
			return err
		}
		for _, m := range append([]string{a}, others...) {
			if err := turn(m, 1); err != nil {
				t.Fatal(err)
			}
		}

		// Someone holds meeting A's row (as a close or an agenda delete does).
		tx := db.Gorm.Begin()
		defer tx.Rollback()
		if err := tx.Exec("SELECT id FROM meetings WHERE id = ? FOR UPDATE", a).Error; err != nil {
			t.Fatal(err)
		}
		aDone := make(chan error, 1)
		go func() { aDone <- turn(a, 2) }()
		// A's turn now waits for A's row, holding A's lock.
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			var n int
			err := db.Gorm.Raw("SELECT count(*) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0").Scan(&n).Error
			if err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("meeting A's page turn does not wait for A's row")
			}
		}

		bDone := make(chan error, len(others))
		for _, m := range others {
			go func() { bDone <- turn(m, 2) }()
		}
		timeout := time.After(3 * time.Second)
		for range others {
			select {
			case err := <-bDone:
				if err != nil {
					t.Fatalf("another meeting's page turn: %v", err)
				}
			case <-timeout:
				tx.Rollback()
				<-aDone
				t.Fatal("another meeting's page turn waited for a lock held on meeting A")
			}
		}
		tx.Rollback()
		if err := <-aDone; err != nil {
			t.Fatalf("meeting A's page turn: %v", err)
		}
	})
}
