package pdf

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

const (
	// maxTreeDepth bounds page-tree recursion. Real trees are a handful of
	// levels deep; a deeper one is a loop in disguise or an attack.
	maxTreeDepth = 256
	// maxPageSizes caps Info.PageSizes, a summary; a document with more
	// distinct sizes than this is summed up by its most common ones.
	// Info.PageMap keeps every page's size.
	maxPageSizes = 16
)

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

// inherited holds the page attributes that page-tree nodes pass down.
// rotate is /Rotate as written (NaN for an entry that is not a number);
// pageRotation says how a viewer turns the page for it.
type inherited struct {
	media, crop *box
	rotate      float64
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

// pageWalk counts the leaves of the page tree itself instead of trusting
// /Count: damaged files often carry a wrong /Count, and a count that
// disagrees with the tree is exactly the case where readers disagree too.
type pageWalk struct {
	xt    *model.XRefTable
	nodes map[int]bool // intermediate nodes already entered
	count int
	sizes map[pageDim]int // pages of each displayed size
	pages pageMapBuilder  // every page's displayed size, in order
}

// walkPageTree walks the catalog's page tree and returns the walk, or an
// Unreadable error when the tree is broken or disagrees with /Count.
func walkPageTree(xt *model.XRefTable, catalog types.Dict) (*pageWalk, error) {
	root, ok := catalog.Find("Pages")
	if !ok {
		return nil, pageTreeError("catalog has no /Pages")
	}
	w := &pageWalk{xt: xt, nodes: map[int]bool{}, sizes: map[pageDim]int{}}
	if err := w.node(root, inherited{}, 0); err != nil {
		return nil, err
	}
	if err := w.checkCount(root); err != nil {
		return nil, err
	}
	if w.count == 0 {
		return nil, newError(KindUnreadable, reasonNoPages, "page tree has no pages")
	}
	return w, nil
}

func pageTreeError(format string, args ...any) *Error {
	return newError(KindUnreadable, reasonPageTree, fmt.Sprintf("page tree: "+format, args...))
}

// checkCount compares the root's /Count with the pages actually found.
func (w *pageWalk) checkCount(root types.Object) error {
	d, err := w.xt.DereferenceDict(root)
	if err != nil || d == nil {
		return pageTreeError("root is not a dictionary")
	}
	o, ok := d.Find("Count")
	if !ok {
		return pageTreeError("root has no /Count")
	}
	n, err := w.xt.DereferenceInteger(o)
	if err != nil || n == nil {
		return pageTreeError("root /Count is not an integer")
	}
	if n.Value() != w.count {
		return pageTreeError("/Count says %d, tree has %d pages", n.Value(), w.count)
	}
	return nil
}

// node visits one page-tree node. A node with /Kids that is not marked
// /Type /Page is an intermediate node; anything else is a page.
func (w *pageWalk) node(o types.Object, inh inherited, depth int) error {
	if depth > maxTreeDepth {
		return pageTreeError("deeper than %d levels", maxTreeDepth)
	}
	d, err := w.xt.DereferenceDict(o)
	if err != nil || d == nil {
		return pageTreeError("node is missing or not a dictionary")
	}
	inh = w.inherit(d, inh)
	kids, hasKids := d.Find("Kids")
	if !hasKids || nameEntry(d, "Type") == "Page" {
		w.page(inh)
		return nil
	}
	// A shared or looping intermediate node would make the walk count
	// pages twice (or forever); shared leaves are merely unusual.
	if ir, ok := o.(types.IndirectRef); ok {
		nr := ir.ObjectNumber.Value()
		if w.nodes[nr] {
			return pageTreeError("node obj#%d reached twice", nr)
		}
		w.nodes[nr] = true
	}
	arr, err := w.xt.DereferenceArray(kids)
	if err != nil {
		return pageTreeError("/Kids is not an array")
	}
	for _, kid := range arr {
		if err := w.node(kid, inh, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// inherit applies a node's own MediaBox, CropBox and Rotate over those of
// its ancestors.
func (w *pageWalk) inherit(d types.Dict, inh inherited) inherited {
	if b, ok := w.box(d, "MediaBox"); ok {
		inh.media = &b
	}
	if b, ok := w.box(d, "CropBox"); ok {
		inh.crop = &b
	}
	if o, ok := d.Find("Rotate"); ok {
		// As pdf.js: the nearest /Rotate up the tree is the page's, and
		// one that is not a number shows the page unrotated.
		f, err := w.xt.DereferenceNumber(o)
		if err != nil {
			f = math.NaN()
		}
		inh.rotate = f
	}
	return inh
}

// page records one leaf and its displayed size: the crop box clipped to
// the media box, turned by /Rotate (pageRotation).
func (w *pageWalk) page(inh inherited) {
	w.count++
	b := visibleBox(inh)
	wd, ht := b.width(), b.height()
	if r := pageRotation(inh.rotate); r == 90 || r == 270 {
		wd, ht = ht, wd
	}
	d := dimOf(wd, ht)
	w.sizes[d]++
	w.pages.add(d)
}

// visibleBox is a page's visible box in user space: its crop box clipped
// to its media box (US Letter without a usable media box).
func visibleBox(inh inherited) box {
	b := box{0, 0, letterW, letterH}
	if inh.media != nil {
		b = *inh.media
	}
	if inh.crop != nil {
		if c := inh.crop.intersect(b); !c.empty() {
			b = c
		}
	}
	return b
}

// box reads a rectangle entry; malformed or empty boxes count as absent,
// as viewers then fall back to the inherited or default box.
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

// pageMap returns every page's displayed size, or an unknown map when
// its text form would exceed maxPageMapBytes.
func (w *pageWalk) pageMap() PageMap {
	if b, _ := w.pages.m.MarshalText(); len(b) > maxPageMapBytes {
		return PageMap{}
	}
	return w.pages.m
}

// distinctSizes lists the sizes seen, most frequent first.
func (w *pageWalk) distinctSizes() []PageSize {
	out := make([]PageSize, 0, len(w.sizes))
	for d, n := range w.sizes {
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
