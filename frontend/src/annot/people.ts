// Who wrote the others' marks: the names of a document's meeting's
// participants (GET /documents/{id}, then /meetings/{id}/participants),
// asked once per document, and only when someone else's note is on the page.
import { request } from '../api';

type Names = Map<string, string>;

const cache = new Map<string, Promise<Names>>();

/** user id → full name for the participants of the document's meeting; a failure is forgotten (asked again next time). */
export function authorNames(docId: string, send: typeof request = request): Promise<Names> {
  let p = cache.get(docId);
  if (!p) {
    p = (async () => {
      const doc = await send<{ meeting_id: string }>('GET', `/documents/${encodeURIComponent(docId)}`);
      const r = await send<{ participants: { user_id: string; full_name: string }[] }>('GET', `/meetings/${encodeURIComponent(doc.meeting_id)}/participants`);
      return new Map((r.participants ?? []).map((x) => [x.user_id, x.full_name]));
    })();
    cache.set(docId, p);
    p.catch(() => cache.delete(docId));
  }
  return p;
}
