package pdf

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The fast stamp: the original's objects in place, a few added.
//
// A reader's copy keeps the original's objects where they are (the file
// is copied by the kernel) and adds:
//
//   - the stamp, once: a form XObject with the reader's lines in an
//     embedded font subset, made by pdfcpu on a one-page scratch document
//     and copied over, and a graphics state for its translucency;
//   - two tiny content streams per distinct page geometry: "q" before the
//     page's own content and "Q, then draw the stamp" after it, so the
//     page's content cannot move or hide the stamp;
//   - a new version of every page dictionary, whose /Contents wraps the
//     original streams (untouched, not even decoded) between those two and
//     whose /Resources name the stamp;
//   - one complete cross-reference section.
//
// It is not an incremental update (ISO 32000-1, 7.5.6), which would leave
// the unstamped original as a prefix of the copy that anyone could cut
// off: the original's cross-reference sections, trailers and old page
// dictionaries are blanked and the copy is a single revision
// (stamp_single.go).
//
// Nothing of the original is parsed beyond what pdfcpu's reader already
// did, re-encoded or rewritten, so the cost is a file copy plus a few
// kilobytes, whatever the size of the pack. Files where this could not be
// trusted to read back (encrypted, repaired, read by a lenient strategy,
// objects not where their syntax says) take the full rewrite instead
// (errNoIncrement).

// errNoIncrement says the file should be stamped by rewriting it whole.
var errNoIncrement = errors.New("no in-place stamp for this file")

// stampNames are the resource names of the stamp; stampNamesFor adds a
// suffix when a page already uses them.
type stampNames struct{ xobject, gstate string }

// stampIncremental writes to out the document read from src as doc, with
// wm's stamp on every page, keeping src's objects in place (a single
// revision: no prefix of the copy is the unstamped original).
func stampIncremental(ctx context.Context, src *source, o opened, wm *model.Watermark, out string) error {
	doc := o.doc
	xt := doc.XRefTable
	if o.strategy != "relaxed" || xt.Encrypt != nil || doc.Read.RepairOffset != 0 || src.f == nil ||
		doc.Write.OffsetPrevXRef == nil || xt.Root == nil {
		return errNoIncrement
	}
	if !xrefAt(src, *doc.Write.OffsetPrevXRef) {
		return errNoIncrement
	}
	inc, err := stampUpdate(ctx, xt, wm)
	if err != nil {
		return err
	}
	plan, err := planSingle(src, inc)
	if err != nil {
		return err
	}
	tmark("update")
	defer tmark("write")
	return inc.writeSingle(src, out, plan)
}

// stampRewrite puts the same stamp into the document in memory and has
// pdfcpu write the whole document, for files an update does not suit.
func stampRewrite(ctx context.Context, o opened, wm *model.Watermark, out string) error {
	inc, err := stampUpdate(ctx, o.doc.XRefTable, wm)
	if err != nil {
		return err
	}
	inc.apply()
	return writeDocument(o.doc, out)
}

// stampUpdate builds the objects that stamp every page of xt.
func stampUpdate(ctx context.Context, xt *model.XRefTable, wm *model.Watermark) (*increment, error) {
	leaves, err := pageLeaves(xt)
	if err != nil || len(leaves) == 0 {
		return nil, errNoIncrement
	}
	form, bbox, err := stampForm(ctx, wm)
	if err != nil {
		return nil, err
	}
	tmark("form")
	inc := newIncrement(xt)
	formRef, err := inc.copyFrom(form.XRefTable, form.ref, map[int]int{})
	if err != nil {
		return nil, err
	}
	gs := inc.add(types.Dict{"Type": types.Name("ExtGState"), "CA": types.Float(wm.Opacity), "ca": types.Float(wm.Opacity)})
	names := stampNamesFor(xt, leaves)
	open := inc.add(contentStream([]byte("q\n")))
	closers := map[[5]int64]types.IndirectRef{}
	pages := map[int]bool{}
	for _, l := range leaves {
		nr := l.ref.ObjectNumber.Value()
		if pages[nr] {
			continue // a page object used twice in the tree is stamped once
		}
		pages[nr] = true
		key := geometryKey(l)
		closer, ok := closers[key]
		if !ok {
			m := stampMatrix(l.box, l.rotate, bbox)
			body := fmt.Sprintf("\nQ\nq /%s gs %s cm /%s Do Q\n", names.gstate, m, names.xobject)
			closer = inc.add(contentStream([]byte(body)))
			closers[key] = closer
		}
		page, err := stampedPage(xt, l, open, closer, formRef, gs, names)
		if err != nil {
			return nil, err
		}
		e, ok := xt.Find(nr)
		if !ok || e.Free || e.Generation == nil {
			return nil, errNoIncrement
		}
		inc.set(nr, *e.Generation, page)
	}
	return inc, ctx.Err()
}

// xrefAt reports whether a cross-reference section starts at off: the
// keyword xref, or an object (an xref stream).
func xrefAt(src *source, off int64) bool {
	head, err := src.at(off, 32)
	if err != nil || off <= 0 {
		return false
	}
	head = bytes.TrimLeft(head, "\x00\t\n\f\r ")
	if bytes.HasPrefix(head, []byte("xref")) {
		return true
	}
	f := bytes.Fields(head)
	return len(f) >= 3 && isDigits(f[0]) && isDigits(f[1]) && bytes.HasPrefix(f[2], []byte("obj"))
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// stampNamesFor picks resource names that no page uses already.
func stampNamesFor(xt *model.XRefTable, leaves []leaf) stampNames {
	used := map[string]bool{}
	for _, l := range leaves {
		for _, cat := range []string{"XObject", "ExtGState"} {
			if o, ok := l.res.Find(cat); ok {
				if d, err := xt.DereferenceDict(o); err == nil {
					for k := range d {
						used[k] = true
					}
				}
			}
		}
	}
	for i := 0; ; i++ {
		n := stampNames{xobject: "CuriaStamp", gstate: "CuriaStampGS"}
		if i > 0 {
			n.xobject += strconv.Itoa(i)
			n.gstate += strconv.Itoa(i)
		}
		if !used[n.xobject] && !used[n.gstate] {
			return n
		}
	}
}

// stampedPage returns a copy of the page dictionary whose content is
// wrapped and followed by the stamp, with the stamp in its resources and
// its geometry its own (leaf.pin).
func stampedPage(xt *model.XRefTable, l leaf, open, closer, form, gs types.IndirectRef, names stampNames) (types.Dict, error) {
	contents := types.Array{open}
	if c, ok := l.dict.Find("Contents"); ok {
		switch v := c.(type) {
		case types.Array:
			contents = append(contents, v...)
		case types.IndirectRef:
			o, err := xt.Dereference(v)
			if err != nil {
				return nil, errNoIncrement
			}
			switch ov := o.(type) {
			case types.StreamDict:
				contents = append(contents, v)
			case types.Array:
				contents = append(contents, ov...)
			case nil:
			default:
				return nil, errNoIncrement
			}
		case nil:
		default:
			return nil, errNoIncrement
		}
	}
	contents = append(contents, closer)
	res := l.res // own and inherited, as viewers merge them
	newRes := types.Dict{}
	for k, v := range res {
		newRes[k] = v
	}
	for _, e := range []struct {
		cat, name string
		ref       types.IndirectRef
	}{{"XObject", names.xobject, form}, {"ExtGState", names.gstate, gs}} {
		sub := types.Dict{}
		if o, ok := res.Find(e.cat); ok {
			d, err := xt.DereferenceDict(o)
			if err != nil {
				return nil, errNoIncrement
			}
			for k, v := range d {
				sub[k] = v
			}
		}
		sub[e.name] = e.ref
		newRes[e.cat] = sub
	}
	page := types.Dict{}
	for k, v := range l.dict {
		page[k] = v
	}
	// The boxes the stamp is placed on become the page's own, so that
	// every viewer shows the area the stamp is on (leaf.pin).
	l.pin(page)
	page["Contents"] = contents
	page["Resources"] = newRes
	return page, nil
}

// geometryKey identifies pages that take the same stamp placement.
func geometryKey(l leaf) [5]int64 {
	r := func(f float64) int64 { return int64(math.Round(f * 100)) }
	return [5]int64{r(l.box[0]), r(l.box[1]), r(l.box[2]), r(l.box[3]), int64(l.rotate)}
}

// matrix is a PDF transformation matrix [a b c d e f]: a point (x, y)
// maps to (a·x + c·y + e, b·x + d·y + f).
type matrix [6]float64

// then returns m followed by n.
func (m matrix) then(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) String() string {
	var b []byte
	for i, v := range m {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendFloat(b, v, 'f', 4, 64)
	}
	return string(b)
}

func translate(x, y float64) matrix { return matrix{1, 0, 0, 1, x, y} }

// stampScale is the stamp's width as a share of the displayed page width,
// as pdfcpu's "scalefactor:0.8 rel".
const stampScale = 0.8

// stampFit is the largest share of the page's width and height that the
// turned stamp may cover.
const stampFit = 0.9

// stampMatrix places a form with bounding box bbox across the page's
// visible box b turned by rotate degrees: centred, along the diagonal from
// the displayed lower left to upper right, stampScale of the displayed
// width wide (smaller when it would not fit).
func stampMatrix(b box, rotate int, bbox box) matrix {
	w, h := b.width(), b.height()
	// display maps the displayed page (origin lower left, y up) to user space.
	display := matrix{1, 0, 0, 1, b[0], b[1]}
	switch rotate {
	case 90:
		display = matrix{0, 1, -1, 0, b[2], b[1]}
		w, h = h, w
	case 180:
		display = matrix{-1, 0, 0, -1, b[2], b[3]}
	case 270:
		display = matrix{0, -1, 1, 0, b[0], b[3]}
		w, h = h, w
	}
	fw, fh := max(bbox.width(), 1), max(bbox.height(), 1)
	angle := math.Atan2(h, w)
	sin, cos := math.Sin(angle), math.Cos(angle)
	// As wide as asked, but smaller when the turned block would not fit
	// inside the page (small or very wide pages): a clipped stamp could
	// lose the copy id.
	s := min(stampScale*w/fw, stampFit*w/(fw*cos+fh*sin), stampFit*h/(fw*sin+fh*cos))
	m := translate(-bbox[0]-fw/2, -bbox[1]-fh/2).
		then(matrix{s, 0, 0, s, 0, 0}).
		then(matrix{cos, sin, -sin, cos, 0, 0}).
		then(translate(w/2, h/2)).
		then(display)
	return m
}

func contentStream(b []byte) types.StreamDict {
	n := int64(len(b))
	return types.StreamDict{Dict: types.Dict{"Length": types.Integer(n)}, Content: b, Raw: b, StreamLength: &n}
}

// scratchPage is a blank A4 page for pdfcpu to render the stamp on.
func scratchPage() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// scratchForm is the stamp's form XObject in the scratch document.
type scratchForm struct {
	*model.XRefTable
	ref types.IndirectRef
}

// stampForm has pdfcpu render wm on a scratch page and returns its form
// XObject (text, font subset and all) and the form's bounding box.
func stampForm(ctx context.Context, wm *model.Watermark) (scratchForm, box, error) {
	doc, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(scratchPage()), pdfcpuConfiguration())
	if err != nil {
		return scratchForm{}, box{}, newError(KindInternal, reasonInternal, "scratch page: "+err.Error())
	}
	doc.PageCount = 1
	doc.Cmd = model.ADDWATERMARKS
	w := *wm // AddWatermarks fills in caches and references: keep wm reusable
	w.Recycle()
	if err := pdfcpu.AddWatermarks(doc, nil, &w); err != nil {
		return scratchForm{}, box{}, newError(KindInternal, reasonInternal, "render stamp: "+err.Error())
	}
	ref, sd, err := scratchFormRef(doc.XRefTable)
	if err != nil {
		return scratchForm{}, box{}, err
	}
	bb, ok := (&pageWalk{xt: doc.XRefTable}).box(sd.Dict, "BBox")
	if !ok {
		return scratchForm{}, box{}, newError(KindInternal, reasonInternal, "render stamp: form has no bounding box")
	}
	return scratchForm{XRefTable: doc.XRefTable, ref: ref}, bb, nil
}

// scratchFormRef finds the form XObject pdfcpu put on the scratch page.
func scratchFormRef(xt *model.XRefTable) (types.IndirectRef, *types.StreamDict, error) {
	fail := func(why string) (types.IndirectRef, *types.StreamDict, error) {
		return types.IndirectRef{}, nil, newError(KindInternal, reasonInternal, "render stamp: "+why)
	}
	page, _, _, err := xt.PageDict(1, false)
	if err != nil || page == nil {
		return fail("no page")
	}
	res, err := xt.DereferenceDict(page["Resources"])
	if err != nil || res == nil {
		return fail("no resources")
	}
	xobjects, err := xt.DereferenceDict(res["XObject"])
	if err != nil {
		return fail("no XObject resources")
	}
	for _, o := range xobjects {
		ref, ok := o.(types.IndirectRef)
		if !ok {
			continue
		}
		if sd, _, err := xt.DereferenceStreamDict(ref); err == nil && sd != nil && nameEntry(sd.Dict, "Subtype") == "Form" {
			return ref, sd, nil
		}
	}
	return fail("no form")
}

// increment collects the objects the stamp adds or replaces.
type increment struct {
	xt   *model.XRefTable // the original document
	base int              // the first number of a new object
	next int              // the next free object number
	objs map[int]incObj
}

type incObj struct {
	gen int
	obj types.Object
}

func newIncrement(xt *model.XRefTable) *increment {
	next := xt.MaxObjNr + 1
	if xt.Size != nil && *xt.Size > next {
		next = *xt.Size
	}
	for nr := range xt.Table {
		next = max(next, nr+1)
	}
	return &increment{xt: xt, base: next, next: next, objs: map[int]incObj{}}
}

// add adds a new object and returns a reference to it.
func (inc *increment) add(o types.Object) types.IndirectRef {
	nr := inc.next
	inc.next++
	inc.objs[nr] = incObj{obj: o}
	return *types.NewIndirectRef(nr, 0)
}

// set replaces an object of the original file.
func (inc *increment) set(nr, gen int, o types.Object) { inc.objs[nr] = incObj{gen: gen, obj: o} }

// apply puts the update's objects into the document in memory.
func (inc *increment) apply() {
	for nr, o := range inc.objs {
		if e, ok := inc.xt.Table[nr]; ok && e != nil && !e.Free {
			e.Object = o.obj
			continue
		}
		gen := o.gen
		off := int64(0)
		inc.xt.Table[nr] = &model.XRefTableEntry{Object: o.obj, Generation: &gen, Offset: &off}
	}
	size := inc.next
	inc.xt.Size = &size
	inc.xt.MaxObjNr = max(inc.xt.MaxObjNr, inc.next-1)
}

// copyFrom copies o and everything it refers to from another document
// into the update, renumbered; seen maps numbers already copied. The
// form's optional content group is left behind: the stamp is always shown.
func (inc *increment) copyFrom(xt *model.XRefTable, o types.Object, seen map[int]int) (types.IndirectRef, error) {
	ref, ok := o.(types.IndirectRef)
	if !ok {
		return types.IndirectRef{}, newError(KindInternal, reasonInternal, "copy stamp: not a reference")
	}
	var cp func(o types.Object, depth int) (types.Object, error)
	cp = func(o types.Object, depth int) (types.Object, error) {
		if depth > 64 {
			return nil, newError(KindInternal, reasonInternal, "copy stamp: too deep")
		}
		switch v := o.(type) {
		case types.IndirectRef:
			nr := v.ObjectNumber.Value()
			if n, ok := seen[nr]; ok {
				return *types.NewIndirectRef(n, 0), nil
			}
			target, err := xt.Dereference(v)
			if err != nil {
				return nil, newError(KindInternal, reasonInternal, "copy stamp: "+err.Error())
			}
			n := inc.add(nil).ObjectNumber.Value()
			seen[nr] = n
			c, err := cp(target, depth+1)
			if err != nil {
				return nil, err
			}
			inc.objs[n] = incObj{obj: c}
			return *types.NewIndirectRef(n, 0), nil
		case types.Dict:
			d := types.Dict{}
			for k, e := range v {
				if k == "OC" {
					continue
				}
				c, err := cp(e, depth+1)
				if err != nil {
					return nil, err
				}
				d[k] = c
			}
			return d, nil
		case types.StreamDict:
			if v.Raw == nil {
				if err := v.Encode(); err != nil {
					return nil, newError(KindInternal, reasonInternal, "copy stamp: "+err.Error())
				}
			}
			d, err := cp(v.Dict, depth+1)
			if err != nil {
				return nil, err
			}
			v.Dict = d.(types.Dict)
			return v, nil
		case types.Array:
			a := make(types.Array, len(v))
			for i, e := range v {
				c, err := cp(e, depth+1)
				if err != nil {
					return nil, err
				}
				a[i] = c
			}
			return a, nil
		}
		return o, nil
	}
	c, err := cp(ref, 0)
	if err != nil {
		return types.IndirectRef{}, err
	}
	return c.(types.IndirectRef), nil
}

func writeObject(w *countingWriter, nr int, o incObj) {
	fmt.Fprintf(w, "%d %d obj\n", nr, o.gen)
	if sd, ok := o.obj.(types.StreamDict); ok {
		d := types.Dict{}
		for k, v := range sd.Dict {
			d[k] = v
		}
		d["Length"] = types.Integer(len(sd.Raw))
		w.WriteString(d.PDFString())
		w.WriteString("\nstream\n")
		w.Write(sd.Raw)
		w.WriteString("\nendstream\nendobj\n")
		return
	}
	w.WriteString(o.obj.PDFString())
	w.WriteString("\nendobj\n")
}

// countingWriter tracks the output offset and keeps the first error.
type countingWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

func (c *countingWriter) WriteString(s string) { c.Write([]byte(s)) }
