import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { ApiBackend, LocalBackend, newId } from '../src/annot/backend';
import { clampPoint, distanceToHighlight, distanceToInk, strokeToRects } from '../src/annot/geometry';
import type { NewAnnotation } from '../src/annot/types';

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
}

const ink = (id = ''): NewAnnotation => ({ id, document_id: 'd', page: 2, kind: 'ink', shared: false, data: { colour: '#000000', width: 1, strokes: [[[0, 0], [10, 10]]] } });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('LocalBackend', () => {
  it('keeps annotations per user and document', async () => {
    const store = new MemStorage();
    const a = new LocalBackend('u1', store);
    const made = await a.create(ink());
    expect(made.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(await a.list('d')).toHaveLength(1);
    expect(await new LocalBackend('u2', store).list('d')).toEqual([]);
    expect(await a.list('other')).toEqual([]);
    await a.remove(made);
    expect(await a.list('d')).toEqual([]);
  });
  it('survives broken storage content', async () => {
    const store = new MemStorage();
    store.setItem('curia.annot.u.d', '{not json');
    expect(await new LocalBackend('u', store).list('d')).toEqual([]);
  });
});

describe('ApiBackend', () => {
  it('makes ids the server accepts', () => {
    const ids = new Set(Array.from({ length: 100 }, newId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('sends a burst as one batch with client ids, and again after a dropped connection', async () => {
    const calls: { method: string; path: string; body: any }[] = [];
    let fail = 1;
    const send = (async (method: string, path: string, body?: any) => {
      calls.push({ method, path, body });
      if (fail-- > 0) throw new ApiError(0, 'network', 'network');
      return { annotations: body.annotations.map((a: any) => ({ ...a, document_id: 'd', author_id: 'u', rev: 1 })) };
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 1 });
    const [x, y] = await Promise.all([b.create(ink('a1')), b.create(ink('a2'))]);
    expect(x.id).toBe('a1');
    expect(y.id).toBe('a2');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual(calls[1]); // the same request again: idempotent on the server
    expect(calls[0].method).toBe('POST');
    expect(calls[0].path).toBe('/documents/d/annotations');
    expect(calls[0].body.annotations.map((a: any) => a.id)).toEqual(['a1', 'a2']);
    expect(calls[0].body.annotations[0]).toEqual({ id: 'a1', version: 0, page: 2, kind: 'ink', shared: false, data: ink().data });
    expect(b.pending).toBe(0);
  });

  it('drops only the annotation the server refuses', async () => {
    const calls: any[] = [];
    const send = (async (_m: string, _p: string, body?: any) => {
      calls.push(body);
      if (body.annotations.length === 2) throw new ApiError(400, 'invalid', 'annotations[1]: page must be from 1 to 3');
      return { annotations: body.annotations };
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 1 });
    const r = await Promise.allSettled([b.create(ink('ok')), b.create(ink('bad'))]);
    expect(r[0].status).toBe('fulfilled');
    expect(r[1].status).toBe('rejected');
    expect(calls.map((c) => c.annotations.map((a: any) => a.id))).toEqual([['ok', 'bad'], ['ok']]);
  });

  it('forgets an unsent annotation that is erased, and deletes sent ones in order', async () => {
    const calls: string[] = [];
    const send = (async (m: string, p: string, body?: any) => {
      calls.push(`${m} ${p}`);
      if (m === 'DELETE') throw new ApiError(404, 'not_found', 'gone'); // gone already: done
      return { annotations: body.annotations };
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 1 });
    const never = b.create(ink('n1')).catch((e) => e);
    await b.remove({ ...ink('n1'), id: 'n1' });
    expect(((await never) as ApiError).code).toBe('cancelled');
    await tick();
    expect(calls).toEqual([]);
    const made = await b.create(ink('s1'));
    await b.remove(made);
    expect(calls).toEqual(['POST /documents/d/annotations', 'DELETE /annotations/s1']);
  });

  it('lists what the server has and what is not sent yet', async () => {
    const send = (async (m: string, p: string) => {
      if (m === 'GET') {
        expect(p).toBe('/documents/d/annotations?version=2');
        return { annotations: [{ ...ink('srv'), author_id: 'x' }] };
      }
      throw new ApiError(0, 'network', 'network');
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 1000 });
    void b.create(ink('local'));
    const list = await b.list('d', 2);
    expect(list.map((a) => a.id)).toEqual(['srv', 'local']);
  });
});

describe('geometry (PDF points)', () => {
  it('clamps to the page and rounds to 1/100 point', () => {
    expect(clampPoint(-3, 100.1234, { w: 595, h: 842 })).toEqual([0, 100.12]);
    expect(clampPoint(600, 900, { w: 595, h: 842 })).toEqual([595, 842]);
  });
  it('hit-tests ink and highlights', () => {
    expect(distanceToInk({ colour: '#000000', width: 1, strokes: [[[0, 0], [100, 0]]] }, 50, 5)).toBeCloseTo(5);
    expect(distanceToHighlight({ colour: '#ffeb3b', opacity: 0.35, rects: [{ x: 10, y: 10, w: 20, h: 10 }] }, 15, 15)).toBe(0);
    expect(distanceToHighlight({ colour: '#ffeb3b', opacity: 0.35, rects: [{ x: 10, y: 10, w: 20, h: 10 }] }, 40, 15)).toBe(10);
  });
  it('turns a highlighter swipe into rectangles on the page', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => [i, 100 + (i % 3)]);
    const r = strokeToRects(pts, 12, { w: 595, h: 842 });
    expect(r.length).toBeGreaterThan(0);
    expect(r.length).toBeLessThanOrEqual(200);
    for (const x of r) {
      expect(x.w).toBeGreaterThan(0);
      expect(x.h).toBeGreaterThan(0);
      expect(x.x).toBeGreaterThanOrEqual(0);
      expect(x.x + x.w).toBeLessThanOrEqual(595.01);
    }
    expect(Math.min(...r.map((x) => x.x))).toBe(0);
    expect(Math.max(...r.map((x) => x.x + x.w))).toBeCloseTo(595, 0);
  });
});
