// The first request for a document: its first and last 64 KB in one
// multi-range request (pdf.js needs both before anything else: the header
// and the cross-reference table at the end). Kept small and outside the
// viewer's chunk, so the room can start it as soon as it knows which
// document is on screen, while pdf.js is still downloading.
import { parseContentRange, parseMultipart, type Part } from './ranges';

export const EDGE = 64 * 1024;

export interface Head {
  /** The whole file when the server sent it all (small files). */
  whole: Uint8Array | null;
  total: number;
  etag: string;
  /** Parts already fetched: the start (always from byte 0) and the end. */
  parts: Part[];
}

/** The server refused a document's bytes: status 404 (deleted), 403 (now confidential for others, or left the meeting)… */
export class DocFetchError extends Error {
  constructor(readonly status: number) {
    super(`document: ${status}`);
  }
  /** The document is no longer there for this reader (not a network failure: retrying will not help). */
  get gone(): boolean {
    return this.status === 404 || this.status === 403 || this.status === 410;
  }
}

const pending = new Map<string, Promise<Head>>();

async function fetchHead(url: string): Promise<Head> {
  const res = await fetch(url, { headers: { Range: `bytes=0-${EDGE - 1},-${EDGE}` }, credentials: 'same-origin' });
  if (res.status !== 200 && res.status !== 206) throw new DocFetchError(res.status);
  const body = new Uint8Array(await res.arrayBuffer());
  const etag = res.headers.get('ETag') ?? '';
  if (res.status === 200) return { whole: body, total: body.length, etag, parts: [{ start: 0, bytes: body }] };
  const boundary = /multipart\/byteranges;\s*boundary="?([^";]+)"?/i.exec(res.headers.get('Content-Type') ?? '')?.[1];
  let parts: Part[];
  let total: number;
  if (boundary) {
    parts = parseMultipart(body, boundary);
    const cr = /content-range:\s*bytes \d+-\d+\/(\d+)/i.exec(new TextDecoder('latin1').decode(body.subarray(0, 512)));
    total = Number(cr?.[1] ?? NaN);
  } else {
    const cr = parseContentRange(res.headers.get('Content-Range'));
    if (!cr) throw new Error('document: no Content-Range');
    parts = [{ start: cr.start, bytes: body }];
    total = cr.total;
  }
  if (!parts.length || parts[0].start !== 0 || !Number.isFinite(total)) throw new Error('document: unexpected ranges');
  const whole = parts[0].bytes.length >= total ? parts[0].bytes : null;
  return { whole, total, etag, parts };
}

/** Starts (once) fetching a document's head and tail. */
export function prefetchHead(url: string): Promise<Head> {
  let p = pending.get(url);
  if (!p) {
    p = fetchHead(url);
    pending.set(url, p);
    p.catch(() => pending.delete(url));
    if (pending.size > 8) pending.delete(pending.keys().next().value!);
  }
  return p;
}

/** The head for url, fetched now or earlier (a document version's bytes do not change). */
export const takeHead = prefetchHead;
