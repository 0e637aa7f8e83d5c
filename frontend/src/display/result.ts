// Which published result the room display shows, worked out from the
// meeting's state alone, so that a display opened, reloaded or reconnected
// after the chair published a result shows what the displays that were open
// at that moment show: the result stays on the projector until the next
// change on it (the next vote opens, the chair presents or hides a page,
// the current item changes).
import type { AgendaItem, Poll, Presentation } from '../types';

/** The REST Poll's timestamps (api/openapi.yaml, Poll), which types.ts does not list. */
type Stamped = Poll & { published_at?: string | null; opened_at?: string | null };

const time = (s: string | null | undefined): number | null => {
  const n = s ? Date.parse(s) : NaN;
  return Number.isNaN(n) ? null : n;
};

/**
 * When the item became the current item, or null when that is not known:
 * current_since, which adjourning and resuming the meeting leave as it is.
 * It is null for the current item only when it was current, adjourned, when
 * the server was upgraded to give it (its start was not kept): not known. A
 * server before it gives none, and became_current_at is that time until a
 * break (the resumption sets it to its own time, and it is null during the
 * break).
 */
const currentSince = (item: AgendaItem): number | null =>
  item.current_since === undefined ? time(item.became_current_at) : time(item.current_since);

/**
 * The id of the result to show: the newest poll published while the current
 * item has been current, breaks included (or, when its start is not known, a
 * poll of that item), unless a vote opened after it was published (or one is
 * open now) or the presentation changed after it. Every time compared is the
 * server's, so the display's clock does not matter.
 */
export function standingResult(polls: Record<string, Poll>, item: AgendaItem | null, pres: Presentation | null): string | null {
  if (!item) return null;
  const all = Object.values(polls) as Stamped[];
  if (all.some((p) => p.status === 'open')) return null;
  const since = currentSince(item);
  let best: Stamped | null = null;
  let bestAt = -Infinity;
  for (const p of all) {
    const at = time(p.published_at);
    if (p.status !== 'published' || !p.results || at === null) continue;
    if (since !== null ? at < since : p.agenda_item_id !== item.id) continue;
    if (at > bestAt) {
      best = p;
      bestAt = at;
    }
  }
  if (!best) return null;
  if (all.some((p) => (time(p.opened_at) ?? -Infinity) > bestAt)) return null;
  if ((time(pres?.at) ?? -Infinity) > bestAt) return null;
  return best.id;
}
