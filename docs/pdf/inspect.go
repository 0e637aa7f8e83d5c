package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	data, err := os.ReadFile(path)
	if err != nil {
		return Info{}, newError(KindInternal, reasonInternal, "read input: "+err.Error())
	}
	return inspectBytes(ctx, data)
}

func inspectBytes(ctx context.Context, data []byte) (Info, error) {
	_, info, err := openDocument(ctx, data)
	return info, err
}

// openDocument reads data with each strategy in turn and returns the
// first document we trust, with what inspection learnt about it. The page
// count is reported only when our own page-tree walk agrees with the
// document's /Count (see pagetree.go), so a more lenient strategy can add
// files, not wrong counts.
func openDocument(ctx context.Context, data []byte) (*model.Context, Info, error) {
	if err := precheck(data); err != nil {
		return nil, Info{}, err
	}
	var first error
	var details []string
	for _, s := range strategies() {
		doc, info, err := attempt(ctx, data, s)
		if err == nil {
			return doc, info, nil
		}
		if KindOf(err) == KindEncrypted {
			return nil, Info{}, err // another strategy will not find the password
		}
		if first == nil {
			first = err
		}
		details = append(details, s.name+": "+detailOf(err))
	}
	var e *Error
	if errors.As(first, &e) {
		return nil, Info{}, newError(e.Kind, e.Reason, strings.Join(details, "; "))
	}
	return nil, Info{}, first
}

// precheck refuses what no strategy could read.
func precheck(data []byte) error {
	switch {
	case len(data) == 0:
		return newError(KindUnreadable, reasonEmpty, "empty input")
	case !Sniff(data):
		return newError(KindNotPDF, reasonNotPDF, "no %PDF- header")
	case !hasTrailer(data):
		return newError(KindUnreadable, reasonTruncated, "no trailer dictionary")
	}
	return nil
}

// attempt reads data with one strategy. pdfcpu reports most failures by
// panicking internally; the recover turns any panic on this goroutine into
// an Unreadable error so the next strategy can run.
func attempt(ctx context.Context, data []byte, s strategy) (doc *model.Context, info Info, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, newError(KindUnreadable, reasonDamaged, fmt.Sprintf("panic: %v", r))
		}
	}()
	if s.rescan {
		if data, err = rebuildXRef(data); err != nil {
			return nil, Info{}, newError(KindUnreadable, reasonDamaged, err.Error())
		}
	}
	doc, err = pdfcpu.ReadWithContext(ctx, bytes.NewReader(data), pdfcpuConfiguration())
	if err != nil {
		return nil, Info{}, classifyReadError(err)
	}
	if s.validate {
		if err := api.ValidateContext(doc); err != nil {
			return nil, Info{}, newError(KindUnreadable, reasonDamaged, "validate: "+err.Error())
		}
	}
	if info, err = describe(doc.XRefTable); err != nil {
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

// describe builds Info from a read document, refusing results we cannot
// trust.
func describe(xt *model.XRefTable) (Info, error) {
	if xt.MaxObjNr > maxObjectNumber {
		return Info{}, newError(KindUnreadable, reasonObjectLimit, fmt.Sprintf("object number %d", xt.MaxObjNr))
	}
	catalog, err := xt.Catalog()
	if err != nil || catalog == nil {
		return Info{}, newError(KindUnreadable, reasonDamaged, fmt.Sprintf("catalog: %v", err))
	}
	pages, err := walkPageTree(xt, catalog)
	if err != nil {
		return Info{}, err
	}
	f := scanFeatures(xt, catalog)
	title, author := docInfo(xt)
	return Info{
		Pages:         pages.count,
		Version:       versionOf(xt),
		PageSizes:     pages.distinctSizes(),
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
