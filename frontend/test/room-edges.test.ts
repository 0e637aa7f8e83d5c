// The delegate's room controller (live/room.ts) and the cockpit's
// (chair/live.ts) on a Wi-Fi that drops, driven with a fake hub socket and a
// fake REST server: checking in during a vote, a poll whose load failed,
// the annotation layer's resync signal, the presenter stopping, and a
// delegate removed from the meeting. The browser globals the modules touch
// at import (router.ts, slices.ts) are stubbed before they are loaded.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SocketLike } from '../src/live/socket';
import type { LiveEvent } from '../src/types';

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send() {}
  close() { this.readyState = 3; }
  open() { this.readyState = 1; this.onopen?.({}); }
  msg(m: unknown) { this.onmessage?.({ data: JSON.stringify(m) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose?.({ code }); }
}

type Handler = (path: string) => { status: number; body?: unknown } | 'network';
let handler: Handler;
const requested: string[] = [];

const json = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

let RoomCtl: typeof import('../src/live/room').Room;
let LiveRoom: typeof import('../src/chair/live').LiveRoom;
const hubSockets: FakeSocket[] = [];

beforeAll(async () => {
  const noop = () => {};
  vi.stubGlobal('addEventListener', noop);
  vi.stubGlobal('removeEventListener', noop);
  vi.stubGlobal('document', { visibilityState: 'visible', addEventListener: noop, removeEventListener: noop, documentElement: {} });
  vi.stubGlobal('location', { pathname: '/', protocol: 'http:', host: 'h' });
  vi.stubGlobal('localStorage', { getItem: () => '1', setItem: noop, removeItem: noop });
  vi.stubGlobal('history', { pushState: noop, replaceState: noop });
  vi.stubGlobal('fetch', async (url: string) => {
    const path = String(url).replace(/^\/api\/v1/, '');
    requested.push(path);
    const r = handler(path);
    if (r === 'network') throw new TypeError('Failed to fetch');
    return json(r.status, r.body);
  });
  // The cockpit's controller opens its socket with the browser's WebSocket.
  vi.stubGlobal('WebSocket', class extends FakeSocket {
    constructor(url: string) {
      super(url);
      hubSockets.push(this);
    }
  });
  RoomCtl = (await import('../src/live/room')).Room;
  LiveRoom = (await import('../src/chair/live')).LiveRoom;
});

const meeting = { id: 'm', title: 'M', description: '', location: '', starts_at: null, status: 'live', my_role: 'delegate' };
const poll = {
  id: 'p1', meeting_id: 'm', title: 'Motion', agenda_item_id: null, kind: 'motion', secret: false,
  options: [{ id: 'agree', label: "In favour" }, { id: 'disagree', label: "Against" }, { id: 'abstain', label: "Abstain" }],
  max_choices: 1, status: 'open', voted: 0, eligible: 3,
};

/** The room's REST answers; `over` may answer some paths differently. */
function server(over: (path: string) => ReturnType<Handler> | undefined = () => undefined): Handler {
  return (path) => {
    const o = over(path);
    if (o) return o;
    if (path === '/meetings/m') return { status: 200, body: meeting };
    if (path === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } };
    if (path === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
    if (path === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
    if (path === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
    if (path === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
    if (path === '/me') return { status: 200, body: { id: 'u1', username: 'd', full_name: 'D', is_admin: false } };
    if (path === '/polls/p1') return { status: 200, body: { ...poll, me: { can_vote: true, voted: false } } };
    return { status: 404, body: { error: { code: 'not_found', message: 'not found' } } };
  };
}

function setup(onSessionCheck?: () => void) {
  const sockets: FakeSocket[] = [];
  const room = new RoomCtl('m', 'u1', {
    makeSocket: (u) => {
      const s = new FakeSocket(u);
      sockets.push(s);
      return s;
    },
    rand: () => 0,
  }, onSessionCheck);
  return { room, sockets };
}

const flush = async (ms = 0) => {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('the room controller on a Wi-Fi that drops', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    requested.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('tells the annotation layer to reload after a resync (it listens for a "resync" on room.events)', async () => {
    handler = server();
    const { room, sockets } = setup();
    // annot/Layer.tsx: `if (ev?.type === 'resync') return setReload(...)` on the events store it is given (room.events).
    const seen: string[] = [];
    room.events.subscribe((ev: LiveEvent | null) => ev && seen.push(ev.type));
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting, presentation: { meeting_id: 'm', document_id: null, zoom: null, at: null } } } });
    await flush();
    sockets[0].drop(); // Wi-Fi gone for a long time: the events missed are pruned
    await flush(300);
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    sockets[1].msg({ type: 'resync' });
    sockets[1].msg({ type: 'snapshot', seq: 9000, data: { epoch: 'E', state: { meeting } } });
    await flush();
    // Others' shared annotations made (or deleted) meanwhile are only known after the layer lists again.
    expect(seen, 'the annotation layer never hears of the resync: its marks stay stale').toContain('resync');
    room.stop();
  });

  it('gets my standing in a poll that opened while the Wi-Fi dropped (the ballot waits on poll.me)', async () => {
    let pollDown = true;
    handler = server((p) => (p === '/polls/p1' && pollDown ? 'network' : undefined));
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    sockets[0].msg({ seq: 6, type: 'poll.opened', data: { ...poll, me: { can_vote: false, voted: false } } });
    await flush(); // GET /polls/p1 fails: the Wi-Fi dropped right then
    expect(requested).toContain('/polls/p1');
    sockets[0].drop();
    pollDown = false; // the network is back
    await flush(300);
    sockets[1].open();
    sockets[1].msg({ type: 'snapshot', seq: 6, data: { epoch: 'E', resumed: true } });
    await flush(30_000); // half a minute later
    const p = room.state.get().polls.p1;
    expect(p?.status).toBe('open');
    // ui/Poll.tsx shows `!poll.me ? t('common.loading')`: the ballot would say "Loading…" for ever.
    expect(p?.me, 'poll.me never fetched again: the ballot is stuck on "Loading…"').toBeDefined();
    room.stop();
  });

  it('lets a delegate who checks in while a vote is open vote (poll.me is asked again)', async () => {
    let checkedIn = false;
    handler = server((p) => {
      // vote/roll.go: the default eligibility is "present": can_vote once checked in
      if (p === '/polls/p1') return { status: 200, body: { ...poll, me: { can_vote: checkedIn, voted: false } } };
      if (p === '/meetings/m/polls') return { status: 200, body: { polls: [{ ...poll, me: { can_vote: checkedIn, voted: false } }] } };
      return undefined;
    });
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    expect(room.state.get().polls.p1?.me).toEqual({ can_vote: false, voted: false }); // "Vui lòng điểm danh trước khi biểu quyết."
    // The delegate arrives late and taps "Điểm danh" (ui/Room.tsx: api.checkIn, then room.setAttendance).
    checkedIn = true;
    room.setAttendance('present');
    const att = { user_id: 'u1', full_name: 'D', role: 'delegate', can_vote: true, state: 'present' };
    sockets[0].msg({ seq: 6, type: 'attendance.changed', data: { attendance: att, quorum: null } });
    sockets[0].msg({ seq: 7, type: 'poll.progress', data: { poll_id: 'p1', voted: 0, eligible: 4 } });
    await flush(5000);
    // ui/Poll.tsx: !canVote && here → "Bạn không có quyền biểu quyết trong lần biểu quyết này." (you have no vote)
    expect(room.state.get().polls.p1?.me?.can_vote, 'after checking in, the ballot says "you have no vote in this poll"').toBe(true);
    room.stop();
  });

  it('keeps the delegate on the last presented page when the presenter stops presenting', async () => {
    handler = server();
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    const pres = (page: number | null, doc: string | null, at: string) => ({ meeting_id: 'm', document_id: doc, version: 1, page: page ?? undefined, pages: 12, zoom: null, at });
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting, presentation: pres(1, 'docA', '2026-11-26T10:00:00Z') } } });
    await flush();
    // The delegate follows the presenter through the document…
    for (let p = 2; p <= 7; p++) sockets[0].msg({ seq: 4 + p, type: 'presentation.changed', data: pres(p, 'docA', `2026-11-26T10:00:0${p}Z`) });
    // …then the chair stops presenting (to move on, or to show nothing for a while).
    sockets[0].msg({ seq: 12, type: 'presentation.changed', data: pres(null, null, '2026-11-26T10:00:09Z') });
    await flush();
    // ui/Room.tsx, not following: doc = byId(follow.docId) ?? (follow.docId ? null : the current item's first document),
    // page = follow.docId ? follow.page : 1. With follow still {docId: null, page: 1}, the page the room was
    // discussing vanishes and page 1 of the item's first document takes its place.
    const f = room.follow.get();
    expect({ docId: f.docId, page: f.page }).toEqual({ docId: 'docA', page: 7 });
    room.stop();
  });

  it('stops and says so when the delegate was removed from the meeting (4003, then refused)', async () => {
    let removed = false;
    handler = server((p) => (removed && p === '/meetings/m' ? { status: 404, body: { error: { code: 'not_found', message: 'no such meeting' } } } : undefined));
    // what ui/Room.tsx passes: () => void api.me().catch(() => {})
    const api = (await import('../src/api')).api;
    const { room, sockets } = setup(() => void api.me().catch(() => {}));
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    expect(room.state.get().error).toBeNull();
    removed = true;
    sockets[0].drop(4003); // "access changed"
    // Every reconnection is refused before the upgrade (404): the browser only sees a close (1006).
    for (let i = 0; i < 8; i++) {
      await flush(20_000);
      const s = sockets.at(-1)!;
      if (s.readyState === 0) s.drop(1006);
    }
    await flush(1000);
    const st = room.state.get();
    expect(
      { error: st.error, reconnecting: sockets.length },
      'the removed delegate keeps the room (its documents) on screen with "reconnecting…" for ever',
    ).toEqual({ error: 'not_found', reconnecting: expect.any(Number) });
    room.stop();
  });

  it('a role change (4003, the meeting still answers) keeps the room and reconnects', async () => {
    handler = server();
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    sockets[0].drop(4003);
    await flush(1000);
    expect(requested.filter((p) => p === '/meetings/m').length).toBeGreaterThanOrEqual(2); // first load, then the check
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    sockets[1].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', resumed: true } });
    await flush();
    const st = room.state.get();
    expect({ error: st.error, removed: !!st.removed, online: st.online }).toEqual({ error: null, removed: false, online: true });
    room.stop();
  });

  it('a network failure while checking access is not taken for a removal', async () => {
    let down = false;
    handler = server((p) => (down ? 'network' : undefined));
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    down = true;
    sockets[0].drop(4003);
    for (let i = 0; i < 5; i++) {
      await flush(20_000);
      const s = sockets.at(-1)!;
      if (s.readyState === 0) s.drop(1006);
    }
    expect(room.state.get().error).toBeNull();
    expect(sockets.length).toBeGreaterThan(4); // still trying
    room.stop();
  });

  it('asks again, with backoff, for a poll whose load failed, without waiting for a reconnect', async () => {
    let fails = 3;
    handler = server((p) => (p === '/polls/p1' && fails-- > 0 ? { status: 503, body: { error: { code: 'unavailable', message: 'x' } } } : undefined));
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    sockets[0].msg({ seq: 6, type: 'poll.opened', data: { ...poll, me: { can_vote: false, voted: false } } });
    await flush();
    expect(room.state.get().polls.p1?.me).toBeUndefined();
    await flush(10_000);
    expect(requested.filter((p) => p === '/polls/p1')).toHaveLength(4);
    expect(room.state.get().polls.p1?.me).toEqual({ can_vote: true, voted: false });
    room.stop();
  });

  it('stops asking for a poll that closed meanwhile', async () => {
    handler = server((p) => (p === '/polls/p1' ? 'network' : undefined));
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    sockets[0].msg({ seq: 6, type: 'poll.opened', data: { ...poll } });
    await flush();
    sockets[0].msg({ seq: 7, type: 'poll.closed', data: { ...poll, status: 'closed' } });
    await flush(60_000);
    // one for each event, no retry once closed
    expect(requested.filter((p) => p === '/polls/p1')).toHaveLength(2);
    room.stop();
  });

  it('does not ask for my standing again when my attendance did not change', async () => {
    handler = server((p) => (p === '/meetings/m/polls' ? { status: 200, body: { polls: [{ ...poll, me: { can_vote: true, voted: false } }] } } : undefined));
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    const att = (user_id: string) => ({ attendance: { user_id, full_name: 'X', role: 'delegate', can_vote: true, state: 'present' }, quorum: null });
    sockets[0].msg({ seq: 6, type: 'attendance.changed', data: att('someone-else') });
    await flush(1000);
    expect(requested).not.toContain('/polls/p1');
    sockets[0].msg({ seq: 7, type: 'attendance.changed', data: att('u1') });
    room.setAttendance('present'); // the check-in's answer and its event: one request
    await flush(1000);
    expect(requested.filter((p) => p === '/polls/p1')).toHaveLength(1);
    room.stop();
  });

  it('sends no resync signal for the first snapshot or a resumed one', async () => {
    handler = server();
    const { room, sockets } = setup();
    const seen: string[] = [];
    room.events.subscribe((ev) => ev && seen.push(ev.type));
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    sockets[0].drop();
    await flush(300);
    sockets[1].open();
    sockets[1].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', resumed: true } });
    await flush();
    expect(seen).not.toContain('resync');
    // a gap in seq forces a fresh snapshot: that one replaces state
    sockets[1].msg({ seq: 9, type: 'agenda.changed', data: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } });
    await flush(1000);
    sockets.at(-1)!.open();
    sockets.at(-1)!.msg({ type: 'snapshot', seq: 12, data: { epoch: 'E', state: { meeting } } });
    await flush();
    expect(seen.filter((x) => x === 'resync')).toHaveLength(1);
    room.stop();
  });

  it('leaves a delegate reading elsewhere where they are when the presenter stops', async () => {
    const pres = (page: number | null, doc: string | null, at: string) => ({ meeting_id: 'm', document_id: doc, version: 1, page: page ?? undefined, pages: 12, zoom: null, at });
    handler = server((p) => (p === '/meetings/m/presentation' ? { status: 200, body: pres(3, 'docA', '2026-11-26T10:00:00Z') } : undefined));
    const { room, sockets } = setup();
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting, presentation: pres(3, 'docA', '2026-11-26T10:00:00Z') } } });
    await flush();
    room.browse('docB', 2);
    sockets[0].msg({ seq: 6, type: 'presentation.changed', data: pres(null, null, '2026-11-26T10:00:09Z') });
    await flush();
    expect(room.follow.get()).toEqual({ following: false, docId: 'docB', page: 2 });
    // and a follower goes with the presenter again when a presentation starts
    room.backToLive();
    sockets[0].msg({ seq: 7, type: 'presentation.changed', data: pres(4, 'docA', '2026-11-26T10:00:10Z') });
    sockets[0].msg({ seq: 8, type: 'presentation.changed', data: pres(null, null, '2026-11-26T10:00:11Z') });
    await flush();
    expect(room.follow.get()).toEqual({ following: true, docId: 'docA', page: 4 });
    room.stop();
  });
});

describe("the cockpit's controller (chair/live.ts) when the user is removed", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    requested.length = 0;
    hubSockets.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('stops reconnecting and shows the error after 4003 and a refusal', async () => {
    let removed = false;
    handler = server((p) => {
      if (removed && p === '/meetings/m') return { status: 404, body: { error: { code: 'not_found', message: 'no such meeting' } } };
      if (p === '/meetings/m/quorum') return { status: 200, body: { present: 0, required: 1, reached: false } };
      return undefined;
    });
    const room = new LiveRoom('m', 'u1', true);
    room.start();
    hubSockets[0].open();
    hubSockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    expect(room.state.get().error).toBeNull();
    removed = true;
    hubSockets[0].drop(4003);
    await flush(60_000);
    const n = hubSockets.length;
    await flush(120_000);
    expect(room.state.get().error).toBe('not_found');
    expect(hubSockets.length, 'no more reconnections once refused').toBe(n);
    room.stop();
  });
});
