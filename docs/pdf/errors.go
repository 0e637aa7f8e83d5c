package pdf

import (
	"bytes"
	"errors"
)

// Kind classifies why a PDF could not be processed. Callers map it to an
// HTTP status; the values are stable strings because they also cross the
// worker protocol.
type Kind string

// The kinds of failure. Every error returned by this package for a bad
// input file is an *Error carrying one of these.
const (
	// KindNotPDF: the content is not a PDF at all (no "%PDF-" header in
	// the first 1024 bytes). Typically HTTP 415.
	KindNotPDF Kind = "not_pdf"
	// KindEncrypted: the file needs a password (or an encryption scheme we
	// cannot open). Typically HTTP 422.
	KindEncrypted Kind = "encrypted"
	// KindUnreadable: the file is damaged, or the reader crashed on it.
	// Typically HTTP 422.
	KindUnreadable Kind = "unreadable"
	// KindTimeout: reading took longer than the Runner's Timeout.
	// Typically HTTP 422.
	KindTimeout Kind = "timeout"
	// KindTooComplex: reading needed more memory than the Runner's
	// MemLimit, the document has more than MaxPages pages, or an Annotate
	// was given more marks than a worker reads (MarkBudget). Typically
	// HTTP 422.
	KindTooComplex Kind = "too_complex"
	// KindInternal: the failure is ours, not the file's (the worker could
	// not be started, the input could not be opened...). Typically HTTP 500.
	KindInternal Kind = "internal"
)

// Reasons shown to people. They never contain paths, Go errors or stacks.
const (
	reasonNotPDF      = "the file is not a PDF document"
	reasonPassword    = "the PDF is encrypted with a password"
	reasonEncryption  = "the PDF uses an encryption method that cannot be opened"
	reasonDamaged     = "the PDF is damaged and could not be read"
	reasonEmpty       = "the file is empty"
	reasonTruncated   = "the PDF is incomplete (truncated or damaged)"
	reasonNoPages     = "the PDF has no readable pages"
	reasonPageTree    = "the PDF's page list is damaged"
	reasonObjectLimit = "the PDF is damaged (object numbers beyond the PDF limits)"
	reasonCrashed     = "the PDF could not be read (the reader stopped unexpectedly)"
	reasonTimeout     = "the PDF took too long to read"
	reasonTooComplex  = "the PDF is too complex to read (it needs too much memory)"
	reasonInternal    = "the PDF could not be processed because of a server problem"
	// reasonPageObject: a page-tree object pdfcpu could not parse
	// (damaged, or nested deeper than maxNesting), KindUnreadable.
	reasonPageObject = "a page of the PDF could not be read (it is damaged or too deeply nested)"
	// reasonTooManyPages: more than MaxPages pages, KindTooComplex.
	reasonTooManyPages = "the PDF has too many pages (at most 10,000 are accepted)"

	// reasonTooManyMarks: an Annotate whose marks are more than a
	// worker reads (maxMarksFile), also KindTooComplex.
	reasonTooManyMarks = "too many annotations to draw into one copy"
)

// Error is the error returned for a file that could not be processed.
// Reason is safe to show to the person who uploaded the file; Detail is
// for server logs only (it may quote pdfcpu or the worker's stderr), and
// is left out of Error() and of JSON.
type Error struct {
	Kind   Kind   `json:"kind"`
	Reason string `json:"reason"`
	Detail string `json:"-"`
}

// Error implements error. It deliberately omits Detail so that printing
// the error never leaks internals.
func (e *Error) Error() string {
	return "pdf: " + e.Reason
}

// KindOf returns the Kind of err if it is (or wraps) an *Error, and ""
// otherwise (e.g. for context.Canceled).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// TooManyMarks reports whether err refuses an Annotate's marks as more
// than a worker draws into one copy (MarkBudget), rather than the
// document: both are KindTooComplex.
func TooManyMarks(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindTooComplex && e.Reason == reasonTooManyMarks
}

func newError(kind Kind, reason, detail string) *Error {
	return &Error{Kind: kind, Reason: reason, Detail: detail}
}

// sniffLen is how far into a file the "%PDF-" header may start. Viewers
// accept leading junk (e.g. mail headers) before it, within the first
// 1024 bytes (the limit Acrobat documents).
const sniffLen = 1024

// Sniff reports whether head (the first bytes of a file, ideally at least
// 1024) looks like a PDF: "%PDF-" within the first 1024 bytes. It checks
// content, never the file name or declared MIME type.
func Sniff(head []byte) bool {
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	return bytes.Contains(head, []byte("%PDF-"))
}
