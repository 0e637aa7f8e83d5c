import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveSocket, liveURL, type SocketLike } from '../src/live/socket';
import type { LiveEvent } from '../src/types';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | undefined;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(d: string) { this.sent.push(JSON.parse(d)); }
  close(code?: number) { this.closedWith = code; this.readyState = 3; }
  open() { this.readyState = 1; this.onopen?.({}); }
  msg(m: unknown) { this.onmessage?.({ data: JSON.stringify(m) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose?.({ code }); }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const log: string[] = [];
  const events: LiveEvent[] = [];
  const live = new LiveSocket(
    { url: 'ws://h/api/v1/meetings/m/live', makeSocket: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; }, rand: () => 0 },
    {
      snapshot: (state) => log.push(`snapshot:${JSON.stringify(state)}`),
      event: (ev) => events.push(ev),
      resync: () => log.push('resync'),
      status: (on) => log.push(on ? 'online' : 'offline'),
    },
  );
  return { live, sockets, log, events };
}

describe('LiveSocket', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('applies the snapshot, then events in order, each once', () => {
    const { live, sockets, log, events } = setup();
    live.start();
    const ws = sockets[0];
    ws.open();
    ws.msg({ type: 'snapshot', seq: 10, data: { epoch: 'e1', state: { a: 1 }, online: [] } });
    ws.msg({ seq: 10, type: 'x' }); // raced the snapshot: already in it
    ws.msg({ seq: 11, type: 'presentation.changed', data: { page: 2 } });
    ws.msg({ seq: 12, type: 'skip' });
    ws.msg({ seq: 13, type: 'agenda.changed' });
    expect(log).toEqual(['snapshot:{"a":1}', 'online']);
    expect(events.map((e) => e.seq)).toEqual([11, 13]);
    expect(live.lastSeq).toBe(13);
    live.stop();
  });

  it('reconnects with backoff and resumes with since and epoch', () => {
    const { live, sockets, log, events } = setup();
    live.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: null } });
    sockets[0].msg({ seq: 6, type: 'a' });
    sockets[0].drop();
    expect(log.at(-1)).toBe('offline');
    expect(sockets.length).toBe(1);
    vi.advanceTimersByTime(250); // attempt 0 with rand 0: 250 ms
    expect(sockets.length).toBe(2);
    expect(sockets[1].url).toBe('ws://h/api/v1/meetings/m/live?since=6&epoch=E');
    sockets[1].open();
    sockets[1].msg({ type: 'snapshot', seq: 8, data: { epoch: 'E', resumed: true } });
    sockets[1].msg({ seq: 7, type: 'b' });
    sockets[1].msg({ seq: 8, type: 'c' });
    expect(events.map((e) => e.type)).toEqual(['a', 'b', 'c']);
    expect(log.filter((l) => l.startsWith('snapshot'))).toHaveLength(1); // a resumed snapshot carries no state
    live.stop();
  });

  it('backs off longer after each failure', () => {
    const { live, sockets } = setup();
    live.start();
    sockets[0].drop();
    vi.advanceTimersByTime(250);
    sockets[1].drop();
    vi.advanceTimersByTime(499);
    expect(sockets.length).toBe(2);
    vi.advanceTimersByTime(1);
    expect(sockets.length).toBe(3);
    live.stop();
  });

  it('refetches on resync and starts over without since', () => {
    const { live, sockets, log } = setup();
    live.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: 1 } });
    sockets[0].drop(4001);
    expect(log).toContain('resync');
    vi.advanceTimersByTime(250);
    expect(sockets[1].url).toBe('ws://h/api/v1/meetings/m/live');
    sockets[1].open();
    sockets[1].msg({ type: 'resync' });
    expect(log.filter((l) => l === 'resync')).toHaveLength(2);
    live.stop();
  });

  it('never applies past a gap: it resyncs', () => {
    const { live, sockets, log, events } = setup();
    live.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 5, data: { epoch: 'E', state: 1 } });
    sockets[0].msg({ seq: 7, type: 'late' });
    expect(events).toEqual([]);
    expect(log).toContain('resync');
    vi.advanceTimersByTime(1000);
    expect(sockets[1].url).not.toContain('since');
    live.stop();
  });

  it('tells the hub whether the user follows, also after a reconnect', () => {
    const { live, sockets } = setup();
    live.start();
    sockets[0].open();
    live.setFollowing(false);
    expect(sockets[0].sent).toEqual([{ type: 'follow', following: false }]);
    sockets[0].drop();
    vi.advanceTimersByTime(250);
    sockets[1].open();
    expect(sockets[1].sent).toEqual([{ type: 'follow', following: false }]);
    live.setFollowing(true);
    expect(sockets[1].sent.at(-1)).toEqual({ type: 'follow', following: true });
    live.stop();
  });

  it('drops a silent connection and reconnects', () => {
    const { live, sockets } = setup();
    live.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 1, data: { epoch: 'E', state: null } });
    vi.advanceTimersByTime(20000);
    expect(sockets[0].sent).toContainEqual({ type: 'ping' });
    vi.advanceTimersByTime(40000); // nothing heard for 60 s
    expect(sockets[0].closedWith).toBe(1000);
    vi.advanceTimersByTime(300);
    expect(sockets.length).toBe(2);
    live.stop();
  });

  it('asks the owner to check the session at once when the hub closes with 4003', () => {
    const checks: number[] = [];
    const sockets: FakeSocket[] = [];
    const live = new LiveSocket(
      { url: 'ws://h/api/v1/meetings/m/live', makeSocket: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; }, rand: () => 0 },
      { snapshot: () => {}, event: () => {}, resync: () => {}, status: () => {}, failing: (n) => checks.push(n) },
    );
    live.start();
    sockets[0].open();
    sockets[0].msg({ type: 'snapshot', seq: 1, data: { epoch: 'E', state: null } });
    sockets[0].drop(1006); // Wi-Fi: no check, just reconnect
    expect(checks).toEqual([]);
    vi.advanceTimersByTime(250);
    sockets[1].open();
    sockets[1].msg({ type: 'snapshot', seq: 1, data: { epoch: 'E', resumed: true } });
    sockets[1].drop(4003); // session ended: check now
    expect(checks).toEqual([0]);
    vi.advanceTimersByTime(250);
    expect(sockets.length).toBe(3); // and still reconnect (access changed: may be let in again)
    live.stop();
  });

  it('asks once per close: a 4003 after failed attempts does not check the session twice', () => {
    const checks: number[] = [];
    const sockets: FakeSocket[] = [];
    const live = new LiveSocket(
      { url: 'ws://h/api/v1/meetings/m/live', makeSocket: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; }, rand: () => 0 },
      { snapshot: () => {}, event: () => {}, resync: () => {}, status: () => {}, failing: (n) => checks.push(n) },
    );
    live.start();
    sockets[0].drop(1006); // attempt 1: no check
    vi.advanceTimersByTime(250);
    sockets[1].drop(1006); // attempt 2: no check
    vi.advanceTimersByTime(500);
    expect(checks).toEqual([]);
    sockets[2].drop(4003); // refused on the third: one check, not one for 4003 and one for "keeps failing"
    expect(checks).toEqual([2]);
    vi.advanceTimersByTime(1000);
    expect(sockets.length).toBe(4);
    sockets[3].drop(1006); // still failing, no 4003: checked as before
    expect(checks).toEqual([2, 4]);
    live.stop();
  });

  it('builds the URL for the page origin', () => {
    expect(liveURL('a b', { protocol: 'https:', host: 'x:1' })).toBe('wss://x:1/api/v1/meetings/a%20b/live');
    expect(liveURL('m', { protocol: 'http:', host: 'x' })).toBe('ws://x/api/v1/meetings/m/live');
  });
});

describe('LiveSocket pointer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends pointer messages only while online and hands received ones to ephemeral', () => {
    const sockets: FakeSocket[] = [];
    const eph: LiveEvent[] = [];
    const live = new LiveSocket(
      { url: 'ws://h/api/v1/meetings/m/live', makeSocket: (u) => { const s = new FakeSocket(u); sockets.push(s); return s; }, rand: () => 0 },
      { snapshot: () => {}, event: () => {}, resync: () => {}, status: () => {}, ephemeral: (m) => eph.push(m) },
    );
    live.start();
    const ws = sockets[0];
    expect(live.sendPointer({ kind: 'laser' })).toBe(false);
    ws.open();
    expect(live.sendPointer({ kind: 'laser' })).toBe(false); // no snapshot yet
    ws.msg({ type: 'snapshot', seq: 1, data: { epoch: 'e', state: {} } });
    expect(live.sendPointer({ document_id: 'd', page: 2, kind: 'laser', x: 1, y: 2 })).toBe(true);
    expect(ws.sent).toContainEqual({ type: 'pointer', data: { document_id: 'd', page: 2, kind: 'laser', x: 1, y: 2 } });
    ws.msg({ type: 'pointer', data: { document_id: 'd', page: 2, by: 'u', kind: 'laser', x: 1, y: 2 } });
    expect(eph.map((m) => m.type)).toContain('pointer');
    live.stop();
    expect(live.sendPointer({ kind: 'laser' })).toBe(false);
  });
});
