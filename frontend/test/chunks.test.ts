// A part of the app that failed to download is asked for again until it
// comes, and the page is loaded again when the server answers but the part
// still does not come (a new version: the old names are gone) — unless the
// part is an optional layer, or a reload would lose text being typed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Chunks = typeof import('../src/chunks');

let storage: Map<string, string>;
let reload: ReturnType<typeof vi.fn>;
let health: () => Promise<{ ok: boolean }>;

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  storage = new Map();
  reload = vi.fn();
  health = () => Promise.resolve({ ok: true });
  vi.stubGlobal('sessionStorage', { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) });
  vi.stubGlobal('location', { reload });
  vi.stubGlobal('fetch', vi.fn(() => health()));
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.resetModules();
});

const fresh = async (): Promise<Chunks> => {
  vi.resetModules();
  return import('../src/chunks');
};

/** A load that fails n times, then gives value; calls counts the tries. */
function flaky<T>(n: number, value: T) {
  const calls: number[] = [];
  const load = () => {
    calls.push(Date.now());
    return calls.length <= n ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve(value);
  };
  return { load, calls };
}

/** A chunk whose name is gone for good (the server was updated): every try fails. */
const gone = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'));

/** A field of the page, as editing() reads it. */
const field = (tagName: string, value: string, more: Record<string, unknown> = {}) =>
  ({ tagName, type: tagName === 'INPUT' ? 'text' : 'textarea', value, defaultValue: '', readOnly: false, disabled: false, ...more });

/** A page holding these fields, with active focused (the body when null). */
function page(fields: ReturnType<typeof field>[], active: Record<string, unknown> | null = null) {
  const doc = { activeElement: active ?? { isContentEditable: false, textContent: '' }, querySelectorAll: () => fields };
  vi.stubGlobal('document', doc);
  return doc;
}

describe('retrying', () => {
  it('asks again after each failure, waiting longer each time, and gives what finally came', async () => {
    const { retrying } = await fresh();
    const { load, calls } = flaky(3, 'vi');
    let got: string | null = null;
    void retrying(load).then((v) => (got = v));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(374); // first wait: 250–500 ms (375 with this jitter)
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(750 + 1500);
    expect(calls).toHaveLength(4);
    expect(got).toBe('vi');
    const waits = calls.slice(1).map((t, i) => t - calls[i]);
    expect(waits).toEqual([375, 750, 1500]);
    expect(reload).not.toHaveBeenCalled(); // three failures: the network, not a new version
  });

  it('waits at most 8 s between tries, and never gives up', async () => {
    const { retrying } = await fresh();
    const { load, calls } = flaky(20, 1);
    let got = 0;
    void retrying(load).then((v) => (got = v));
    await vi.advanceTimersByTimeAsync(120_000);
    const waits = calls.slice(1).map((t, i) => t - calls[i]);
    expect(Math.max(...waits)).toBe(6000); // 8 s with this jitter: half fixed, half random
    expect(got).toBe(1);
  });

  it('loads the page again after four failures while the server answers, once a minute at most', async () => {
    const { retrying, RELOAD_AFTER } = await fresh();
    void retrying(flaky(RELOAD_AFTER, 'x').load);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith('/healthz', { cache: 'no-store' });

    // The reloaded page fails again at once (the server cannot serve it): no second reload within the minute.
    const again = await fresh();
    void again.retrying(flaky(2 * RELOAD_AFTER, 'x').load);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not reload while the server does not answer (the network is down): it goes on asking', async () => {
    const { retrying, RELOAD_AFTER } = await fresh();
    health = () => Promise.reject(new TypeError('Failed to fetch'));
    const { load, calls } = flaky(RELOAD_AFTER + 2, 'x');
    let got: string | null = null;
    void retrying(load).then((v) => (got = v));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetch).toHaveBeenCalledTimes(3); // from the fourth failure on, each asks
    expect(reload).not.toHaveBeenCalled();
    expect(calls).toHaveLength(RELOAD_AFTER + 3);
    expect(got).toBe('x');
  });

  it('reloads once the server answers again, when it did not at the fourth failure (a restart during an update)', async () => {
    const { retrying } = await fresh();
    let up = false;
    health = () => (up ? Promise.resolve({ ok: true }) : Promise.reject(new TypeError('Failed to fetch')));
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(15_000); // four failures and more, the server still restarting
    expect(reload).not.toHaveBeenCalled();
    up = true; // the new version answers: the old chunk names are gone
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('reloads after the minute when a chunk is still gone and the reload was skipped within it', async () => {
    storage.set('curia.reloadedAt', String(Date.now() - 30_000)); // an update a moment ago
    const { retrying } = await fresh();
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reload).not.toHaveBeenCalled(); // within the minute
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('never reloads for an optional chunk that fails six times while the server answers, and gives it when it comes', async () => {
    const { retrying } = await fresh();
    const { load, calls } = flaky(6, 'pointer');
    let got: string | null = null;
    void retrying(load, { optional: true }).then((v) => (got = v));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled(); // not even asked: an optional layer is no reason to reload
    expect(got).toBe('pointer');
    const waits = calls.slice(1).map((t, i) => t - calls[i]);
    expect(waits).toEqual([375, 750, 1500, 3000, 6000, 6000]); // the same waits as an essential chunk, capped
  });

  it('asks for an optional chunk gone for good without end, at most 8 s apart, and never reloads', async () => {
    const { retrying } = await fresh();
    const calls: number[] = [];
    void retrying(() => (calls.push(Date.now()), gone()), { optional: true });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(reload).not.toHaveBeenCalled();
    const waits = calls.slice(1).map((t, i) => t - calls[i]);
    expect(Math.max(...waits)).toBe(6000);
    expect(calls.length).toBeGreaterThan(95); // still asking after ten minutes
  });

  it('still reloads for an essential chunk failing beside an optional one that never does', async () => {
    const { retrying, RELOAD_AFTER } = await fresh();
    void retrying(gone, { optional: true });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(reload).not.toHaveBeenCalled();
    void retrying(flaky(RELOAD_AFTER, 'screen').load);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not reload while a textarea holds unsaved text, and reloads at the next failure once it is cleared', async () => {
    const { retrying } = await fresh();
    const note = field('TEXTAREA', 'The budget line 4 is');
    page([
      note,
      field('TEXTAREA', "another's note", { readOnly: true }), // shown, not typed here
      field('INPUT', 'locked', { disabled: true }),
      field('INPUT', 'on', { type: 'checkbox' }),
      field('INPUT', 'Budget 2026', { defaultValue: 'Budget 2026' }), // as it came
    ]);
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalled(); // the server answers: a new version
    expect(reload).not.toHaveBeenCalled(); // but a reload would lose the note
    note.value = ''; // saved, or given up
    await vi.advanceTimersByTimeAsync(8_000); // the next failure
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not reload while a focused contenteditable holds text, and reloads once it is blurred', async () => {
    const { retrying } = await fresh();
    const doc = page([field('INPUT', '')], { isContentEditable: true, textContent: 'Amendment: ' });
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).not.toHaveBeenCalled();
    doc.activeElement = { isContentEditable: false, textContent: '' }; // the focus left it
    await vi.advanceTimersByTimeAsync(8_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not reload when the health check answers an error', async () => {
    const { retrying, RELOAD_AFTER } = await fresh();
    health = () => Promise.resolve({ ok: false });
    void retrying(flaky(RELOAD_AFTER, 'x').load);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reload).not.toHaveBeenCalled();
  });
});
