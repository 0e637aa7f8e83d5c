package pdf

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// One revision, not an update.
//
// An incremental update leaves the original file, byte for byte, in
// front of the stamp: cutting the copy at the original's %%EOF gives back
// the unstamped document. So the copy is written as a single revision
// instead, still without parsing or re-encoding any page content:
//
//   - the original bytes are copied (by the kernel) and every object stays
//     at its offset;
//   - everything that is not a live object is overwritten with spaces:
//     every cross-reference section (tables and xref streams), trailer,
//     startxref and %%EOF, the linearization dictionary and its
//     first-page section, and the dead objects of older revisions;
//   - so are the page dictionaries the stamp replaces: in any prefix of
//     the copy, a reader rebuilding the file finds no page to show;
//   - an object stream holding a page dictionary (a live or an older
//     one) is blanked whole, and its other live objects are written out
//     again, uncompressed, with the stamp's objects;
//   - at the end come the stamp's objects (the stamp, the wrapping content
//     streams, the new page dictionaries) and one complete cross-reference
//     section without /Prev: a table, or a stream when objects remain in
//     object streams (a table cannot point into them).
//
// What cannot be laid out safely (an object whose end is not where its
// syntax and pdfcpu say, overlapping objects) is refused with
// errNoIncrement, and the document is rewritten whole instead.

// xrefKind is a cross-reference entry's type (ISO 32000-1, table 18).
const (
	xrefFree       = 0
	xrefInUse      = 1
	xrefCompressed = 2
)

// xrefEntry is one entry of the copy's cross-reference section: an
// offset and generation, or an object stream and index.
type xrefEntry struct {
	kind int
	a    int64 // offset, or object stream number
	b    int   // generation, or index in the object stream
}

// span is a byte range [start, end) of the original kept in place.
type span struct {
	start, end int64
	nr         int
}

// singlePlan says what of the original is kept where it is.
type singlePlan struct {
	keep    []span            // the header and the live objects, sorted
	entries map[int]xrefEntry // kept objects: in place, or compressed
}

// planSingle decides which of the original's objects stay in place, and
// adds to inc the objects of dissolved object streams.
func planSingle(src *source, inc *increment) (*singlePlan, error) {
	xt := inc.xt
	replaced := map[int]bool{}
	for nr := range inc.objs {
		if nr < inc.base {
			replaced[nr] = true
		}
	}
	type candidate struct {
		nr, gen int
		off     int64
		obj     types.Object
	}
	var kept []candidate
	var offsets []int64 // of every object in the file, kept or not
	streams := map[int]candidate{}
	compressed := map[int]xrefEntry{}
	dissolve := map[int]bool{}
	for nr, e := range xt.Table {
		if nr == 0 || e == nil || e.Free {
			continue
		}
		// pdfcpu clears Compressed once it has decoded the object, but
		// keeps where it came from.
		if e.Compressed || (e.Offset == nil && e.ObjectStream != nil) {
			if e.ObjectStream == nil || e.ObjectStreamInd == nil {
				return nil, fmt.Errorf("%w: obj#%d: compressed, but not in an object stream", errNoIncrement, nr)
			}
			if replaced[nr] {
				dissolve[*e.ObjectStream] = true
				continue
			}
			compressed[nr] = xrefEntry{kind: xrefCompressed, a: int64(*e.ObjectStream), b: *e.ObjectStreamInd}
			continue
		}
		if e.Object == nil && (e.Offset == nil || *e.Offset <= 0 || *e.Offset >= src.size) {
			continue // nothing in the file nor in pdfcpu's reading: null
		}
		if e.Offset == nil && !replaced[nr] {
			// Made by pdfcpu's reader (e.g. an AcroForm's /Fields array
			// put right): written with the stamp, as a rewrite would.
			if sd, ok := e.Object.(types.StreamDict); ok && sd.Raw == nil {
				return nil, fmt.Errorf("%w: obj#%d: a stream made in memory", errNoIncrement, nr)
			}
			gen := 0
			if e.Generation != nil {
				gen = *e.Generation
			}
			inc.set(nr, gen, e.Object)
			continue
		}
		if e.Offset == nil || e.Generation == nil || *e.Offset <= 0 || *e.Offset >= src.size {
			return nil, fmt.Errorf("%w: obj#%d has no offset in the file", errNoIncrement, nr)
		}
		offsets = append(offsets, *e.Offset)
		c := candidate{nr: nr, gen: *e.Generation, off: *e.Offset, obj: e.Object}
		switch {
		case replaced[nr], isXRefStream(e.Object), xt.LinearizationObjs[nr] || isLinearizationDict(e.Object):
			// blanked: a replaced page, a cross-reference section, or the
			// linearization dictionary, which no longer describes the file
		case isObjectStream(e.Object):
			streams[nr] = c
		default:
			kept = append(kept, c)
		}
	}
	// An object stream stays when live objects are in it and nothing
	// else: no page dictionary the stamp replaces, and no dead object (an
	// older revision of a page, of the catalog) that a reader rebuilding
	// a prefix of the copy could find.
	used := map[int]bool{}
	for _, c := range compressed {
		used[int(c.a)] = true
	}
	for nr, c := range streams {
		if !used[nr] {
			continue // only dead objects: blanked
		}
		if !dissolve[nr] {
			nrs, err := objectStreamNumbers(c.obj)
			if err != nil {
				return nil, fmt.Errorf("%w: object stream obj#%d: %v", errNoIncrement, nr, err)
			}
			for i, n := range nrs {
				if e, ok := compressed[n]; !ok || e.a != int64(nr) || e.b != i {
					dissolve[nr] = true // replaced, or dead
				}
			}
		}
		if !dissolve[nr] {
			kept = append(kept, c)
		}
	}
	for nr, c := range compressed {
		if !dissolve[int(c.a)] {
			continue
		}
		o, err := xt.Dereference(*types.NewIndirectRef(nr, 0))
		if err != nil || o == nil {
			return nil, fmt.Errorf("%w: obj#%d in a dissolved object stream", errNoIncrement, nr)
		}
		inc.set(nr, 0, o)
		delete(compressed, nr)
	}
	for _, c := range compressed {
		if _, ok := streams[int(c.a)]; !ok {
			return nil, fmt.Errorf("%w: object stream obj#%d not found", errNoIncrement, c.a)
		}
	}

	slices.Sort(offsets)
	header, err := headerEnd(src)
	if err != nil {
		return nil, err
	}
	p := &singlePlan{keep: []span{{0, header, 0}}, entries: compressed}
	slices.SortFunc(kept, func(a, b candidate) int { return cmp.Compare(a.off, b.off) })
	sc := newObjScanner(src)
	for _, c := range kept {
		// The object ends before the next object starts.
		limit := src.size
		if i, _ := slices.BinarySearch(offsets, c.off+1); i < len(offsets) {
			limit = offsets[i]
		}
		end, err := sc.objectEnd(c.off, limit, c.nr, c.gen, c.obj)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errNoIncrement, err)
		}
		if last := p.keep[len(p.keep)-1]; c.off < last.end {
			return nil, fmt.Errorf("%w: obj#%d overlaps obj#%d", errNoIncrement, c.nr, last.nr)
		}
		p.keep = append(p.keep, span{c.off, end, c.nr})
		p.entries[c.nr] = xrefEntry{kind: xrefInUse, a: c.off, b: c.gen}
	}
	return p, nil
}

func isXRefStream(o types.Object) bool {
	switch v := o.(type) {
	case types.XRefStreamDict:
		return true
	case types.StreamDict:
		return nameEntry(v.Dict, "Type") == "XRef"
	case types.Dict:
		return nameEntry(v, "Type") == "XRef"
	}
	return false
}

func isLinearizationDict(o types.Object) bool {
	d, ok := o.(types.Dict)
	return ok && d.IsLinearizationParmDict()
}

func isObjectStream(o types.Object) bool {
	switch v := o.(type) {
	case types.ObjectStreamDict:
		return true
	case types.StreamDict:
		return nameEntry(v.Dict, "Type") == "ObjStm"
	}
	return false
}

// objectStreamNumbers lists the object numbers an object stream holds,
// from its prolog (only the prolog is decoded).
func objectStreamNumbers(o types.Object) ([]int, error) {
	var sd types.StreamDict
	first := 0
	switch v := o.(type) {
	case types.ObjectStreamDict:
		sd, first = v.StreamDict, v.FirstObjOffset
	case types.StreamDict:
		sd = v
		if f := v.IntEntry("First"); f != nil {
			first = *f
		}
	default:
		return nil, errNoIncrement
	}
	if first <= 0 {
		return nil, errNoIncrement
	}
	var prolog []byte
	if len(sd.Content) >= first {
		prolog = sd.Content[:first]
	} else {
		b, err := sd.DecodeLengthWithLimit(int64(first), 64<<20)
		if err != nil || len(b) < first {
			return nil, errNoIncrement
		}
		prolog = b[:first]
	}
	if i := bytes.IndexByte(prolog, '%'); i >= 0 {
		prolog = prolog[:i]
	}
	f := bytes.Fields(bytes.ReplaceAll(prolog, []byte{0}, []byte{' '}))
	if len(f)%2 != 0 {
		return nil, errNoIncrement
	}
	nrs := make([]int, 0, len(f)/2)
	for i := 0; i < len(f); i += 2 {
		n, err := strconv.Atoi(string(f[i]))
		if err != nil {
			return nil, errNoIncrement
		}
		nrs = append(nrs, n)
	}
	return nrs, nil
}

// headerEnd returns the end of the header: the %PDF- line and the comment
// lines right after it (the binary marker).
func headerEnd(src *source) (int64, error) {
	head, err := src.at(0, 1024)
	if err != nil || !bytes.HasPrefix(head, []byte("%PDF-")) {
		return 0, errNoIncrement
	}
	end := 0
	for end < len(head) && head[end] == '%' {
		line := head[end:]
		i := bytes.IndexAny(line, "\r\n")
		if i < 0 || bytes.Contains(line[:i], []byte("%EOF")) {
			break
		}
		end += i
		for end < len(head) && (head[end] == '\r' || head[end] == '\n') {
			end++
		}
	}
	if end == 0 {
		return 0, errNoIncrement
	}
	return int64(end), nil
}

// objScanner finds where objects of the original end.
type objScanner struct {
	src *source
	br  *bufio.Reader
	pos int64 // offset of the next byte br gives
}

func newObjScanner(src *source) *objScanner {
	return &objScanner{src: src, br: bufio.NewReaderSize(nil, 2048)}
}

// maxStreamSlack is how far after a stream's data (its offset and length
// as pdfcpu read them) its "endstream" may be found.
const maxStreamSlack = 256

// objectEnd returns the offset just after the "endobj" of the object at
// off (object nr, generation gen, read by pdfcpu as o), which must end
// before limit. Strings and comments are skipped as the syntax says; a
// stream's data is skipped by the offset and length pdfcpu read it with
// (indirect lengths resolved), so its bytes are never scanned.
func (s *objScanner) objectEnd(off, limit int64, nr, gen int, o types.Object) (int64, error) {
	s.reset(off, limit)
	s.skipSpace()
	for _, want := range []int{nr, gen} {
		n, ok := s.integer()
		if !ok || n != want {
			return 0, fmt.Errorf("obj#%d: header", nr)
		}
		s.skipSpace()
	}
	if kw := s.keyword(); kw != "obj" {
		return 0, fmt.Errorf("obj#%d: no obj keyword", nr)
	}
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("obj#%d: no endobj", nr)
		}
		s.pos++
		switch {
		case isPDFSpace(c), c == '[', c == ']', c == '{', c == '}', c == '/', c == '>':
		case c == '%':
			s.skipLine()
		case c == '(':
			if !s.skipString() {
				return 0, fmt.Errorf("obj#%d: string", nr)
			}
		case c == '<':
			if b, err := s.br.Peek(1); err == nil && b[0] == '<' {
				s.br.ReadByte()
				s.pos++
				continue
			}
			if !s.skipTo('>') {
				return 0, fmt.Errorf("obj#%d: hex string", nr)
			}
		default:
			s.br.UnreadByte()
			s.pos--
			switch kw := s.keyword(); kw {
			case "endobj":
				return s.pos, nil
			case "stream":
				return s.streamEnd(limit, nr, o)
			case "obj", "endstream", "xref", "trailer", "startxref":
				return 0, fmt.Errorf("obj#%d: %s before endobj", nr, kw)
			case "":
				return 0, fmt.Errorf("obj#%d: unexpected byte", nr)
			}
		}
	}
}

// streamEnd skips a stream's data and finds "endstream endobj" after it.
func (s *objScanner) streamEnd(limit int64, nr int, o types.Object) (int64, error) {
	var sd types.StreamDict
	switch v := o.(type) {
	case types.StreamDict:
		sd = v
	case types.ObjectStreamDict:
		sd = v.StreamDict
	case types.XRefStreamDict:
		sd = v.StreamDict
	default:
		return 0, fmt.Errorf("obj#%d: a stream pdfcpu did not read as one", nr)
	}
	if sd.StreamLength == nil || sd.StreamOffset < s.pos || sd.StreamOffset > s.pos+16 || *sd.StreamLength < 0 {
		return 0, fmt.Errorf("obj#%d: stream data not where pdfcpu read it", nr)
	}
	end := sd.StreamOffset + *sd.StreamLength
	if end > limit {
		return 0, fmt.Errorf("obj#%d: stream runs into the next object", nr)
	}
	tail, err := s.src.at(end, int(min(maxStreamSlack+32, limit-end)))
	if err != nil {
		return 0, err
	}
	i := bytes.Index(tail, []byte("endstream"))
	if i < 0 || i > maxStreamSlack {
		return 0, fmt.Errorf("obj#%d: no endstream after the data", nr)
	}
	j := i + len("endstream")
	for j < len(tail) && isPDFSpace(tail[j]) {
		j++
	}
	if !bytes.HasPrefix(tail[j:], []byte("endobj")) {
		return 0, fmt.Errorf("obj#%d: no endobj after endstream", nr)
	}
	return end + int64(j+len("endobj")), nil
}

func (s *objScanner) reset(off, limit int64) {
	s.br.Reset(io.NewSectionReader(s.src.r, off, limit-off))
	s.pos = off
}

func (s *objScanner) skipSpace() {
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return
		}
		if !isPDFSpace(c) {
			s.br.UnreadByte()
			return
		}
		s.pos++
	}
}

func (s *objScanner) skipLine() {
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return
		}
		s.pos++
		if c == '\n' || c == '\r' {
			return
		}
	}
}

// skipString skips a literal string whose "(" was read: balanced
// parentheses, backslash escapes.
func (s *objScanner) skipString() bool {
	depth := 1
	for depth > 0 {
		c, err := s.br.ReadByte()
		if err != nil {
			return false
		}
		s.pos++
		switch c {
		case '\\':
			if _, err := s.br.ReadByte(); err != nil {
				return false
			}
			s.pos++
		case '(':
			depth++
		case ')':
			depth--
		}
	}
	return true
}

func (s *objScanner) skipTo(end byte) bool {
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return false
		}
		s.pos++
		if c == end {
			return true
		}
	}
}

// keyword reads a run of regular characters (a number, keyword or the
// like).
func (s *objScanner) keyword() string {
	var b []byte
	for len(b) < 64 {
		c, err := s.br.ReadByte()
		if err != nil {
			break
		}
		if isDelimiterOrSpace(c) {
			s.br.UnreadByte()
			break
		}
		s.pos++
		b = append(b, c)
	}
	return string(b)
}

func (s *objScanner) integer() (int, bool) {
	kw := s.keyword()
	n, err := strconv.Atoi(kw)
	return n, err == nil && n >= 0
}

// writeSingle writes the copy: the original with everything outside
// p.keep blanked, then the update's objects and one complete
// cross-reference section.
func (inc *increment) writeSingle(src *source, out string, p *singlePlan) error {
	return writeFile(out, func(f *os.File) error { return inc.writeSingleTo(f, src, p) })
}

func (inc *increment) writeSingleTo(f *os.File, src *source, p *singlePlan) error {
	// From file to file, io.Copy is copy_file_range on Linux: the kernel
	// copies (or shares) the pages, the worker never holds them.
	if _, err := src.f.Seek(0, io.SeekStart); err != nil {
		return newError(KindInternal, reasonInternal, "copy original: "+err.Error())
	}
	if _, err := io.Copy(f, io.LimitReader(src.f, src.size)); err != nil {
		return newError(KindInternal, reasonInternal, "copy original: "+err.Error())
	}
	if err := blankOutside(f, p.keep, src.size); err != nil {
		return newError(KindInternal, reasonInternal, "write output: "+err.Error())
	}
	if _, err := f.Seek(src.size, io.SeekStart); err != nil {
		return newError(KindInternal, reasonInternal, "write output: "+err.Error())
	}
	w := &countingWriter{w: bufio.NewWriterSize(f, 64<<10), n: src.size}
	w.WriteString("\n")
	nrs := make([]int, 0, len(inc.objs))
	for nr := range inc.objs {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)
	entries := p.entries
	for _, nr := range nrs {
		entries[nr] = xrefEntry{kind: xrefInUse, a: w.n, b: inc.objs[nr].gen}
		writeObject(w, nr, inc.objs[nr])
	}
	if hasCompressed(entries) {
		inc.writeFullXRefStream(w, entries)
	} else {
		inc.writeFullXRefTable(w, entries)
	}
	if w.err != nil {
		return newError(KindInternal, reasonInternal, "write output: "+w.err.Error())
	}
	if err := w.w.Flush(); err != nil {
		return newError(KindInternal, reasonInternal, "write output: "+err.Error())
	}
	return nil
}

// blankOutside overwrites with spaces every byte of [0, size) outside
// keep (sorted, not overlapping), leaving every kept byte at its offset.
func blankOutside(f *os.File, keep []span, size int64) error {
	spaces := bytes.Repeat([]byte{' '}, 64<<10)
	blank := func(from, to int64) error {
		for from < to {
			n := min(to-from, int64(len(spaces)))
			if _, err := f.WriteAt(spaces[:n], from); err != nil {
				return err
			}
			from += n
		}
		return nil
	}
	at := int64(0)
	for _, k := range keep {
		if err := blank(at, k.start); err != nil {
			return err
		}
		at = k.end
	}
	return blank(at, size)
}

func hasCompressed(entries map[int]xrefEntry) bool {
	for _, e := range entries {
		if e.kind == xrefCompressed {
			return true
		}
	}
	return false
}

// fullTrailer is the copy's trailer: the original's newest /Root, /Info
// and /ID, and no /Prev.
func (inc *increment) fullTrailer(size int) types.Dict {
	xt := inc.xt
	d := types.Dict{"Size": types.Integer(size), "Root": *xt.Root}
	if xt.Info != nil {
		d["Info"] = *xt.Info
	}
	if xt.ID != nil {
		d["ID"] = xt.ID
	}
	return d
}

// sections groups the numbers of the objects in use into subsections
// (first, count), always starting with object 0; short runs of free
// numbers between objects are listed as free rather than starting a
// new subsection.
func sections(entries map[int]xrefEntry) [][2]int {
	nrs := make([]int, 0, len(entries)+1)
	nrs = append(nrs, 0)
	for nr := range entries {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)
	var out [][2]int
	for _, nr := range nrs {
		if n := len(out); n > 0 && nr-(out[n-1][0]+out[n-1][1]) <= 32 {
			out[n-1][1] = nr - out[n-1][0] + 1
			continue
		}
		out = append(out, [2]int{nr, 1})
	}
	return out
}

func (inc *increment) writeFullXRefTable(w *countingWriter, entries map[int]xrefEntry) {
	start := w.n
	w.WriteString("xref\n")
	for _, s := range sections(entries) {
		fmt.Fprintf(w, "%d %d\n", s[0], s[1])
		for nr := s[0]; nr < s[0]+s[1]; nr++ {
			e, ok := entries[nr]
			switch {
			case nr == 0:
				w.WriteString("0000000000 65535 f \n")
			case ok && e.kind == xrefInUse:
				fmt.Fprintf(w, "%010d %05d n \n", e.a, e.b)
			default:
				w.WriteString("0000000000 00000 f \n")
			}
		}
	}
	w.WriteString("trailer\n")
	w.WriteString(inc.fullTrailer(inc.next).PDFString())
	fmt.Fprintf(w, "\nstartxref\n%d\n%%%%EOF\n", start)
}

// byteWidth is the number of bytes that hold v.
func byteWidth(v int64) int {
	n := 1
	for v > 0xff {
		v >>= 8
		n++
	}
	return n
}

func (inc *increment) writeFullXRefStream(w *countingWriter, entries map[int]xrefEntry) {
	self := inc.next
	start := w.n
	entries[self] = xrefEntry{kind: xrefInUse, a: start}
	var maxA int64
	maxB := 0
	for _, e := range entries {
		maxA, maxB = max(maxA, e.a), max(maxB, e.b)
	}
	wa, wb := byteWidth(maxA), byteWidth(int64(max(maxB, 0xffff)))
	var rows bytes.Buffer
	var index types.Array
	put := func(v int64, n int) {
		for s := (n - 1) * 8; s >= 0; s -= 8 {
			rows.WriteByte(byte(v >> s))
		}
	}
	for _, s := range sections(entries) {
		index = append(index, types.Integer(s[0]), types.Integer(s[1]))
		for nr := s[0]; nr < s[0]+s[1]; nr++ {
			e, ok := entries[nr]
			switch {
			case nr == 0:
				rows.WriteByte(xrefFree)
				put(0, wa)
				put(0xffff, wb)
			case ok:
				rows.WriteByte(byte(e.kind))
				put(e.a, wa)
				put(int64(e.b), wb)
			default:
				rows.WriteByte(xrefFree)
				put(0, wa)
				put(0, wb)
			}
		}
	}
	d := inc.fullTrailer(self + 1)
	d["Type"] = types.Name("XRef")
	d["W"] = types.Array{types.Integer(1), types.Integer(wa), types.Integer(wb)}
	d["Index"] = index
	d["Length"] = types.Integer(rows.Len())
	fmt.Fprintf(w, "%d 0 obj\n", self)
	w.WriteString(d.PDFString())
	w.WriteString("\nstream\n")
	w.Write(rows.Bytes())
	fmt.Fprintf(w, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", start)
}
