// Review 9: editing() counts every filled field as unsaved text, so a
// screen that always shows a filled form (the desk's meeting details: its
// title, its date, each participant's weight; the cockpit's conclusion of
// an item that has one) never reloads for an essential chunk after an
// update: the language switch there waits for its dictionary for ever.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

let reload: ReturnType<typeof vi.fn>;

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const storage = new Map<string, string>();
  reload = vi.fn();
  vi.stubGlobal('sessionStorage', { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) });
  vi.stubGlobal('location', { reload });
  vi.stubGlobal('fetch', vi.fn(() => Promise.resolve({ ok: true }))); // the new version answers
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.resetModules();
});

/** A field as Preact leaves it: `value` set as a property, the attribute (defaultValue) never. */
const shown = (tagName: string, type: string, value: string) =>
  ({ tagName, type, value, defaultValue: '', readOnly: false, disabled: false });

describe('review9: a screen showing saved values', () => {
  it('reloads for an essential chunk gone after an update when nothing was typed (the desk, untouched)', async () => {
    vi.stubGlobal('document', {
      activeElement: { isContentEditable: false, textContent: '' },
      // The desk as it opens: the details form (Details.tsx) and the weights (People.tsx), all saved.
      querySelectorAll: () => [
        shown('INPUT', 'text', 'Council, 12 May'),
        shown('INPUT', 'datetime-local', '2026-05-12T09:00'),
        shown('INPUT', 'text', 'Room 3'),
        shown('TEXTAREA', 'textarea', 'Budget and staffing'),
        shown('INPUT', 'number', '1'),
      ],
    });
    vi.resetModules();
    const { retrying } = await import('../src/chunks');
    // The secretary switches the language: the other dictionary's old name is gone.
    void retrying(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module')));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    // Before the fix: ten minutes, and still no reload (nor ever). Called, not once: the stand-in reload leaves
    // the page running, so it reloads again each minute (RELOAD_EVERY_MS).
    expect(reload).toHaveBeenCalled();
  });
});
