// The meeting room's state and how each live event changes it. Pure
// functions: the controller (room.ts) feeds them snapshots, REST answers and
// events; the tests feed them by hand.
import type {
  Agenda, AgendaItem, AttendanceChange, AttendanceState, CurrentItem, Doc, LiveEvent, Meeting, Poll,
  PollProgress, Presentation, Queues,
} from '../types';

export interface RoomState {
  meeting: Meeting | null;
  agenda: Agenda | null;
  documents: Doc[];
  presentation: Presentation | null;
  speakers: Record<string, Queues>; // by agenda item id
  polls: Record<string, Poll>;
  attendance: AttendanceState;
  online: boolean; // the live connection is up and its snapshot applied
  ready: boolean; // the first full load is done
  error: string | null; // the room cannot be shown (e.g. not a participant)
  /** The user was taking part and no longer does (removed from the meeting while in it): error is set too. */
  removed?: boolean;
}

export const emptyRoom = (): RoomState => ({
  meeting: null, agenda: null, documents: [], presentation: null, speakers: {}, polls: {},
  attendance: 'unknown', online: false, ready: false, error: null,
});

/** The slices of state an event replaces; a REST answer for a slice that an event touched meanwhile is dropped. */
export function sliceOf(ev: LiveEvent): string | null {
  const d = ev.data as Record<string, unknown> | undefined;
  switch (ev.type) {
    case 'meeting.updated': return 'meeting';
    case 'agenda.changed': case 'agenda.current': return 'agenda';
    case 'document.added': case 'document.updated': case 'document.removed': return 'documents';
    case 'presentation.changed': return 'presentation';
    case 'speakers.changed': return `speakers:${String(d?.agenda_item_id ?? '')}`;
    case 'attendance.changed': return 'attendance';
    case 'poll.progress': case 'poll.voters': return null; // counts only: keep answers about my own vote
    default:
      if (ev.type.startsWith('poll.')) return `poll:${String(d?.id ?? '')}`;
      return null;
  }
}

export function applyEvent(s: RoomState, ev: LiveEvent, me: string): RoomState {
  const d = ev.data as never;
  switch (ev.type) {
    case 'meeting.updated': return { ...s, meeting: mergeMeeting(s.meeting, d) };
    case 'agenda.changed': return { ...s, agenda: d };
    case 'agenda.current': return { ...s, agenda: s.agenda && setCurrent(s.agenda, d) };
    case 'document.added': case 'document.updated': return { ...s, documents: upsertDoc(s.documents, d) };
    case 'document.removed': return { ...s, documents: s.documents.filter((x) => x.id !== (d as { id: string }).id) };
    case 'presentation.changed': return { ...s, presentation: newerPresentation(s.presentation, d) };
    case 'speakers.changed': return { ...s, speakers: { ...s.speakers, [(d as Queues).agenda_item_id]: d } };
    case 'attendance.changed': {
      const a = (d as AttendanceChange).attendance;
      return a?.user_id === me ? { ...s, attendance: a.state } : s;
    }
    case 'poll.progress': {
      const p = d as PollProgress;
      const old = s.polls[p.poll_id];
      return old ? { ...s, polls: { ...s.polls, [p.poll_id]: { ...old, voted: p.voted, eligible: p.eligible } } } : s;
    }
    default:
      if (ev.type.startsWith('poll.') && (d as Poll)?.id) return { ...s, polls: mergePoll(s.polls, d) };
      return s;
  }
}

/** An event's meeting carries the role of whoever changed it: keep ours. */
export function mergeMeeting(old: Meeting | null, m: Meeting): Meeting {
  return old ? { ...old, ...m, my_role: old.my_role } : m;
}

/** A poll's place in its lifecycle: it only moves forward (draft → open → closed → published, or cancelled). */
const STAGE: Record<string, number> = { draft: 0, open: 1, closed: 2, published: 3, cancelled: 3 };

/**
 * A poll the snapshot no longer lists as open is held as closed, a guess
 * (it may have been cancelled; or the snapshot, built when the socket
 * connected, may be older than a REST answer the state has already). The
 * mark is never shown: the next event or GET of the poll replaces it,
 * whatever its stage, and the cockpit offers nothing for it meanwhile.
 */
type Guessed = Poll & { endedGuess?: true };

/** Whether the state's poll is only the snapshot's guess that it ended. */
export const guessedEnded = (p: Poll | undefined): boolean => !!(p as Guessed | undefined)?.endedGuess;

/**
 * Events show the poll as anyone sees it (no "me"): keep what we know about
 * our own vote. A REST answer (fromEvent false) is the truth about it. A
 * poll that says it is behind the one we hold (open again after closing)
 * was read before: it is ignored, unless what we hold is a guess.
 */
export function mergePoll(polls: Record<string, Poll>, p: Poll, fromEvent = true): Record<string, Poll> {
  const old = polls[p.id];
  if (old && !guessedEnded(old) && (STAGE[p.status] ?? 0) < (STAGE[old.status] ?? 0)) return polls;
  const me = fromEvent ? old?.me : p.me;
  return { ...polls, [p.id]: { ...p, me: me && p.status !== 'open' ? { ...me, can_vote: false } : me } };
}

/**
 * The polls of a list GET put into the state: a poll that changed while the
 * list was on its way (changed(id): an event, a GET of it, my vote) keeps
 * what the state has; the polls the list does not name are kept too.
 */
export function mergeListed(polls: Record<string, Poll>, listed: Poll[], changed: (id: string) => boolean): Record<string, Poll> {
  let out = polls;
  for (const p of listed) if (!changed(p.id)) out = mergePoll(out, p, false);
  return out;
}

/**
 * Which REST answers about polls are out of date, for the room and the
 * cockpit: a poll that changed (an event, a snapshot, my vote: changed())
 * while a list of the polls was on its way keeps what the state has, and of
 * two reads of one poll (a list GET and a GET of the poll race) the one
 * started later wins, whatever order they answer in: the stage order cannot
 * tell the older of two answers of the same stage (my standing before and
 * after checking in).
 */
export class PollReads {
  /** How often each poll changed, by id. */
  private readonly changes = new Map<string, number>();
  /** Reads, numbered as they start; by poll id, the number of the read last put in. */
  private reads = 0;
  private readonly lastPut = new Map<string, number>();

  changed(id: string): void {
    this.changes.set(id, (this.changes.get(id) ?? 0) + 1);
  }

  /** A read of one poll starts: its number, for newest(). */
  start(): number {
    return ++this.reads;
  }

  /** Whether read n of the poll may be put in: no read started after it was. If so, it is the latest now. */
  newest(id: string, n: number): boolean {
    if ((this.lastPut.get(id) ?? 0) > n) return false;
    this.lastPut.set(id, n);
    return true;
  }

  /** A list read starts: what its answer should leave as the state has it (for mergeListed). */
  list(): (polls: Poll[]) => Set<string> {
    const before = new Map(this.changes);
    const n = this.start();
    return (polls) => new Set(polls.filter((p) => this.changes.get(p.id) !== before.get(p.id) || !this.newest(p.id, n)).map((p) => p.id));
  }
}

/** A presentation state wins over another only if it is not older. */
export function newerPresentation(old: Presentation | null, p: Presentation): Presentation {
  if (old?.at && p.at && Date.parse(p.at) < Date.parse(old.at)) return old;
  return p;
}

export function upsertDoc(list: Doc[], d: Doc): Doc[] {
  const i = list.findIndex((x) => x.id === d.id);
  const out = i < 0 ? [...list, d] : list.map((x) => (x.id === d.id ? d : x));
  return out.sort((a, b) => a.position - b.position);
}

/**
 * agenda.current: the new item is current (with the time it already had,
 * spent_sec, and the time it became current, current_since: absent from a
 * server before it, rather than one left from an earlier spell; null when
 * not known), the previous one done (keeping its current_since).
 */
export function setCurrent(a: Agenda, c: CurrentItem): Agenda {
  const walk = (items: AgendaItem[]): AgendaItem[] =>
    items.map((it) => {
      let x = it;
      if (it.id === c.item_id) {
        x = { ...it, status: 'current', became_current_at: c.became_current_at, spent_sec: spentSec(c), current_since: c.current_since, done_at: null };
      } else if (it.id === c.previous_item_id || it.status === 'current') x = { ...it, status: 'done' };
      return x.items.length ? { ...x, items: walk(x.items) } : x;
    });
  return { ...a, items: walk(a.items), current_item_id: c.item_id };
}

/** A whole number of seconds from spent_sec: 0 when absent (a server before it) or not a count. */
function spentSec(x: { spent_sec?: unknown } | null | undefined): number {
  const n = x?.spent_sec;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * When the item's clock would have started had it been current in one
 * spell: became_current_at less the seconds of its earlier spells
 * (spent_sec), so "time used" counts from it. Null when it has no start.
 */
export function clockStart(it: { became_current_at?: string | null; spent_sec?: number } | null | undefined): string | null {
  const at = it?.became_current_at;
  if (!at) return null;
  const t = Date.parse(at);
  if (Number.isNaN(t)) return null;
  const spent = spentSec(it);
  return spent ? new Date(t - spent * 1000).toISOString() : at;
}

/** Seconds used on an item at now (ms): its earlier spells plus the current one since became_current_at. */
export function itemUsedSec(it: { became_current_at?: string | null; spent_sec?: number } | null | undefined, now: number): number {
  const start = clockStart(it);
  return start ? Math.max(0, (now - Date.parse(start)) / 1000) : 0;
}

/**
 * clockStart for a screen that shows the item's clock at now (ms). While
 * the clock stands (the meeting adjourned: the server has added the spell
 * to spent_sec and cleared became_current_at until the session resumes),
 * the start that puts the time used at now at spent_sec, so the figure
 * holds still through the break instead of dropping to 0.
 */
export function clockStartAt(it: { became_current_at?: string | null; spent_sec?: number } | null | undefined, now: number): string | null {
  if (it?.became_current_at) return clockStart(it);
  const spent = spentSec(it);
  return spent ? new Date(now - spent * 1000).toISOString() : null;
}

/** itemUsedSec for a screen: spent_sec alone while the item's clock stands (no became_current_at: the meeting adjourned). */
export function itemClockSec(it: { became_current_at?: string | null; spent_sec?: number } | null | undefined, now: number): number {
  return it?.became_current_at ? itemUsedSec(it, now) : spentSec(it);
}

export function findItem(items: AgendaItem[] | undefined, id: string | null | undefined): AgendaItem | null {
  if (!items || !id) return null;
  for (const it of items) {
    if (it.id === id) return it;
    const sub = findItem(it.items, id);
    if (sub) return sub;
  }
  return null;
}

/** My place (1-based) among the waiting speakers, by kind, or 0. */
export function queuePlace(q: Queues | undefined, me: string): { kind: 'speech' | 'question'; place: number; id: string } | null {
  if (!q) return null;
  for (const kind of ['speech', 'question'] as const) {
    const list = kind === 'speech' ? q.speeches : q.questions;
    const i = list.findIndex((s) => s.user_id === me);
    if (i >= 0) return { kind, place: i + 1, id: list[i].id };
  }
  return null;
}

/** The poll to show: an open one first, else the latest result not yet dismissed. */
export function openPoll(polls: Record<string, Poll>): Poll | null {
  return Object.values(polls).find((p) => p.status === 'open') ?? null;
}

/** Best effort: pick what we recognise from the hub's snapshot state. */
export function applySnapshot(s: RoomState, state: unknown): { next: RoomState; slices: string[] } {
  const st = (state ?? {}) as Record<string, unknown>;
  const slices: string[] = [];
  let next = s;
  const pres = (st.presentation ?? null) as Presentation | null;
  if (pres && typeof pres === 'object' && 'document_id' in pres) {
    next = { ...next, presentation: pres };
    slices.push('presentation');
  }
  if (st.agenda && typeof st.agenda === 'object' && 'items' in (st.agenda as object)) {
    next = { ...next, agenda: st.agenda as Agenda };
    slices.push('agenda');
  }
  if (st.meeting && typeof st.meeting === 'object' && 'id' in (st.meeting as object)) {
    // Unlike meeting.updated, the snapshot's meeting is built for this viewer:
    // its my_role is the truth (a full snapshot follows a change of rights).
    const m = st.meeting as Meeting;
    next = { ...next, meeting: typeof m.my_role === 'string' ? m : mergeMeeting(next.meeting, m) };
    slices.push('meeting');
  }
  // {"current_item": {item_id, became_current_at, spent_sec, current_since, …} | null}: mark it in the agenda we have.
  if ('current_item' in st && next.agenda) {
    const cur = st.current_item as { item_id?: string; became_current_at?: string | null; spent_sec?: number; current_since?: string | null } | null;
    const id = cur?.item_id ?? null;
    if (id !== next.agenda.current_item_id) {
      const c = { item_id: id, became_current_at: cur?.became_current_at ?? null, spent_sec: spentSec(cur), current_since: cur?.current_since, previous_item_id: null };
      next = { ...next, agenda: setCurrent(next.agenda, c) };
      slices.push('agenda');
    }
  }
  const q = (st.speakers ?? null) as Queues | null;
  if (q && typeof q === 'object' && q.agenda_item_id) {
    next = { ...next, speakers: { ...next.speakers, [q.agenda_item_id]: q } };
    slices.push(`speakers:${q.agenda_item_id}`);
  }
  // {"polls": [Poll]}: the open polls as this viewer sees them (my own
  // standing included), so the ballot is there before any REST answer. They
  // are all the open ones when the hub built the snapshot: a poll held as
  // open and not listed has ended (closed, or cancelled: the list GET that
  // follows a snapshot says which), and its ballot goes now. That is a
  // guess (Guessed): the snapshot may be older than what the state holds,
  // so the next event or GET of the poll replaces it whatever it says. A
  // GET of any of these polls already in flight was read before the
  // snapshot (its slice is bumped), and a list in flight skips them.
  if (Array.isArray(st.polls)) {
    let polls = next.polls;
    const listed = new Set<string>();
    for (const p of st.polls as Poll[]) {
      if (!p || typeof p !== 'object' || !p.id) continue;
      listed.add(p.id);
      polls = mergePoll(polls, p, false);
      slices.push(`poll:${p.id}`);
    }
    for (const p of Object.values(polls)) {
      if (p.status !== 'open' || listed.has(p.id)) continue;
      const guess: Guessed = { ...p, status: 'closed', endedGuess: true };
      polls = mergePoll(polls, guess, false);
      slices.push(`poll:${p.id}`);
    }
    if (polls !== next.polls) next = { ...next, polls };
  }
  return { next, slices };
}
