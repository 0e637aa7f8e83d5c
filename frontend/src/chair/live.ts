// The live room as the cockpit and the room display see it: the tablet's
// state and reducers (../live/state) for the shared parts, plus what only
// these screens show: the quorum, everyone's attendance, who is online and
// following, and who has not voted yet. Like the tablet's controller, a REST
// answer is dropped when an event touched its slice while it was in flight,
// and everything is fetched again after a snapshot or a resync.
import { api } from '../api';
import { setConclusion } from '../conclusion';
import { backoff, transient } from '../live/backoff';
import { Refetch, refused, SliceVersions, wakeOnReturn } from '../live/slices';
import type { PointerMove } from '../live/pointer';
import { LiveSocket, liveURL } from '../live/socket';
import { applyEvent, applySnapshot, emptyRoom, mergeListed, mergePoll, newerPresentation, PollReads, sliceOf, type RoomState } from '../live/state';
import { createStore, type Store } from '../store';
import type { AgendaItem, AttendanceChange, LiveEvent, Poll, PollProgress, Presentation } from '../types';
import { chairApi, type AttendanceRow, type FollowCounts, type Quorum, type Voter } from './api';
import { applyPresence, quorumOfEvent, withConclusion, type Online } from './logic';

export interface Extra {
  quorum: Quorum | null;
  /** Everyone's attendance (the cockpit only). */
  people: AttendanceRow[];
  online: Online;
  follow: FollowCounts | null;
  /** Who may vote and has not yet, by poll (the cockpit only). */
  notVoted: Record<string, Voter[]>;
}

/** How often, at most, an administrator's cockpit asks who has not voted yet while votes come in. */
export const VOTERS_EVERY_MS = 1000;

/** How often, at most, an administrator's cockpit lists the polls again when the hub sends it skips (drafts it is not sent). */
export const POLLS_EVERY_MS = 1000;

/**
 * The polls of a list GET made because of skips, put into the state: new
 * polls (drafts made elsewhere), and drafts that moved on (cancelled,
 * opened). A poll the state knows beyond a draft keeps what it has: a
 * poll only moves forward, and its events (with the GET of it they bring)
 * may be newer than this list.
 */
export function mergeListedDrafts(polls: Record<string, Poll>, listed: Poll[]): Record<string, Poll> {
  let out = polls;
  for (const p of listed) {
    const old = polls[p.id];
    if (old && (old.status !== 'draft' || p.status === 'draft')) continue;
    out = mergePoll(out, p, false);
  }
  return out;
}

/**
 * Runs a task at most once per interval for each key, and always once
 * more after the last call that came too soon (the latest state is always
 * fetched).
 */
class Throttle {
  private readonly at = new Map<string, number>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  constructor(private readonly every: number) {}

  run(key: string, task: () => void): void {
    if (this.timers.has(key)) return;
    const go = () => {
      this.timers.delete(key);
      this.at.set(key, Date.now());
      task();
    };
    const wait = (this.at.get(key) ?? -Infinity) + this.every - Date.now();
    if (wait <= 0) go();
    else this.timers.set(key, setTimeout(go, wait));
  }

  stop(): void {
    this.timers.forEach((x) => clearTimeout(x));
    this.timers.clear();
  }
}

export const emptyExtra = (): Extra => ({ quorum: null, people: [], online: {}, follow: null, notVoted: {} });

/** attendance.changed: replace one person's record. */
export function upsertPerson(list: AttendanceRow[], a: AttendanceRow): AttendanceRow[] {
  const i = list.findIndex((x) => x.user_id === a.user_id);
  return i < 0 ? [...list, a] : list.map((x) => (x.user_id === a.user_id ? { ...x, ...a } : x));
}

export class LiveRoom {
  readonly state: Store<RoomState> = createStore(emptyRoom());
  readonly extra: Store<Extra> = createStore(emptyExtra());
  /** Sequenced events as they are applied. */
  readonly events: Store<LiveEvent | null> = createStore<LiveEvent | null>(null);
  /** The presenter's pointer messages (ephemeral), for the room display. */
  readonly pointer: Store<PointerMove | null> = createStore<PointerMove | null>(null);
  private readonly slices = new SliceVersions();
  private unwatch: () => void = () => {};
  private readonly socket: LiveSocket;
  private readonly refetch = new Refetch(() => this.fetchAll());
  private stopped = false;
  private accessCheck: Promise<void> | null = null;
  /** Refetches of "who has not voted" driven by poll.progress: when the last one started, and the one waiting, by poll. */
  private readonly votersEvery = new Throttle(VOTERS_EVERY_MS);
  /** Lists of the polls driven by skips. */
  private readonly pollsEvery = new Throttle(POLLS_EVERY_MS);
  /** Which answers about polls are out of date (a poll's slice bumped: an event, a snapshot, an answer put in). */
  private readonly pollReads = new PollReads();
  /** The list of polls asked for again after a failure. */
  private listRetry: ReturnType<typeof setTimeout> | undefined;

  /** manage: the cockpit (attendance list, roll calls); otherwise the display's view. */
  constructor(readonly id: string, readonly me: string, readonly manage: boolean) {
    this.socket = new LiveSocket({ url: liveURL(id) }, {
      snapshot: (state) => this.onSnapshot(state),
      event: (ev) => this.onEvent(ev),
      // An event this viewer was not sent: for the administrator's drafts (onSkip).
      skipped: () => this.onSkip(),
      ephemeral: (msg) => this.onEphemeral(msg),
      resync: () => void this.refreshAll(),
      status: (online) => this.state.set((s) => ({ ...s, online })),
      failing: () => {
        void api.me().catch(() => {});
        void this.checkAccess();
      },
    });
  }

  start(): void {
    this.stopped = false;
    void this.refreshAll();
    this.socket.start();
    this.unwatch = wakeOnReturn(this.socket);
  }

  stop(): void {
    this.stopped = true;
    this.socket.stop();
    this.unwatch();
    this.votersEvery.stop();
    this.pollsEvery.stop();
    clearTimeout(this.listRetry);
  }

  /**
   * The hub closed with 4003 or keeps refusing: does the user still take
   * part? A 404 or 403 for the meeting means no (removed from it, or no
   * longer an administrator): stop reconnecting and show the error.
   */
  checkAccess(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.accessCheck ??= this.load('meeting', () => api.meeting(this.id), (meeting) => this.state.set((s) => ({ ...s, meeting })))
      .catch((e) => {
        if (!refused(e)) return;
        this.stop();
        this.state.set((s) => ({ ...s, ready: true, online: false, error: 'not_found', removed: true }));
      })
      .finally(() => {
        this.accessCheck = null;
      });
    return this.accessCheck;
  }

  private bump(slice: string): void {
    this.slices.bump(slice);
    if (slice.startsWith('poll:')) this.pollReads.changed(slice.slice('poll:'.length));
  }

  private async load<T>(slice: string, fetch: () => Promise<T>, apply: (v: T) => void): Promise<void> {
    const got = await this.slices.fetch(slice, fetch);
    if (got) apply(got.value);
  }

  private setExtra(fn: (x: Extra) => Extra): void {
    this.extra.set(fn);
  }

  private onSnapshot(state: unknown): void {
    const { next, slices } = applySnapshot(this.state.get(), state);
    slices.forEach((x) => this.bump(x));
    this.state.set(next);
    const st = (state ?? {}) as { quorum?: Quorum; polls?: Poll[] | null };
    if (st.quorum && typeof st.quorum === 'object') {
      this.bump('quorum');
      this.setExtra((x) => ({ ...x, quorum: st.quorum! }));
    }
    void this.refreshAll();
  }

  private onEphemeral(msg: LiveEvent): void {
    if (msg.type === 'pointer' && msg.data && typeof msg.data === 'object') this.pointer.set({ ...(msg.data as PointerMove) });
    if (msg.type === 'snapshot' || msg.type === 'presence.joined' || msg.type === 'presence.left') {
      this.setExtra((x) => ({ ...x, online: applyPresence(x.online, msg.type, msg.data) }));
    }
    const d = msg.data as { following?: FollowCounts } & FollowCounts;
    if (msg.type === 'snapshot' && d?.following) this.setExtra((x) => ({ ...x, follow: d.following! }));
    if (msg.type === 'follow.changed' && d) this.setExtra((x) => ({ ...x, follow: d }));
  }

  private onEvent(ev: LiveEvent): void {
    const slice = sliceOf(ev);
    if (slice) this.bump(slice);
    this.state.set((s) => applyEvent(s, ev, this.me));
    const d = ev.data as Record<string, unknown> | undefined;
    switch (ev.type) {
      case 'attendance.changed': {
        const c = d as unknown as AttendanceChange & { quorum?: Quorum };
        this.bump('quorum');
        this.bump('people');
        this.setExtra((x) => ({
          ...x,
          quorum: c.quorum ?? x.quorum,
          people: c.attendance ? upsertPerson(x.people, c.attendance) : x.people,
        }));
        break;
      }
      case 'quorum.changed': {
        // The roll or the quorum rule changed: the new quorum, for everyone.
        const q = quorumOfEvent(ev);
        if (q) {
          this.bump('quorum');
          this.setExtra((x) => ({ ...x, quorum: q }));
        }
        break;
      }
      case 'participants.changed':
        if (this.manage) void this.loadPeople(); // the display shows no attendance list
        void this.loadQuorum();
        break;
      case 'meeting.updated':
        void this.loadQuorum(); // the quorum rule may have changed
        break;
      case 'agenda.current': {
        const id = (d as { item_id: string | null }).item_id;
        if (id) void this.loadSpeakers(id);
        break;
      }
      case 'poll.voters': {
        const v = d as { poll_id: string; not_voted: Voter[] | null };
        this.bump(`voters:${v.poll_id}`);
        this.setExtra((x) => ({ ...x, notVoted: { ...x.notVoted, [v.poll_id]: v.not_voted ?? [] } }));
        break;
      }
      case 'poll.progress': {
        const p = d as unknown as PollProgress;
        // a poll we did not know yet (e.g. opened before we listed): fetch it
        if (!this.state.get().polls[p.poll_id]) void this.loadPoll(p.poll_id);
        else if (this.state.get().polls[p.poll_id].status === 'open' && !this.getsVoters()) this.votersSoon(p.poll_id);
        break;
      }
      default:
        if (ev.type.startsWith('poll.') && d?.id) {
          void this.loadPoll(String(d.id));
          if (ev.type === 'poll.opened') void this.loadVoters(String(d.id));
        }
    }
    this.events.set(ev);
  }

  /** Everything the screen shows, fetched again (first load, resync, reconnect). */
  refreshAll(): Promise<void> {
    return this.refetch.request();
  }

  private fetchAll(): Promise<void> {
    const id = this.id;
    const set = <K extends keyof RoomState>(k: K) => (v: RoomState[K]) => this.state.set((s) => ({ ...s, [k]: v }));
    const run = async () => {
      await Promise.all([
        this.load('meeting', () => api.meeting(id), set('meeting')),
        this.load('agenda', () => api.agenda(id), set('agenda')),
        this.load('documents', () => api.documents(id), set('documents')),
        this.load('presentation', () => api.presentation(id), set('presentation')),
        this.loadQuorum(),
        this.loadPeople(),
        this.loadPolls(),
      ]);
      const cur = this.state.get().agenda?.current_item_id;
      if (cur) await this.loadSpeakers(cur);
      if (this.manage) {
        await Promise.all(Object.values(this.state.get().polls).filter((p) => p.status === 'open').map((p) => this.loadVoters(p.id)));
      }
      this.state.set((s) => (s.ready && !s.error ? s : { ...s, ready: true, error: null }));
    };
    return run().catch((e: { code?: string }) => {
      const s = this.state.get();
      if (!s.ready) this.state.set({ ...s, ready: true, error: e?.code ?? 'error' });
      else if (refused(e)) void this.checkAccess(); // removed from the meeting meanwhile?
    });
  }

  loadQuorum(): Promise<void> {
    return this.load('quorum', () => chairApi.quorum(this.id), (q) => this.setExtra((x) => ({ ...x, quorum: q }))).catch(() => {});
  }

  /** Everyone's attendance: the cockpit's (the display never shows it, and never asks). */
  loadPeople(): Promise<void> {
    if (!this.manage) return Promise.resolve();
    return this.load('people', () => chairApi.attendance(this.id), (l) => this.setExtra((x) => ({ ...x, people: l }))).catch(() => {});
  }

  /**
   * The meeting's polls; a poll that changed while the list was on its way
   * keeps what the state has. A failure on the network or the server is
   * asked again with backoff, a few times.
   */
  private async loadPolls(attempt = 0): Promise<void> {
    clearTimeout(this.listRetry);
    const stale = this.pollReads.list();
    let polls: Poll[];
    try {
      polls = await api.polls(this.id);
    } catch (e) {
      if (!this.stopped && transient(e) && attempt < 7) this.listRetry = setTimeout(() => void this.loadPolls(attempt + 1), backoff(attempt));
      return;
    }
    // Kept as the state has it: a poll changed meanwhile, or read again after this list started.
    const keep = stale(polls);
    this.state.set((s) => ({ ...s, polls: mergeListed(s.polls, polls, (id) => keep.has(id)) }));
  }

  loadPoll(id: string): Promise<void> {
    const n = this.pollReads.start();
    return this.load(`poll:${id}`, () => api.poll(id), (p) => {
      if (this.pollReads.newest(id, n)) this.state.set((s) => ({ ...s, polls: mergePoll(s.polls, p, false) }));
    }).catch(() => {});
  }

  /** Puts a poll the server just answered with into the state (the event may come later). */
  putPoll(p: Poll): void {
    this.bump(`poll:${p.id}`);
    this.pollReads.newest(p.id, this.pollReads.start()); // a read started before this answer is older
    this.state.set((s) => ({ ...s, polls: mergePoll(s.polls, p, false) }));
  }

  /**
   * Saves an item's conclusion (PATCH with the conclusion alone). The answer
   * goes into the agenda only when no event touched the agenda while it was
   * on its way: the server publishes agenda.changed after its commit, so the
   * event may come first, and a newer conclusion an event brought (the
   * secretary's, from the desk) must not be replaced by this older answer;
   * the events are then the truth. Returns the item as the server answered,
   * and whether the answer was put into the agenda.
   */
  async saveConclusion(itemId: string, text: string): Promise<{ item: AgendaItem; applied: boolean }> {
    let answer: AgendaItem | undefined;
    const got = await this.slices.fetch('agenda', async () => (answer = await setConclusion(itemId, text)));
    if (!got) return { item: answer!, applied: false };
    const conclusion = got.value.conclusion ?? '';
    this.bump('agenda'); // an agenda GET still on its way was read before this commit
    this.state.set((s) => (s.agenda ? { ...s, agenda: withConclusion(s.agenda, itemId, conclusion) } : s));
    return { item: got.value, applied: true };
  }

  /** Puts the presentation the server just answered with into the state (the event may come later). */
  putPresentation(p: Presentation): void {
    this.bump('presentation');
    this.state.set((s) => ({ ...s, presentation: newerPresentation(s.presentation, p) }));
  }

  /**
   * Whether the hub sends this viewer poll.voters: the chair and the
   * secretary only (live.md, "poll audiences leave administrators out").
   * An administrator running the cockpit without taking part does not get it.
   */
  private getsVoters(): boolean {
    const role = this.state.get().meeting?.my_role;
    return role === 'chair' || role === 'secretary';
  }

  /**
   * A skip came. Draft polls (poll.created, and poll.cancelled of a poll
   * never opened) go to the chair and the secretary only: an administrator
   * running the cockpit without either role is sent a skip instead, so the
   * polls are listed again, at most once a second (the last skip always
   * followed), and drafts made on another device appear.
   */
  private onSkip(): void {
    if (!this.manage || this.stopped || this.getsVoters()) return;
    this.pollsEvery.run('polls', () => void this.loadDrafts());
  }

  /** The meeting's polls listed again for drafts made elsewhere (see mergeListedDrafts). */
  private async loadDrafts(): Promise<void> {
    const polls = await api.polls(this.id).catch(() => null);
    if (!polls || this.stopped) return;
    this.state.set((s) => {
      const next = mergeListedDrafts(s.polls, polls);
      return next === s.polls ? s : { ...s, polls: next };
    });
  }

  /** For a viewer without poll.voters: "who has not voted" again after a vote, at most once a second (the last vote always followed). */
  private votersSoon(pollId: string): void {
    if (!this.manage || this.stopped) return;
    this.votersEvery.run(pollId, () => {
      this.bump(`voters:${pollId}`); // an older answer still in flight must not land after this one
      void this.loadVoters(pollId);
    });
  }

  loadVoters(pollId: string): Promise<void> {
    if (!this.manage) return Promise.resolve();
    return this.load(`voters:${pollId}`, () => chairApi.voters(pollId), (r) =>
      this.setExtra((x) => ({ ...x, notVoted: { ...x.notVoted, [pollId]: r.not_voted ?? [] } }))).catch(() => {});
  }

  loadSpeakers(itemId: string): Promise<void> {
    return this.load(`speakers:${itemId}`, () => api.speakers(itemId), (q) =>
      this.state.set((s) => ({ ...s, speakers: { ...s.speakers, [itemId]: q } }))).catch(() => {});
  }
}
