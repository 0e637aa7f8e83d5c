// Range loading that stays fast on packs with a flat page tree. To find any
// page, pdf.js fetches the dictionary of every top-level page at once; in a
// 300-page pack whose pages sit between 170 KB scans that is 300 scattered
// ranges, and 300 HTTP requests took seconds. Here the ranges pdf.js asks
// for within a few milliseconds go out together as one multi-range request
// (Range: bytes=a-b,c-d,…; the server answers multipart/byteranges, which
// Go's http.ServeContent does), and each answer is handed back to pdf.js
// exactly as it was asked for. A server that ignores multi-range requests
// is detected and then asked one range at a time.

export type Range = [begin: number, end: number]; // end exclusive

export interface Part {
  start: number;
  bytes: Uint8Array;
}

/** Sorted ranges with overlapping or touching ones joined. */
export function mergeRanges(ranges: Range[]): Range[] {
  const s = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Splits ranges into requests of at most maxRanges ranges and maxBytes bytes each. */
export function batches(ranges: Range[], maxRanges: number, maxBytes: number): Range[][] {
  const out: Range[][] = [];
  let cur: Range[] = [];
  let bytes = 0;
  for (const r of ranges) {
    const n = r[1] - r[0];
    if (cur.length && (cur.length >= maxRanges || bytes + n > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

export function rangeHeader(ranges: Range[]): string {
  return `bytes=${ranges.map(([a, b]) => `${a}-${b - 1}`).join(',')}`;
}

/** "bytes 0-99/1234" → { start: 0, end: 100, total: 1234 } */
export function parseContentRange(v: string | null): { start: number; end: number; total: number } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec((v ?? '').trim());
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]) + 1, total: m[3] === '*' ? NaN : Number(m[3]) };
}

const CRLF2 = [13, 10, 13, 10];

function indexOf(hay: Uint8Array, needle: ArrayLike<number>, from: number): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The parts of a multipart/byteranges body. Each part's length comes from
 * its Content-Range, so binary data that happens to contain the boundary
 * cannot confuse it.
 */
export function parseMultipart(body: Uint8Array, boundary: string): Part[] {
  const parts: Part[] = [];
  const delim = new TextEncoder().encode(`--${boundary}`);
  const dec = new TextDecoder('latin1');
  let pos = indexOf(body, delim, 0);
  while (pos >= 0) {
    pos += delim.length;
    if (body[pos] === 45 && body[pos + 1] === 45) break; // "--": the end
    const headEnd = indexOf(body, CRLF2, pos);
    if (headEnd < 0) break;
    const head = dec.decode(body.subarray(pos, headEnd));
    const cr = parseContentRange(/content-range:\s*([^\r\n]+)/i.exec(head)?.[1] ?? null);
    const start = headEnd + 4;
    if (!cr || start + (cr.end - cr.start) > body.length) break;
    parts.push({ start: cr.start, bytes: body.subarray(start, start + (cr.end - cr.start)) });
    pos = indexOf(body, delim, start + (cr.end - cr.start));
  }
  return parts;
}

/** The bytes of [a, b) from the parts, or null when no part covers them. */
export function slice(parts: Part[], a: number, b: number): Uint8Array | null {
  for (const p of parts) {
    if (p.start <= a && p.start + p.bytes.length >= b) return p.bytes.subarray(a - p.start, b - p.start);
  }
  return null;
}

export interface FetchRanges {
  (ranges: Range[], signal: AbortSignal): Promise<Part[]>;
}

/** Fetches ranges of url: several at once when the server supports it. */
export function httpRanges(url: string, etag: string): FetchRanges & { multi: boolean } {
  const f = async (ranges: Range[], signal: AbortSignal): Promise<Part[]> => {
    if (ranges.length > 1 && !f.multi) {
      const all = await Promise.all(ranges.map((r) => f([r], signal)));
      return all.flat();
    }
    const headers: Record<string, string> = { Range: rangeHeader(ranges) };
    if (etag) headers['If-Range'] = etag;
    const res = await fetch(url, { headers, credentials: 'same-origin', signal });
    if (res.status !== 206 && res.status !== 200) throw new Error(`range request: ${res.status}`);
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status === 200) return [{ start: 0, bytes: body }];
    const ct = res.headers.get('Content-Type') ?? '';
    const boundary = /multipart\/byteranges;\s*boundary="?([^";]+)"?/i.exec(ct)?.[1];
    if (boundary) return parseMultipart(body, boundary);
    const cr = parseContentRange(res.headers.get('Content-Range'));
    if (!cr) throw new Error('range request: no Content-Range');
    if (ranges.length > 1) f.multi = false; // it answered one range for many: ask one by one from now on
    return [{ start: cr.start, bytes: body }];
  };
  f.multi = true;
  return f;
}

/**
 * Collects range requests for `windowMs` and serves them from one batched
 * fetch; calls deliver(begin, bytes) once per request, from `begin` on. It
 * fetches `extra` bytes past each range and hands them over too (pdf.js
 * takes whole chunks beyond what it asked for): an object that runs over
 * the end of a chunk then costs no further round trip. Ranges inside
 * `known` (the head and tail fetched first) need no request. Failed ranges
 * are retried a few times.
 */
export class RangeBatcher {
  private queue: Range[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly ctrl = new AbortController();
  private readonly opt: { windowMs: number; maxRanges: number; maxBytes: number; retries: number; extra: number };

  constructor(
    private readonly fetchRanges: FetchRanges,
    private readonly deliver: (begin: number, bytes: Uint8Array) => void,
    private readonly length = Infinity,
    private readonly known: Part[] = [],
    opt: Partial<RangeBatcher['opt']> = {},
  ) {
    this.opt = { windowMs: 3, maxRanges: 120, maxBytes: 16 << 20, retries: 3, extra: 0, ...opt };
  }

  request(begin: number, end: number): void {
    const have = slice(this.known, begin, end);
    if (have) {
      queueMicrotask(() => this.deliver(begin, have));
      return;
    }
    this.queue.push([begin, end]);
    this.timer ??= setTimeout(() => this.flush(), this.opt.windowMs);
  }

  abort(): void {
    clearTimeout(this.timer);
    this.ctrl.abort();
  }

  private flush(): void {
    this.timer = undefined;
    const asked = this.queue.splice(0);
    const wide = asked.map(([a, b]): Range => [a, Math.min(this.length, b + this.opt.extra)]);
    for (const group of batches(mergeRanges(wide), this.opt.maxRanges, this.opt.maxBytes)) {
      const lo = group[0][0];
      const hi = group[group.length - 1][1];
      void this.fetch(group, asked.filter(([a, b]) => a >= lo && b <= hi), 0);
    }
  }

  private async fetch(group: Range[], asked: Range[], attempt: number): Promise<void> {
    let parts: Part[] = [];
    try {
      parts = await this.fetchRanges(group, this.ctrl.signal);
    } catch {
      if (this.ctrl.signal.aborted) return;
    }
    const missing: Range[] = [];
    for (const [a, b] of asked) {
      const bytes = slice(parts, a, Math.min(this.length, b + this.opt.extra)) ?? slice(parts, a, b);
      if (bytes) this.deliver(a, bytes);
      else missing.push([a, b]);
    }
    if (missing.length && attempt < this.opt.retries && !this.ctrl.signal.aborted) {
      await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
      await this.fetch(mergeRanges(missing), missing, attempt + 1);
    }
  }
}
