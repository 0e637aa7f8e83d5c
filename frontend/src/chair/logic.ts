// The cockpit's and the display's arithmetic, kept pure so it can be tested
// without a browser: timers, the agenda's order, the quorum gauge, the
// results chart, who is online and following, whom the chair may add to
// the speakers.
import type { AgendaItem, Attendance, LiveEvent, OptionResult, Poll, Queues, SpeakerKind } from '../types';
import type { FollowCounts, Presence, Quorum } from './api';

// --- timers ---

export interface ItemClock {
  /** Seconds since the item became current (0 when unknown). */
  used: number;
  /** Planned seconds, 0 when not planned. */
  planned: number;
  /** Seconds past the plan (0 when within it or not planned). */
  overBy: number;
  over: boolean;
  /** used / planned, 0..1 (1 when over; 0 when not planned). */
  frac: number;
}

/** Time used on an item against its plan (its own minutes, else those of its sub-items). */
export function itemClock(becameAt: string | null | undefined, plannedMin: number, now: number): ItemClock {
  const t = becameAt ? Date.parse(becameAt) : NaN;
  const used = Number.isNaN(t) ? 0 : Math.max(0, Math.floor((now - t) / 1000));
  const planned = Math.max(0, Math.round(plannedMin * 60));
  const over = planned > 0 && used > planned;
  return { used, planned, over, overBy: over ? used - planned : 0, frac: planned > 0 ? Math.min(1, used / planned) : 0 };
}

/** The minutes planned for an item: its own, else the sum of its sub-items'. */
export const plannedMin = (it: Pick<AgendaItem, 'duration_min' | 'total_min'>) => it.duration_min || it.total_min || 0;

export interface SpeakerClock {
  used: number;
  /** Seconds left of the limit (negative past it); null without a limit. */
  left: number | null;
  over: boolean;
  /** Share of the limit used, 0..1 (0 without a limit). */
  frac: number;
  /** Time to wind up: the last 30 seconds, or the last sixth of a limit under 3 minutes (at least 5 s). */
  warn: boolean;
}

export function speakerClock(startedAt: string | null | undefined, limitSec: number, now: number): SpeakerClock {
  const t = startedAt ? Date.parse(startedAt) : NaN;
  const used = Number.isNaN(t) ? 0 : Math.max(0, Math.floor((now - t) / 1000));
  if (!(limitSec > 0)) return { used, left: null, over: false, frac: 0, warn: false };
  const left = limitSec - used;
  const over = left < 0;
  const warnAt = Math.min(30, Math.max(5, Math.ceil(limitSec / 6)));
  return { used, left, over, frac: Math.min(1, used / limitSec), warn: !over && left <= warnAt };
}

// --- the agenda ---

/** The agenda with one item's conclusion replaced (an answer shown before its agenda.changed arrives). */
export function withConclusion<A extends { items: AgendaItem[] }>(agenda: A, itemId: string, conclusion: string): A {
  const walk = (l: AgendaItem[]): AgendaItem[] =>
    l.map((it) => (it.id === itemId ? { ...it, conclusion } : it.items.length ? { ...it, items: walk(it.items) } : it));
  return { ...agenda, items: walk(agenda.items) };
}

/**
 * The quorum a quorum.changed event carries (the roll or the quorum rule
 * changed), or null for any other event or one without a quorum. The
 * cockpit, the room display and the desk all read it so.
 */
export function quorumOfEvent(ev: LiveEvent): Quorum | null {
  if (ev.type !== 'quorum.changed') return null;
  const q = (ev.data as { quorum?: unknown } | null | undefined)?.quorum;
  return q && typeof q === 'object' ? (q as Quorum) : null;
}

/** Every item in the order of the session: depth-first, each parent before its sub-items. */
export function flatten(items: AgendaItem[] | undefined): AgendaItem[] {
  const out: AgendaItem[] = [];
  const walk = (l: AgendaItem[]) => l.forEach((it) => {
    out.push(it);
    walk(it.items ?? []);
  });
  walk(items ?? []);
  return out;
}

/** The current item and the ones before and after it in the session's order (the first item is "next" when none is current). */
export function neighbours(items: AgendaItem[] | undefined, currentId: string | null | undefined) {
  const flat = flatten(items);
  const i = currentId ? flat.findIndex((x) => x.id === currentId) : -1;
  return {
    current: i >= 0 ? flat[i] : null,
    prev: i > 0 ? flat[i - 1] : null,
    next: i >= 0 ? (flat[i + 1] ?? null) : (flat[0] ?? null),
  };
}

// --- quorum ---

export interface Gauge {
  /** attending / eligible, 0..1 */
  frac: number;
  /** where the quorum line sits, 0..1 */
  mark: number;
  reached: boolean;
  /** how many more are needed (0 when reached) */
  missing: number;
}

export function gauge(q: Pick<Quorum, 'eligible' | 'attending' | 'required' | 'reached'> | null): Gauge {
  if (!q || q.eligible <= 0) return { frac: 0, mark: 0, reached: false, missing: q ? Math.max(0, q.required - q.attending) : 0 };
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return {
    frac: clamp(q.attending / q.eligible),
    mark: clamp(q.required / q.eligible),
    reached: q.reached,
    missing: q.reached ? 0 : Math.max(0, q.required - q.attending),
  };
}

// --- results ---

export interface Bar {
  option: string;
  value: number;
  /** share of all values, in whole percent (they add up to 100 when any value) */
  pct: number;
  /** share of all values, 0..1 (0 when nothing was cast): how long the chart draws the bar, so that 1–1 is two half bars */
  share: number;
}

/**
 * The bars of a result: by votes (or by weight when asked), each with its
 * share of all that was cast (what the chart draws: a bar's length says the
 * same as its percentage) and percentages that add up to exactly 100
 * (largest remainders).
 */
export function bars(results: OptionResult[] | undefined, by: 'votes' | 'weight' = 'votes'): { bars: Bar[]; total: number } {
  const list = results ?? [];
  const values = list.map((r) => Math.max(0, (by === 'weight' ? r.weight : r.votes) || 0));
  const total = values.reduce((a, b) => a + b, 0);
  const pcts = roundedShares(values, total);
  return {
    bars: list.map((r, i) => ({ option: r.option, value: values[i], pct: pcts[i], share: total > 0 ? values[i] / total : 0 })),
    total,
  };
}

/** Whole percentages of total that add up to 100 (0s when total is 0). */
export function roundedShares(values: number[], total: number): number[] {
  if (!(total > 0)) return values.map(() => 0);
  const exact = values.map((v) => (100 * v) / total);
  const out = exact.map(Math.floor);
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]++;
    left--;
  }
  return out;
}

/** Poll progress as a fraction, 0..1. */
export const progress = (voted: number, eligible: number) => (eligible > 0 ? Math.min(1, Math.max(0, voted / eligible)) : 0);

// --- presence and following ---

export type Online = Record<string, Presence>;

/** Applies a presence message (the snapshot's list, or a joined / left batch). */
export function applyPresence(online: Online, type: string, data: unknown): Online {
  const d = (data ?? {}) as { users?: Presence[]; user_ids?: string[]; online?: Presence[] };
  if (type === 'snapshot') {
    const out: Online = {};
    for (const u of d.online ?? []) if (u?.user_id) out[u.user_id] = u;
    return out;
  }
  if (type === 'presence.joined') {
    const out = { ...online };
    for (const u of d.users ?? []) if (u?.user_id) out[u.user_id] = u;
    return out;
  }
  if (type === 'presence.left') {
    const out = { ...online };
    for (const id of d.user_ids ?? []) delete out[id];
    return out;
  }
  return online;
}

/**
 * Whether a user follows the presenter: online, and not among those the hub
 * says do not (its list stops at 200; past that nobody is named, so null).
 */
export function follows(userId: string, online: Online, f: FollowCounts | null): boolean | null {
  if (!online[userId]) return false;
  if (!f) return null;
  const not = f.not_following ?? [];
  if (not.includes(userId)) return false;
  if (f.online - f.following > not.length) return null; // the list was cut: we cannot tell
  return true;
}

/** Follow counts with what we know when the hub sent none yet (everyone online counts as following: the default). */
export function followCounts(online: Online, f: FollowCounts | null): { following: number; online: number } {
  if (f) return { following: f.following, online: f.online };
  const n = Object.keys(online).length;
  return { following: n, online: n };
}

// --- polls ---

/** Custom options typed one per line: trimmed, blanks and repeats dropped. */
export function parseOptions(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const s = line.trim().replace(/\s+/g, ' ');
    const k = s.toLocaleLowerCase();
    if (s && !seen.has(k)) {
      seen.add(k);
      out.push(s);
    }
  }
  return out;
}

/** How many polls the vote panel shows, unless more must always be shown (see shownPolls). */
export const POLLS_SHOWN = 6;

/** When a poll was made (the list is newest first by it). */
export const pollTime = (p: Poll & { created_at?: string }) => p.created_at ?? '';

/**
 * The polls the cockpit's vote panel shows. Always: an open poll (its
 * progress, who has not voted, Close), a closed one not yet published
 * (Publish), and the drafts of the current item (the one the chair opens
 * next), however many newer ones the secretary prepared; these come first.
 * Then the newest of the others up to limit in all. A cancelled poll only
 * when it is the newest of all (to vote again).
 */
export function shownPolls(polls: Poll[], currentItemId: string | null | undefined, limit = POLLS_SHOWN): Poll[] {
  const newest = [...polls].sort((a, b) => pollTime(b).localeCompare(pollTime(a)));
  const always = (p: Poll) => p.status === 'open' || p.status === 'closed' || (p.status === 'draft' && !!currentItemId && p.agenda_item_id === currentItemId);
  const rank = (p: Poll) => (p.status === 'open' ? 0 : p.status === 'closed' ? 1 : 2);
  const pinned = newest.filter(always).sort((a, b) => rank(a) - rank(b));
  const others = newest.filter((p, i) => !always(p) && (p.status !== 'cancelled' || i === 0));
  return [...pinned, ...others.slice(0, Math.max(0, limit - pinned.length))];
}

// --- speakers ---

/**
 * Whom the chair may put on an item's list of kind: participants with a
 * right to speak (not observers), in the attendance list's order, less those
 * already waiting on that list or holding the floor (the server refuses a
 * second place in one queue).
 */
export function speakerCandidates(people: Attendance[], q: Queues | undefined, kind: SpeakerKind): Attendance[] {
  const busy = new Set((kind === 'question' ? q?.questions : q?.speeches)?.map((s) => s.user_id));
  if (q?.active) busy.add(q.active.user_id);
  return people.filter((p) => p.role !== 'observer' && p.role !== '' && !busy.has(p.user_id));
}
