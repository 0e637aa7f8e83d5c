package docs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// watermarks makes and caches per-reader stamped copies of confidential
// documents, one file per (version, reader) named by its copy id. A copy
// is made once even when the reader's tablet asks for it many times at
// once, and is only ever served to that reader.
type watermarks struct {
	s   *Service
	dir string

	mu       sync.Mutex
	inflight map[string]*making
	known    map[[2]string]copyRow // (version id, user id): copy rows never change once made

	ctx    context.Context // ends at Close: stops prewarming
	cancel context.CancelFunc
	warm   chan string // documents whose copies to make ahead of time
	done   chan struct{}

	// beforeRename, when set (tests only: watermark_hooks_test.go), is
	// called with the copy id once a copy is stamped and before it is
	// renamed into place.
	beforeRename atomic.Pointer[func(copyID string)]
	// beforeExport, when set (tests only: watermark_hooks_test.go),
	// is called with the copy id once an annotated export has the
	// reader's stamped copy (path) and before the PDF worker is asked to
	// draw into it.
	beforeExport atomic.Pointer[func(copyID string)]
}

type making struct {
	done chan struct{}
	err  error
}

func newWatermarks(s *Service, dir string) *watermarks {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watermarks{s: s, dir: dir, inflight: map[string]*making{}, known: map[[2]string]copyRow{}, ctx: ctx, cancel: cancel,
		warm: make(chan string, 64), done: make(chan struct{})}
	go w.prewarmLoop()
	return w
}

// Copy is one reader's watermarked copy of a document version.
type Copy struct {
	CopyID     string    `json:"copy_id"`
	UserID     string    `json:"user_id"`
	DocumentID string    `json:"document_id"`
	MeetingID  string    `json:"meeting_id"`
	Title      string    `json:"title"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
}

// LookupCopy tells whose copy a copy id is, for tracing a leaked page.
// It is for administrators (the CLI), not an HTTP route.
func (s *Service) LookupCopy(ctx context.Context, copyID string) (Copy, error) {
	c, err := s.store.copyByID(ctx, copyID)
	if err != nil {
		return Copy{}, err
	}
	return Copy{CopyID: c.CopyID, UserID: c.UserID, DocumentID: c.DocumentID, MeetingID: c.MeetingID, Title: c.Title,
		Version: c.Version, CreatedAt: c.CreatedAt}, nil
}

// stampLines is what is printed on every page of a reader's copy, above
// the copy id.
func stampLines(fullName, username string, at time.Time) []string {
	return []string{fmt.Sprintf("%s (%s)", fullName, username), at.Format("02/01/2006")}
}

// path returns the reader's stamped file, making it if needed: when its
// file is missing (never made, or removed when the document was made
// open, forget), it is stamped anew for the copy row.
func (w *watermarks) path(ctx context.Context, reader web.Actor, d documentRow, v versionRow) (string, copyRow, error) {
	c, err := w.copyRow(ctx, reader, d, v)
	if err != nil {
		return "", c, err
	}
	p := filepath.Join(w.dir, c.CopyID+".pdf")
	if _, err := os.Stat(p); err == nil {
		return p, c, nil
	}
	lines := stampLines(reader.FullName, reader.Username, c.CreatedAt)
	return p, c, w.make(ctx, p, v.SHA256, lines, c)
}

// copyRow returns the reader's copy id for a version, from memory when
// this node has seen it: a reopened copy costs no query.
func (w *watermarks) copyRow(ctx context.Context, reader web.Actor, d documentRow, v versionRow) (copyRow, error) {
	k := [2]string{v.ID, reader.UserID}
	w.mu.Lock()
	c, ok := w.known[k]
	w.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := w.s.store.copyFor(ctx, copyRow{CopyID: ids.Short(10), VersionID: v.ID, UserID: reader.UserID,
		DocumentID: d.ID, MeetingID: d.MeetingID, Version: v.Version, Title: d.Title, CreatedAt: w.s.now()})
	if err != nil {
		return c, err
	}
	w.mu.Lock()
	if len(w.known) >= accessCacheMax {
		clear(w.known)
	}
	w.known[k] = c
	w.mu.Unlock()
	return c, nil
}

// make stamps the blob into p; concurrent calls for one p share the work.
func (w *watermarks) make(ctx context.Context, p, sum string, lines []string, c copyRow) error {
	w.mu.Lock()
	if m, ok := w.inflight[p]; ok {
		w.mu.Unlock()
		select {
		case <-m.done:
			return m.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m := &making{done: make(chan struct{})}
	w.inflight[p] = m
	w.mu.Unlock()
	// Detached from this request: a tablet that gives up must not waste
	// the copy the next request will want.
	m.err = w.stamp(context.WithoutCancel(ctx), p, sum, lines, c)
	close(m.done)
	w.mu.Lock()
	delete(w.inflight, p)
	w.mu.Unlock()
	return m.err
}

// errCopyGone is what a request gets whose copy was being stamped while
// the document was deleted.
func errCopyGone() error { return apperr.NotFoundf("document not found") }

// errCopyWithdrawn is what a request gets whose copy was being stamped
// while the document was made open: the copy is not kept (forget), and
// the reader is served the original on the next request. It is NotFound,
// as errCopyGone, so that every caller of path answers it as such.
func errCopyWithdrawn() error {
	return apperr.NotFoundf("this document was made open while your copy of it was made: open it again")
}

// stamp makes copy c of the blob at p: stamped into a temporary file,
// then renamed into place. The document may be deleted or made open
// meanwhile, here or on another node: Delete, and Update making it open,
// commit, then remove the copies they find (forget), and a copy renamed
// after that would stay on disk for good: a reader's confidential pages
// of a document that no longer exists, or a stamped copy of one that
// everyone now reads in the original. So the document is looked up again
// once the copy is in place (unwanted), and the copy removed if its
// version is gone or its document open: either that lookup sees the
// document still there and confidential, and then the rename came before
// the change's commit and forget finds the file (or the document was
// made confidential again since, and the copy is its reader's again); or
// it sees the change and the copy is removed here. (A node that dies
// between the rename and the lookup leaves the copy to SweepTemp, which
// removes copies of versions that no longer exist; the copy of a
// document made open stays until the document is deleted.)
func (w *watermarks) stamp(ctx context.Context, p, sum string, lines []string, c copyRow) error {
	if why, err := w.unwanted(ctx, c); err == nil && why != nil {
		return why // deleted or made open before it was begun: no file, no work
	}
	src, release, err := w.s.blobs.Local(ctx, sum)
	if err != nil {
		return fmt.Errorf("blob for watermark: %w", err)
	}
	defer release()
	if err := os.MkdirAll(w.dir, 0o750); err != nil {
		return err
	}
	tmp := p + ".tmp-" + ids.Short(6)
	defer os.Remove(tmp)
	if err := w.s.pdf.Watermark(ctx, src, tmp, lines, c.CopyID); err != nil {
		return err
	}
	if hook := w.beforeRename.Load(); hook != nil {
		(*hook)(c.CopyID)
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	why, err := w.unwanted(ctx, c)
	switch {
	case err != nil:
		// Cannot tell: the copy is kept for the reader who asked for it
		// (who could see the document a moment ago); if the version is
		// gone after all, the next SweepTemp removes it.
		w.s.log.WarnContext(ctx, "look up the document of a stamped copy", "err", err, "copy", c.CopyID)
	case why != nil:
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.s.log.ErrorContext(ctx, "remove the copy of a document deleted or made open", "err", err, "copy", c.CopyID)
		}
		return why
	}
	return nil
}

// unwanted tells whether copy c is no longer to be kept: errCopyGone when
// its version is gone (the document was deleted), errCopyWithdrawn when
// its document is open; nil when it is still its reader's, and an error
// when that cannot be told.
func (w *watermarks) unwanted(ctx context.Context, c copyRow) (why, err error) {
	ok, err := w.s.store.hasVersion(ctx, c.VersionID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return errCopyGone(), nil
	}
	d, err := w.s.store.document(ctx, c.DocumentID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return errCopyGone(), nil // deleted since the version was read
	case err != nil:
		return nil, err
	case !d.Confidential:
		return errCopyWithdrawn(), nil
	}
	return nil, nil
}

// prewarm queues a document whose readers' copies should be made now,
// off every request path. A full queue drops the hint: copies are then
// made on first open.
func (w *watermarks) prewarm(docID string) {
	select {
	case w.warm <- docID:
	default:
	}
}

// prewarmLoop makes copies one at a time, so it never crowds out uploads
// or first opens in the PDF worker pool.
func (w *watermarks) prewarmLoop() {
	defer close(w.done)
	for {
		select {
		case <-w.ctx.Done():
			return
		case id := <-w.warm:
			if err := w.prewarmDoc(w.ctx, id); err != nil && !errors.Is(err, context.Canceled) {
				w.s.log.Warn("prewarm watermarked copies", "err", err, "document", id)
			}
		}
	}
}

func (w *watermarks) prewarmDoc(ctx context.Context, docID string) error {
	d, err := w.s.store.document(ctx, docID)
	if err != nil || !d.Confidential {
		return nil // deleted or no longer confidential: nothing to do
	}
	v, err := w.s.store.version(ctx, docID, d.CurrentVersion)
	if err != nil {
		return err
	}
	readers, err := w.s.store.readers(ctx, []string{docID})
	if err != nil {
		return err
	}
	ps, err := w.s.meetings.Participants(ctx, d.MeetingID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		acc := meeting.Access{UserID: p.UserID, Role: p.Role}
		if !visible(acc, d, readers[docID]) {
			continue
		}
		// Deleted since (copies take a while each): no more copies,
		// nor copy ids, for a version that is gone.
		if ok, err := w.s.store.hasVersion(ctx, v.ID); err != nil || !ok {
			return err
		}
		reader := web.Actor{UserID: p.UserID, Username: p.Username, FullName: p.FullName}
		_, _, err := w.path(ctx, reader, d, v)
		if apperr.Is(err, apperr.NotFound) {
			return nil // deleted while this copy was made (stamp)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// forget deletes the cached copies, of every version, of a document
// deleted or made open (once the change has committed); errors are not
// returned: the change stands. The copy rows stay in the database, so a
// leaked page can still be traced, and a document made confidential
// again has its copies stamped anew under the same copy ids (path stamps
// a copy whose file is missing; known caches rows, never files). A copy
// being stamped meanwhile removes itself (stamp).
func (w *watermarks) forget(ctx context.Context, docID string) {
	copyIDs, err := w.s.store.copiesOf(ctx, docID)
	if err != nil {
		w.s.log.WarnContext(ctx, "list copies to forget", "err", err)
		return
	}
	for _, id := range copyIDs {
		_ = os.Remove(filepath.Join(w.dir, id+".pdf"))
	}
}

// close stops prewarming and waits for the loop to end.
func (w *watermarks) close() {
	w.cancel()
	<-w.done
}

// Close stops background work, and the PDF workers' spare process when
// the PDF runner keeps one.
func (s *Service) Close() {
	s.marks.close()
	if c, ok := s.pdf.(interface{ Close() }); ok {
		c.Close()
	}
}
