package pdf

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// PageMap is the displayed size of every page of a document, exactly (to
// 1/100 point, as Info.PageSizes): the distinct sizes, in the order they
// first appear, and the pages as runs of consecutive pages of one size.
// Annotations are checked against their own page with it.
//
// Its text form, which is how it travels from the worker and is stored, is
//
//	59528x84189,84189x59528;0*12,1,0*3
//
// the sizes in hundredths of a point (width x height), then the runs: the
// index of a size, and "*count" when the run is longer than one page. A
// document of one size is a dozen bytes. At worst (every page another
// size) a page costs at most 25 bytes, so a 5,000-page document stays
// under 125 KB; inspection drops a map over maxPageMapBytes (a document of
// tens of thousands of pages of all different sizes), and such a version
// is checked as one whose map is unknown.
type PageMap struct {
	sizes []pageDim
	ends  []int32 // ends[i] is the last page (from 1) of run i
	of    []int32 // of[i] is the index in sizes of run i's size
}

// pageDim is a displayed page size in hundredths of a point.
type pageDim struct{ w, h int32 }

const (
	// maxPageMapBytes bounds the text form of a PageMap (it travels in
	// one line of the worker's output, bounded by maxStdout, and is stored
	// with the version).
	maxPageMapBytes = 256 << 10
	// maxPageDim clamps a page side, in hundredths of a point (1,000,000
	// points: far beyond any real page; PDF 1.7's limit is 14,400), so that
	// a hostile box cannot overflow the representation.
	maxPageDim = 100_000_000
)

// dimOf rounds a displayed size to hundredths of a point, clamped.
func dimOf(w, h float64) pageDim {
	r := func(v float64) int32 {
		if math.IsNaN(v) {
			return 0
		}
		return int32(math.Round(min(max(v, 0), maxPageDim/100) * 100))
	}
	return pageDim{r(w), r(h)}
}

// pageMapBuilder makes a PageMap page by page.
type pageMapBuilder struct {
	m     PageMap
	index map[pageDim]int32
}

func (b *pageMapBuilder) add(d pageDim) {
	if b.index == nil {
		b.index = map[pageDim]int32{}
	}
	i, ok := b.index[d]
	if !ok {
		i = int32(len(b.m.sizes))
		b.index[d] = i
		b.m.sizes = append(b.m.sizes, d)
	}
	last := int32(0)
	if n := len(b.m.ends); n > 0 {
		last = b.m.ends[n-1]
		if b.m.of[n-1] == i {
			b.m.ends[n-1]++
			return
		}
	}
	b.m.ends = append(b.m.ends, last+1)
	b.m.of = append(b.m.of, i)
}

// Known reports whether the map holds any page: false for a version
// inspected before maps were kept, or whose map was too large to keep.
func (m PageMap) Known() bool { return len(m.ends) > 0 }

// Pages is the number of pages the map covers.
func (m PageMap) Pages() int {
	if len(m.ends) == 0 {
		return 0
	}
	return int(m.ends[len(m.ends)-1])
}

// Size returns the displayed size of page (from 1) in points; ok is false
// for a page the map does not cover.
func (m PageMap) Size(page int) (w, h float64, ok bool) {
	if page < 1 || page > m.Pages() {
		return 0, 0, false
	}
	run := sort.Search(len(m.ends), func(i int) bool { return int(m.ends[i]) >= page })
	d := m.sizes[m.of[run]]
	return float64(d.w) / 100, float64(d.h) / 100, true
}

// MarshalText writes the text form (empty for an unknown map).
func (m PageMap) MarshalText() ([]byte, error) {
	if !m.Known() {
		return []byte{}, nil
	}
	b := make([]byte, 0, 12*len(m.sizes)+4*len(m.ends))
	for i, d := range m.sizes {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(d.w), 10)
		b = append(b, 'x')
		b = strconv.AppendInt(b, int64(d.h), 10)
	}
	b = append(b, ';')
	prev := int32(0)
	for i, end := range m.ends {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(m.of[i]), 10)
		if n := end - prev; n > 1 {
			b = append(b, '*')
			b = strconv.AppendInt(b, int64(n), 10)
		}
		prev = end
	}
	return b, nil
}

// String is the text form.
func (m PageMap) String() string {
	b, _ := m.MarshalText()
	return string(b)
}

var errPageMap = errors.New("malformed page map")

// UnmarshalText reads the text form; empty text is an unknown map.
func (m *PageMap) UnmarshalText(text []byte) error {
	*m = PageMap{}
	if len(text) == 0 {
		return nil
	}
	sizes, runs, ok := strings.Cut(string(text), ";")
	if !ok || sizes == "" || runs == "" {
		return errPageMap
	}
	var out PageMap
	for s := range strings.SplitSeq(sizes, ",") {
		ws, hs, ok := strings.Cut(s, "x")
		w, err1 := strconv.ParseInt(ws, 10, 32)
		h, err2 := strconv.ParseInt(hs, 10, 32)
		if !ok || err1 != nil || err2 != nil || w < 0 || h < 0 {
			return fmt.Errorf("%w: size %q", errPageMap, s)
		}
		out.sizes = append(out.sizes, pageDim{int32(w), int32(h)})
	}
	end := int64(0)
	for r := range strings.SplitSeq(runs, ",") {
		is, ns, long := strings.Cut(r, "*")
		// Two errors: a bad index is refused whether or not a count follows.
		i, errI := strconv.ParseInt(is, 10, 32)
		n, errN := int64(1), error(nil)
		if long {
			n, errN = strconv.ParseInt(ns, 10, 32)
		}
		if errI != nil || errN != nil || i < 0 || int(i) >= len(out.sizes) || n < 1 || end+n > math.MaxInt32 {
			return fmt.Errorf("%w: run %q", errPageMap, r)
		}
		end += n
		out.ends = append(out.ends, int32(end))
		out.of = append(out.of, int32(i))
	}
	*m = out
	return nil
}
