package docs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
)

// ExportRequest says which annotated copy a reader downloads.
type ExportRequest struct {
	DocumentID string
	Version    int  // 0: the current version
	Shared     bool // draw everyone's shared annotations too, not only the reader's own
}

// Export makes the reader's copy of a document version with their
// annotations (and, if asked, the shared ones) drawn into its pages;
// a confidential document's copy is their watermarked one. The export
// is audited. Close the File to remove it.
func (s *Service) Export(ctx context.Context, a web.Actor, req ExportRequest) (*File, error) {
	d, v, err := s.docVersion(ctx, a, req.DocumentID, req.Version)
	if err != nil {
		return nil, err
	}
	marks, err := s.exportMarks(ctx, annotationFilter{DocumentID: d.ID, Version: v.Version, ReaderID: a.UserID, Shared: req.Shared})
	if pe := (*pdf.Error)(nil); errors.As(err, &pe) && pe.Kind == pdf.KindTooComplex {
		s.log.InfoContext(ctx, "annotations not drawn: too many", "document", d.ID, "version", v.Version, "shared", req.Shared, "detail", pe.Detail)
		return nil, s.exportError(ctx, err, d, v) // 422, before any file is written
	}
	if err != nil {
		return nil, err
	}
	// d is read anew when the document was made open while the reader's
	// copy was made: the export is then of the open document, and audited
	// as one (its title, no copy id).
	f, d, err := s.drawExport(ctx, a, d, v, marks)
	if err != nil {
		return nil, err
	}
	if req.Shared { // the two copies a reader may download have names of their own
		f.Name = downloadName(d.Title+" – ghi chú chung", v.Version)
	}
	detail := map[string]any{"version": v.Version, "shared": req.Shared, "annotations": len(marks)}
	if f.CopyID != "" {
		detail["copy_id"] = f.CopyID
	}
	if err := s.auditor.Record(ctx, s.entry(a, d.MeetingID, "document.exported", d.ID, openedDetail(d, v.Version, detail))); err != nil {
		f.Close()
		return nil, err // an export that cannot be audited is not served
	}
	return f, nil
}

// exportMarksLimit, above 0, is a smaller bound than a worker's
// (pdf.MarkBudget) on the bytes of marks an export draws: for tests.
var exportMarksLimit atomic.Int64

// exportMarks reads the marks of f, one row at a time, counting the file
// the worker would read, and stops at the first mark it cannot hold (a
// KindTooComplex *pdf.Error): whatever the number of rows, the server
// holds no more marks than a worker draws, and the refusal comes before
// any file is written or worker asked.
func (s *Service) exportMarks(ctx context.Context, f annotationFilter) ([]pdf.Mark, error) {
	budget := pdf.MarkBudget{Limit: exportMarksLimit.Load()}
	var marks []pdf.Mark
	err := s.store.eachAnnotation(ctx, f, func(r annotationRow) error {
		m, err := mark(r.Page, r.Kind, []byte(r.Data))
		if err != nil {
			return apperr.Internalf(err, "annotation %s", r.ID)
		}
		if err := budget.Add(m); err != nil {
			return err
		}
		marks = append(marks, m)
		return nil
	})
	return marks, err
}

// drawExport runs the PDF worker on the reader's copy of the version: a
// confidential document's is their stamped copy (File.CopyID set). It
// returns the document the export is of: d, or d as it is now when it
// was made open while the reader's copy was made (path answers
// errCopyWithdrawn) or just after (forget removed the copy before the
// worker read it), and the export is then drawn into the original, as
// openVersion serves it (openMadeOpen).
func (s *Service) drawExport(ctx context.Context, a web.Actor, d documentRow, v versionRow, marks []pdf.Mark) (*File, documentRow, error) {
	if !d.Confidential {
		f, err := s.drawOriginal(ctx, d, v, marks)
		return f, d, err
	}
	p, c, err := s.marks.path(ctx, a, d, v)
	if apperr.Is(err, apperr.NotFound) {
		return s.drawMadeOpen(ctx, d, v, marks, err) // deleted or made open while the copy was made
	}
	if err != nil {
		return nil, d, s.stampError(ctx, err, a, d, v)
	}
	if hook := s.marks.beforeExport.Load(); hook != nil {
		(*hook)(c.CopyID)
	}
	f, err := s.draw(ctx, d, v, p, marks)
	if err != nil {
		// The worker's input is opened by path (pdf.Runner checkInput,
		// then the worker), and Annotate says only "open input" of a
		// file gone: so look. Only the removal of the copies of a
		// document deleted or made open (forget, stamp, SweepTemp) takes
		// a finished copy away.
		if _, serr := os.Stat(p); errors.Is(serr, fs.ErrNotExist) {
			return s.drawMadeOpen(ctx, d, v, marks, errCopyGone())
		}
		return nil, d, err
	}
	f.CopyID = c.CopyID
	return f, d, nil
}

// drawMadeOpen draws the export into the original of a document whose
// reader's copy was taken away because it was made open meanwhile
// (madeOpen), and returns the document as it is now; gone is the answer
// otherwise.
func (s *Service) drawMadeOpen(ctx context.Context, d documentRow, v versionRow, marks []pdf.Mark, gone error) (*File, documentRow, error) {
	now, ok := s.madeOpen(ctx, d, v)
	if !ok {
		return nil, d, gone
	}
	f, err := s.drawOriginal(ctx, now, v, marks)
	return f, now, err
}

// drawOriginal draws the export into the stored PDF of the version.
func (s *Service) drawOriginal(ctx context.Context, d documentRow, v versionRow, marks []pdf.Mark) (*File, error) {
	in, release, err := s.blobs.Local(ctx, v.SHA256)
	if err != nil {
		return nil, s.missingBlob(err, v)
	}
	defer release()
	return s.draw(ctx, d, v, in, marks)
}

// draw runs the PDF worker on in, into a temporary file removed when the
// File is closed.
func (s *Service) draw(ctx context.Context, d documentRow, v versionRow, in string, marks []pdf.Mark) (*File, error) {
	if err := os.MkdirAll(s.tmpDir, 0o750); err != nil {
		return nil, apperr.Internalf(err, "create temp dir")
	}
	out := filepath.Join(s.tmpDir, "export-"+ids.New()+".pdf")
	if err := s.pdf.Annotate(ctx, in, out, marks); err != nil {
		os.Remove(out)
		return nil, s.exportError(ctx, err, d, v)
	}
	fh, err := os.Open(out)
	if err != nil {
		os.Remove(out)
		return nil, apperr.Internalf(err, "open export")
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		os.Remove(out)
		return nil, apperr.Internalf(err, "stat export")
	}
	name := downloadName(d.Title+" – ghi chú", v.Version)
	return &File{ReadSeekCloser: removeOnClose{fh}, Name: name, ModTime: st.ModTime()}, nil
}

// ReasonTooManyMarks is the reason of an annotated export refused
// because its marks are more than one copy holds.
const ReasonTooManyMarks = "too_many_marks"

// exportError words a failure to draw the annotations: the file's fault
// (a structure the drawing cannot handle, marks more than a worker draws,
// too much to draw in the time and memory a worker has, limitError) is
// Unprocessable with the worker's reason, written for people; only a
// failure of ours (a bug, the worker not starting) is Internal.
func (s *Service) exportError(ctx context.Context, err error, d documentRow, v versionRow) error {
	var pe *pdf.Error
	if pdf.TooManyMarks(err) {
		// A reason of its own: the remedy (export without the shared marks,
		// or delete some) is not that of a file too complex to draw into.
		return apperr.New(apperr.Unprocessable, "too many annotations to draw into one copy").WithReason(ReasonTooManyMarks)
	}
	if e := limitError(err, "the annotated copy of this document could not be made"); e != nil {
		errors.As(err, &pe)
		s.log.InfoContext(ctx, "annotations not drawn", "document", d.ID, "version", v.Version, "kind", pe.Kind, "detail", pe.Detail)
		return e
	}
	switch {
	case errors.As(err, &pe) && pe.Kind != pdf.KindInternal:
		s.log.InfoContext(ctx, "annotations not drawn", "document", d.ID, "version", v.Version, "kind", pe.Kind, "detail", pe.Detail)
		return apperr.New(apperr.Unprocessable, "the annotations cannot be drawn into this document: %s", pe.Reason).WithReason(string(pe.Kind))
	case pe == nil && ctx.Err() != nil:
		return apperr.New(apperr.Unavailable, "the export was cancelled")
	}
	return apperr.Internalf(err, "draw annotations into %s v%d", d.ID, v.Version)
}

// removeOnClose deletes a temporary file when it is closed.
type removeOnClose struct{ *os.File }

func (r removeOnClose) Close() error {
	err := r.File.Close()
	os.Remove(r.Name())
	return err
}
