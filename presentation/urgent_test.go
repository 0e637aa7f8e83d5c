package presentation_test

import (
	"context"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/priority"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/presentation"
)

// A page turn is urgent work on the node (Config.Urgent) while it is
// checked, stored and handed to the hub, and a little after (FanoutTail):
// batches of strokes wait for it then; once it is out, they wait no more.
func TestTurnIsUrgentWhileInFlight(t *testing.T) {
	b := testdb.Backends()[0]
	db := b.Open(t, audit.Migration(), meeting.Migration(), presentation.Migration())
	ms := meeting.NewService(db, meeting.Config{Users: reviewUsers{}})
	ctx := context.Background()
	sec, chair := web.Actor{UserID: "sec"}, web.Actor{UserID: "chair"}
	m, err := ms.Create(ctx, sec, meeting.NewMeeting{Title: "Phiên họp"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ms.PutParticipant(ctx, sec, m.ID, chair.UserID, meeting.ParticipantInput{Role: "chair"}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"scheduled", "live"} {
		if _, err := ms.SetStatus(ctx, sec, m.ID, st); err != nil {
			t.Fatal(err)
		}
	}
	gate := &priority.Gate{}
	docs := &reviewDocs{meetingID: m.ID, docID: "doc-1"}
	svc := presentation.NewService(db, presentation.Config{Meetings: ms, Agenda: reviewNoAgenda{}, Documents: docs,
		Publisher: event.NewRecorder(1000), Coalesce: time.Millisecond, Urgent: gate})
	t.Cleanup(svc.Close)

	var waitedDuringTurn time.Duration
	docs.afterRead = func() { // the turn is being checked
		start := time.Now()
		gate.Wait(50 * time.Millisecond)
		waitedDuringTurn = time.Since(start)
	}
	doc := docs.docID
	if _, err := svc.Set(ctx, chair, m.ID, presentation.Input{DocumentID: &doc, Page: 1}); err != nil {
		t.Fatal(err)
	}
	if waitedDuringTurn < 50*time.Millisecond {
		t.Errorf("a wait during the turn returned after %v: the turn was not urgent work", waitedDuringTurn)
	}
	start := time.Now()
	gate.Wait(5 * time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the turn was still urgent %v after it was answered (FanoutTail %v)", d, presentation.FanoutTail)
	}
}
