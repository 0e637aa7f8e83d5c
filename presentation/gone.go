package presentation

import (
	"context"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/web"
)

// DocumentChanged is told, after the commit, that a document left its
// meeting (deleted) or changed readers (made confidential, its list of
// readers changed). When it is the document shown, a deleted one stops
// the presentation (stored, and audited as presentation.stopped by whoever
// deleted it, with the reason), so no tablet goes on showing a page of a
// document that is gone; one whose readers changed is announced again, so
// that whoever may no longer see it gets the hidden state at once rather
// than at the next page turn. It takes part in the meeting's turn order,
// so a page turn racing it is announced before it or not at all; and a
// turn checks its document in that order too (Set), so a turn to the
// deleted document is either refused, the delete having committed before
// its check, or stored before this runs, and then stopped here.
//
// A deleted document's presentation.stopped carries the title it had
// (ch.AuditTitle; none for a confidential one), as document.deleted does:
// the audit screen can no longer read it.
func (s *Service) DocumentChanged(ctx context.Context, a web.Actor, ch docs.Change) {
	meetingID, documentID, deleted := ch.MeetingID, ch.DocumentID, ch.Deleted
	defer s.order.Lock(meetingID)()
	st, err := s.store.get(ctx, meetingID)
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "presentation of a changed document", "meeting", meetingID, "err", err)
		return
	}
	if st.DocumentID == nil || *st.DocumentID != documentID {
		return
	}
	if !deleted {
		s.out.offer(meetingID, st)
		return
	}
	now := s.cfg.Now()
	stopped := State{MeetingID: meetingID, By: a.UserID, At: &now}
	err = s.store.put(ctx, stopped, func(prevDoc *string, prevVersion int) audit.Entry {
		e := shownEntry(a, stopped, prevDoc, prevVersion, docTitle{DocumentID: documentID, Title: ch.AuditTitle})
		e.Detail["reason"] = "document deleted"
		return e
	})
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "stop presenting a deleted document", "meeting", meetingID, "err", err)
		return
	}
	if s.stored != nil {
		s.stored(stopped)
	}
	s.out.offer(meetingID, stopped)
}
