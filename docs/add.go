package docs

import (
	"context"
	"errors"
	"maps"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// NewDocument is the metadata of an upload.
type NewDocument struct {
	Title        string
	AgendaItemID string
	Confidential bool
	Readers      []string // the access list when confidential
}

const maxTitle = 300

// cleanTitle checks a document's title: the one given, else (on upload)
// one taken from the file name. Both are held to the same rules, so that
// an upload never stores a title that PATCH would refuse: trimmed, not
// blank, at most maxTitle characters, one line (meeting.NotInALine).
//
// One difference: a title given with a text-direction control (U+202E,
// U+200F …) is refused, as anything typed into Curia is; a file name's are
// left out (titleOfFile), as its control characters already are
// (cleanFilename). The user did not type them here: the system that named
// the file may have put them there (U+200E/U+200F marks around a name of
// mixed direction), they are not shown, and a refusal would ask the user
// to remove a character they cannot see. Left out, they change nothing
// that is drawn but the order of what follows the title. A file name's
// line and paragraph separators (U+2028, U+2029) are still refused.
func cleanTitle(title, filename string) (string, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		title = titleOfFile(filename)
	}
	if title == "" && strings.TrimSpace(filename) != "" {
		return "", apperr.Invalidf("title: give a title (the file name leaves none once its .pdf and spaces are taken off)")
	}
	if title == "" {
		return "", apperr.Invalidf("title: give a title")
	}
	if !utf8.ValidString(title) || utf8.RuneCountInString(title) > maxTitle {
		return "", apperr.Invalidf("title: at most %d characters of valid text", maxTitle)
	}
	// As meeting.CleanTitle (the same rule, meeting.NotInALine): a title
	// names the file in Content-Disposition and the watermark, where a
	// control character (DEL included) or a line or paragraph separator
	// (U+2028, U+2029) breaks the header or the stamp, and it is printed
	// in the minutes, where a text-direction control (U+202E …) reorders
	// the words after it.
	if strings.ContainsFunc(title, meeting.NotInALine) {
		return "", apperr.Invalidf("title: a single line without control characters, " +
			"line or paragraph separators, or text-direction controls")
	}
	return title, nil
}

// titleOfFile is the title a file name gives: the name without its
// text-direction controls (see cleanTitle), without its .pdf (in any
// case: "Tờ trình.PDF", "a.Pdf") and without the spaces around it. ""
// when nothing is left (" .pdf", "\u200f.pdf").
func titleOfFile(name string) string {
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name))
	if n := len(name) - len(".pdf"); n >= 0 && strings.EqualFold(name[n:], ".pdf") {
		name = name[:n]
	}
	return strings.TrimSpace(name)
}

// Add inspects a staged upload and stores it as a new document. The staged
// file is always removed. A file that cannot be read is Unprocessable.
// Nobody may add a confidential document who could not see it
// (mayConfide): an administrator outside the meeting, or one taking part
// as a delegate or observer who is not among its readers.
func (s *Service) Add(ctx context.Context, a web.Actor, meetingID string, in NewDocument, st *Staged) (Document, error) {
	defer st.Remove()
	acc, err := s.uploader(ctx, a, meetingID)
	if err != nil {
		return Document{}, err
	}
	// The readers as given: the actor is among the checked ones exactly
	// when they are among these and the check passes (checkReaders).
	if err := confideUpload(acc, in.Confidential, in.Readers); err != nil {
		return Document{}, err
	}
	title, err := cleanTitle(in.Title, st.Filename)
	if err != nil {
		return Document{}, err
	}
	item, err := s.checkItem(ctx, meetingID, in.AgendaItemID)
	if err != nil {
		return Document{}, err
	}
	if _, err := s.checkReaders(ctx, meetingID, in.Readers); err != nil {
		return Document{}, err
	}
	info, err := s.inspect(ctx, st)
	if err != nil {
		return Document{}, err
	}
	// The inspection may take seconds; what was checked before it is
	// checked again, under the lock that keeps who may see a document
	// from changing until its event is out (see Service.visibility).
	s.visibility.RLock()
	defer s.visibility.RUnlock()
	acc, err = s.uploader(ctx, a, meetingID)
	if err != nil {
		return Document{}, err
	}
	readers, err := s.checkReaders(ctx, meetingID, in.Readers)
	if err != nil {
		return Document{}, err
	}
	if err := confideUpload(acc, in.Confidential, readers); err != nil {
		return Document{}, err // their role changed during the inspection
	}
	now := s.now()
	d := documentRow{ID: ids.New(), MeetingID: meetingID, AgendaItemID: item, Title: title, Confidential: in.Confidential,
		CurrentVersion: 1, CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
	v := s.versionRow(a, d.ID, 1, st, info)
	e := s.entry(a, meetingID, "document.uploaded", d.ID, auditDetail(d.ID, 1, d.Confidential,
		map[string]any{"confidential": d.Confidential}, map[string]any{"title": title, "sha256": st.SHA256, "pages": info.Pages}))
	if err := s.store.addDocument(ctx, s.blobs, st, d, v, readers, e); err != nil {
		s.dropBlob(ctx, st.SHA256)
		return Document{}, err
	}
	doc := document(d, v)
	s.pub.Publish(ctx, event.Event{MeetingID: meetingID, Type: "document.added", Data: doc, Audience: s.audience(ctx, d, readers)})
	if d.Confidential {
		s.marks.prewarm(d.ID)
	}
	return s.withManagerFields(ctx, doc, true)
}

// confideUpload refuses a confidential upload the actor could not see.
func confideUpload(acc meeting.Access, confidential bool, readers []string) error {
	if !confidential {
		return nil
	}
	return mayConfide(acc, readers)
}

// auditDetail is the detail of an audit entry about document id: detail,
// and for an open document also open (its title, its file's SHA-256).
// The audit log is read by administrators who may not see a confidential
// document (visible), so the entry of one tells no more than the
// documents service tells them: its id, its version and that it is
// confidential; not its title, nor anything of its file (a SHA-256
// confirms a guess at the file, a page count narrows it). Whoever may read
// the document looks the title up by its id. confidential is the
// document's state once the change is made.
func auditDetail(id string, version int, confidential bool, detail, open map[string]any) map[string]any {
	out := maps.Clone(detail)
	if out == nil {
		out = map[string]any{}
	}
	if confidential {
		out["document_id"], out["confidential"] = id, true
		if version > 0 { // 0: the store numbers the version (addVersion)
			out["version"] = version
		}
		return out
	}
	maps.Copy(out, open)
	return out
}

// AddVersion stores a staged upload as the new current version of a
// document; earlier versions stay readable.
func (s *Service) AddVersion(ctx context.Context, a web.Actor, docID string, st *Staged) (Document, error) {
	defer st.Remove()
	if _, _, _, err := s.managedDoc(ctx, a, docID); err != nil {
		return Document{}, err
	}
	info, err := s.inspect(ctx, st)
	if err != nil {
		return Document{}, err
	}
	// The inspection may take seconds, while the document may be made
	// confidential, renamed or given another access list: it is read (and
	// the actor checked) again, under the lock that keeps who may see it
	// from changing until document.updated is out (see Service.visibility).
	s.visibility.RLock()
	defer s.visibility.RUnlock()
	d, _, readers, err := s.managedDoc(ctx, a, docID)
	if err != nil {
		return Document{}, err
	}
	v := s.versionRow(a, d.ID, 0, st, info)
	e := s.entry(a, d.MeetingID, "document.version_added", d.ID, // the store adds the version's number
		auditDetail(d.ID, 0, d.Confidential, nil, map[string]any{"sha256": st.SHA256, "pages": info.Pages}))
	n, err := s.store.addVersion(ctx, s.blobs, st, v, e)
	s.access.invalidate()
	if err != nil {
		s.dropBlob(ctx, st.SHA256)
		return Document{}, err
	}
	v.Version, d.CurrentVersion, d.UpdatedAt = n, n, v.UploadedAt
	doc := document(d, v)
	s.pub.Publish(ctx, event.Event{MeetingID: d.MeetingID, Type: "document.updated", Data: doc, Audience: s.audience(ctx, d, readers)})
	if d.Confidential {
		s.marks.prewarm(d.ID)
	}
	return s.withManagerFields(ctx, doc, true)
}

func (s *Service) versionRow(a web.Actor, docID string, n int, st *Staged, info pdf.Info) versionRow {
	return versionRow{ID: ids.New(), DocumentID: docID, Version: n, SHA256: st.SHA256, Size: st.Size, Pages: info.Pages,
		PDFVersion: info.Version, PageSizes: pageSizes(info.PageSizes), PageMap: info.PageMap.String(), JavaScript: info.JavaScript,
		LaunchActions: info.LaunchActions, EmbeddedFiles: info.EmbeddedFiles, Filename: st.Filename,
		UploadedBy: a.UserID, UploadedAt: s.now()}
}

// inspect runs the PDF worker; a file it cannot read is Unprocessable with
// the worker's reason, which is written for people, and its kind as the
// error's reason (encrypted, unreadable, timeout, too_complex, no_pages),
// which an app translates.
func (s *Service) inspect(ctx context.Context, st *Staged) (pdf.Info, error) {
	info, err := s.pdf.Inspect(ctx, st.Path)
	var pe *pdf.Error
	switch {
	case err == nil && info.Pages < 1:
		return info, apperr.New(apperr.Unprocessable, "the PDF has no pages").WithReason("no_pages")
	case err == nil:
		return info, nil
	case errors.As(err, &pe) && pe.Kind == pdf.KindNotPDF:
		return info, apperr.New(apperr.Unsupported, "%s", pe.Reason).WithReason(string(pe.Kind))
	case errors.As(err, &pe) && pe.Kind == pdf.KindInternal:
		return info, apperr.Internalf(err, "inspect PDF: %s", pe.Detail)
	case errors.As(err, &pe):
		s.log.InfoContext(ctx, "PDF refused", "kind", pe.Kind, "detail", pe.Detail, "sha256", st.SHA256)
		return info, apperr.New(apperr.Unprocessable, "%s", pe.Reason).WithReason(string(pe.Kind))
	case ctx.Err() != nil:
		return info, apperr.New(apperr.Unavailable, "the upload was cancelled")
	}
	return info, apperr.Internalf(err, "inspect PDF")
}

// checkItem returns the agenda item id when it belongs to the meeting;
// the store checks it again in its transaction (lockItem).
func (s *Service) checkItem(ctx context.Context, meetingID, itemID string) (*string, error) {
	if itemID == "" {
		return nil, nil
	}
	m, err := s.agenda.MeetingOf(ctx, itemID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && m != meetingID) {
		return nil, errNoItem()
	}
	if err != nil {
		return nil, err
	}
	return &itemID, nil
}

func errNoItem() error {
	return apperr.New(apperr.Unprocessable, "agenda_item_id: no such agenda item in this meeting")
}

// dropBlob removes a blob that a failed or deleted document leaves unused.
func (s *Service) dropBlob(ctx context.Context, sum string) {
	if err := s.store.dropBlobIfUnused(context.WithoutCancel(ctx), s.blobs, sum); err != nil {
		s.log.ErrorContext(ctx, "drop unused blob", "err", err, "sha256", sum)
	}
}
