// pdf.js, loaded only with the viewer. Documents are read with HTTP Range
// requests: we fetch the first and last 64 KB ourselves (head.ts: this
// tells the length and the ETag), then pdf.js asks for the ranges it needs
// and nothing ahead of need (disableAutoFetch, disableStream), batched into
// multi-range requests (ranges.ts). Page 1 of a 50 MB pack costs a few MB at most, and 300
// tablets do not each pull the whole file. The session cookie authenticates
// the same-origin requests. No scripting: the plain API has no sandbox and
// we never load pdf.sandbox; isEvalSupported is off (6.x no longer has an
// eval path at all).
import {
  getDocument, GlobalWorkerOptions, PDFDataRangeTransport, PDFWorker, type PDFDocumentLoadingTask, type PDFDocumentProxy,
  type PDFPageProxy, type RenderTask,
} from 'pdfjs-dist';
import { takeHead, type Head } from './head';
import { httpRanges, RangeBatcher } from './ranges';
import { pdfWorker, workerUrl } from './worker';

GlobalWorkerOptions.workerSrc = workerUrl;

// Small chunks: a page's dictionary is a few hundred bytes, and contiguous
// chunks go out as one range anyway. One more chunk is fetched past each
// range, for objects that run over a chunk's end.
const CHUNK = 4 * 1024;

class BatchedTransport extends PDFDataRangeTransport {
  private readonly batcher: RangeBatcher;
  constructor(url: string, head: Head) {
    super(head.total, head.parts[0].bytes);
    this.batcher = new RangeBatcher(httpRanges(url, head.etag), (begin, bytes) => this.onDataRange(begin, bytes), head.total, head.parts, {
      extra: CHUNK,
    });
  }
  override requestDataRange(begin: number, end: number): void {
    this.batcher.request(begin, end);
  }
  override abort(): void {
    this.batcher.abort();
  }
}

/** The document's source for pdf.js: its bytes when small, else a range transport. */
async function source(url: string): Promise<{ data: Uint8Array } | { range: PDFDataRangeTransport }> {
  const head = await takeHead(url);
  return head.whole ? { data: head.whole } : { range: new BatchedTransport(url, head) };
}

let worker: PDFWorker | null = null;
const KEEP_OPEN = 3;
const opened = new Map<string, Promise<PdfDoc>>();

/**
 * One pdf.js worker for every document the tablet opens: the one boot.ts
 * may have started already (worker.ts), else pdf.js's own.
 */
function sharedWorker(): PDFWorker {
  if (!worker || worker.destroyed) {
    const port = pdfWorker();
    // (pdf.js's types say port: null, its code takes a Worker.)
    worker = port ? new PDFWorker({ port } as unknown as ConstructorParameters<typeof PDFWorker>[0]) : new PDFWorker();
  }
  return worker;
}

/** Starts the worker before a document is chosen, so opening one is faster. */
export function warmUp(): void {
  sharedWorker();
}

// Loading this module means a document is about to be shown: boot the worker now.
warmUp();

export interface PageSize {
  w: number;
  h: number;
}

export class PdfDoc {
  private sizes = new Map<number, PageSize>();
  private constructor(private readonly task: PDFDocumentLoadingTask, private readonly pdf: PDFDocumentProxy) {}

  /** The document at url, opened now or recently (switching back costs nothing). */
  static get(url: string): Promise<PdfDoc> {
    let p = opened.get(url);
    if (p) {
      opened.delete(url);
    } else {
      p = PdfDoc.open(url);
      p.catch(() => opened.delete(url));
    }
    opened.set(url, p);
    while (opened.size > KEEP_OPEN) {
      const [oldest, doc] = opened.entries().next().value!;
      opened.delete(oldest);
      void doc.then((d) => d.destroy(), () => {});
    }
    return p;
  }

  /** Opens the document at url (marks: the timeline's performance marks, off for the warm-up). */
  static async open(url: string, marks = true): Promise<PdfDoc> {
    if (marks) performance.mark('curia:pdf-open');
    const src = await source(url);
    if (marks) performance.mark('curia:pdf-head');
    const task = getDocument({
      ...src,
      worker: sharedWorker(),
      disableAutoFetch: true,
      disableStream: true,
      rangeChunkSize: CHUNK,
      isEvalSupported: false,
      enableXfa: false,
      useWasm: false, // the CSP has no 'wasm-unsafe-eval': use the JS decoders
      wasmUrl: '/pdfjs/wasm/',
      cMapUrl: '/pdfjs/cmaps/',
      cMapPacked: true,
      standardFontDataUrl: '/pdfjs/standard_fonts/',
      stopAtErrors: false,
      verbosity: 0,
    } as unknown as Parameters<typeof getDocument>[0]);
    const doc = new PdfDoc(task, await task.promise);
    if (marks) performance.mark('curia:pdf-ready');
    return doc;
  }

  get pages(): number {
    return this.pdf.numPages;
  }

  page(n: number): Promise<PDFPageProxy> {
    return this.pdf.getPage(n);
  }

  /** The page's size in PDF points, rotation applied. */
  async size(n: number): Promise<PageSize> {
    const known = this.sizes.get(n);
    if (known) return known;
    const vp = (await this.page(n)).getViewport({ scale: 1 });
    const s = { w: vp.width, h: vp.height };
    this.sizes.set(n, s);
    return s;
  }

  /** Renders page n into a new canvas of the given device-pixel scale; cancel() stops it. */
  render(n: number, scale: number): { promise: Promise<HTMLCanvasElement>; cancel(): void } {
    let task: RenderTask | null = null;
    let cancelled = false;
    const promise = this.page(n).then(async (page) => {
      if (cancelled) throw new Error('cancelled');
      const vp = page.getViewport({ scale });
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.floor(vp.width));
      canvas.height = Math.max(1, Math.floor(vp.height));
      task = page.render({ canvas, viewport: vp });
      await task.promise;
      return canvas;
    });
    return { promise, cancel: () => { cancelled = true; task?.cancel(); } };
  }

  destroy(): void {
    void this.task.destroy();
  }
}
