package meeting_test

import (
	"context"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestCloseGuard: a registered close guard is asked, inside the closing
// transaction, only when a meeting is to be closed; its refusal is the
// answer (409 with its message) and leaves the meeting as it was, what it
// wrote in the transaction included.
func TestCloseGuard(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("mgrd")
		blocked, free := c.Meeting("Blocked"), c.Meeting("Free")
		var asked atomic.Int32
		srv.App.Meetings.AddCloseGuard(func(ctx context.Context, tx *gorm.DB, meetingID string) error {
			if meetingID != blocked && meetingID != free {
				return nil
			}
			asked.Add(1)
			if meetingID != blocked {
				return nil
			}
			// A write the refusal must undo.
			if err := tx.WithContext(ctx).Exec("UPDATE meetings SET title = ? WHERE id = ?", "written by the guard", meetingID).Error; err != nil {
				return err
			}
			return apperr.Conflictf("something is still running in this meeting: stop it first")
		})
		c.SetStatus(blocked, "scheduled", "live", "adjourned", "live")
		c.SetStatus(free, "scheduled", "live")
		if n := asked.Load(); n != 0 {
			t.Fatalf("guard asked %d times before any close", n)
		}
		c.Chair.Do("POST", "/api/v1/meetings/"+blocked+"/status", map[string]any{"status": "closed"}).
			Check(t, "refused close", conflict, "stop it first")
		c.Chair.Do("GET", "/api/v1/meetings/"+blocked, nil).Check(t, "unchanged", ok, `"status":"live"`, `"title":"Blocked"`)
		c.Chair.Do("POST", "/api/v1/meetings/"+free+"/status", map[string]any{"status": "closed"}).Check(t, "allowed close", ok, `"status":"closed"`)
		if n := asked.Load(); n != 2 {
			t.Errorf("guard asked %d times, want 2", n)
		}
		// A close the status rules refuse anyway does not get to the guard.
		c.Chair.Do("POST", "/api/v1/meetings/"+free+"/status", map[string]any{"status": "closed"}).Check(t, "close twice", conflict)
		if n := asked.Load(); n != 2 {
			t.Errorf("guard asked %d times after a refused move, want 2", n)
		}
	})
}
