package docs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// File is a document version ready to serve: the reader's own watermarked
// copy when the document is confidential, else the stored PDF.
type File struct {
	io.ReadSeekCloser
	Name    string // download name
	ETag    string // quoted
	ModTime time.Time
	CopyID  string // set for a watermarked copy
}

// OpenRequest says what is opened, by whom, and whether this request
// starts a reading rather than continuing one, so the audit log gets one
// entry per opening, not one per Range request.
type OpenRequest struct {
	DocumentID string
	Version    int // 0: the current version
	// Starts reports, given the file about to be served and its size,
	// whether the request starts a reading (the HTTP route decides by the
	// Range it will serve: whether byte 0 is sent). nil: the request
	// sends no content (HEAD) and is never audited.
	Starts func(f *File, size int64) bool
}

// Open returns the file of a document version the actor may see, and
// audits the opening: a request that Starts a reading, and any request
// for content by a session that has not opened this version within
// openingTTL on this node (openings.go), whatever its Range. Only the
// further chunks of a reading just audited go unrecorded.
func (s *Service) Open(ctx context.Context, a web.Actor, req OpenRequest) (*File, error) {
	d, v, err := s.servable(ctx, a, req.DocumentID, req.Version)
	if err != nil {
		return nil, err
	}
	f, err := s.openVersion(ctx, a, d, v)
	if err != nil {
		return nil, err
	}
	if req.Starts == nil {
		return f, nil
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, apperr.Internalf(err, "size of %s v%d", d.ID, v.Version)
	}
	k := openingFor(a, d.ID, v.Version)
	if req.Starts(f, size) || !s.opened.recent(k) {
		detail := map[string]any{"version": v.Version}
		if f.CopyID != "" {
			detail["copy_id"] = f.CopyID
		}
		e := s.entry(a, d.MeetingID, "document.opened", d.ID, openedDetail(d, v.Version, detail))
		if err := s.auditor.Record(ctx, e); err != nil {
			f.Close()
			return nil, err // an open that cannot be audited is not served
		}
		s.opened.remember(k)
	}
	return f, nil
}

// openedDetail is the detail of an entry about reading a document version
// (document.opened, document.exported): detail, and the document's title
// at the time, so the audit screen names a document deleted since. Only
// administrators read the audit log (GET /audit), and an administrator
// may not see a confidential document (visible): its entry gets no title,
// only its id, its version and that it is confidential (auditDetail).
func openedDetail(d documentRow, version int, detail map[string]any) map[string]any {
	return auditDetail(d.ID, version, d.Confidential, detail, map[string]any{"title": d.Title})
}

func (s *Service) openVersion(ctx context.Context, a web.Actor, d documentRow, v versionRow) (*File, error) {
	name := downloadName(d.Title, v.Version)
	if !d.Confidential {
		return s.openOriginal(ctx, v, name)
	}
	p, c, err := s.marks.path(ctx, a, d, v)
	if apperr.Is(err, apperr.NotFound) {
		return s.openMadeOpen(ctx, d, v, name, err) // deleted or made open while the copy was made
	}
	if err != nil {
		return nil, s.stampError(ctx, err, a, d, v)
	}
	fh, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		// Only the removal of the copies of a document deleted or made
		// open (forget, stamp, SweepTemp) takes a finished copy away.
		return s.openMadeOpen(ctx, d, v, name, errCopyGone())
	}
	if err != nil {
		return nil, apperr.Internalf(err, "open watermarked copy")
	}
	return &File{ReadSeekCloser: fh, Name: name, ETag: fmt.Sprintf(`"%s-%s"`, c.CopyID, v.SHA256[:16]),
		ModTime: c.CreatedAt, CopyID: c.CopyID}, nil
}

func (s *Service) openOriginal(ctx context.Context, v versionRow, name string) (*File, error) {
	b, err := s.blobs.Open(ctx, v.SHA256)
	if err != nil {
		return nil, s.missingBlob(err, v)
	}
	return &File{ReadSeekCloser: b, Name: name, ETag: `"` + v.SHA256[:32] + `"`, ModTime: v.UploadedAt}, nil
}

// openMadeOpen serves the original of a document whose reader's copy was
// taken away because the document was made open meanwhile (a reader who
// could see it confidential sees it open); gone is the answer otherwise.
func (s *Service) openMadeOpen(ctx context.Context, d documentRow, v versionRow, name string, gone error) (*File, error) {
	if _, ok := s.madeOpen(ctx, d, v); !ok {
		return nil, gone
	}
	return s.openOriginal(ctx, v, name)
}

// madeOpen reads anew confidential document d, whose reader's copy of
// version v could not be had (stamp withdrew it, or forget removed its
// file): it returns the document as it is now, and true, when it is open
// now and v still exists, so that the reader, who could see it
// confidential, is given the original instead (an open document is
// visible to every participant, and a document never changes meeting).
// false: deleted, confidential again, or not known; the caller answers
// with the NotFound it had.
func (s *Service) madeOpen(ctx context.Context, d documentRow, v versionRow) (documentRow, bool) {
	now, err := s.store.document(ctx, d.ID)
	if err != nil || now.Confidential {
		return d, false
	}
	if ok, err := s.store.hasVersion(ctx, v.ID); err != nil || !ok {
		return d, false
	}
	return now, true
}

// stampError words a failure to make a reader's watermarked copy. What
// stops a PDF worker on a file, its time, its memory or a document too
// large (pdf.KindTimeout, pdf.KindTooComplex), is Unprocessable with the
// kind as the reason an app translates and a message for people, as an
// upload's refusal is (add.go inspect): such a copy fails on every try,
// and a 500 would only say the server is broken. Anything else is ours.
func (s *Service) stampError(ctx context.Context, err error, a web.Actor, d documentRow, v versionRow) error {
	if e := limitError(err, "your watermarked copy of this document could not be made"); e != nil {
		var pe *pdf.Error
		errors.As(err, &pe)
		s.log.WarnContext(ctx, "watermarked copy refused", "document", d.ID, "version", v.Version, "reader", a.UserID,
			"kind", pe.Kind, "detail", pe.Detail)
		return e
	}
	if pdf.KindOf(err) == "" && ctx.Err() != nil {
		return apperr.New(apperr.Unavailable, "the download was cancelled")
	}
	return apperr.Internalf(err, "watermark %s v%d for %s", d.ID, v.Version, a.UserID)
}

// limitError is the refusal of a copy (what) that a PDF worker's limits
// stopped: Unprocessable, reason timeout or too_complex, with the
// worker's reason (written for people); nil for any other error.
func limitError(err error, what string) error {
	var pe *pdf.Error
	if !errors.As(err, &pe) || (pe.Kind != pdf.KindTimeout && pe.Kind != pdf.KindTooComplex) {
		return nil
	}
	return apperr.New(apperr.Unprocessable, "%s: %s", what, pe.Reason).WithReason(string(pe.Kind))
}

func (s *Service) missingBlob(err error, v versionRow) error {
	if errors.Is(err, ErrNoBlob) {
		return apperr.Internalf(err, "version %s points to missing blob %s", v.ID, v.SHA256)
	}
	return apperr.Internalf(err, "open blob")
}

// downloadName is the file name offered to the browser.
func downloadName(title string, version int) string {
	if version > 1 {
		return fmt.Sprintf("%s (v%d).pdf", title, version)
	}
	return title + ".pdf"
}
