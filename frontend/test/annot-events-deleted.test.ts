// A deletion announced before the creation it removes (the server
// announces a batch after the batch before it; see
// docs/annotation_race_test.go) must not
// bring the annotation back on this tablet.
import { describe, expect, it } from 'vitest';
import { applyAnnotationEvent } from '../src/annot/events';
import type { Annotation } from '../src/annot/types';

const ann = (id: string, over: Partial<Annotation> = {}): Annotation => ({
  id, document_id: 'd', version: 1, page: 1, kind: 'ink', shared: true, author_id: 'u2', rev: 1,
  data: { colour: '#000000', width: 1, strokes: [[[0, 0], [1, 1]]] }, ...over,
});

describe('applyAnnotationEvent ', () => {
  it('does not resurrect an annotation whose deletion came first', () => {
    const gone = new Set<string>();
    let l: Annotation[] = [ann('v')]; // read through GET before its event
    l = applyAnnotationEvent(l, { seq: 7, type: 'annotation.deleted', data: { id: 'v', document_id: 'd', version: 1, page: 1 } }, 'd', 1, gone);
    expect(l).toEqual([]);
    l = applyAnnotationEvent(l, { seq: 8, type: 'annotations.created', data: { document_id: 'd', items: [ann('v')] } }, 'd', 1, gone);
    expect(l.map((a) => a.id)).toEqual([]);
  });
});
