package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// This file implements the last-resort reading strategy: ignore the
// file's cross-reference data, find every "N G obj" header by scanning
// the bytes (skipping stream bodies), and append a fresh xref section and
// trailer that point at them. pdfcpu then reads the file normally.
//
// It is the recovery qpdf and poppler perform on files whose offsets are
// wrong (edited by hand, line endings converted in transit, objects
// without "endobj"). pdfcpu has a repair mode of its own, but it cannot
// cope with a missing "endobj" and discards objects it cannot place.

const (
	// maxTrailerTries bounds how many "trailer" keywords are tried from
	// the end of the file before giving up.
	maxTrailerTries = 16
	// maxTrailerLen bounds the text handed to the trailer parser.
	maxTrailerLen = 64 << 10
)

// objLoc is where an object header starts, relative to the %PDF- header
// (pdfcpu adds the header's offset back, as for any xref offset).
type objLoc struct {
	off int64
	gen int
}

// rebuildXRef returns data with a rebuilt xref section and trailer
// appended.
func rebuildXRef(data []byte) ([]byte, error) {
	hdr := bytes.Index(data, []byte("%PDF-"))
	if hdr < 0 {
		return nil, errors.New("rescan: no header")
	}
	objs, err := scanObjects(data, hdr)
	if err != nil {
		return nil, err
	}
	trailer, err := lastTrailer(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(data) + 64 + 20*len(objs))
	b.Write(data)
	b.WriteString("\n")
	xrefOff := b.Len() - hdr
	size := writeXRef(&b, objs)
	trailer["Size"] = types.Integer(size)
	fmt.Fprintf(&b, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", trailer.PDFString(), xrefOff)
	return b.Bytes(), nil
}

// scanObjects finds object headers outside stream bodies. When an object
// number occurs more than once the last one wins, as with incremental
// updates.
func scanObjects(data []byte, hdr int) (map[int]objLoc, error) {
	objs := map[int]objLoc{}
	// The next "obj" and "stream" keywords are remembered, not searched
	// for again at every step, so the scan stays linear in the file size.
	obj, stream := indexFrom(data, hdr, "obj"), streamKeyword(data, hdr)
	for i := hdr; i < len(data) && (obj >= 0 || stream >= 0); {
		if obj >= 0 && obj < i {
			obj = indexFrom(data, i, "obj")
		}
		if stream >= 0 && stream < i {
			stream = streamKeyword(data, i)
		}
		if stream >= 0 && (obj < 0 || stream < obj) {
			e := indexFrom(data, stream, "endstream")
			if e < 0 {
				break // truncated inside a stream: nothing more to find
			}
			i = e + len("endstream")
			continue
		}
		if obj < 0 {
			break
		}
		p := obj
		i = p + len("obj")
		start, nr, gen, ok := objHeaderBefore(data, p)
		if !ok || start < hdr || (i < len(data) && !isDelimiterOrSpace(data[i])) {
			continue
		}
		if nr > maxObjectNumber {
			return nil, fmt.Errorf("rescan: object number %d beyond the PDF limit", nr)
		}
		objs[nr] = objLoc{off: int64(start - hdr), gen: gen}
	}
	if len(objs) == 0 {
		return nil, errors.New("rescan: no objects")
	}
	return objs, nil
}

// indexFrom returns the position of the first kw at or after i, or -1.
func indexFrom(data []byte, i int, kw string) int {
	j := bytes.Index(data[i:], []byte(kw))
	if j < 0 {
		return -1
	}
	return i + j
}

// streamKeyword returns the position of the next "stream" keyword at or
// after i that is not the tail of "endstream", or -1.
func streamKeyword(data []byte, i int) int {
	for {
		j := bytes.Index(data[i:], []byte("stream"))
		if j < 0 {
			return -1
		}
		p := i + j
		if p < 3 || !bytes.Equal(data[p-3:p], []byte("end")) {
			return p
		}
		i = p + len("stream")
	}
}

// objHeaderBefore parses "N G " backwards from the "obj" keyword at p and
// returns where N starts.
func objHeaderBefore(data []byte, p int) (start, nr, gen int, ok bool) {
	q := skipSpaceBack(data, p)
	if q == p {
		return 0, 0, 0, false
	}
	genStart, gen, ok := intBefore(data, q, 5)
	if !ok {
		return 0, 0, 0, false
	}
	q = skipSpaceBack(data, genStart)
	if q == genStart {
		return 0, 0, 0, false
	}
	start, nr, ok = intBefore(data, q, 10)
	if !ok || nr == 0 || (start > 0 && !isDelimiterOrSpace(data[start-1])) {
		return 0, 0, 0, false
	}
	return start, nr, gen, true
}

func skipSpaceBack(data []byte, p int) int {
	for p > 0 && isPDFSpace(data[p-1]) {
		p--
	}
	return p
}

// intBefore parses the run of at most maxDigits decimal digits ending at
// p.
func intBefore(data []byte, p, maxDigits int) (start, n int, ok bool) {
	start = p
	for start > 0 && p-start < maxDigits && data[start-1] >= '0' && data[start-1] <= '9' {
		start--
	}
	if start == p || (start > 0 && data[start-1] >= '0' && data[start-1] <= '9') {
		return 0, 0, false
	}
	for _, c := range data[start:p] {
		n = n*10 + int(c-'0')
	}
	return start, n, true
}

func isDelimiterOrSpace(b byte) bool {
	return isPDFSpace(b) || bytes.IndexByte([]byte("()<>[]{}/%"), b) >= 0
}

// lastTrailer parses the most recent trailer dictionary that names a
// catalog and keeps only the entries that still mean something once the
// old xref chain is dropped.
func lastTrailer(data []byte) (types.Dict, error) {
	end := len(data)
	for try := 0; try < maxTrailerTries; try++ {
		p := bytes.LastIndex(data[:end], []byte("trailer"))
		if p < 0 {
			break
		}
		end = p
		if d := parseTrailerAt(data, p+len("trailer")); d != nil {
			return d, nil
		}
	}
	return nil, errors.New("rescan: no usable trailer dictionary")
}

func parseTrailerAt(data []byte, p int) types.Dict {
	q := min(len(data), p+maxTrailerLen)
	s := string(bytes.TrimLeft(data[p:q], "\x00\t\n\f\r "))
	if len(s) < 2 || s[:2] != "<<" {
		return nil
	}
	o, err := model.ParseObject(&s)
	if err != nil {
		return nil
	}
	d, ok := o.(types.Dict)
	if !ok || d.IndirectRefEntry("Root") == nil {
		return nil
	}
	out := types.Dict{}
	for _, k := range []string{"Root", "Info", "Encrypt", "ID"} {
		if v, ok := d.Find(k); ok && v != nil {
			out[k] = v
		}
	}
	return out
}

// writeXRef writes a classic xref section with one subsection per run of
// consecutive object numbers, and returns the trailer /Size.
func writeXRef(b *bytes.Buffer, objs map[int]objLoc) int {
	nrs := make([]int, 0, len(objs))
	for nr := range objs {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)
	b.WriteString("xref\n0 1\n0000000000 65535 f\r\n")
	for i := 0; i < len(nrs); {
		j := i + 1
		for j < len(nrs) && nrs[j] == nrs[j-1]+1 {
			j++
		}
		fmt.Fprintf(b, "%d %d\n", nrs[i], j-i)
		for _, nr := range nrs[i:j] {
			fmt.Fprintf(b, "%010d %05d n\r\n", objs[nr].off, objs[nr].gen%100000)
		}
		i = j
	}
	return nrs[len(nrs)-1] + 1
}
