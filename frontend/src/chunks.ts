// The app's code comes in chunks, each fetched when first needed: the
// dictionary, the sign-in form, a screen, the viewer, the annotation layer.
// On the room's Wi-Fi a fetch can fail, and a failed import() is not tried
// again by itself: the page stayed blank (no dictionary), on its splash (no
// sign-in form) or without its document (no viewer) until someone reloaded
// it. retrying asks again, as the live connection reconnects (from 0.5 s,
// doubling to 8 s, with jitter, so a room of tablets does not ask at once),
// until the chunk comes; the browser fetches a module that failed anew on
// the next import().
//
// A chunk can also be gone for good: the server was updated, and the names
// of its chunks changed under a page loaded before. From the fourth failure
// in a row on, each failure asks whether the server answers its health
// check (it may still be restarting at the fourth); when it does, the page
// is loaded again (the new index.html names the new chunks), at most once a
// minute, so that a chunk the server cannot serve does not reload the page
// without end.
//
// A reload loses what was typed and not yet saved (a secretary's half-filled
// form, a delegate's note). So an optional chunk, a layer whose absence
// leaves the screen usable (the presenter's pointer, the thumbnails, the
// cockpit's preview), never reloads the page: it is
// asked for again, with the same waits, and appears when it comes (or with
// the next reload an essential chunk makes). And an essential chunk does not
// reload the page while a text field holds unsaved text (editing): the next
// failure asks again, and reloads once nothing is being edited.
//
// A chunk's stylesheet that failed is fetched again too (watchStylesheets),
// by a copy of its link put in its place, with the same waits: the loader
// Vite builds in asks for a stylesheet once, and a screen whose code came on
// a later try would otherwise stay without its styles.
import { backoff } from './live/backoff';

/** Fetches again, from now on, every stylesheet of the page that fails to load. Called once, at the start. */
export function watchStylesheets(): void {
  document.addEventListener('error', (e) => {
    const link = e.target;
    if (!(link instanceof HTMLLinkElement) || link.rel !== 'stylesheet') return;
    const fails = Number(link.dataset.fails ?? 0) + 1;
    setTimeout(() => {
      const again = link.cloneNode() as HTMLLinkElement;
      again.dataset.fails = String(fails);
      link.replaceWith(again);
    }, backoff(fails - 1, Math.random, 500, 8000));
  }, true); // error events do not bubble: seen on the way down
}

export const RELOAD_AFTER = 4;
export const RELOAD_EVERY_MS = 60_000;
const RELOADED_AT = 'curia.reloadedAt';

export interface RetryOptions {
  /** A layer the screen is usable without: asked for again without end, and never a reason to reload the page. */
  optional?: boolean;
}

/** load(), asked again after each failure until it succeeds: the promise never rejects. */
export function retrying<T>(load: () => Promise<T>, { optional = false }: RetryOptions = {}): Promise<T> {
  return new Promise((resolve) => {
    let fails = 0;
    const attempt = (): void => {
      load().then(resolve, (err: unknown) => {
        fails++;
        console.warn(`curia: a part of the app did not load (${fails}): trying again`, err);
        if (fails >= RELOAD_AFTER && !optional) void reloadIfServed();
        setTimeout(attempt, backoff(fails - 1, Math.random, 500, 8000));
      });
    };
    attempt();
  });
}

// Fields whose value is not text a person typed.
const NOT_TEXT = /^(button|checkbox|color|file|hidden|image|radio|range|reset|submit)$/;

/**
 * Whether a text field of the page holds text a reload would lose: an
 * input or a textarea whose value is not the one it came with (Preact sets
 * the value, not the attribute: a filled field counts, on the safe side),
 * or a focused contenteditable with text in it. Read-only and disabled
 * fields hold nothing of the user's.
 */
export function editing(): boolean {
  if (typeof document === 'undefined') return false;
  for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea'))) {
    if (el.readOnly || el.disabled || (el.tagName === 'INPUT' && NOT_TEXT.test(el.type))) continue;
    if (el.value !== el.defaultValue) return true;
  }
  const active = document.activeElement as HTMLElement | null;
  return !!active?.isContentEditable && (active.textContent ?? '').trim() !== '';
}

/**
 * Loads the page again when the server answers (so it is not the network),
 * it did not within the minute, and nothing typed would be lost.
 */
async function reloadIfServed(): Promise<void> {
  try {
    const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
    if (Date.now() - last < RELOAD_EVERY_MS) return;
    const r = await fetch('/healthz', { cache: 'no-store' });
    if (!r.ok) return;
    if (editing()) return; // unsaved text: the next failure asks again
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
    location.reload();
  } catch {
    /* offline, or no storage: go on asking */
  }
}
