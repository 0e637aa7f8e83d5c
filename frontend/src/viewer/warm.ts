// pdf.js, run once before the first real document: opens a tiny PDF
// (dist/pdfjs/warm.pdf, written by the build: a compressed content stream,
// text in a standard font, an image), renders its page small, and closes it.
// The first document a fresh worker opens costs several hundred
// milliseconds more than the next ones (pdf.js's code runs for the first
// time, in the worker and here, and the standard font's data is fetched);
// ui/prefetch.ts has this paid while the login screen or the list of
// meetings is shown. Its own small chunk, loaded only from there.
import { PdfDoc } from './pdf';

let done: Promise<void> | null = null;

/** Opens, renders and closes the warm-up document, once; never fails. */
export function warmPdf(): Promise<void> {
  done ??= (async () => {
    const doc = await PdfDoc.open('/pdfjs/warm.pdf', false);
    try {
      await doc.render(1, 0.5).promise;
      performance.mark('curia:warm-done');
    } finally {
      doc.destroy();
    }
  })().catch(() => {});
  return done;
}
