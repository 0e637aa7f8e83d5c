import { describe, expect, it } from 'vitest';
import { applyAnnotationEvent } from '../src/annot/events';
import type { Annotation } from '../src/annot/types';

const ann = (id: string, over: Partial<Annotation> = {}): Annotation => ({
  id, document_id: 'd', version: 1, page: 1, kind: 'ink', shared: true, author_id: 'u2', rev: 1,
  data: { colour: '#000000', width: 1, strokes: [[[0, 0], [1, 1]]] }, ...over,
});
const none = new Set<string>();

describe('applyAnnotationEvent', () => {
  it('adds every item of an annotations.created list, once', () => {
    const ev = { seq: 5, type: 'annotations.created', data: { document_id: 'd', items: [ann('a'), ann('b'), ann('c', { page: 2 })] } };
    const l = applyAnnotationEvent([ann('x')], ev, 'd', 1, none);
    expect(l.map((a) => a.id)).toEqual(['x', 'a', 'b', 'c']);
    // Applied again (a snapshot that already had them, a replay): nothing doubles.
    expect(applyAnnotationEvent(l, ev, 'd', 1, none).map((a) => a.id)).toEqual(['x', 'a', 'b', 'c']);
  });

  it('keeps to its document and version, and to what was deleted here', () => {
    const other = { type: 'annotations.created', data: { document_id: 'e', items: [ann('a', { document_id: 'e' })] } };
    const l0: Annotation[] = [];
    expect(applyAnnotationEvent(l0, other, 'd', 1, none)).toBe(l0);
    const mixed = { type: 'annotations.created', data: { document_id: 'd', items: [ann('old', { version: 2 }), ann('gone'), ann('ok'), null] } };
    expect(applyAnnotationEvent(l0, mixed as never, 'd', 1, new Set(['gone'])).map((a) => a.id)).toEqual(['ok']);
    expect(applyAnnotationEvent(l0, { type: 'annotations.created', data: { document_id: 'd' } }, 'd', 1, none)).toBe(l0);
  });

  it('never lets an older copy replace a newer one', () => {
    const l = [ann('a', { rev: 3, shared: false })];
    const ev = { type: 'annotations.created', data: { document_id: 'd', items: [ann('a', { rev: 1 })] } };
    expect(applyAnnotationEvent(l, ev, 'd', 1, none)).toEqual(l);
  });

  it('applies single updates and removals, and the single created of older servers', () => {
    let l = applyAnnotationEvent([], { type: 'annotation.created', data: ann('a') }, 'd', 1, none);
    l = applyAnnotationEvent(l, { type: 'annotation.updated', data: ann('a', { rev: 2, page: 3 }) }, 'd', 1, none);
    expect(l).toEqual([ann('a', { rev: 2, page: 3 })]);
    l = applyAnnotationEvent(l, { type: 'annotation.deleted', data: { id: 'a', document_id: 'd', version: 1, page: 3 } }, 'd', 1, none);
    expect(l).toEqual([]);
    const same: Annotation[] = [];
    expect(applyAnnotationEvent(same, { type: 'presentation.changed', data: { page: 2 } }, 'd', 1, none)).toBe(same);
  });
});
