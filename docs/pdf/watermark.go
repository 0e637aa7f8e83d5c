package pdf

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

const (
	// maxWatermarkLines and maxWatermarkLineLen keep the stamp legible
	// and the request small.
	maxWatermarkLines   = 8
	maxWatermarkLineLen = 120
	// watermarkStyle is pdfcpu's description of the stamp: light grey,
	// translucent, along the page diagonal, 80% of the page wide. It is
	// put on top of the content, so scanned pages (one opaque image each)
	// cannot hide it.
	watermarkStyle = "points:48, scalefactor:0.8 rel, diagonal:1, fillcolor:#808080, opacity:0.25"
	// fallbackFont is a standard PDF font; it needs no embedding but only
	// covers Latin-1, so text is folded to ASCII for it.
	fallbackFont = "Helvetica"
)

// unicodeFontFiles are TrueType fonts from Debian packages that cover
// Vietnamese, most preferred first (fonts-dejavu-core, fonts-noto-core,
// fonts-liberation, fonts-freefont-ttf).
func unicodeFontFiles() []string {
	return []string{
		"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
		"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
		"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
		"/usr/share/fonts/truetype/freefont/FreeSans.ttf",
	}
}

// watermarkArgs are the watermark op's arguments.
type watermarkArgs struct {
	Out    string   `json:"out"`
	Lines  []string `json:"lines"`
	CopyID string   `json:"copy_id"`
	// Rewrite forces the full rewrite even when the in-place stamp
	// would do (tests compare the two).
	Rewrite bool `json:"rewrite,omitempty"`
}

// watermarkResult is what the watermark op reports.
type watermarkResult struct {
	Pages       int  `json:"pages"`
	Incremental bool `json:"incremental"` // the original's objects kept in place (stamp.go), not rewritten
}

// Watermark writes to out a copy of the PDF at in with every page stamped
// diagonally, in light grey, with lines (e.g. full name, username, date)
// followed by copyID. Vietnamese and other non-Latin-1 text needs one of
// unicodeFontFiles; without one, text is folded to ASCII ("Nguyễn" becomes
// "Nguyen"). When the file allows it, the original's objects are kept in
// place and the stamp's added, so the cost does not grow with the file's
// size, and the copy is one revision with no unstamped prefix (stamp.go).
//
// Like Inspect it runs pdfcpu in this process, and it also sets pdfcpu's
// process-wide user font directory: call it only inside the worker or
// from tests. Servers call Runner.Watermark.
func Watermark(in, out string, lines []string, copyID string) error {
	_, err := watermarkFile(context.Background(), in, watermarkArgs{Out: out, Lines: lines, CopyID: copyID})
	return err
}

// Watermark stamps a copy of in into out in a long-lived worker (in is a
// document the server has already accepted); see the package function
// Watermark. out is overwritten.
func (r *Runner) Watermark(ctx context.Context, in, out string, lines []string, copyID string) error {
	abs, err := r.checkInput(in)
	if err != nil {
		return err
	}
	outAbs, err := filepath.Abs(out)
	if err != nil {
		return newError(KindInternal, reasonInternal, "output path: "+err.Error())
	}
	args, err := json.Marshal(watermarkArgs{Out: outAbs, Lines: lines, CopyID: copyID})
	if err != nil {
		return newError(KindInternal, reasonInternal, "encode arguments: "+err.Error())
	}
	return r.callPooled(ctx, request{Op: "watermark", Path: abs, Args: args}, &watermarkResult{})
}

func opWatermark(ctx context.Context, req request) (any, error) {
	var a watermarkArgs
	if err := json.Unmarshal(req.Args, &a); err != nil || a.Out == "" {
		return nil, newError(KindInternal, reasonInternal, "bad watermark arguments")
	}
	return watermarkFile(ctx, req.Path, a)
}

// watermarkFile opens in with the same strategies as Inspect (so every
// file we accept can be stamped), stamps it and writes out: with in's
// objects kept in place when the file allows it (stamp.go), else by
// having pdfcpu rewrite the whole document.
func watermarkFile(ctx context.Context, in string, a watermarkArgs) (watermarkResult, error) {
	src, err := openSource(in)
	if err != nil {
		return watermarkResult{}, err
	}
	defer src.Close()
	o, cached := lastRead.get(src)
	if !cached {
		if o, err = src.open(ctx); err != nil {
			return watermarkResult{}, err
		}
	}
	tmark("open")
	fontDir, done, err := fontDir()
	if err != nil {
		return watermarkResult{}, err
	}
	defer done() // after writing: pdfcpu reads the font again to embed it
	wm, err := newWatermark(fontDir, watermarkText(a.Lines, a.CopyID), unicodeFontFiles())
	if err != nil {
		return watermarkResult{}, newError(KindInternal, reasonInternal, "watermark: "+err.Error())
	}
	tmark("font")
	if cached {
		// Only ever kept after an incremental stamp, which leaves the
		// document as it was read; anything else, and it is read afresh.
		if a.Rewrite || stampIncremental(ctx, src, o, wm, a.Out) != nil {
			lastRead.forget()
			return watermarkFile(ctx, in, a)
		}
		return watermarkResult{Pages: o.info.Pages, Incremental: true}, nil
	}
	if !a.Rewrite {
		switch err := stampIncremental(ctx, src, o, wm, a.Out); {
		case err == nil:
			lastRead.keep(src, o)
			return watermarkResult{Pages: o.info.Pages, Incremental: true}, nil
		case !errors.Is(err, errNoIncrement):
			return watermarkResult{}, err
		}
	}
	switch err := stampRewrite(ctx, o, wm, a.Out); {
	case err == nil:
		return watermarkResult{Pages: o.info.Pages}, nil
	case !errors.Is(err, errNoIncrement):
		return watermarkResult{}, err
	}
	// A page tree our stamp cannot follow: pdfcpu's own stamp.
	if wm, err = newWatermark(fontDir, watermarkText(a.Lines, a.CopyID), unicodeFontFiles()); err != nil {
		return watermarkResult{}, newError(KindInternal, reasonInternal, "watermark: "+err.Error())
	}
	doc := o.doc
	doc.Cmd = model.ADDWATERMARKS
	if err := pdfcpu.AddWatermarks(doc, nil, wm); err != nil {
		return watermarkResult{}, newError(KindUnreadable, reasonDamaged, "stamp: "+err.Error())
	}
	if err := writeDocument(doc, a.Out); err != nil {
		return watermarkResult{}, err
	}
	return watermarkResult{Pages: o.info.Pages}, nil
}

// lastRead is the document a long-lived worker last stamped
// incrementally, kept so that the next reader's copy of the same version
// (a confidential pack is stamped for each of its readers in a row)
// skips reading it again. It is keyed by the file itself (os.SameFile:
// device and inode) with its size and modification time, so a different
// or changed file is always read afresh; blobs are content-addressed and
// never change in place. Only inside a worker (fonts.serving), and only
// for files up to maxLastRead, whose parsed form the worker then holds
// until the next stamp (RecycleRSS bounds what that may cost).
var lastRead parsedCache

// maxLastRead is the largest file whose parsed document is kept.
const maxLastRead = 64 << 20

type parsedCache struct {
	mu   sync.Mutex
	info os.FileInfo
	o    opened
	hits int // for tests
}

// get returns the document read from the same, unchanged file, if kept.
func (c *parsedCache) get(src *source) (opened, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.info == nil || src.info == nil || !os.SameFile(c.info, src.info) ||
		c.info.Size() != src.info.Size() || !c.info.ModTime().Equal(src.info.ModTime()) ||
		!sameChangeTime(c.info, src.info) { // a file rewritten in place with its mtime put back
		return opened{}, false
	}
	c.hits++
	return c.o, true
}

// keep remembers o, read from src, when this process is a worker.
func (c *parsedCache) keep(src *source, o opened) {
	if !inWorker() || src.info == nil || src.size > maxLastRead {
		c.forget()
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.info, c.o = src.info, o
}

func (c *parsedCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.info, c.o = nil, opened{}
}

// opWarm readies a new long-lived worker before its first request: its
// fonts installed, pdfcpu's reader and the stamp's rendering run once on
// a scratch page (no document is involved).
func opWarm(ctx context.Context, _ request) (any, error) {
	dir, done, err := fontDir()
	if err != nil {
		return nil, err
	}
	defer done()
	wm, err := newWatermark(dir, "Curia 0123456789", unicodeFontFiles())
	if err != nil {
		return nil, newError(KindInternal, reasonInternal, "watermark: "+err.Error())
	}
	if _, _, err := stampForm(ctx, wm); err != nil {
		return nil, err
	}
	return true, nil
}

// newWatermark describes the stamp, in the first available font of
// fontFiles, else in Helvetica with ASCII text.
func newWatermark(fontDir, text string, fontFiles []string) (*model.Watermark, error) {
	name, err := installUnicodeFont(fontDir, fontFiles)
	if err != nil {
		name, text = fallbackFont, asciiFold(text)
	}
	return api.TextWatermark(text, "fontname:"+name+", "+watermarkStyle, true, false, types.POINTS)
}

// writeDocument writes doc to path, removing a partial file on failure.
func writeDocument(doc *model.Context, path string) error {
	return writeFile(path, func(f *os.File) error {
		if err := api.WriteContext(doc, f); err != nil {
			return newError(KindUnreadable, reasonDamaged, "write: "+err.Error())
		}
		return nil
	})
}

// writeFile creates path and has fill write it; should either fail, or
// closing the file, the partial file is removed.
func writeFile(path string, fill func(f *os.File) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return newError(KindInternal, reasonInternal, "create output: "+err.Error())
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = newError(KindInternal, reasonInternal, "close output: "+cerr.Error())
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	return fill(f)
}

// watermarkText joins the cleaned, non-empty lines and the copy id, one per
// line.
func watermarkText(lines []string, copyID string) string {
	var out []string
	for _, l := range append(lines, copyID) {
		l = cleanText(l)
		if r := []rune(l); len(r) > maxWatermarkLineLen {
			l = string(r[:maxWatermarkLineLen])
		}
		if l != "" && len(out) < maxWatermarkLines {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// asciiFold maps Vietnamese letters to their base letter and anything
// else outside printable ASCII to '?', for the fallback font.
func asciiFold(s string) string {
	groups := [...]struct {
		base    rune
		letters string
	}{
		{'a', "àáảãạăằắẳẵặâầấẩẫậ"},
		{'e', "èéẻẽẹêềếểễệ"},
		{'i', "ìíỉĩị"},
		{'o', "òóỏõọôồốổỗộơờớởỡợ"},
		{'u', "ùúủũụưừứửữự"},
		{'y', "ỳýỷỹỵ"},
		{'d', "đ"},
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' || (r >= ' ' && r <= '~') {
			return r
		}
		lower := unicode.ToLower(r)
		for _, g := range groups {
			if strings.ContainsRune(g.letters, lower) {
				if lower != r {
					return unicode.ToUpper(g.base)
				}
				return g.base
			}
		}
		return '?'
	}, s)
}
