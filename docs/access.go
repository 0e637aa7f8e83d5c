package docs

import (
	"context"
	"slices"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// visible reports whether the actor may see a document: every participant
// (and admin) sees an open document; a confidential one is seen by its
// readers, the chair and the secretary only. A reader row counts only for
// someone who takes part in the meeting: a participant's rows are dropped
// in the transaction that removes them (LeaveHook), and one left behind
// (written by hand) gives nothing to an administrator outside it.
func visible(acc meeting.Access, d documentRow, readers []string) bool {
	if !d.Confidential {
		return true
	}
	if acc.Role == meeting.Chair || acc.Role == meeting.Secretary {
		return true
	}
	return acc.IsParticipant() && slices.Contains(readers, acc.UserID)
}

// docFor loads a document the actor may see. A document the actor may not
// see is NotFound, exactly like one that does not exist.
func (s *Service) docFor(ctx context.Context, a web.Actor, id string) (documentRow, meeting.Access, []string, error) {
	d, err := s.store.document(ctx, id)
	if err != nil {
		return documentRow{}, meeting.Access{}, nil, err
	}
	acc, err := s.meetings.Access(ctx, a, d.MeetingID)
	if apperr.Is(err, apperr.NotFound) {
		return documentRow{}, meeting.Access{}, nil, apperr.NotFoundf("document not found")
	}
	if err != nil {
		return documentRow{}, meeting.Access{}, nil, err
	}
	return s.docSeenBy(ctx, acc, d)
}

// docSeenBy returns d to one whose access to d's meeting is acc, with its
// readers when it is confidential; NotFound when they may not see it.
func (s *Service) docSeenBy(ctx context.Context, acc meeting.Access, d documentRow) (documentRow, meeting.Access, []string, error) {
	id := d.ID
	if !d.Confidential { // open to every participant: no access list to read
		return d, acc, nil, nil
	}
	readers, err := s.store.readers(ctx, []string{id})
	if err != nil {
		return documentRow{}, meeting.Access{}, nil, err
	}
	if !visible(acc, d, readers[id]) {
		return documentRow{}, meeting.Access{}, nil, apperr.NotFoundf("document not found")
	}
	return d, acc, readers[id], nil
}

// docVersion loads a document the actor may see and one of its versions
// (0: the current one); a missing version is NotFound.
func (s *Service) docVersion(ctx context.Context, a web.Actor, id string, version int) (documentRow, versionRow, error) {
	d, _, _, err := s.docFor(ctx, a, id)
	if err != nil {
		return documentRow{}, versionRow{}, err
	}
	if version == 0 {
		version = d.CurrentVersion
	}
	v, err := s.store.version(ctx, d.ID, version)
	if apperr.Is(err, apperr.NotFound) {
		return documentRow{}, versionRow{}, apperr.NotFoundf("the document has no version %d", version)
	}
	return d, v, err
}

// managedDoc loads a document the actor may see and change.
func (s *Service) managedDoc(ctx context.Context, a web.Actor, id string) (documentRow, meeting.Access, []string, error) {
	d, acc, readers, err := s.docFor(ctx, a, id)
	if err != nil {
		return d, acc, readers, err
	}
	if !acc.CanManage() {
		return d, acc, readers, apperr.Forbiddenf("only the secretary or the chair can change documents")
	}
	return d, acc, readers, acc.Writable()
}

// uploader checks that the actor may add documents to the meeting.
func (s *Service) uploader(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error) {
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if err != nil {
		return acc, err
	}
	if !acc.CanManage() {
		return acc, apperr.Forbiddenf("only the secretary or the chair can add documents")
	}
	return acc, acc.Writable()
}

// CanUpload checks, before any upload byte is read, that the actor may add
// documents to the meeting.
func (s *Service) CanUpload(ctx context.Context, a web.Actor, meetingID string) error {
	_, err := s.uploader(ctx, a, meetingID)
	return err
}

// audience lists who may receive events about a document: nil (everyone
// in the meeting) for an open one; for a confidential one, the
// participants who may see it (visible): its readers, the chair and the
// secretary. Never nil for a confidential document.
func (s *Service) audience(ctx context.Context, d documentRow, readers []string) []string {
	if !d.Confidential {
		return nil
	}
	ps, err := s.meetings.Participants(ctx, d.MeetingID)
	if err != nil {
		s.log.ErrorContext(ctx, "audience of a confidential document", "err", err, "document", d.ID)
		return append([]string{}, readers...) // the readers at least; never everyone
	}
	out := []string{}
	for _, p := range ps {
		if p.Role == meeting.Chair || p.Role == meeting.Secretary || slices.Contains(readers, p.UserID) {
			out = append(out, p.UserID)
		}
	}
	return out
}

// accessList reads a document's access list as stored: it is kept for an
// open document too, and applies once the document is made confidential
// (docFor reads it for confidential documents only).
func (s *Service) accessList(ctx context.Context, docID string) ([]string, error) {
	readers, err := s.store.readers(ctx, []string{docID})
	if err != nil {
		return nil, err
	}
	return readers[docID], nil
}

// mayConfide refuses a change that would make a document confidential
// (a PATCH, or a confidential upload) when the actor could not see it
// afterwards (visible), with readers its access list once changed: the
// change could not be answered with the document, and the actor would
// have locked themselves out of it. The chair and the secretary always
// may; anyone else who manages the meeting (an administrator, taking
// part as a delegate or observer or not at all) only when they are on
// the list.
func mayConfide(acc meeting.Access, readers []string) error {
	if seesConfidential(acc, readers) {
		return nil
	}
	if !acc.IsParticipant() {
		return apperr.Forbiddenf("an administrator who does not take part in the meeting cannot make a document confidential " +
			"(they could not see it afterwards): add yourself to the meeting, or ask its secretary")
	}
	return apperr.Forbiddenf("you cannot make a document confidential without being one of its readers: " +
		"a confidential document is seen only by the chair, the secretary and the readers on its access list, " +
		"so you could not see it afterwards; put yourself on its access list first, or ask the secretary")
}

// mayKeepReading refuses a new access list for a confidential document
// (PUT .../access) that would leave the actor unable to see it, by the
// rule of mayConfide: the chair and the secretary always may; anyone else
// who manages the meeting (an administrator taking part as a delegate or
// observer) must stay on the list. Otherwise the change could not be
// answered with the document, and the actor would have locked themselves
// out of it.
func mayKeepReading(acc meeting.Access, readers []string) error {
	if seesConfidential(acc, readers) {
		return nil
	}
	return apperr.Forbiddenf("you cannot leave yourself off the access list of a confidential document: " +
		"it is seen only by the chair, the secretary and the readers on its access list, " +
		"so you could not see it afterwards; keep yourself on the list, or ask the secretary")
}

// seesConfidential is the rule of mayConfide and mayKeepReading: whether
// the actor sees a confidential document whose access list is readers.
func seesConfidential(acc meeting.Access, readers []string) bool {
	return visible(acc, documentRow{Confidential: true}, readers)
}

// checkReaders keeps an access list to participants of the meeting.
func (s *Service) checkReaders(ctx context.Context, meetingID string, users []string) ([]string, error) {
	if len(users) > 1000 {
		return nil, apperr.Invalidf("user_ids: at most 1000 readers")
	}
	ps, err := s.meetings.Participants(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	in := map[string]bool{}
	for _, p := range ps {
		in[p.UserID] = true
	}
	out := []string{}
	for _, u := range users {
		if !in[u] {
			return nil, apperr.New(apperr.Unprocessable, "user_ids: %s is not a participant of this meeting", web.Quote(u))
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out, nil
}
