// The server's clock as timers see it (api.ts serverNow, from the Date headers
// of REST answers): steady while readings wobble by the Date header's second,
// moved when the tablet's clock is really off.
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.resetModules();
});

/** A fresh api.ts, with fetch answering 204 and the given Date header, and the tablet's clock at `now`. */
async function load() {
  const mod = await import('../src/api');
  let now = 1_800_000_000_000;
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  let serverAt = now;
  vi.stubGlobal('fetch', async () => new Response(null, { status: 204, headers: { Date: new Date(serverAt).toUTCString() } }));
  const answer = async (offsetMs: number) => {
    serverAt = now + offsetMs;
    await mod.request('POST', '/x');
    return mod.serverNow() - now;
  };
  return { answer, tick: (ms: number) => void (now += ms) };
}

describe('the server clock', () => {
  it('does not jump back and forth for a clock 1.2 s off, whose readings wobble across the 1.5 s threshold', async () => {
    const { answer, tick } = await load();
    const used: number[] = [];
    for (let i = 0; i < 20; i++) {
      tick(777); // readings at every phase of the Date header's second: 0.7 to 1.7 s
      used.push(await answer(1200));
    }
    const changes = used.filter((v, i) => i > 0 && v !== used[i - 1]).length;
    expect(changes, `offsets used: ${used.join(', ')}`).toBeLessThanOrEqual(1);
    expect(Math.abs(used[used.length - 1] - 1200)).toBeLessThanOrEqual(1200);
  });

  it('follows a clock that is really off, and one that is put right', async () => {
    const { answer, tick } = await load();
    expect(Math.abs(await answer(0))).toBeLessThanOrEqual(1500);
    tick(1000);
    const off = await answer(60_000); // the tablet's clock a minute slow
    expect(Math.abs(off - 60_000)).toBeLessThanOrEqual(1000);
    tick(1000);
    expect(await answer(60_400), 'a wobble of the same minute keeps the offset').toBe(off);
    tick(1000);
    expect(Math.abs(await answer(0)), 'the clock put right').toBeLessThanOrEqual(1000);
  });
});
