import { describe, expect, it } from 'vitest';
import { dotOn, PointerSender, type PointerMove } from '../src/live/pointer';

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
