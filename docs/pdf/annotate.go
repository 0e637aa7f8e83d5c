package pdf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The kinds of Mark.
const (
	MarkInk       = "ink"
	MarkHighlight = "highlight"
	MarkNote      = "note"
)

// Mark is one annotation drawn into a page by Annotate.
//
// Coordinates are points in the page as it is displayed: the origin is
// the top-left corner of the page's visible box (its crop box, clipped to
// its media box), x grows to the right and y downwards, after the page's
// own /Rotate as pageRotation reads it (a quarter turn; any other value
// leaves the page unrotated). That is a pdf.js viewport at scale 1, so a
// client converts with a division by its zoom, whatever the screen.
type Mark struct {
	Page    int       `json:"page"`
	Kind    string    `json:"kind"`
	Colour  string    `json:"colour"`            // #rrggbb
	Opacity float64   `json:"opacity,omitempty"` // highlight, 0 to 1
	Width   float64   `json:"width,omitempty"`   // ink: pen width in points
	Strokes [][]Point `json:"strokes,omitempty"` // ink
	Rects   []Rect    `json:"rects,omitempty"`   // highlight
	At      Point     `json:"at"`                // note: where it is pinned
	Text    string    `json:"text,omitempty"`    // note
}

// Point is a position; P is the pen pressure from 0 to 1, 0 when unknown.
type Point struct{ X, Y, P float64 }

// Rect is a rectangle from its top-left corner.
type Rect struct{ X, Y, W, H float64 }

// maxMarksFile bounds the marks a worker reads: the JSON file of []Mark
// that Annotate writes. Marks whose file would be larger are too many to
// draw into one copy (KindTooComplex), whoever finds it first: a caller
// counting them with a MarkBudget, Annotate writing them, or the worker
// reading them.
const maxMarksFile = 64 << 20

// MarkBudget counts the bytes of the marks file Annotate writes for a
// worker, as the marks are gathered, so that a caller can refuse them
// before it holds or writes more than a worker reads. The count is exact:
// the file of the marks Add accepted is Used bytes long. The zero value
// is an empty budget of maxMarksFile bytes.
type MarkBudget struct {
	// Limit is the most the file may hold, in bytes; 0 (or more than a
	// worker reads) is maxMarksFile.
	Limit int64
	used  int64
	marks int
}

// Add counts m, or refuses it with a KindTooComplex *Error when the file
// would then be larger than the limit; a refused mark is not counted.
func (b *MarkBudget) Add(m Mark) error {
	var n countWriter
	if err := json.NewEncoder(&n).Encode(m); err != nil {
		return newError(KindInternal, reasonInternal, "encode mark: "+err.Error())
	}
	// The file is "[" + the marks with a comma between them + "]\n";
	// Encode added a newline of its own, which stands for the comma (or,
	// for the first mark, the newline at the end).
	size := b.Used() + n.n
	if b.marks == 0 {
		size = 2 + n.n
	}
	if limit := b.limit(); size > limit {
		return tooManyMarks(fmt.Sprintf("marks file over %d bytes at mark %d", limit, b.marks+1))
	}
	b.used, b.marks = size, b.marks+1
	return nil
}

// Used is the size of the marks file of the marks counted so far.
func (b *MarkBudget) Used() int64 {
	if b.marks == 0 {
		return 3 // "[]\n"
	}
	return b.used
}

func (b *MarkBudget) limit() int64 {
	if b.Limit <= 0 || b.Limit > maxMarksFile {
		return maxMarksFile
	}
	return b.Limit
}

func tooManyMarks(detail string) *Error {
	return newError(KindTooComplex, reasonTooManyMarks, detail)
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

type annotateArgs struct {
	Out   string `json:"out"`
	Marks string `json:"marks"` // a JSON file of []Mark: too large for the request
}

type annotateResult struct {
	Pages int `json:"pages"`
}

// Annotate writes to out a copy of the PDF at in with marks drawn into
// their pages (ink as paths, highlights as translucent rectangles, notes
// as a pinned text box and a PDF text annotation holding the full note),
// in a long-lived worker (in is a document the server has already
// accepted, or a reader's stamped copy of one). out is overwritten.
func (r *Runner) Annotate(ctx context.Context, in, out string, marks []Mark) error {
	abs, err := r.checkInput(in)
	if err != nil {
		return err
	}
	outAbs, err := filepath.Abs(out)
	if err != nil {
		return newError(KindInternal, reasonInternal, "output path: "+err.Error())
	}
	list := outAbs + ".marks.json"
	defer os.Remove(list)
	if err := writeMarks(list, marks, maxMarksFile); err != nil {
		return err // too many marks: the worker is not asked
	}
	args, err := json.Marshal(annotateArgs{Out: outAbs, Marks: list})
	if err != nil {
		return newError(KindInternal, reasonInternal, "encode arguments: "+err.Error())
	}
	return r.callPooled(ctx, request{Op: "annotate", Path: abs, Args: args}, &annotateResult{})
}

// Annotate draws marks into a copy of in, in this process: like Watermark,
// only inside the worker or in tests. Servers call Runner.Annotate.
func Annotate(in, out string, marks []Mark) error {
	_, err := annotateFile(context.Background(), in, out, marks)
	return err
}

// errMarksTooLarge stops writing a marks file at its limit.
var errMarksTooLarge = errors.New("marks file over its limit")

// limitWriter fails a write that would take what was written over left.
type limitWriter struct {
	w    io.Writer
	left int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, errMarksTooLarge
	}
	l.left -= int64(len(p))
	return l.w.Write(p)
}

// writeMarks writes marks as the JSON file a worker reads, refusing them
// with KindTooComplex, nothing more written, once the file would be larger
// than limit bytes (a worker would not read it whole). The caller removes
// the file.
func writeMarks(path string, marks []Mark, limit int64) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return newError(KindInternal, reasonInternal, "write marks: "+err.Error())
	}
	err = encodeMarks(bufio.NewWriter(&limitWriter{w: f, left: limit}), marks)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case errors.Is(err, errMarksTooLarge):
		return tooManyMarks(fmt.Sprintf("marks file over %d bytes (%d marks)", limit, len(marks)))
	case err != nil:
		return newError(KindInternal, reasonInternal, "write marks: "+err.Error())
	}
	return nil
}

// encodeMarks writes marks as json.Encoder writes the slice (the file
// MarkBudget counts), one mark at a time, so that no more than one mark's
// JSON is held at once.
func encodeMarks(w *bufio.Writer, marks []Mark) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	w.WriteByte('[')
	for i, m := range marks {
		buf.Reset()
		if err := enc.Encode(m); err != nil {
			return err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(buf.Bytes()[:buf.Len()-1]) // without Encode's newline
	}
	w.WriteString("]\n")
	return w.Flush() // the first error of a write, if any
}

// readMarks reads the marks file at path, refusing one larger than limit
// bytes with KindTooComplex, as Annotate does: such marks are too many
// to draw, not a failure of ours.
func readMarks(path string, limit int64) ([]Mark, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, newError(KindInternal, reasonInternal, "open marks: "+err.Error())
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, newError(KindInternal, reasonInternal, "stat marks: "+err.Error())
	}
	if st.Size() > limit {
		return nil, tooManyMarks(fmt.Sprintf("marks file of %d bytes, over %d", st.Size(), limit))
	}
	lr := &io.LimitedReader{R: f, N: limit + 1}
	var marks []Mark
	if err := json.NewDecoder(lr).Decode(&marks); err != nil {
		if lr.N == 0 { // it grew past the limit since
			return nil, tooManyMarks(fmt.Sprintf("marks file over %d bytes", limit))
		}
		return nil, newError(KindInternal, reasonInternal, "decode marks: "+err.Error())
	}
	return marks, nil
}

func opAnnotate(ctx context.Context, req request) (any, error) {
	var a annotateArgs
	if err := json.Unmarshal(req.Args, &a); err != nil || a.Out == "" || a.Marks == "" {
		return nil, newError(KindInternal, reasonInternal, "bad annotate arguments")
	}
	marks, err := readMarks(a.Marks, maxMarksFile)
	if err != nil {
		return nil, err
	}
	return annotateFile(ctx, req.Path, a.Out, marks)
}

func annotateFile(ctx context.Context, in, out string, marks []Mark) (annotateResult, error) {
	src, err := openSource(in)
	if err != nil {
		return annotateResult{}, err
	}
	defer src.Close()
	o, err := src.open(ctx)
	if err != nil {
		return annotateResult{}, err
	}
	doc, info := o.doc, o.info
	leaves, err := pageLeaves(doc.XRefTable)
	if err != nil {
		return annotateResult{}, err
	}
	for _, lf := range leaves {
		lf.pin(lf.dict) // every page: pdfcpu writes the copy whole
	}
	byPage := map[int][]Mark{}
	for _, m := range marks {
		if m.Page < 1 || m.Page > len(leaves) {
			return annotateResult{}, newError(KindInternal, reasonInternal, fmt.Sprintf("mark on page %d of %d", m.Page, len(leaves)))
		}
		byPage[m.Page] = append(byPage[m.Page], m)
	}
	if err := drawMarks(doc, leaves, byPage); err != nil {
		return annotateResult{}, err
	}
	if err := writeDocument(doc, out); err != nil {
		return annotateResult{}, err
	}
	return annotateResult{Pages: info.Pages}, nil
}

// leaf is one page with its geometry, and where the tree names it.
type leaf struct {
	ref    types.IndirectRef
	dict   types.Dict
	box    box // the visible box in user space (geom.view)
	rotate int // 0, 90, 180 or 270 (geom.rotate)
	geom   geometry
	res    types.Dict        // its resources, as a viewer reads them (nil: none)
	parent types.IndirectRef // the node whose /Kids name the page here
	kids   types.Array       // that node's /Kids
	kid    int               // the page's index in kids
}

// pageLeaves lists the pages in order, with the geometry inspection
// stores for them (walkPages), which are all indirect objects: the stamp
// and the export replace them by number.
func pageLeaves(xt *model.XRefTable) ([]leaf, error) {
	var out []leaf
	err := walkPages(xt, func(p *treePage) error {
		parent, ok := p.parent.(types.IndirectRef)
		if !ok { // the root is a page
			return pageTreeError("page %d is not listed by a node", len(out)+1)
		}
		out = append(out, leaf{ref: p.ref, dict: p.dict, box: p.geom.view, rotate: p.geom.rotate, geom: p.geom,
			res: p.res, parent: parent, kids: p.kids, kid: p.kid})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// displayMatrix maps the displayed page (top-left origin, y down,
// rotated, in units of 1/72 inch × /UserUnit as pdf.js shows it) to user
// space.
func displayMatrix(g geometry) [6]float64 {
	b := g.view
	m := [6]float64{1, 0, 0, -1, b[0], b[3]}
	switch g.rotate {
	case 90:
		m = [6]float64{0, 1, 1, 0, b[0], b[1]}
	case 180:
		m = [6]float64{-1, 0, 0, 1, b[2], b[1]}
	case 270:
		m = [6]float64{0, -1, -1, 0, b[2], b[3]}
	}
	for i := range 4 { // a displayed point is /UserUnit units of user space
		m[i] /= g.unit
	}
	return m
}

func apply(m [6]float64, x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

// drawMarks draws each page's marks into a form XObject of its own, with
// its own resources, and shows it after the page's content, which is
// wrapped in q … Q so that a graphics state it leaves changed cannot move
// the marks. Existing content streams are never modified (they may be
// shared with other pages), and a page whose page object the tree names
// more than once gets a copy of its own first, so its marks show on it
// alone.
func drawMarks(doc *model.Context, leaves []leaf, byPage map[int][]Mark) error {
	uses := map[types.IndirectRef]int{}
	for _, lf := range leaves {
		uses[lf.ref]++
	}
	var faces fontSet
	for _, ms := range byPage {
		if slices.ContainsFunc(ms, func(m Mark) bool { return m.Kind == MarkNote }) && faces.regular == nil {
			dir, done, err := fontDir()
			if err != nil {
				return err
			}
			defer done()
			faces = installFonts(doc.XRefTable, dir)
		}
	}
	canvases := map[int]*canvas{}
	for n, ms := range byPage {
		lf := leaves[n-1]
		if uses[lf.ref] > 1 {
			if err := lf.ownCopy(doc.XRefTable); err != nil {
				return newError(KindUnreadable, reasonPageTree, fmt.Sprintf("page %d shares its page object with another page: %v", n, err))
			}
		}
		c := newCanvas(doc.XRefTable, lf, faces.regular)
		if err := c.draw(ms); err != nil {
			return newError(KindInternal, reasonInternal, fmt.Sprintf("draw page %d: %v", n, err))
		}
		canvases[n] = c
	}
	var fonts types.Dict
	if faces.regular != nil { // after every note is shown: the font is subset
		ir, err := faces.regular.resource()
		if err != nil {
			return newError(KindInternal, reasonInternal, "note font: "+err.Error())
		}
		fonts = types.Dict{faces.regular.key: ir}
	}
	for n, c := range canvases {
		if err := c.attach(fonts); err != nil {
			return newError(KindUnreadable, reasonDamaged, fmt.Sprintf("attach marks to page %d: %v", n, err))
		}
	}
	return nil
}

// ownCopy gives a page whose page object also stands for other pages a
// page object of its own: a shallow copy of the dictionary (drawing
// replaces its /Contents, /Resources and /Annots rather than changing
// them), with the /Parent it is reached through and what that path
// passes down made its own, put in the place where the tree names it.
func (lf *leaf) ownCopy(xt *model.XRefTable) error {
	if lf.kids == nil || lf.kid >= len(lf.kids) {
		return fmt.Errorf("the page is not named by a page-tree node")
	}
	d := types.Dict{}
	for k, v := range lf.dict {
		d[k] = v
	}
	lf.pin(d)
	ir, err := xt.IndRefForNewObject(d)
	if err != nil {
		return err
	}
	lf.kids[lf.kid] = *ir
	lf.ref, lf.dict = *ir, d
	return nil
}

// pin makes d, the page's dictionary or a copy of it, hold what the page
// is shown with instead of inheriting it: its boxes and rotation, its
// resources as viewers merge them, and as /Parent the node that lists
// it. A viewer that inherits along /Kids (poppler, pdfcpu) then shows
// the area pdf.js does, and so does pdf.js once pdfcpu has written the
// copy whole (it writes a page's /Parent only as a reference, leaving out
// a node that is not in the tree, and refuses a /Parent that is not a
// reference). The page's own /UserUnit stays.
func (lf *leaf) pin(d types.Dict) {
	g := lf.geom
	d["Parent"] = lf.parent
	d["MediaBox"] = types.NewNumberArray(g.media[0], g.media[1], g.media[2], g.media[3])
	d["CropBox"] = types.NewNumberArray(g.view[0], g.view[1], g.view[2], g.view[3])
	d["Rotate"] = types.Integer(g.rotate)
	if lf.res != nil {
		d["Resources"] = lf.res
	}
}

// canvas collects one page's marks.
type canvas struct {
	xt     *model.XRefTable
	lf     leaf
	m      [6]float64
	w, h   float64 // displayed size
	face   *typeface
	buf    bytes.Buffer
	states map[string]float64 // graphics states by name: opacity
	notes  types.Array        // text annotations
}

func newCanvas(xt *model.XRefTable, lf leaf, face *typeface) *canvas {
	c := &canvas{xt: xt, lf: lf, m: displayMatrix(lf.geom), face: face, states: map[string]float64{}}
	c.w, c.h = lf.geom.displayed()
	return c
}

// kindOrder puts highlights under ink, and notes on top.
func kindOrder(k string) int {
	return map[string]int{MarkHighlight: 0, MarkInk: 1, MarkNote: 2}[k]
}

func (c *canvas) draw(ms []Mark) error {
	slices.SortStableFunc(ms, func(a, b Mark) int { return kindOrder(a.Kind) - kindOrder(b.Kind) })
	m := c.m
	fmt.Fprintf(&c.buf, "q %s %s %s %s %s %s cm 1 J 1 j\n", num(m[0]), num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]))
	for _, mk := range ms {
		var err error
		switch mk.Kind {
		case MarkInk:
			c.ink(mk)
		case MarkHighlight:
			c.highlight(mk)
		case MarkNote:
			err = c.note(mk)
		}
		if err != nil {
			return err
		}
	}
	c.buf.WriteString("Q\n")
	return nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// colour parses #rrggbb into PDF's 0..1 components; anything else is black.
func colour(s string) string {
	v, err := strconv.ParseUint(s[min(1, len(s)):], 16, 32)
	if len(s) != 7 || s[0] != '#' || err != nil {
		return "0 0 0"
	}
	return fmt.Sprintf("%.3f %.3f %.3f", float64(v>>16&0xff)/255, float64(v>>8&0xff)/255, float64(v&0xff)/255)
}

func (c *canvas) ink(mk Mark) {
	fmt.Fprintf(&c.buf, "%s RG\n", colour(mk.Colour))
	for _, s := range mk.Strokes {
		if len(s) == 0 {
			continue
		}
		if !pressured(s) {
			fmt.Fprintf(&c.buf, "%.2f w %.2f %.2f m", mk.Width, s[0].X, s[0].Y)
			for _, p := range s[min(1, len(s)-1):] { // a single point is a dot
				fmt.Fprintf(&c.buf, " %.2f %.2f l", p.X, p.Y)
			}
			c.buf.WriteString(" S\n")
			continue
		}
		for i := range max(1, len(s)-1) { // each segment as wide as its pressure
			a, b := s[i], s[min(i+1, len(s)-1)]
			width := mk.Width * max(0.15, (a.P+b.P)/2)
			fmt.Fprintf(&c.buf, "%.2f w %.2f %.2f m %.2f %.2f l S\n", width, a.X, a.Y, b.X, b.Y)
		}
	}
}

func pressured(s []Point) bool {
	return slices.ContainsFunc(s, func(p Point) bool { return p.P > 0 })
}

// state returns the name of a graphics state with the opacity, multiplied
// onto the page like a highlighter pen.
func (c *canvas) state(opacity float64) string {
	name := fmt.Sprintf("GS%d", int(math.Round(opacity*100)))
	c.states[name] = opacity
	return name
}

func (c *canvas) highlight(mk Mark) {
	op := mk.Opacity
	if op <= 0 || op > 1 {
		op = 0.35
	}
	fmt.Fprintf(&c.buf, "q /%s gs %s rg", c.state(op), colour(mk.Colour))
	for _, r := range mk.Rects {
		fmt.Fprintf(&c.buf, " %.2f %.2f %.2f %.2f re", r.X, r.Y, r.W, r.H)
	}
	c.buf.WriteString(" f Q\n")
}

// Notes are drawn as a marker at the pinned point and a box with the
// first lines of the text; the full text goes into a PDF text annotation.
const (
	noteSize     = 8.5
	noteWidth    = 170.0
	noteMaxLines = 14
	notePad      = 4.0
	noteMarker   = 10.0
	noteGap      = 22.0
)

func (c *canvas) note(mk Mark) error {
	x, y := mk.At.X, mk.At.Y
	fmt.Fprintf(&c.buf, "%s rg 0.3 0.3 0.3 RG 0.6 w %.2f %.2f %.2f %.2f re B\n", colour(mk.Colour), x-noteMarker/2, y-noteMarker/2, noteMarker, noteMarker)
	lines := c.face.wrap(mk.Text, noteSize, noteWidth)
	if len(lines) > noteMaxLines {
		lines = append(lines[:noteMaxLines-1], lines[noteMaxLines-1]+" …")
	}
	// Below the marker and clear of the icon viewers draw for the text
	// annotation (about 20 points from the marker's corner), or above it
	// near the bottom of the page.
	bw, bh := noteWidth+2*notePad, float64(len(lines))*noteSize*1.3+2*notePad
	bx, by := min(x-noteMarker/2, c.w-bw), y+noteGap
	if by+bh > c.h {
		by = y - noteGap - bh
	}
	bx, by = max(bx, 0), max(by, 0)
	fmt.Fprintf(&c.buf, "q /%s gs 1 0.98 0.8 rg 0.55 0.5 0.3 RG 0.5 w %.2f %.2f %.2f %.2f re B Q\n0 0 0 rg\n", c.state(0.9), bx, by, bw, bh)
	for i, ln := range lines {
		if err := c.face.show(&c.buf, ln, bx+notePad, by+notePad+noteSize*(1+1.3*float64(i))-noteSize*0.25, noteSize, true); err != nil {
			return err
		}
	}
	return c.textAnnotation(mk.Text, x, y)
}

// textAnnotation adds a sticky note with the full text at the marker, for
// readers that list comments.
func (c *canvas) textAnnotation(text string, x, y float64) error {
	x0, y0 := apply(c.m, x-noteMarker/2, y-noteMarker/2)
	x1, y1 := apply(c.m, x+noteMarker/2, y+noteMarker/2)
	contents, err := types.EscapedUTF16String(text)
	if err != nil {
		return err
	}
	d := types.Dict{"Type": types.Name("Annot"), "Subtype": types.Name("Text"), "P": c.lf.ref,
		"Rect":     types.NewNumberArray(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
		"Contents": types.StringLiteral(*contents), "Name": types.Name("Comment"), "F": types.Integer(4),
		"C": types.NewNumberArray(1, 0.85, 0.2)}
	ir, err := c.xt.IndRefForNewObject(d)
	if err != nil {
		return err
	}
	c.notes = append(c.notes, *ir)
	return nil
}

// attach puts the drawing into the page: a form XObject with its own
// resources, shown after the page's own content.
func (c *canvas) attach(fonts types.Dict) error {
	res := types.Dict{}
	if len(c.states) > 0 {
		gs := types.Dict{}
		for name, op := range c.states {
			gs[name] = types.Dict{"Type": types.Name("ExtGState"), "ca": types.Float(op), "CA": types.Float(op), "BM": types.Name("Multiply")}
		}
		res["ExtGState"] = gs
	}
	if fonts != nil {
		res["Font"] = fonts
	}
	sd, err := c.xt.NewStreamDictForBuf(c.buf.Bytes())
	if err != nil {
		return err
	}
	sd.Insert("Type", types.Name("XObject"))
	sd.Insert("Subtype", types.Name("Form"))
	sd.Insert("BBox", types.NewNumberArray(c.lf.box[0], c.lf.box[1], c.lf.box[2], c.lf.box[3]))
	sd.Insert("Resources", res)
	if err := sd.Encode(); err != nil {
		return err
	}
	form, err := c.xt.IndRefForNewObject(*sd)
	if err != nil {
		return err
	}
	name, err := c.addXObject(form)
	if err != nil {
		return err
	}
	if err := c.wrapContents("q\n", "Q\nq /"+name+" Do Q\n"); err != nil {
		return err
	}
	return c.addAnnotations()
}

// addXObject names form in a copy of the page's resources, so resources
// shared with other pages (or inherited) are left as they are.
func (c *canvas) addXObject(form *types.IndirectRef) (string, error) {
	res := types.Dict{}
	for k, v := range c.lf.res {
		res[k] = v
	}
	xobjs := types.Dict{}
	if o, ok := res.Find("XObject"); ok {
		d, err := c.xt.DereferenceDict(o)
		if err != nil {
			return "", err
		}
		for k, v := range d {
			xobjs[k] = v
		}
	}
	name := "CuriaMarks"
	for i := 1; xobjs[name] != nil; i++ {
		name = fmt.Sprintf("CuriaMarks%d", i)
	}
	xobjs[name] = *form
	res["XObject"] = xobjs
	c.lf.dict["Resources"] = res
	return name, nil
}

// wrapContents makes the page's contents [head, existing…, tail].
func (c *canvas) wrapContents(head, tail string) error {
	h, err := c.xt.StreamDictIndRef([]byte(head))
	if err != nil {
		return err
	}
	t, err := c.xt.StreamDictIndRef([]byte(tail))
	if err != nil {
		return err
	}
	contents := types.Array{*h}
	if o, ok := c.lf.dict.Find("Contents"); ok {
		if arr, err := c.xt.DereferenceArray(o); err == nil && arr != nil {
			contents = append(contents, arr...)
		} else {
			contents = append(contents, o)
		}
	}
	c.lf.dict["Contents"] = append(contents, *t)
	return nil
}

func (c *canvas) addAnnotations() error {
	if len(c.notes) == 0 {
		return nil
	}
	annots := types.Array{}
	if o, ok := c.lf.dict.Find("Annots"); ok {
		arr, err := c.xt.DereferenceArray(o)
		if err != nil {
			return err
		}
		annots = append(annots, arr...)
	}
	c.lf.dict["Annots"] = append(annots, c.notes...)
	return nil
}
