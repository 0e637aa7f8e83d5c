// Review: REST answers that were read before a poll changed must not
// overwrite the change (live/room.ts and chair/live.ts). The list of polls
// (GET /meetings/{id}/polls, asked after every snapshot) is never checked
// against the events that arrived while it was in flight, and the
// delegate's own vote (Room.voted) does not invalidate a GET of the poll
// in flight. A fake hub socket and a fake REST server whose answers the
// test holds back drive the controllers.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SocketLike } from '../src/live/socket';

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

type Answer = { status: number; body?: unknown };
/** The answer for a path, or a promise of it (held back by the test). */
let handler: (path: string) => Answer | Promise<Answer>;

const json = (a: Answer) => new Response(JSON.stringify(a.body ?? null), { status: a.status, headers: { 'Content-Type': 'application/json' } });

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
  vi.stubGlobal('fetch', async (url: string) => json(await handler(String(url).replace(/^\/api\/v1/, ''))));
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
  options: [{ id: 'agree', label: 'In favour' }, { id: 'disagree', label: 'Against' }, { id: 'abstain', label: 'Abstain' }],
  max_choices: 1, status: 'open', voted: 0, eligible: 3,
};
const openForMe = { ...poll, me: { can_vote: true, voted: false } };
const closed = { ...poll, status: 'closed', voted: 2, me: { can_vote: false, voted: false } };

function base(path: string, polls: unknown[]): Answer {
  if (path === '/meetings/m') return { status: 200, body: meeting };
  if (path === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } };
  if (path === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (path === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (path === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (path === '/meetings/m/quorum') return { status: 200, body: { present: 1, required: 1, reached: true } };
  if (path === '/meetings/m/polls') return { status: 200, body: { polls } };
  if (path === '/polls/p1/voters') return { status: 200, body: { not_voted: [] } };
  if (path === '/me') return { status: 200, body: { id: 'u1', username: 'd', full_name: 'D', is_admin: false } };
  return { status: 404, body: { error: { code: 'not_found', message: 'not found' } } };
}

function held<T>() {
  let release!: (v: T) => void;
  const p = new Promise<T>((r) => (release = r));
  return { p, release };
}

const flush = async (ms = 0) => {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('review: polls kept true across reconnects and in-flight answers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    hubSockets.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('review: the delegate room does not bring a closed poll back to open (the ballot would show again)', async () => {
    // The first load: p1 is open and I may vote.
    let pollNow: unknown = openForMe;
    let list: ReturnType<typeof held<Answer>> | null = null;
    handler = (path) => {
      if (path === '/polls/p1') return { status: 200, body: pollNow };
      if (path === '/meetings/m/polls' && list) return list.p;
      return base(path, [pollNow]);
    };
    const sockets: FakeSocket[] = [];
    const room = new RoomCtl('m', 'u1', { makeSocket: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; }, rand: () => 0 });
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    expect(room.state.get().polls.p1?.status).toBe('open');

    // The Wi-Fi drops and comes back: the hub cannot resume, a fresh snapshot, a refetch of everything.
    sockets[0].drop();
    await flush(300);
    list = held<Answer>(); // the list of polls is slow (read while p1 was still open)
    sockets[1].open();
    sockets[1].msg({ type: 'snapshot', seq: 9, data: { epoch: 'E2', state: { meeting, polls: [openForMe] } } });
    await flush();

    // Meanwhile the chair closes the vote: the event, and the GET of the poll it brings, say closed.
    pollNow = closed;
    sockets[1].msg({ seq: 10, type: 'poll.closed', data: { ...poll, status: 'closed', voted: 2 } });
    await flush();
    expect(room.state.get().polls.p1?.status).toBe('closed');

    // The list read before the close arrives last.
    list.release(base('/meetings/m/polls', [openForMe]));
    await flush();
    expect(room.state.get().polls.p1?.status, 'the stale list reopened the poll: the ballot shows for a closed vote').toBe('closed');
    room.stop();
  });

  it('review: a poll the fresh snapshot no longer lists as open stops being open, even when the list GET fails', async () => {
    let listDown = false;
    let onServer = openForMe; // what the server answers for p1: closed once the chair closes it
    handler = (path) => {
      if (path === '/meetings/m/polls' && listDown) return Promise.reject(new TypeError('Failed to fetch'));
      if (path === '/polls/p1') return listDown ? Promise.reject(new TypeError('Failed to fetch')) : { status: 200, body: onServer };
      return base(path, [onServer]);
    };
    const sockets: FakeSocket[] = [];
    const room = new RoomCtl('m', 'u1', { makeSocket: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; }, rand: () => 0 });
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting, polls: [openForMe] } } });
    await flush();
    expect(room.state.get().polls.p1?.status).toBe('open');
    // The tablet sleeps; the chair closes the vote; the events are pruned, so
    // the hub sends a fresh snapshot whose open polls (api/live.md: "an empty
    // list when none is open") no longer include p1. The list GET after it
    // fails on the Wi-Fi that has just come back.
    sockets[0].drop();
    await flush(300);
    onServer = { ...openForMe, status: 'closed' };
    listDown = true;
    sockets[1].open();
    sockets[1].msg({ type: 'snapshot', seq: 40, data: { epoch: 'E2', state: { meeting, polls: [] } } });
    await flush();
    listDown = false;
    await flush(60_000); // a minute later, still connected
    expect(room.state.get().polls.p1?.status, 'the ballot still asks for a vote in a poll the hub says is not open').not.toBe('open');
    room.stop();
  });

  it('review: a GET of the poll in flight when I vote does not undo "your vote is recorded"', async () => {
    const get = held<Answer>();
    handler = (path) => (path === '/polls/p1' ? get.p : base(path, [openForMe]));
    const sockets: FakeSocket[] = [];
    const room = new RoomCtl('m', 'u1', { makeSocket: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; }, rand: () => 0 });
    room.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting } } });
    await flush();
    // My standing is asked again (after check-in, a poll event, a reconnect): read before my vote…
    void room.loadPoll('p1');
    await flush();
    // …and the vote goes through (ui/Poll.tsx: api.vote, then room.voted).
    room.voted('p1');
    expect(room.state.get().polls.p1?.me?.voted).toBe(true);
    get.release({ status: 200, body: openForMe });
    await flush();
    expect(room.state.get().polls.p1?.me?.voted, 'the older answer put the choices back on the ballot after the vote was recorded').toBe(true);
    room.stop();
  });

  it("review: the chair's cockpit does not bring a closed poll back to open (it would offer Close again)", async () => {
    let pollNow: unknown = { ...poll, me: { can_vote: true, voted: false } };
    let list: ReturnType<typeof held<Answer>> | null = null;
    handler = (path) => {
      if (path === '/meetings/m') return { status: 200, body: { ...meeting, my_role: 'chair' } };
      if (path === '/polls/p1') return { status: 200, body: pollNow };
      if (path === '/meetings/m/polls' && list) return list.p;
      return base(path, [pollNow]);
    };
    const room = new LiveRoom('m', 'u1', true);
    room.start();
    hubSockets[0].open();
    hubSockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: { meeting: { ...meeting, my_role: 'chair' } } } });
    await flush();
    expect(room.state.get().polls.p1?.status).toBe('open');

    hubSockets[0].drop();
    await flush(31_000); // the cockpit's socket waits with jitter (Math.random)
    list = held<Answer>();
    hubSockets[1].open();
    hubSockets[1].msg({ type: 'snapshot', seq: 9, data: { epoch: 'E2', state: { meeting: { ...meeting, my_role: 'chair' } } } });
    await flush();

    // The secretary closes the vote from the desk.
    pollNow = closed;
    hubSockets[1].msg({ seq: 10, type: 'poll.closed', data: { ...poll, status: 'closed', voted: 2 } });
    await flush();
    expect(room.state.get().polls.p1?.status).toBe('closed');

    list.release(base('/meetings/m/polls', [{ ...poll, me: { can_vote: true, voted: false } }]));
    await flush();
    expect(room.state.get().polls.p1?.status, 'the stale list reopened the poll in the cockpit').toBe('closed');
    room.stop();
  });
});
