// Package testpdf writes valid PDFs for tests and benchmarks, with no PDF
// library: a catalog, a page tree and pages that each show their number,
// optionally with an image of incompressible bytes to reach a real pack's
// size.
package testpdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand/v2"
)

// Pages returns a valid PDF of n A4 pages; seed varies the content so
// different seeds give different bytes.
func Pages(n int, seed string) []byte {
	var b bytes.Buffer
	_ = Write(&b, n, 0, seed)
	return b.Bytes()
}

// Write writes a PDF of n A4 pages to w, each with an image of about
// imageBytes bytes of noise when imageBytes > 0 (a scanned page, roughly).
func Write(w io.Writer, n, imageBytes int, seed string) error {
	pw := &pdfWriter{w: w}
	pw.raw("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	pw.obj("<< /Type /Catalog /Pages 2 0 R >>")
	perPage := 2
	if imageBytes > 0 {
		perPage = 3
	}
	var kids bytes.Buffer
	for i := range n {
		fmt.Fprintf(&kids, "%d 0 R ", 4+perPage*i)
	}
	pw.obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), n))
	pw.obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	rng := rand.New(rand.NewPCG(uint64(len(seed)), 42))
	side := 1
	for side*side*3 < imageBytes {
		side++
	}
	for i := range n {
		page := 4 + perPage*i
		text := fmt.Sprintf("BT /F1 24 Tf 72 760 Td (%s page %d) Tj ET", seed, i+1)
		res := "/Font << /F1 3 0 R >>"
		if imageBytes > 0 {
			text += " q 451 0 0 600 72 100 cm /Im1 Do Q"
			res += fmt.Sprintf(" /XObject << /Im1 %d 0 R >>", page+2)
		}
		pw.obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << %s >> /Contents %d 0 R >>", res, page+1))
		pw.stream("", []byte(text))
		if imageBytes > 0 {
			img := make([]byte, side*side*3)
			for j := 0; j < len(img); j += 8 {
				v := rng.Uint64()
				for k := 0; k < 8 && j+k < len(img); k++ {
					img[j+k] = byte(v >> (8 * k))
				}
			}
			pw.stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode", side, side), deflate(img))
		}
	}
	return pw.finish()
}

// deflate compresses like a real scanned page's image stream is; noise
// barely shrinks, so the file keeps its size.
func deflate(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&out, zlib.BestSpeed)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Bytes()
}

type pdfWriter struct {
	w       io.Writer
	n       int
	offsets []int
	err     error
}

func (p *pdfWriter) raw(s string) { p.write([]byte(s)) }

func (p *pdfWriter) write(b []byte) {
	if p.err != nil {
		return
	}
	var k int
	k, p.err = p.w.Write(b)
	p.n += k
}

func (p *pdfWriter) obj(body string) {
	p.offsets = append(p.offsets, p.n)
	p.raw(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", len(p.offsets), body))
}

func (p *pdfWriter) stream(dict string, data []byte) {
	p.offsets = append(p.offsets, p.n)
	p.raw(fmt.Sprintf("%d 0 obj\n<< %s /Length %d >>\nstream\n", len(p.offsets), dict, len(data)))
	p.write(data)
	p.raw("\nendstream\nendobj\n")
}

func (p *pdfWriter) finish() error {
	xref := p.n
	p.raw(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", len(p.offsets)+1))
	for _, off := range p.offsets {
		p.raw(fmt.Sprintf("%010d 00000 n \n", off))
	}
	p.raw(fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(p.offsets)+1, xref))
	return p.err
}
