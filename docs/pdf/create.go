package pdf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	pdffont "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Spec is a plain text document to create: a title on the first page,
// then sections of paragraphs, on A4 pages numbered "Trang n/N". It makes
// the demo's meeting pack and test fixtures; it is not a layout engine.
type Spec struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"` // e.g. the issuing body, above the title
	// Mark is printed at the top right of every page, in red: "MẬT".
	Mark     string    `json:"mark,omitempty"`
	Sections []Section `json:"sections"`
}

// Section starts on a new page with its heading; its paragraphs flow onto
// further pages when they do not fit.
type Section struct {
	Heading    string   `json:"heading,omitempty"`
	Paragraphs []string `json:"paragraphs"`
}

// boldFontFile is DejaVu Sans Bold (fonts-dejavu-core), for headings;
// without it headings are set in the regular face.
const boldFontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

// maxCreatePages bounds what one Spec may produce.
const maxCreatePages = 500

// Create writes the document described by doc to out in a worker; see the
// package function Create. out is overwritten.
func (r *Runner) Create(ctx context.Context, out string, doc Spec) error {
	outAbs, err := filepath.Abs(out)
	if err != nil {
		return newError(KindInternal, reasonInternal, "output path: "+err.Error())
	}
	args, err := json.Marshal(createArgs{Out: outAbs, Spec: doc})
	if err != nil || len(args) > maxRequestBytes-1024 {
		return newError(KindInternal, reasonInternal, "create: the document is too large for one request")
	}
	var res createResult
	return r.call(ctx, request{Op: "create", Args: args}, &res)
}

// Create writes doc to out in this process. Like Watermark it sets
// pdfcpu's process-wide font directory: servers call Runner.Create.
func Create(out string, doc Spec) (pages int, err error) {
	res, err := createFile(createArgs{Out: out, Spec: doc})
	return res.Pages, err
}

type createArgs struct {
	Out  string `json:"out"`
	Spec Spec   `json:"spec"`
}

type createResult struct {
	Pages int `json:"pages"`
}

func opCreate(_ context.Context, req request) (any, error) {
	var a createArgs
	if err := json.Unmarshal(req.Args, &a); err != nil || a.Out == "" {
		return nil, newError(KindInternal, reasonInternal, "bad create arguments")
	}
	return createFile(a)
}

func createFile(a createArgs) (createResult, error) {
	fontDir, done, err := fontDir()
	if err != nil {
		return createResult{}, err
	}
	defer done()
	doc, err := pdfcpu.CreateContextWithXRefTable(pdfcpuConfiguration(), types.PaperSize["A4"])
	if err != nil {
		return createResult{}, newError(KindInternal, reasonInternal, "create context: "+err.Error())
	}
	fonts := installFonts(doc.XRefTable, fontDir)
	pages, err := layout(fonts, a.Spec)
	if err != nil {
		return createResult{}, err
	}
	if err := addPages(doc, fonts, pages); err != nil {
		return createResult{}, newError(KindInternal, reasonInternal, "create pages: "+err.Error())
	}
	setTitle(doc.XRefTable, a.Spec.Title)
	if err := writeDocument(doc, a.Out); err != nil {
		return createResult{}, err
	}
	return createResult{Pages: len(pages)}, nil
}

// typeface is one font of a document being written: text is measured and
// encoded for it, and the glyphs used are remembered for subsetting.
type typeface struct {
	xt   *model.XRefTable
	name string // pdfcpu's name: a user font's PostScript name or a core font
	key  string // resource name in content streams
	core bool   // a standard font: Latin-1 only, text folded to ASCII
}

// fontSet is a regular and a bold face.
type fontSet struct{ regular, bold *typeface }

// installFonts installs DejaVu Sans (regular and bold) or another Unicode
// font of unicodeFontFiles into dir; without one, text falls back to
// Helvetica folded to ASCII.
func installFonts(xt *model.XRefTable, dir string) fontSet {
	reg, err := installUnicodeFont(dir, unicodeFontFiles())
	if err != nil {
		return fontSet{&typeface{xt, fallbackFont, "F1", true}, &typeface{xt, fallbackFont + "-Bold", "F2", true}}
	}
	regular := &typeface{xt, reg, "F1", false}
	bold, err := installFont(dir, boldFontFile)
	if err != nil {
		return fontSet{regular, regular}
	}
	return fontSet{regular, &typeface{xt, bold, "F2", false}}
}

func (f *typeface) text(s string) string {
	if f.core {
		return asciiFold(s)
	}
	return s
}

// width is the width of s in points at size.
func (f *typeface) width(s string, size float64) float64 {
	w, err := font.TextWidthFloat(f.text(s), f.name, size)
	if err != nil {
		return float64(utf8.RuneCountInString(s)) * size * 0.6
	}
	return w
}

// show writes s at (x, y) in the current coordinate system. flip sets a
// text matrix that turns glyphs upright in a y-down system (annotate.go).
func (f *typeface) show(w *bytes.Buffer, s string, x, y, size float64, flip bool) error {
	enc, err := model.PrepBytes(f.xt, f.text(s), f.name, !f.core, false, false)
	if err != nil {
		return err
	}
	pos := fmt.Sprintf("%.2f %.2f Td", x, y)
	if flip {
		pos = fmt.Sprintf("1 0 0 -1 %.2f %.2f Tm", x, y)
	}
	fmt.Fprintf(w, "BT /%s %.2f Tf %s (%s) Tj ET\n", f.key, size, pos, enc)
	return nil
}

// wrap breaks s into lines no wider than width at size; a word wider than
// a line is cut.
func (f *typeface) wrap(s string, size, width float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			for f.width(word, size) > width && utf8.RuneCountInString(word) > 1 {
				cut := fitRunes(f, word, size, width)
				if line != "" {
					lines, line = append(lines, line), ""
				}
				lines, word = append(lines, word[:cut]), word[cut:]
			}
			switch {
			case line == "":
				line = word
			case f.width(line+" "+word, size) <= width:
				line += " " + word
			default:
				lines, line = append(lines, line), word
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// fitRunes returns the byte length of the longest prefix of word that fits
// width (at least one rune).
func fitRunes(f *typeface, word string, size, width float64) int {
	n := 0
	for i, r := range word {
		if i > 0 && f.width(word[:i+utf8.RuneLen(r)], size) > width {
			break
		}
		n = i + utf8.RuneLen(r)
	}
	return n
}

// resource makes the font dictionary, subset to the glyphs shown so far:
// call it after the last show.
func (f *typeface) resource() (types.IndirectRef, error) {
	used := maps.Clone(f.xt.UsedGIDs[f.name]) // pdfcpu forgets them once the subset is made
	ir, err := pdffont.EnsureFontDict(f.xt, f.name, "", "", false, nil)
	if err != nil {
		return types.IndirectRef{}, err
	}
	if !f.core {
		if err := f.fixToUnicode(*ir, used); err != nil {
			return types.IndirectRef{}, err
		}
	}
	return *ir, nil
}

// fixToUnicode rewrites the font's ToUnicode map. pdfcpu's (v0.15.0)
// declares one entry too many in its last section once a font shows more
// than 100 glyphs, and readers then lose the last section: Vietnamese
// letters such as "ổ" or "ị" vanish from copied and searched text.
func (f *typeface) fixToUnicode(fontRef types.IndirectRef, used map[uint16]bool) error {
	d, err := f.xt.DereferenceDict(fontRef)
	if err != nil || d == nil {
		return fmt.Errorf("font dictionary: %v", err)
	}
	ref := d.IndirectRefEntry("ToUnicode")
	ttf, ok, err := font.UserFont(f.name)
	if ref == nil || !ok || err != nil {
		return fmt.Errorf("ToUnicode of %s: %v", f.name, err)
	}
	entry, found := f.xt.FindTableEntryForIndRef(ref)
	if !found {
		return fmt.Errorf("ToUnicode of %s: no object", f.name)
	}
	sd, ok := entry.Object.(types.StreamDict)
	if !ok {
		return fmt.Errorf("ToUnicode of %s: not a stream", f.name)
	}
	sd.Content = toUnicodeCMap(ttf.ToUnicode, slices.Sorted(maps.Keys(used)))
	if err := sd.Encode(); err != nil {
		return err
	}
	entry.Object = sd
	return nil
}

// toUnicodeCMap maps glyph ids to their characters, in sections of at
// most 100 entries as PDF requires.
func toUnicodeCMap(chars map[uint16]uint32, gids []uint16) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for chunk := range slices.Chunk(gids, 100) {
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&b, "<%04X> <", g)
			for _, u := range utf16.Encode([]rune{rune(chars[g])}) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// A4 in points, and the text block on it.
const (
	a4W, a4H              = 595.28, 841.89
	marginX, marginTop    = 70.0, 72.0
	marginBottom          = 64.0
	bodySize, headingSize = 11.5, 13.0
	titleSize, leading    = 15.0, 1.45
)

// layout sets the spec's text into page content streams.
func layout(fonts fontSet, doc Spec) ([]*bytes.Buffer, error) {
	l := &layouter{fonts: fonts, doc: doc}
	for i, sec := range doc.Sections {
		if err := l.section(i == 0, sec); err != nil {
			return nil, err
		}
	}
	if len(l.pages) == 0 {
		l.newPage()
	}
	return l.pages, l.err
}

type layouter struct {
	fonts fontSet
	doc   Spec
	pages []*bytes.Buffer
	y     float64 // baseline of the next line, from the bottom
	err   error
}

func (l *layouter) page() *bytes.Buffer { return l.pages[len(l.pages)-1] }

func (l *layouter) newPage() {
	l.pages = append(l.pages, &bytes.Buffer{})
	l.y = a4H - marginTop
	if l.doc.Mark != "" {
		fmt.Fprint(l.page(), "0.75 0.05 0.05 rg\n")
		size := 12.0
		l.line(l.fonts.bold, l.doc.Mark, a4W-marginX-l.fonts.bold.width(l.doc.Mark, size), a4H-40, size)
		fmt.Fprint(l.page(), "0 0 0 rg\n")
	}
}

func (l *layouter) line(f *typeface, s string, x, y, size float64) {
	if l.err == nil {
		l.err = f.show(l.page(), s, x, y, size, false)
	}
}

// block writes text wrapped to the text width, centred or not, starting a
// new page when the next line would cross the bottom margin.
func (l *layouter) block(f *typeface, s string, size float64, centre bool) error {
	width := a4W - 2*marginX
	for _, ln := range f.wrap(s, size, width) {
		if l.y < marginBottom+size {
			if len(l.pages) >= maxCreatePages {
				return newError(KindInternal, reasonInternal, "create: too many pages")
			}
			l.newPage()
		}
		x := marginX
		if centre {
			x = (a4W - f.width(ln, size)) / 2
		}
		l.line(f, ln, x, l.y, size)
		l.y -= size * leading
	}
	return nil
}

func (l *layouter) section(first bool, sec Section) error {
	l.newPage()
	if first {
		if l.doc.Subtitle != "" {
			if err := l.block(l.fonts.regular, l.doc.Subtitle, bodySize, true); err != nil {
				return err
			}
			l.y -= bodySize
		}
		if err := l.block(l.fonts.bold, l.doc.Title, titleSize, true); err != nil {
			return err
		}
		l.y -= titleSize
	}
	if sec.Heading != "" {
		if err := l.block(l.fonts.bold, sec.Heading, headingSize, false); err != nil {
			return err
		}
		l.y -= headingSize * 0.4
	}
	for _, p := range sec.Paragraphs {
		if err := l.block(l.fonts.regular, p, bodySize, false); err != nil {
			return err
		}
		l.y -= bodySize * 0.5
	}
	return nil
}

// addPages numbers the pages and appends them to doc's page tree, with one
// resource dictionary for all.
func addPages(doc *model.Context, fonts fontSet, pages []*bytes.Buffer) error {
	for i, p := range pages {
		num := fmt.Sprintf("Trang %d/%d", i+1, len(pages))
		if err := fonts.regular.show(p, num, (a4W-fonts.regular.width(num, 9))/2, 36, 9, false); err != nil {
			return err
		}
	}
	res, err := fontResources(doc.XRefTable, fonts.regular, fonts.bold)
	if err != nil {
		return err
	}
	root, err := doc.Pages()
	if err != nil {
		return err
	}
	tree, err := doc.DereferenceDict(*root)
	if err != nil {
		return err
	}
	for _, p := range pages {
		content, err := doc.StreamDictIndRef(p.Bytes())
		if err != nil {
			return err
		}
		page := types.Dict{"Type": types.Name("Page"), "Parent": *root, "MediaBox": types.RectForDim(a4W, a4H).Array(),
			"Resources": res, "Contents": *content}
		ir, err := doc.IndRefForNewObject(page)
		if err != nil {
			return err
		}
		if err := model.AppendPageTree(ir, 1, tree); err != nil {
			return err
		}
		doc.PageCount++
	}
	return nil
}

// fontResources makes a resource dictionary naming each face by its key.
func fontResources(xt *model.XRefTable, faces ...*typeface) (types.IndirectRef, error) {
	fonts := types.Dict{}
	for _, f := range faces {
		if _, ok := fonts[f.key]; ok {
			continue
		}
		ir, err := f.resource()
		if err != nil {
			return types.IndirectRef{}, err
		}
		fonts[f.key] = ir
	}
	ir, err := xt.IndRefForNewObject(types.Dict{"Font": fonts})
	if err != nil {
		return types.IndirectRef{}, err
	}
	return *ir, nil
}

// setTitle records the title in the document information dictionary.
func setTitle(xt *model.XRefTable, title string) {
	s, err := types.EscapedUTF16String(strings.TrimSpace(title))
	if err != nil || title == "" {
		return
	}
	if ir, err := xt.IndRefForNewObject(types.Dict{"Title": types.StringLiteral(*s)}); err == nil {
		xt.Info = ir
	}
}
