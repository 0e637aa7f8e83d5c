// Review 7: retrying() (src/chunks.ts), the reload when a chunk is gone for
// good. Each test fails on the current code because of the defect it names.
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

/** A chunk whose name is gone for good (the server was updated): every import fails. */
const gone = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'));

describe('review7: the reload when a chunk is gone for good', () => {
  // An update: the server is down for a while (a restart), then answers
  // with the new version, whose chunks have other names. The page's chunk
  // fails while the server is down; the health check made at the fourth
  // failure (~7 s in) finds it still down, so no reload then. When the server
  // is back the chunk still fails (its name is gone), for ever, but
  // reloadIfServed is only asked at exactly the fourth failure
  // (fails === RELOAD_AFTER): the page stays on its splash for good.
  it('reloads once the server answers again, when it did not at the fourth failure (a restart during an update)', async () => {
    const { retrying } = await fresh();
    let up = false;
    health = () => (up ? Promise.resolve({ ok: true }) : Promise.reject(new TypeError('Failed to fetch')));
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(15_000); // four failures and more, the server still restarting
    expect(reload).not.toHaveBeenCalled();
    up = true; // the new version answers: the old chunk names are gone
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(reload).toHaveBeenCalled(); // (location.reload is a stub here: the page goes on, so a fix may call it again a minute on)
  });

  // The page reloaded less than a minute ago (an earlier update, or a chunk
  // that failed then). A chunk that is gone now fails its four tries within
  // the minute: the reload is skipped, and never asked for again, though the
  // server answers and the minute has long passed.
  it('reloads after the minute when a chunk is still gone and the reload was skipped within it', async () => {
    storage.set('curia.reloadedAt', String(Date.now() - 30_000));
    const { retrying } = await fresh();
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reload).not.toHaveBeenCalled(); // within the minute: right
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(reload).toHaveBeenCalled(); // (location.reload is a stub here: the page goes on, so a fix may call it again a minute on)
  });
});

// agenda/store.go's migration fills current_since from became_current_at,
// which is null for the current item of a meeting adjourned at the upgrade
// (an update made during a break). After the resumption that item has
// current_since null (the new server: "not known", not absent) and
// became_current_at the resumption's time; standingResult takes the latter
// as when the item became current and hides the result of that item
// published before the break: a display opened after the resumption
// shows nothing while the ones left open show the result, the very case
// current_since was added for. Unknown start: a poll of the item, as with
// no times at all.
describe('review7: standingResult with current_since null (migrated during a break)', () => {
  it('shows the item’s result published before the break', async () => {
    const { standingResult } = await import('../src/display/result');
    const T0 = Date.parse('2026-11-25T09:00:00Z');
    const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
    const item = {
      id: '1', parent_id: null, number: '1', title: 'Mục 1', duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
      status: 'current', became_current_at: at(70), spent_sec: 600, current_since: null, done_at: null, items: [],
    };
    const poll = {
      id: 'p1', meeting_id: 'm', title: 'Biểu quyết', agenda_item_id: '1', kind: 'motion', secret: false, options: [], max_choices: 1,
      status: 'published', voted: 2, eligible: 2, results: [{ option: 'agree', label: 'Đồng ý', votes: 2, weight: 2 }], outcome: 'adopted',
      me: { can_vote: false, voted: false }, created_at: at(1), opened_at: at(2), closed_at: at(3), published_at: at(4), cancelled_at: null,
    };
    type Args = Parameters<typeof standingResult>;
    expect(standingResult({ p1: poll } as unknown as Args[0], item as unknown as Args[1], null)).toBe('p1');
  });
});
