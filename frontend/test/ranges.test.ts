import { describe, expect, it, vi } from 'vitest';
import { batches, mergeRanges, parseContentRange, parseMultipart, rangeHeader, RangeBatcher, slice, type Part, type Range } from '../src/viewer/ranges';

function multipart(boundary: string, total: number, parts: [number, Uint8Array][]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const [start, bytes] of parts) {
    chunks.push(enc.encode(`\r\n--${boundary}\r\nContent-Range: bytes ${start}-${start + bytes.length - 1}/${total}\r\nContent-Type: application/pdf\r\n\r\n`), bytes);
  }
  chunks.push(enc.encode(`\r\n--${boundary}--\r\n`));
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

describe('ranges', () => {
  it('merges overlapping and touching ranges, in order', () => {
    expect(mergeRanges([[50, 60], [0, 10], [10, 20], [15, 30], [70, 70]])).toEqual([[0, 30], [50, 60]]);
  });
  it('batches by count and size', () => {
    const r: Range[] = Array.from({ length: 5 }, (_, i) => [i * 100, i * 100 + 10]);
    expect(batches(r, 2, 1000).map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches(r, 10, 25).map((b) => b.length)).toEqual([2, 2, 1]);
  });
  it('writes and reads range headers', () => {
    expect(rangeHeader([[0, 10], [20, 21]])).toBe('bytes=0-9,20-20');
    expect(parseContentRange('bytes 0-99/1234')).toEqual({ start: 0, end: 100, total: 1234 });
    expect(parseContentRange('nonsense')).toBeNull();
  });
  it('reads a multipart/byteranges body, even when the data contains the boundary', () => {
    const evil = new TextEncoder().encode('--XYZ\r\n\r\n--XYZ--');
    const a = new Uint8Array([1, 2, 3]);
    const body = multipart('XYZ', 1000, [[5, evil], [500, a]]);
    const parts = parseMultipart(body, 'XYZ');
    expect(parts.map((p) => p.start)).toEqual([5, 500]);
    expect([...parts[0].bytes]).toEqual([...evil]);
    expect([...slice(parts, 501, 503)!]).toEqual([2, 3]);
    expect(slice(parts, 499, 501)).toBeNull();
  });
});

describe('RangeBatcher', () => {
  it('sends what is asked within the window as one request and answers each ask exactly', async () => {
    vi.useFakeTimers();
    const file = new Uint8Array(10000).map((_, i) => i % 251);
    const calls: Range[][] = [];
    const fetchRanges = async (ranges: Range[]): Promise<Part[]> => {
      calls.push(ranges);
      return ranges.map(([a, b]) => ({ start: a, bytes: file.subarray(a, b) }));
    };
    const got: [number, number[]][] = [];
    const b = new RangeBatcher(fetchRanges, (begin, bytes) => got.push([begin, [...bytes]]));
    b.request(100, 110);
    b.request(5000, 5004);
    b.request(110, 120); // touches the first: one range on the wire
    await vi.advanceTimersByTimeAsync(5);
    expect(calls).toEqual([[[100, 120], [5000, 5004]]]);
    expect(got.map(([a]) => a).sort((x, y) => x - y)).toEqual([100, 110, 5000]);
    expect(got.find(([a]) => a === 110)![1]).toEqual([...file.subarray(110, 120)]);
    vi.useRealTimers();
  });

  it('retries what a failed request did not bring', async () => {
    vi.useFakeTimers();
    let n = 0;
    const fetchRanges = async (ranges: Range[]): Promise<Part[]> => {
      if (n++ === 0) throw new Error('network');
      return ranges.map(([a, b]) => ({ start: a, bytes: new Uint8Array(b - a) }));
    };
    const got: number[] = [];
    const b = new RangeBatcher(fetchRanges, (begin) => got.push(begin));
    b.request(0, 10);
    await vi.advanceTimersByTimeAsync(5);
    expect(got).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    expect(got).toEqual([0]);
    vi.useRealTimers();
  });
});
