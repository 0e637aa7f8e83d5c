package pdf

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The page tree, and each page's geometry, read the way the client's
// viewer reads them.
//
// Clients show pages with pdf.js and place marks on them as pdf.js shows
// them, so there is one rule for a page's geometry, pdf.js's (Page in its
// core/document.js), and inspection (the stored page map every mark is
// checked against), the watermark (the box its stamp is drawn across) and
// the export (the box marks are drawn into) all take it from walkPages:
//
//   - /MediaBox, /CropBox, /Rotate and /Resources are inherited along the
//     page's own /Parent chain (stopping at a node seen before), not along
//     the path of /Kids that reached the page;
//   - the nearest entry counts even when it is unusable (not four
//     numbers, or empty): an unusable media box is US Letter, and an
//     unusable crop box is the media box; an ancestor's entry is then not
//     looked at;
//   - the visible box is the crop box clipped to the media box, or the
//     media box when they do not overlap;
//   - the page's own /UserUnit (a positive number; it is not inherited)
//     multiplies the displayed size;
//   - /Resources are the nearest dictionary's entries, then the entries it
//     lacks from dictionaries farther up (pdf.js's Dict.merge); a nearest
//     entry that is not a dictionary means none.
//
// The order of the pages is the /Kids walk's, every node an indirect
// object (pdfcpu can neither stamp nor write a page dictionary written
// inline in /Kids, though pdf.js reads it). pdf.js skips subtrees by
// their /Count when it looks a page up, so a node whose /Count is not the
// number of pages under it would make it show other pages than the tree
// holds: such a file is refused, as is one whose root /Count is wrong.

const (
	// maxTreeDepth bounds page-tree recursion, and the /Parent chain
	// followed for a page's attributes. Real trees are a handful of
	// levels deep; a deeper one is a loop in disguise or an attack.
	maxTreeDepth = 256
	// maxPageSizes caps Info.PageSizes, a summary; a document with more
	// distinct sizes than this is summed up by its most common ones.
	// Info.PageMap keeps every page's size.
	maxPageSizes = 16
)

// MaxPages is the most pages a document may have. Inspection refuses a
// larger one as KindTooComplex as soon as its walk of the page tree
// finds page MaxPages+1, before pdfcpu validates the document and long
// before any copy is made (whatever its /Count says: a /Count that lies
// is refused as damaged, a tree that is too large as too complex).
//
// A meeting pack is hundreds of pages, a very large one a few thousand.
// A worker with the production limits (30 s, 1 GiB) inspects, stamps and
// annotates a document of MaxPages pages in about a second each, peaking
// near 260 MB for one of scanned pages (TestPageCapWithinWorkerLimits),
// and its page map always fits maxPageMapBytes (25 bytes a page at
// worst). Without a bound, a 12 MB file listing one page object two
// million times was accepted, and no reader's copy of it could be made.
const MaxPages = 10_000

// letterW and letterH give the page size viewers assume when a page has
// no usable MediaBox (it is required, but poppler and pdf.js fall back to
// US Letter).
const letterW, letterH = 612, 792

// box is a normalised rectangle (llx, lly, urx, ury) in points.
type box [4]float64

func (b box) width() float64  { return b[2] - b[0] }
func (b box) height() float64 { return b[3] - b[1] }
func (b box) empty() bool     { return b.width() <= 0 || b.height() <= 0 }

func (b box) intersect(o box) box {
	return box{max(b[0], o[0]), max(b[1], o[1]), min(b[2], o[2]), min(b[3], o[3])}
}

// inherited holds the attributes a page takes from itself and its
// /Parent chain: the nearest entry of each.
type inherited struct {
	media, crop boxEntry
	rotate      float64 // the nearest /Rotate: NaN for an entry that is not a number
	rotateSet   bool
	res         resEntry
}

// boxEntry is the nearest /MediaBox or /CropBox.
type boxEntry struct {
	set bool // there is one, usable or not
	ok  bool // it is a usable rectangle, b
	b   box
}

// resEntry is what /Resources entries up the chain make.
type resEntry struct {
	set    bool       // there is one
	dict   bool       // the nearest one is a dictionary
	merged types.Dict // every dictionary's entries, the nearer one's first
}

// geometry is a page as pdf.js shows it.
type geometry struct {
	media  box     // the media box: US Letter without a usable nearest /MediaBox
	view   box     // the visible box: the crop box clipped to the media box, or the media box
	rotate int     // 0, 90, 180 or 270: pageRotation of the nearest /Rotate
	unit   float64 // the page's own /UserUnit; 1 without a usable one
}

// geometryOf applies pdf.js's fallbacks to a page's attributes.
func geometryOf(inh inherited, unit float64) geometry {
	g := geometry{media: box{0, 0, letterW, letterH}, unit: unit}
	if inh.media.ok {
		g.media = inh.media.b
	}
	g.view = g.media
	if inh.crop.ok {
		if c := inh.crop.b.intersect(g.media); !c.empty() {
			g.view = c
		}
	}
	if inh.rotateSet {
		g.rotate = pageRotation(inh.rotate)
	}
	return g
}

// displayed returns the page's size as shown: the visible box, scaled by
// /UserUnit and turned by /Rotate (a pdf.js viewport at scale 1).
func (g geometry) displayed() (w, h float64) {
	w, h = g.view.width()*g.unit, g.view.height()*g.unit
	if g.rotate == 90 || g.rotate == 270 {
		w, h = h, w
	}
	return w, h
}

// pageRotation is the one rule for a page's /Rotate (own or inherited),
// shared by inspection (the displayed size), the export (annotate.go) and
// the watermark (stamp.go): it returns 0, 90, 180 or 270. It is pdf.js's
// rule (Page.rotate in its core/document.js), because clients place marks
// on pages as pdf.js shows them: a value that is not a multiple of 90
// (such as 135, or an entry that is not a number) shows the page
// unrotated; other values are taken modulo 360, negative ones
// counter-clockwise (-90 is 270). Poppler also shows a page whose
// rotation is not a quarter turn unrotated (its GfxState turns only for
// 90, 180 and 270); unlike pdf.js it ignores a /Rotate that is a real
// number, 90.0 included, where pdf.js turns the page.
func pageRotation(rotate float64) int {
	if math.IsNaN(rotate) || math.IsInf(rotate, 0) || math.Mod(rotate, 90) != 0 {
		return 0
	}
	r := math.Mod(rotate, 360)
	if r < 0 {
		r += 360
	}
	return int(r)
}

// treePage is one page the walk finds, in order.
type treePage struct {
	ref    types.IndirectRef // the page object
	dict   types.Dict
	geom   geometry
	res    types.Dict   // its resources (nil: none)
	parent types.Object // the node whose /Kids list the page here
	kids   types.Array  // that node's /Kids
	kid    int          // the page's index in kids
}

// pageWalk walks the page tree by /Kids, counting the leaves itself
// instead of trusting /Count: damaged files often carry a wrong /Count,
// and a count that disagrees with the tree is exactly the case where
// readers disagree too.
type pageWalk struct {
	xt    *model.XRefTable
	nodes map[int]bool          // intermediate nodes already entered
	attrs map[int]inherited     // what a node passes down, by object number (parent chains without a loop)
	count int                   // pages so far
	visit func(*treePage) error // called for each page, in order
}

// walkPages walks the page tree of xt and calls visit for each page, in
// order. It refuses (Unreadable) a tree that is broken or whose /Count
// entries disagree with it, and (TooComplex) one of more than MaxPages
// pages, as soon as it knows.
func walkPages(xt *model.XRefTable, visit func(*treePage) error) error {
	catalog, err := xt.Catalog()
	if err != nil || catalog == nil {
		return pageTreeError("no catalog")
	}
	root, ok := catalog.Find("Pages")
	if !ok {
		return pageTreeError("catalog has no /Pages")
	}
	if _, ok := root.(types.IndirectRef); !ok {
		return pageTreeError("/Pages is not a reference")
	}
	w := &pageWalk{xt: xt, nodes: map[int]bool{}, attrs: map[int]inherited{}, visit: visit}
	n, err := w.rootCount(root)
	if err != nil {
		return err
	}
	if _, err := w.node(root, nil, nil, 0, 0); err != nil {
		return err
	}
	if n != w.count {
		return pageTreeError("/Count says %d, tree has %d pages", n, w.count)
	}
	if w.count == 0 {
		return newError(KindUnreadable, reasonNoPages, "page tree has no pages")
	}
	return nil
}

func pageTreeError(format string, args ...any) *Error {
	return newError(KindUnreadable, reasonPageTree, fmt.Sprintf("page tree: "+format, args...))
}

func tooManyPages(detail string) *Error {
	return newError(KindTooComplex, reasonTooManyPages, fmt.Sprintf("more than %d pages: %s", MaxPages, detail))
}

// rootCount returns the root's /Count, which must be an integer.
func (w *pageWalk) rootCount(root types.Object) (int, error) {
	d, err := w.xt.DereferenceDict(root)
	if err != nil || d == nil {
		return 0, w.missing(root, "root is not a dictionary")
	}
	o, ok := d.Find("Count")
	if !ok {
		return 0, pageTreeError("root has no /Count")
	}
	n, err := w.xt.DereferenceInteger(o)
	if err != nil || n == nil {
		return 0, pageTreeError("root /Count is not an integer")
	}
	return n.Value(), nil
}

// missing is the error for a page-tree node that is not a dictionary: a
// more precise one when the object is there but pdfcpu could not parse
// it (it then reads as null: damaged, or nested deeper than pdfcpu's
// limit, see pdfcpuConfiguration). pdf.js shows such a page, but pdfcpu
// has nothing to stamp or draw into, and its validation would put a blank
// page in its place.
func (w *pageWalk) missing(o types.Object, what string) *Error {
	if ir, ok := o.(types.IndirectRef); ok {
		nr := ir.ObjectNumber.Value()
		if e, ok := w.xt.Find(nr); ok && e != nil && !e.Free && e.Object == nil && e.Offset != nil && *e.Offset > 0 {
			return newError(KindUnreadable, reasonPageObject, fmt.Sprintf("page tree: obj#%d could not be parsed", nr))
		}
		return pageTreeError("obj#%d: %s", nr, what)
	}
	return pageTreeError("%s", what)
}

// node visits one page-tree node, listed at index kid of the /Kids of
// parent, and returns the number of pages under it. A node with /Kids
// that is not marked /Type /Page is an intermediate node; anything else
// is a page.
func (w *pageWalk) node(o, parent types.Object, kids types.Array, kid, depth int) (int, error) {
	if depth > maxTreeDepth {
		return 0, pageTreeError("deeper than %d levels", maxTreeDepth)
	}
	d, err := w.xt.DereferenceDict(o)
	if err != nil || d == nil {
		return 0, w.missing(o, "node is missing or not a dictionary")
	}
	list, hasKids := d.Find("Kids")
	if !hasKids || nameEntry(d, "Type") == "Page" {
		return 1, w.page(o, d, parent, kids, kid)
	}
	// A shared or looping intermediate node would make the walk count
	// pages twice (or forever); shared leaves are merely unusual.
	if ir, ok := o.(types.IndirectRef); ok {
		nr := ir.ObjectNumber.Value()
		if w.nodes[nr] {
			return 0, pageTreeError("node obj#%d reached twice", nr)
		}
		w.nodes[nr] = true
	}
	arr, err := w.xt.DereferenceArray(list)
	if err != nil {
		return 0, pageTreeError("/Kids is not an array")
	}
	n := 0
	for i, k := range arr {
		if _, ok := k.(types.IndirectRef); !ok {
			// pdf.js reads a page dictionary written inline, but pdfcpu
			// can neither stamp nor write one.
			return 0, pageTreeError("/Kids entry %d is not a reference", i)
		}
		m, err := w.node(k, o, arr, i, depth+1)
		if err != nil {
			return 0, err
		}
		n += m
	}
	// pdf.js skips a node by its /Count when that is a whole number
	// (core/catalog.js getPageDict): a wrong one makes it show other
	// pages than these. The root's is checked by walkPages.
	if c, ok := d.Find("Count"); ok && depth > 0 {
		if f, err := w.xt.DereferenceNumber(c); err == nil && f >= 0 && f == math.Trunc(f) && f != float64(n) {
			return 0, pageTreeError("node /Count says %v, it has %d pages", f, n)
		}
	}
	return n, nil
}

// page records one leaf with its geometry.
func (w *pageWalk) page(o types.Object, d types.Dict, parent types.Object, kids types.Array, kid int) error {
	w.count++
	if w.count > MaxPages {
		return tooManyPages("page tree")
	}
	p := &treePage{dict: d, parent: parent, kids: kids, kid: kid}
	visited := map[int]bool{}
	if ir, ok := o.(types.IndirectRef); ok { // always, as node checks
		p.ref = ir
		visited[ir.ObjectNumber.Value()] = true
	}
	up, err := w.above(d, visited)
	if err != nil {
		return err
	}
	inh := w.over(d, up)
	unit := 1.0
	if u, ok := d.Find("UserUnit"); ok {
		if f, err := w.xt.DereferenceNumber(u); err == nil && f > 0 && !math.IsInf(f, 0) {
			unit = f
		}
	}
	p.geom = geometryOf(inh, unit)
	// A page shown smaller than a point (a tiny /UserUnit) could hold no
	// mark and no stamp: the file is refused rather than stored so.
	if pw, ph := p.geom.displayed(); !(pw >= 1 && ph >= 1) {
		return pageTreeError("a page is shown %gx%g points: a page must be at least one point each way", pw, ph)
	}
	if inh.res.dict {
		p.res = inh.res.merged
	}
	if w.visit == nil {
		return nil
	}
	return w.visit(p)
}

// above returns what the /Parent chain of d passes down to it. visited
// holds the objects already on the chain: as pdf.js, the chain stops at
// one seen before.
func (w *pageWalk) above(d types.Dict, visited map[int]bool) (inherited, error) {
	type link struct {
		nr int // -1: an inline dictionary
		d  types.Dict
	}
	var chain []link
	var base inherited
	memo := true // the chain ends without a loop: its nodes' results hold for any page
	p, ok := d.Find("Parent")
	for ok {
		if len(chain) >= maxTreeDepth {
			return inherited{}, pageTreeError("a page's /Parent chain is longer than %d", maxTreeDepth)
		}
		nr := -1
		if ir, isRef := p.(types.IndirectRef); isRef {
			nr = ir.ObjectNumber.Value()
			if a, hit := w.attrs[nr]; hit {
				base = a
				break
			}
			if visited[nr] {
				memo = false
				break
			}
			visited[nr] = true
		}
		pd, err := w.xt.DereferenceDict(p)
		if err != nil || pd == nil {
			break // as pdf.js: a /Parent that is not a dictionary ends the chain
		}
		chain = append(chain, link{nr, pd})
		p, ok = pd.Find("Parent")
	}
	for i := len(chain) - 1; i >= 0; i-- {
		base = w.over(chain[i].d, base)
		if memo && chain[i].nr >= 0 {
			w.attrs[chain[i].nr] = base
		}
	}
	return base, nil
}

// over applies the entries of d over up, those of the chain above it.
func (w *pageWalk) over(d types.Dict, up inherited) inherited {
	if _, ok := d.Find("MediaBox"); ok {
		b, valid := w.box(d, "MediaBox")
		up.media = boxEntry{set: true, ok: valid, b: b}
	}
	if _, ok := d.Find("CropBox"); ok {
		b, valid := w.box(d, "CropBox")
		up.crop = boxEntry{set: true, ok: valid, b: b}
	}
	if o, ok := d.Find("Rotate"); ok {
		f, err := w.xt.DereferenceNumber(o)
		if err != nil {
			f = math.NaN()
		}
		up.rotate, up.rotateSet = f, true
	}
	if o, ok := d.Find("Resources"); ok {
		res := resEntry{set: true, merged: up.res.merged}
		if rd, err := w.xt.DereferenceDict(o); err == nil && rd != nil {
			res.dict = true
			res.merged = mergeResources(rd, up.res.merged)
		}
		up.res = res
	}
	return up
}

// mergeResources returns near's entries, then those of far that near
// lacks (pdf.js's shallow Dict.merge). Neither is changed.
func mergeResources(near, far types.Dict) types.Dict {
	if len(far) == 0 {
		return near
	}
	m := make(types.Dict, len(near)+len(far))
	for k, v := range far {
		m[k] = v
	}
	for k, v := range near {
		m[k] = v
	}
	return m
}

// box reads a rectangle entry: four numbers, normalised, not empty (as
// pdf.js's lookupNormalRect and its emptiness check). ok is false for a
// missing, malformed or empty one.
func (w *pageWalk) box(d types.Dict, key string) (box, bool) {
	o, ok := d.Find(key)
	if !ok {
		return box{}, false
	}
	arr, err := w.xt.DereferenceArray(o)
	if err != nil || len(arr) != 4 {
		return box{}, false
	}
	var v [4]float64
	for i, e := range arr {
		f, err := w.xt.DereferenceNumber(e)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return box{}, false
		}
		v[i] = f
	}
	b := box{min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3])}
	if b.empty() {
		return box{}, false
	}
	return b, true
}

// pageSummary is what inspection keeps of the page tree.
type pageSummary struct {
	count int
	sizes map[pageDim]int // pages of each displayed size
	pages pageMapBuilder  // every page's displayed size, in order
}

// walkPageTree walks the page tree of xt and sums its pages up, or
// returns why it cannot (see walkPages).
func walkPageTree(xt *model.XRefTable) (*pageSummary, error) {
	s := &pageSummary{sizes: map[pageDim]int{}}
	err := walkPages(xt, func(p *treePage) error {
		s.count++
		d := dimOf(p.geom.displayed())
		s.sizes[d]++
		s.pages.add(d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// same reports whether two readings of a page tree found the same pages.
func (s *pageSummary) same(o *pageSummary) bool {
	return s.count == o.count && slices.Equal(s.pages.m.sizes, o.pages.m.sizes) &&
		slices.Equal(s.pages.m.ends, o.pages.m.ends) && slices.Equal(s.pages.m.of, o.pages.m.of)
}

// pageMap returns every page's displayed size, or an unknown map when
// its text form would exceed maxPageMapBytes.
func (s *pageSummary) pageMap() PageMap {
	if b, _ := s.pages.m.MarshalText(); len(b) > maxPageMapBytes {
		return PageMap{}
	}
	return s.pages.m
}

// distinctSizes lists the sizes seen, most frequent first.
func (s *pageSummary) distinctSizes() []PageSize {
	out := make([]PageSize, 0, len(s.sizes))
	for d, n := range s.sizes {
		out = append(out, PageSize{W: float64(d.w) / 100, H: float64(d.h) / 100, Count: n})
	}
	slices.SortFunc(out, func(a, b PageSize) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.W, b.W), cmp.Compare(a.H, b.H))
	})
	if len(out) > maxPageSizes {
		out = out[:maxPageSizes]
	}
	return out
}

// nameEntry returns the decoded name stored under key, or "".
func nameEntry(d types.Dict, key string) string {
	o, ok := d.Find(key)
	if !ok {
		return ""
	}
	n, ok := o.(types.Name)
	if !ok {
		return ""
	}
	s, err := types.DecodeName(string(n))
	if err != nil {
		return string(n)
	}
	return s
}
