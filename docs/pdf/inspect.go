package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Info is what inspection learns about a PDF.
type Info struct {
	Pages         int        `json:"pages"`
	Version       string     `json:"version"`    // e.g. "1.7"
	PageSizes     []PageSize `json:"page_sizes"` // distinct displayed sizes, most frequent first (at most 16)
	PageMap       PageMap    `json:"page_map"`   // every page's displayed size (unknown if too large to keep)
	Encrypted     bool       `json:"encrypted"`  // encrypted, but readable without a password
	JavaScript    bool       `json:"javascript"` // JavaScript actions or a JavaScript names tree
	LaunchActions bool       `json:"launch_actions"`
	EmbeddedFiles bool       `json:"embedded_files"`
	Title         string     `json:"title,omitempty"`  // from the Info dictionary, trimmed, at most 500 characters
	Author        string     `json:"author,omitempty"` // likewise
}

// PageSize is one distinct page size in PDF points (1/72 inch) as the page
// is displayed (crop box, rotation applied), with the number of pages of
// that size.
type PageSize struct {
	W     float64 `json:"w"`
	H     float64 `json:"h"`
	Count int     `json:"count"`
}

// maxObjectNumber is the PDF 1.7 implementation limit on indirect object
// numbers (ISO 32000-1, Annex C). Beyond it a file is damaged or hostile:
// poppler refuses it ("Bad object number"; qpdf reads it), and pdfcpu
// sizes its cross-reference table after the highest number, so writing a
// stamped copy of a 300-byte file naming object 2147483647 would not end.
const maxObjectNumber = 8_388_607

// strategy is one way of asking pdfcpu to read a file. Inspect tries them
// in order and keeps the first whose result passes our own checks, because
// each is more forgiving, and less trustworthy, than the one before.
type strategy struct {
	name     string
	validate bool // run pdfcpu's relaxed validation (rejects ~4% of real files over cosmetic faults)
	rescan   bool // ignore the file's xref data and locate objects by scanning (rescan.go)
}

func strategies() []strategy {
	return []strategy{
		{name: "relaxed", validate: true},
		{name: "lenient"},
		{name: "rescan", rescan: true},
	}
}

// Inspect reads the PDF at path in this process.
//
// It runs pdfcpu directly, so it belongs INSIDE the worker (and in tests):
// on hostile input pdfcpu may panic in ways recover cannot catch, loop, or
// allocate without bound. Servers call Runner.Inspect instead.
func Inspect(path string) (Info, error) {
	return inspectFile(context.Background(), path)
}

// inspectFile is Inspect with a context, which pdfcpu's reader checks
// between objects (its validation does not).
func inspectFile(ctx context.Context, path string) (Info, error) {
	src, err := openSource(path)
	if err != nil {
		return Info{}, err
	}
	defer src.Close()
	o, err := src.open(ctx)
	return o.info, err
}

func inspectBytes(ctx context.Context, data []byte) (Info, error) {
	_, info, err := openDocument(ctx, data)
	return info, err
}

// source is a PDF being read. pdfcpu reads a file through its ReadSeeker,
// seeking to each object and reading only that object, so the file is
// never held twice in memory (once as the file, once as pdfcpu's copy of
// its streams): for a 110 MB upload that is the difference between about
// 130 and 300 MB of worker memory. The whole file is read into memory
// only for what needs it (the xref rebuild of damaged files).
type source struct {
	r    io.ReaderAt
	size int64
	f    *os.File    // nil for bytes
	info os.FileInfo // the file's, nil for bytes
	data []byte      // the whole file, once loaded
}

// openSource opens the file at path for reading.
func openSource(path string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, newError(KindInternal, reasonInternal, "open input: "+err.Error())
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, newError(KindInternal, reasonInternal, "stat input: "+err.Error())
	}
	return &source{r: f, size: st.Size(), f: f, info: st}, nil
}

func bytesSource(data []byte) *source {
	return &source{r: bytes.NewReader(data), size: int64(len(data)), data: data}
}

// Close releases the file.
func (s *source) Close() {
	if s.f != nil {
		s.f.Close()
	}
}

// reader returns a fresh ReadSeeker over the whole file.
func (s *source) reader() io.ReadSeeker { return io.NewSectionReader(s.r, 0, s.size) }

// at returns up to n bytes from offset off (fewer at the end of the file).
func (s *source) at(off int64, n int) ([]byte, error) {
	if off < 0 {
		n += int(off)
		off = 0
	}
	n = int(min(int64(n), max(s.size-off, 0)))
	buf := make([]byte, n)
	k, err := s.r.ReadAt(buf, off)
	if k == n {
		err = nil
	}
	return buf[:k], err
}

// bytes returns the whole file, reading it on first use.
func (s *source) bytes() ([]byte, error) {
	if s.data == nil {
		b := make([]byte, s.size)
		if _, err := s.r.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
			return nil, newError(KindInternal, reasonInternal, "read input: "+err.Error())
		}
		s.data = b
	}
	return s.data, nil
}

// opened is a document read by one of the strategies.
type opened struct {
	doc      *model.Context
	info     Info
	strategy string
}

// openDocument reads data with each strategy in turn and returns the
// first document we trust, with what inspection learnt about it.
func openDocument(ctx context.Context, data []byte) (*model.Context, Info, error) {
	o, err := bytesSource(data).open(ctx)
	return o.doc, o.info, err
}

// open reads the source with each strategy in turn and returns the first
// document we trust, with what inspection learnt about it. The page count
// is reported only when our own page-tree walk agrees with the document's
// /Count (see pagetree.go), so a more lenient strategy can add files, not
// wrong counts.
func (s *source) open(ctx context.Context) (opened, error) {
	if err := s.precheck(); err != nil {
		return opened{}, err
	}
	var first error
	var details []string
	for _, st := range strategies() {
		doc, info, err := s.attempt(ctx, st)
		if err == nil {
			return opened{doc: doc, info: info, strategy: st.name}, nil
		}
		if k := KindOf(err); k == KindEncrypted || k == KindTooComplex {
			// Another strategy will not find the password, nor fewer pages.
			return opened{}, err
		}
		if first == nil {
			first = err
		}
		details = append(details, st.name+": "+detailOf(err))
	}
	var e *Error
	if errors.As(first, &e) {
		return opened{}, newError(e.Kind, e.Reason, strings.Join(details, "; "))
	}
	return opened{}, first
}

// tailLen is how much of the end of a file is searched first for its
// trailer; only files without one there are searched whole.
const tailLen = 64 << 10

// precheck refuses what no strategy could read.
func (s *source) precheck() error {
	if s.size == 0 {
		return newError(KindUnreadable, reasonEmpty, "empty input")
	}
	head, err := s.at(0, sniffLen)
	if err != nil {
		return newError(KindInternal, reasonInternal, "read input: "+err.Error())
	}
	if !Sniff(head) {
		return newError(KindNotPDF, reasonNotPDF, "no %PDF- header")
	}
	tail, err := s.at(s.size-tailLen, tailLen)
	if err != nil {
		return newError(KindInternal, reasonInternal, "read input: "+err.Error())
	}
	if hasTrailer(tail) {
		return nil
	}
	data, err := s.bytes()
	if err != nil {
		return err
	}
	if !hasTrailer(data) {
		return newError(KindUnreadable, reasonTruncated, "no trailer dictionary")
	}
	return nil
}

// attempt reads the source with one strategy. pdfcpu reports most
// failures by panicking internally; the recover turns any panic on this
// goroutine into an Unreadable error so the next strategy can run.
func (s *source) attempt(ctx context.Context, st strategy) (doc *model.Context, info Info, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, newError(KindUnreadable, reasonDamaged, fmt.Sprintf("panic: %v", r))
		}
	}()
	rs := s.reader()
	if st.rescan {
		data, err := s.bytes()
		if err != nil {
			return nil, Info{}, err
		}
		if data, err = rebuildXRef(data); err != nil {
			return nil, Info{}, newError(KindUnreadable, reasonDamaged, err.Error())
		}
		rs = bytes.NewReader(data)
	}
	doc, err = pdfcpu.ReadWithContext(ctx, rs, pdfcpuConfiguration())
	if err != nil {
		return nil, Info{}, classifyReadError(err)
	}
	if err := checkRead(doc.XRefTable); err != nil {
		return nil, Info{}, err
	}
	// The page tree as the file has it, read before pdfcpu's validation,
	// which repairs what it finds broken in place: a page object pdfcpu
	// could not parse becomes a blank A4 page, which every copy made
	// from the document would then carry. This walk also refuses a
	// document of too many pages before validation reads them all.
	read, err := walkPageTree(doc.XRefTable)
	if err != nil {
		return nil, Info{}, err
	}
	if st.validate {
		if err := api.ValidateContext(doc); err != nil {
			return nil, Info{}, newError(KindUnreadable, reasonDamaged, "validate: "+err.Error())
		}
		// Validation must have left the pages as they were; else the
		// next strategy reads the file without it.
		if after, err := walkPageTree(doc.XRefTable); err != nil || !after.same(read) {
			return nil, Info{}, newError(KindUnreadable, reasonDamaged, "validation changed the page tree")
		}
	}
	if info, err = describe(doc.XRefTable, read); err != nil {
		return nil, Info{}, err
	}
	doc.PageCount = info.Pages // lenient reads skip the validation that sets it
	return doc, info, nil
}

// classifyReadError maps a pdfcpu read error to an *Error with a reason a
// person understands. pdfcpu's own message goes to Detail only.
func classifyReadError(err error) *Error {
	msg := err.Error()
	switch {
	case errors.Is(err, pdfcpu.ErrWrongPassword):
		return newError(KindEncrypted, reasonPassword, msg)
	case strings.Contains(msg, "encrypt"):
		return newError(KindEncrypted, reasonEncryption, msg)
	case errors.Is(err, pdfcpu.ErrEmptyInput):
		return newError(KindUnreadable, reasonEmpty, msg)
	case strings.Contains(msg, "eof") || strings.Contains(msg, "EOF"):
		return newError(KindUnreadable, reasonTruncated, msg)
	}
	return newError(KindUnreadable, reasonDamaged, msg)
}

// detailOf returns the log detail of err ("" for nil).
func detailOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Detail
	}
	return err.Error()
}

// hasTrailer reports whether data has a trailer dictionary: the keyword
// "trailer", or an xref stream ("/Type /XRef"; stream dictionaries are
// never compressed or encrypted). Without either, a reader can only guess
// the catalog, as pdfcpu does; but such files are typically downloads cut
// short, whose last pages are half-written objects that still look like
// pages. qpdf ("unable to find trailer dictionary") and poppler
// ("Couldn't find trailer dictionary") refuse them, and so do we.
func hasTrailer(data []byte) bool {
	return bytes.Contains(data, []byte("trailer")) || hasXRefStream(data)
}

// hasXRefStream reports whether "/Type /XRef" occurs in data, with any
// whitespace between the names and a delimiter after the second.
func hasXRefStream(data []byte) bool {
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("/XRef"))
		if j < 0 {
			return false
		}
		p := i + j
		i = p + len("/XRef")
		if i < len(data) && !isDelimiterOrSpace(data[i]) {
			continue // e.g. /XRefStm
		}
		if bytes.HasSuffix(data[:skipSpaceBack(data, p)], []byte("/Type")) {
			return true
		}
	}
}

func isPDFSpace(b byte) bool {
	return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == '\f' || b == 0
}

// checkRead refuses a read document we cannot trust, before anything is
// read from it.
func checkRead(xt *model.XRefTable) error {
	if xt.MaxObjNr > maxObjectNumber {
		return newError(KindUnreadable, reasonObjectLimit, fmt.Sprintf("object number %d", xt.MaxObjNr))
	}
	if catalog, err := xt.Catalog(); err != nil || catalog == nil {
		return newError(KindUnreadable, reasonDamaged, fmt.Sprintf("catalog: %v", err))
	}
	return nil
}

// describe builds Info from a read document (checkRead) and the summary
// of its page tree (walkPageTree).
func describe(xt *model.XRefTable, pages *pageSummary) (Info, error) {
	catalog, err := xt.Catalog()
	if err != nil || catalog == nil {
		return Info{}, newError(KindUnreadable, reasonDamaged, fmt.Sprintf("catalog: %v", err))
	}
	f := scanFeatures(xt, catalog)
	title, author := docInfo(xt)
	return Info{
		Pages:         pages.count,
		Version:       versionOf(xt),
		PageSizes:     pages.distinctSizes(),
		PageMap:       pages.pageMap(),
		Encrypted:     xt.Encrypt != nil,
		JavaScript:    f.javaScript,
		LaunchActions: f.launch,
		EmbeddedFiles: f.embedded,
		Title:         title,
		Author:        author,
	}, nil
}

func versionOf(xt *model.XRefTable) string {
	if xt.RootVersion == nil && xt.HeaderVersion == nil {
		return ""
	}
	return xt.VersionString()
}
