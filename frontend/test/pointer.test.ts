import { describe, expect, it } from 'vitest';
import {
  dotOn, MAX_TEMP_POINTS, newStrokeId, PIECE_BYTES, PIECE_POINTS, PointerSender, StrokeSender, TEMP_COLOUR, TEMP_WIDTH, TempStrokes,
  type PointerMove, type StrokePiece,
} from '../src/live/pointer';

/** A hand-driven clock. */
function clock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (t: unknown) => void timers.delete(t as number),
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > end) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = end;
    },
  };
}

function setup(interval = 50) {
  const c = clock();
  const sent: { kind: string; x?: number; y?: number; at: number }[] = [];
  const s = new PointerSender((kind, x, y) => sent.push({ kind, x, y, at: c.now() }), interval, c);
  return { c, s, sent };
}

describe('PointerSender', () => {
  it('sends the first position at once, then at most one per interval, and always the last', () => {
    const { c, s, sent } = setup(50);
    for (let i = 0; i < 100; i++) {
      s.move(i, i * 2);
      c.advance(5); // 200 moves a second
    }
    c.advance(100);
    expect(sent[0]).toEqual({ kind: 'laser', x: 0, y: 0, at: 0 });
    expect(sent.at(-1)).toMatchObject({ kind: 'laser', x: 99, y: 198 });
    // 500 ms of movement at 200/s: about 11 messages, never two within 50 ms
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(sent.length).toBeLessThanOrEqual(12);
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(50);
  });

  it('sends a slow movement as it comes', () => {
    const { c, s, sent } = setup(50);
    s.move(1, 1);
    c.advance(80);
    s.move(2, 2);
    c.advance(80);
    s.move(3, 3);
    expect(sent.map((m) => m.x)).toEqual([1, 2, 3]);
  });

  it('rounds to a tenth of a point', () => {
    const { s, sent } = setup();
    s.move(10.123, 20.987);
    expect(sent[0]).toMatchObject({ x: 10.1, y: 21 });
  });

  it('hides once, dropping a pending position; nothing to hide before a move', () => {
    const { c, s, sent } = setup(50);
    s.hide();
    expect(sent).toEqual([]);
    s.move(1, 1);
    s.move(2, 2); // pending
    s.hide();
    c.advance(200);
    expect(sent.map((m) => m.kind)).toEqual(['laser', 'hide']);
    s.hide();
    expect(sent.length).toBe(2);
  });

  it('cancel drops the pending position without a word', () => {
    const { c, s, sent } = setup(50);
    s.move(1, 1);
    s.move(2, 2);
    s.cancel();
    c.advance(200);
    expect(sent.map((m) => m.x)).toEqual([1]);
  });
});

describe('dotOn', () => {
  const m: PointerMove = { document_id: 'd', version: 1, page: 3, by: 'u', kind: 'laser', x: 153, y: 396 };
  const size = { w: 612, h: 792 };
  it('maps page points to fractions of the page', () => {
    expect(dotOn(m, 'd', 3, size)).toEqual({ fx: 0.25, fy: 0.5 });
  });
  it('is nothing for another page, another document, or another kind', () => {
    expect(dotOn(m, 'd', 4, size)).toBeNull();
    expect(dotOn(m, 'e', 3, size)).toBeNull();
    expect(dotOn({ ...m, kind: 'hide' }, 'd', 3, size)).toBeNull();
    expect(dotOn(null, 'd', 3, size)).toBeNull();
    expect(dotOn({ ...m, x: undefined }, 'd', 3, size)).toBeNull();
  });
  it('keeps the dot on the page', () => {
    expect(dotOn({ ...m, x: -5, y: 9999 }, 'd', 3, size)).toEqual({ fx: 0, fy: 1 });
  });
});

function pen(interval = 50) {
  const c = clock();
  const sent: (StrokePiece & { at: number })[] = [];
  let n = 0;
  const s = new StrokeSender((p) => sent.push({ ...p, at: c.now() }), { interval, clock: c, newId: () => `s${++n}` });
  return { c, s, sent };
}

/** All the points sent for a stroke, in order. */
const pointsOf = (sent: StrokePiece[], id: string) => sent.filter((p) => p.stroke === id).flatMap((p) => p.points);

describe('StrokeSender', () => {
  it('sends the first point at once, then pieces at most once per interval, every point once and in order', () => {
    const { c, s, sent } = pen(50);
    const id = s.start(10, 10);
    expect(sent).toEqual([{ stroke: 's1', points: [[10, 10]], colour: TEMP_COLOUR, width: TEMP_WIDTH, at: 0 }]);
    const drawn: number[][] = [[10, 10]];
    for (let i = 1; i <= 120; i++) {
      c.advance(4); // 250 points a second
      s.add(10 + i, 10 + i / 2);
      drawn.push([10 + i, Math.round((10 + i / 2) * 10) / 10]);
    }
    s.end();
    c.advance(500);
    expect(pointsOf(sent, id)).toEqual(drawn);
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(50);
    // 480 ms of drawing: about ten pieces, not one per point
    expect(sent.length).toBeGreaterThanOrEqual(9);
    expect(sent.length).toBeLessThanOrEqual(12);
    expect(s.busy).toBe(false);
  });

  it('keeps every piece within the hub limits (points and bytes), even after a long stall', () => {
    const { c, s, sent } = pen(50);
    const id = s.start(0.05, 0.05);
    sent.length = 0;
    // 1,000 points added at the same instant: one interval's worth goes out as several pieces
    for (let i = 1; i <= 1000; i++) s.add(i * 0.6 + 1000.123, i * 0.6 + 2000.987);
    s.end();
    c.advance(5000);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    for (const p of sent) {
      expect(p.points.length).toBeLessThanOrEqual(PIECE_POINTS);
      expect(JSON.stringify({ type: 'pointer', data: { document_id: 'x'.repeat(36), page: 9999, kind: 'stroke', ...p } }).length).toBeLessThan(16 * 1024);
      expect(JSON.stringify(p.points).length).toBeLessThanOrEqual(PIECE_BYTES);
    }
    expect(pointsOf(sent, id).length).toBe(1000);
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(50);
  });

  it('rounds to a tenth of a point and drops points that do not move', () => {
    const { c, s, sent } = pen(50);
    s.start(1.04, 2.06);
    s.add(1.1, 2.1); // 0.1 away: dropped
    s.add(5.55, 6.44);
    s.end();
    c.advance(100);
    expect(pointsOf(sent, 's1')).toEqual([[1, 2.1], [5.6, 6.4]]);
  });

  it('gives each stroke its own id; the pieces of the last one keep theirs after a new one starts', () => {
    const { c, s, sent } = pen(50);
    s.start(1, 1);
    s.add(2, 2);
    s.add(3, 3);
    s.end();
    s.start(50, 50);
    s.add(60, 60);
    s.end();
    c.advance(500);
    expect(pointsOf(sent, 's1')).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(pointsOf(sent, 's2')).toEqual([[50, 50], [60, 60]]);
    expect(sent.findIndex((p) => p.stroke === 's2')).toBeGreaterThan(sent.findLastIndex((p) => p.stroke === 's1'));
  });

  it('cancel drops what has not gone out; add without a stroke does nothing', () => {
    const { c, s, sent } = pen(50);
    s.add(1, 1);
    expect(sent).toEqual([]);
    s.start(1, 1);
    s.add(5, 5);
    s.cancel();
    c.advance(500);
    expect(pointsOf(sent, 's1')).toEqual([[1, 1]]);
    s.add(9, 9);
    c.advance(500);
    expect(sent.length).toBe(1);
  });

  it('makes ids the hub accepts', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = newStrokeId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(200);
  });
});

describe('TempStrokes', () => {
  const piece = (over: Partial<PointerMove> = {}): PointerMove => ({
    document_id: 'd', version: 1, page: 3, by: 'chair', kind: 'stroke', stroke: 's1', points: [[1, 2]], colour: '#e8173c', width: 3, ...over,
  });

  it('joins the pieces of a stroke by its id, in order, and keeps strokes apart', () => {
    const t = new TempStrokes();
    expect(t.apply(piece())).toBe(true);
    t.apply(piece({ points: [[3, 4], [5, 6]] }));
    t.apply(piece({ stroke: 's2', points: [[9, 9]], colour: '#000000', width: 5 }));
    t.apply(piece({ by: 'other', points: [[7, 7]] })); // same id, another presenter: another stroke
    const on = t.on('d', 3);
    expect(on.map((s) => s.points)).toEqual([[[1, 2], [3, 4], [5, 6]], [[9, 9]], [[7, 7]]]);
    expect(on[1]).toMatchObject({ colour: '#000000', width: 5, by: 'chair' });
    expect(t.where).toBe('d:3');
  });

  it('does not bring back a stroke taken away when a late piece of it arrives', () => {
    const t = new TempStrokes();
    t.apply(piece());
    t.apply(piece({ kind: 'clear', stroke: undefined, points: undefined }));
    expect(t.size).toBe(0);
    expect(t.apply(piece({ points: [[3, 4]] }))).toBe(false); // sent before the clear, arrived after
    expect(t.on('d', 3)).toEqual([]);
    t.apply(piece({ stroke: 's2', points: [[5, 5]] })); // a new stroke after the clear shows
    expect(t.on('d', 3).map((s) => s.points)).toEqual([[[5, 5]]]);
    t.reset(); // the page changed, or the agenda moved on
    expect(t.apply(piece({ stroke: 's2', points: [[6, 6]] }))).toBe(false);
    expect(t.size).toBe(0);
  });

  it('shows them only on their page', () => {
    const t = new TempStrokes();
    t.apply(piece());
    expect(t.on('d', 4)).toEqual([]);
    expect(t.on('e', 3)).toEqual([]);
    expect(t.on('d', 3)).toHaveLength(1);
  });

  it('starts over when a piece comes for another page (the presenter turned it)', () => {
    const t = new TempStrokes();
    t.apply(piece());
    t.apply(piece({ page: 4, stroke: 's9', points: [[8, 8]] }));
    expect(t.on('d', 3)).toEqual([]);
    expect(t.on('d', 4).map((s) => s.points)).toEqual([[[8, 8]]]);
  });

  it('clear removes them all (for that document); hide and laser change nothing', () => {
    const t = new TempStrokes();
    t.apply(piece());
    expect(t.apply({ document_id: 'd', page: 3, by: 'chair', kind: 'hide' })).toBe(false);
    expect(t.apply({ document_id: 'd', page: 3, by: 'chair', kind: 'laser', x: 1, y: 1 })).toBe(false);
    expect(t.apply({ document_id: 'other', page: 3, by: 'chair', kind: 'clear' })).toBe(false);
    expect(t.size).toBe(1);
    expect(t.apply({ document_id: 'd', page: 3, by: 'chair', kind: 'clear' })).toBe(true);
    expect(t.on('d', 3)).toEqual([]);
    expect(t.where).toBeNull();
  });

  it('ignores pieces without points or id, and bad points', () => {
    const t = new TempStrokes();
    expect(t.apply(piece({ points: [] }))).toBe(false);
    expect(t.apply(piece({ stroke: '' }))).toBe(false);
    t.apply(piece({ points: [[1, 2], [Number.NaN, 3], [4] as number[], [5, 6]] }));
    expect(t.on('d', 3)[0].points).toEqual([[1, 2], [5, 6]]);
  });

  it('drops the oldest strokes when there are too many points', () => {
    const t = new TempStrokes();
    t.apply(piece());
    const big = Array.from({ length: 20_000 }, (_, i) => [i % 500, 1]);
    for (let i = 0; i < 4; i++) t.apply(piece({ stroke: `big${i}`, points: big }));
    const kept = t.on('d', 3);
    expect(kept.reduce((a, s) => a + s.points.length, 0)).toBeLessThanOrEqual(MAX_TEMP_POINTS);
    expect(kept.at(-1)!.key).toBe('chair/big3');
  });
});
