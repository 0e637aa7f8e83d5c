// Writes test PDFs with no PDF library: A4 pages that each show a big page
// number and a few lines, optionally with an image of incompressible noise
// (what a scanned page weighs) so a 300-page pack reaches 50 MB.
//
//   node e2e/tools/mkpdf.mjs out.pdf [pages] [imageBytesPerPage] [label]
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

/** @returns {Buffer} */
export function makePdf({ pages = 10, imageBytes = 0, label = 'Curia' } = {}) {
  const parts = [];
  const offsets = [];
  let size = 0;
  const push = (b) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    size += buf.length;
  };
  const obj = (n, body) => {
    offsets[n] = size;
    push(`${n} 0 obj\n`);
    push(body);
    push('\nendobj\n');
  };
  const stream = (n, dict, data) => {
    offsets[n] = size;
    push(`${n} 0 obj\n<< ${dict} /Length ${data.length} >>\nstream\n`);
    push(data);
    push('\nendstream\nendobj\n');
  };
  push('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n');
  const per = imageBytes > 0 ? 3 : 2;
  const first = 5;
  const kids = Array.from({ length: pages }, (_, i) => `${first + per * i} 0 R`).join(' ');
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  obj(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  obj(4, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const side = imageBytes > 0 ? Math.ceil(Math.sqrt(imageBytes / 3)) : 0;
  for (let i = 0; i < pages; i++) {
    const n = first + per * i;
    const p = i + 1;
    let text = `BT /F1 64 Tf 72 680 Td (${p}) Tj ET\nBT /F2 22 Tf 72 760 Td (${esc(label)} - page ${p} of ${pages}) Tj ET\n`;
    for (let l = 0; l < 14; l++) text += `BT /F2 12 Tf 72 ${600 - l * 18} Td (Line ${l + 1} of page ${p}: the quick brown fox jumps over the lazy dog.) Tj ET\n`;
    text += `0.2 0.4 0.7 RG 4 w 60 60 475 722 re S\n`;
    let res = '/Font << /F1 3 0 R /F2 4 0 R >>';
    if (side) {
      text += 'q 300 0 0 300 240 80 cm /Im1 Do Q\n';
      res += ` /XObject << /Im1 ${n + 2} 0 R >>`;
    }
    obj(n, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << ${res} >> /Contents ${n + 1} 0 R >>`);
    stream(n + 1, '', Buffer.from(text, 'latin1'));
    if (side) {
      const img = deflateSync(randomBytes(side * side * 3), { level: 1 });
      stream(n + 2, `/Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode`, img);
    }
  }
  const count = first + per * pages;
  const xref = size;
  let table = `xref\n0 ${count}\n0000000000 65535 f \n`;
  for (let n = 1; n < count; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  push(table);
  push(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

function esc(s) {
  return s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, pages = '10', img = '0', label = 'Curia'] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node mkpdf.mjs out.pdf [pages] [imageBytesPerPage] [label]');
    process.exit(2);
  }
  const buf = makePdf({ pages: Number(pages), imageBytes: Number(img), label });
  writeFileSync(out, buf);
  console.log(`${out}: ${pages} pages, ${buf.length} bytes`);
}
