// The meeting room controller: loads the room over REST, keeps it current
// from the live hub, and refetches whatever may be stale after a resync or
// a reconnect. A REST answer is dropped when an event touched its slice
// while it was in flight, so an older answer never overwrites a newer event.
import { api } from '../api';
import { takeEarlyPresentation } from '../viewer/boot';
import { createStore, type Store } from '../store';
import type { LiveEvent, Poll, Presentation } from '../types';
import type { PointerMove, PointerOut } from './pointer';
import { Refetch, SliceVersions, wakeOnReturn } from './slices';
import { LiveSocket, liveURL, type LiveOptions } from './socket';
import { applyEvent, applySnapshot, emptyRoom, mergePoll, sliceOf, type RoomState } from './state';

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

  constructor(readonly id: string, readonly me: string, opt?: Partial<LiveOptions>, onSessionCheck?: () => void) {
    this.socket = new LiveSocket({ url: liveURL(id), ...opt }, {
      snapshot: (state) => this.onSnapshot(state),
      event: (ev) => this.onEvent(ev),
      resync: () => void this.refreshAll(),
      ephemeral: (msg) => {
        if (msg.type === 'pointer' && msg.data && typeof msg.data === 'object') this.pointer.set({ ...(msg.data as PointerMove) });
      },
      status: (online) => this.state.set((s) => ({ ...s, online })),
      failing: () => onSessionCheck?.(),
    });
  }

  start(): void {
    void this.refreshAll();
    this.socket.start();
    this.unwatch = wakeOnReturn(this.socket);
  }

  stop(): void {
    this.socket.stop();
    this.unwatch();
  }

  private bump(slice: string): void {
    this.slices.bump(slice);
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
  }

  private onEvent(ev: LiveEvent): void {
    const slice = sliceOf(ev);
    if (slice) this.bump(slice);
    const before = this.state.get();
    this.state.set(applyEvent(before, ev, this.me));
    this.events.set(ev);
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
      // A failure after the first load is a network blip: the reconnect refetches.
      if (!s.ready) this.state.set({ ...s, ready: true, error: e?.code ?? 'error' });
    });
  }

  private async loadPolls(): Promise<void> {
    const got = await this.slices.fetch('polls', () => api.polls(this.id)).catch(() => null);
    if (!got) return; // polls are optional in this screen
    const polls: Poll[] = got.value;
    const fresh: Record<string, Poll> = {};
    for (const p of polls) fresh[p.id] = p;
    this.state.set((s) => {
      // keep polls an event updated meanwhile
      const out: Record<string, Poll> = { ...fresh };
      for (const [pid, p] of Object.entries(s.polls)) if (!(pid in fresh)) out[pid] = p;
      return { ...s, polls: out };
    });
  }

  loadPoll(id: string): Promise<void> {
    return this.load(`poll:${id}`, () => api.poll(id), (s, p) => ({ ...s, polls: mergePoll(s.polls, p, false) })).catch(() => {});
  }

  loadSpeakers(itemId: string): Promise<void> {
    return this.load(`speakers:${itemId}`, () => api.speakers(itemId), (s, q) => ({
      ...s, speakers: { ...s.speakers, [itemId]: q },
    })).catch(() => {});
  }

  /** Marks my vote as recorded before the server's poll event says so. */
  voted(pollId: string): void {
    this.state.set((s) => {
      const p = s.polls[pollId];
      return p ? { ...s, polls: { ...s.polls, [pollId]: { ...p, me: { can_vote: false, voted: true } } } } : s;
    });
  }

  setAttendance(state: RoomState['attendance']): void {
    this.bump('attendance');
    this.state.set((s) => ({ ...s, attendance: state }));
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
