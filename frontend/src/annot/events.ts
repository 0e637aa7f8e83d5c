// Live annotation events, applied to the annotations shown for one
// document version. New annotations arrive in lists: the server announces
// the ones written together (many delegates drawing at once) as one
// `annotations.created` event per document and audience,
// `{"document_id", "items": [Annotation, …]}`. Changes and removals stay
// one per event: `annotation.updated` (an Annotation) and
// `annotation.deleted` (`{id, document_id, version, page}`).
import type { LiveEvent } from '../types';
import type { Annotation } from './types';

/** Inserts or replaces by id; an older revision never replaces a newer one. */
export function upsert(l: Annotation[], a: Annotation): Annotation[] {
  const i = l.findIndex((x) => x.id === a.id);
  if (i < 0) return [...l, a];
  if ((l[i].rev ?? 0) > (a.rev ?? 0)) return l; // an older copy
  const out = l.slice();
  out[i] = a;
  return out;
}

/**
 * The list after a live event, or the same list when the event is not about
 * this document version. `gone` holds ids deleted here or by an event:
 * a late event must not bring them back (the ids of deletions this
 * function sees are added to it).
 */
export function applyAnnotationEvent(
  l: Annotation[], ev: LiveEvent, docId: string, version: number | undefined, gone: Set<string>,
): Annotation[] {
  const ours = (a: Annotation | undefined): a is Annotation =>
    !!a && typeof a.id === 'string' && a.document_id === docId && !(version && a.version && a.version !== version);
  switch (ev.type) {
    case 'annotations.created': {
      const d = ev.data as { document_id?: string; items?: Annotation[] } | undefined;
      if (!d || d.document_id !== docId || !Array.isArray(d.items)) return l;
      let out = l;
      for (const a of d.items) if (ours(a) && !gone.has(a.id)) out = upsert(out, a);
      return out;
    }
    case 'annotation.created': // servers before the list form
    case 'annotation.updated': {
      const a = ev.data as Annotation | undefined;
      return ours(a) && !gone.has(a.id) ? upsert(l, a) : l;
    }
    case 'annotation.deleted': {
      const a = ev.data as Annotation | undefined;
      if (!ours(a)) return l;
      gone.add(a.id);
      return l.some((x) => x.id === a.id) ? l.filter((x) => x.id !== a.id) : l;
    }
  }
  return l;
}
