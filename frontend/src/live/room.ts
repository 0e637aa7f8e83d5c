// The meeting room controller: loads the room over REST, keeps it current
// from the live hub, and refetches whatever may be stale after a resync or
// a reconnect. A REST answer is dropped when an event touched its slice
// while it was in flight, so an older answer never overwrites a newer event.
import { api } from '../api';
import { takeEarlyPresentation } from '../viewer/boot';
import { createStore, type Store } from '../store';
import type { LiveEvent, Poll, Presentation } from '../types';
import { backoff, transient } from './backoff';
import type { PointerMove, PointerOut } from './pointer';
import { Refetch, refused, SliceVersions, wakeOnReturn } from './slices';
import { LiveSocket, liveURL, type LiveOptions } from './socket';
import { applyEvent, applySnapshot, emptyRoom, mergeListed, mergePoll, PollReads, sliceOf, type RoomState } from './state';

/** The signal the room publishes on its events after a resync or a snapshot that replaced its state (annot/Layer.tsx lists again). */
export const RESYNC = 'resync';

/** How many times a poll that failed to load is asked for again (with backoff) before waiting for the next reconnect. */
const POLL_TRIES = 8;

/** Whether a presentation shows a document to this viewer. */
const shows = (p: Presentation | null | undefined): p is Presentation => !!p?.document_id && !p.hidden;

export interface FollowState {
  following: boolean;
  /** Where the user reads when not on the presenter's page. */
  docId: string | null;
  page: number;
}

export class Room {
  readonly state: Store<RoomState> = createStore(emptyRoom());
  readonly follow: Store<FollowState> = createStore<FollowState>({ following: true, docId: null, page: 1 });
  /** Sequenced events as they are applied, for whoever wants to react (e.g. a poll opening). */
  readonly events: Store<LiveEvent | null> = createStore<LiveEvent | null>(null);
  /** The presenter's pointer messages (ephemeral: never stored, not replayed). */
  readonly pointer: Store<PointerMove | null> = createStore<PointerMove | null>(null);
  private readonly slices = new SliceVersions();
  private unwatch: () => void = () => {};
  private readonly socket: LiveSocket;
  private readonly refetch = new Refetch(() => this.fetchAll());
  private readonly rand: () => number;
  private stopped = false;
  /** A full snapshot was applied already: the next one replaces state. */
  private snapshotSeen = false;
  /** Timers of polls asked for again after a failure, by poll id. */
  private readonly pollRetry = new Map<string, ReturnType<typeof setTimeout>>();
  /** The list of polls asked for again after a failure. */
  private listRetry: ReturnType<typeof setTimeout> | undefined;
  /** Which answers about polls are out of date (a poll's slice bumped: an event, a snapshot, my vote). */
  private readonly pollReads = new PollReads();
  /** My standing in the open polls is asked again soon (after check-in). */
  private standingTimer: ReturnType<typeof setTimeout> | undefined;
  private accessCheck: Promise<void> | null = null;

  constructor(readonly id: string, readonly me: string, opt?: Partial<LiveOptions>, onSessionCheck?: () => void) {
    this.rand = opt?.rand ?? Math.random;
    this.socket = new LiveSocket({ url: liveURL(id), ...opt }, {
      snapshot: (state) => this.onSnapshot(state),
      event: (ev) => this.onEvent(ev),
      resync: () => void this.refreshAll(),
      ephemeral: (msg) => {
        if (msg.type === 'pointer' && msg.data && typeof msg.data === 'object') this.pointer.set({ ...(msg.data as PointerMove) });
      },
      status: (online) => {
        this.state.set((s) => ({ ...s, online }));
        // Back (a resumed snapshot refetches nothing): my standing in polls that opened while a load failed.
        if (online) this.loadMissingStanding();
      },
      failing: () => {
        onSessionCheck?.();
        void this.checkAccess();
      },
    });
    // Keep the delegate on the page last presented when the presentation ends.
    let shown = this.state.get().presentation;
    this.state.subscribe((s) => {
      const before = shown;
      shown = s.presentation;
      if (before !== shown && shows(before) && !shows(shown)) this.presentationEnded(before);
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
    this.pollRetry.forEach((t) => clearTimeout(t));
    this.pollRetry.clear();
    clearTimeout(this.listRetry);
    clearTimeout(this.standingTimer);
  }

  /**
   * The hub closed with 4003 or keeps refusing: does the user still take
   * part? A 404 or 403 for the meeting means no (removed from it): stop
   * reconnecting and say so. Any other failure changes nothing.
   */
  checkAccess(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.accessCheck ??= this.load('meeting', () => api.meeting(this.id), (s, meeting) => ({ ...s, meeting }))
      .catch((e) => {
        if (refused(e)) this.removed();
      })
      .finally(() => {
        this.accessCheck = null;
      });
    return this.accessCheck;
  }

  /** The user no longer takes part: no more reconnecting, and the room says so. */
  private removed(): void {
    this.stop();
    this.state.set((s) => ({ ...s, ready: true, online: false, error: 'not_found', removed: true }));
  }

  private presentationEnded(last: Presentation): void {
    const f = this.follow.get();
    if (!f.following) return; // reading elsewhere already: stay there
    this.follow.set({ following: true, docId: last.document_id, page: last.page ?? 1 });
  }

  private bump(slice: string): void {
    this.slices.bump(slice);
    if (slice.startsWith('poll:')) this.pollReads.changed(slice.slice('poll:'.length));
  }

  /** Runs fetch and applies its answer unless an event changed the slice meanwhile. */
  private async load<T>(slice: string, fetch: () => Promise<T>, apply: (s: RoomState, v: T) => RoomState): Promise<void> {
    const got = await this.slices.fetch(slice, fetch);
    if (got) this.state.set((s) => apply(s, got.value));
  }

  private onSnapshot(state: unknown): void {
    const { next, slices } = applySnapshot(this.state.get(), state);
    slices.forEach((x) => this.bump(x));
    this.state.set(next);
    // The snapshot may not carry everything this screen shows: refetch the rest.
    void this.refreshAll();
    // A snapshot after the first (a resync, or a reconnection the hub could
    // not resume) replaces what the room knew: whoever keeps their own copy of
    // what events change (the annotation layer) must list it again.
    if (this.snapshotSeen) this.events.set({ type: RESYNC });
    this.snapshotSeen = true;
  }

  private onEvent(ev: LiveEvent): void {
    const slice = sliceOf(ev);
    if (slice) this.bump(slice);
    const before = this.state.get();
    this.state.set(applyEvent(before, ev, this.me));
    this.events.set(ev);
    if (ev.type === 'attendance.changed' && (ev.data as { attendance?: { user_id?: string } })?.attendance?.user_id === this.me) {
      this.standingSoon(); // checked in (or out): may I vote now?
    }
    if (ev.type === 'agenda.current') {
      const id = (ev.data as { item_id: string | null }).item_id;
      if (id) void this.loadSpeakers(id);
    }
    if (ev.type.startsWith('poll.') && ev.type !== 'poll.progress' && ev.type !== 'poll.voters') {
      const id = (ev.data as Poll).id;
      if (id) void this.loadPoll(id);
    }
  }

  /** Everything the room shows, fetched again (first load, resync, reconnect). */
  refreshAll(): Promise<void> {
    return this.refetch.request();
  }

  private fetchAll(): Promise<void> {
    const id = this.id;
    const run = async () => {
      await Promise.all([
        this.load('meeting', () => api.meeting(id), (s, meeting) => ({ ...s, meeting })),
        this.load('agenda', () => api.agenda(id), (s, agenda) => ({ ...s, agenda })),
        this.load('documents', () => api.documents(id), (s, documents) => ({ ...s, documents })),
        this.load('presentation', () => takeEarlyPresentation(id) ?? api.presentation(id), (s, p: Presentation) => ({ ...s, presentation: p })),
        this.load('attendance', () => api.attendance(id), (s, list) => ({
          ...s, attendance: list.find((a) => a.user_id === this.me)?.state ?? 'unknown',
        })),
        this.loadPolls(),
      ]);
      const cur = this.state.get().agenda?.current_item_id;
      if (cur) await this.loadSpeakers(cur);
      this.state.set((s) => (s.ready && !s.error ? s : { ...s, ready: true, error: null }));
    };
    return run().catch((e: { code?: string }) => {
      const s = this.state.get();
      // A failure after the first load is a network blip (the reconnect
      // refetches), unless the server now refuses: removed from the meeting?
      if (!s.ready) this.state.set({ ...s, ready: true, error: e?.code ?? 'error' });
      else if (refused(e)) void this.checkAccess();
    });
  }

  /**
   * The meeting's polls; a poll that changed while the list was on its way
   * keeps what the state has. A failure on the network or the server is
   * asked again with backoff (polls are optional in this screen: never an error).
   */
  private async loadPolls(attempt = 0): Promise<void> {
    clearTimeout(this.listRetry);
    const stale = this.pollReads.list();
    let polls: Poll[];
    try {
      polls = await api.polls(this.id);
    } catch (e) {
      if (!this.stopped && transient(e) && attempt + 1 < POLL_TRIES) {
        this.listRetry = setTimeout(() => void this.loadPolls(attempt + 1), backoff(attempt, this.rand));
      }
      return;
    }
    // Kept as the state has it: a poll changed meanwhile, or read again after this list started.
    const keep = stale(polls);
    this.state.set((s) => ({ ...s, polls: mergeListed(s.polls, polls, (id) => keep.has(id)) }));
  }

  /**
   * Fetches a poll with my standing in it (poll events never carry it). A
   * failure on the network or the server is asked again with backoff while
   * the poll is open, so the ballot does not wait for it for ever.
   */
  loadPoll(id: string, attempt = 0): Promise<void> {
    clearTimeout(this.pollRetry.get(id));
    this.pollRetry.delete(id);
    const n = this.pollReads.start();
    return this.load(`poll:${id}`, () => api.poll(id), (s, p) => (this.pollReads.newest(id, n) ? { ...s, polls: mergePoll(s.polls, p, false) } : s)).catch((e) => {
      if (this.stopped || !transient(e) || attempt + 1 >= POLL_TRIES) return;
      if (this.state.get().polls[id]?.status !== 'open') return;
      this.pollRetry.set(id, setTimeout(() => {
        this.pollRetry.delete(id);
        void this.loadPoll(id, attempt + 1);
      }, backoff(attempt, this.rand)));
    });
  }

  /** Asks the server for a poll now and puts its answer in the state (e.g. after a refused vote); rejects on failure. */
  async checkPoll(id: string): Promise<Poll> {
    this.bump(`poll:${id}`);
    const n = this.pollReads.start();
    const p = await api.poll(id);
    this.bump(`poll:${id}`);
    if (this.pollReads.newest(id, n)) this.state.set((s) => ({ ...s, polls: mergePoll(s.polls, p, false) }));
    return this.state.get().polls[id] ?? p;
  }

  /** My standing in every open poll, asked again shortly (several causes at once make one request each). */
  private standingSoon(): void {
    if (this.stopped) return;
    clearTimeout(this.standingTimer);
    this.standingTimer = setTimeout(() => {
      for (const p of Object.values(this.state.get().polls)) if (p.status === 'open') void this.loadPoll(p.id);
    }, 150);
  }

  /** Open polls whose standing is unknown (its load failed, or is still to come): asked for now. */
  private loadMissingStanding(): void {
    for (const p of Object.values(this.state.get().polls)) {
      if (p.status === 'open' && !p.me) void this.loadPoll(p.id);
    }
  }

  loadSpeakers(itemId: string): Promise<void> {
    return this.load(`speakers:${itemId}`, () => api.speakers(itemId), (s, q) => ({
      ...s, speakers: { ...s.speakers, [itemId]: q },
    })).catch(() => {});
  }

  /** Marks my vote as recorded before the server's poll event says so. */
  voted(pollId: string): void {
    this.bump(`poll:${pollId}`); // a GET of it on its way was read before the vote
    this.state.set((s) => {
      const p = s.polls[pollId];
      return p ? { ...s, polls: { ...s.polls, [pollId]: { ...p, me: { can_vote: false, voted: true } } } } : s;
    });
  }

  /** My attendance as the server just answered (check-in): my standing in open polls may have changed with it. */
  setAttendance(state: RoomState['attendance']): void {
    this.bump('attendance');
    const before = this.state.get().attendance;
    this.state.set((s) => ({ ...s, attendance: state }));
    if (before !== state) this.standingSoon();
  }

  // --- following the presenter ---

  /** The user turned a page or opened a document themselves. */
  browse(docId: string, page: number): void {
    const p = this.state.get().presentation;
    const live = !!p?.document_id && !p.hidden;
    const f = this.follow.get();
    const onLive = live && p!.document_id === docId && p!.page === page;
    if (f.following && live && !onLive) this.socket.setFollowing(false);
    this.follow.set({ following: f.following && (!live || onLive), docId, page });
  }

  /** Points on the presented page for everyone (the chair or the current item's presenter). */
  point(m: PointerOut): void {
    this.socket.sendPointer(m);
  }

  backToLive(): void {
    const p = this.state.get().presentation;
    this.follow.set({ following: true, docId: p?.document_id ?? this.follow.get().docId, page: p?.page ?? 1 });
    this.socket.setFollowing(true);
  }
}
