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
// reload the page while a text field holds text typed and not yet saved
// (editing): the next failure asks again, and reloads once nothing is.
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

// Fields whose value is not text a person typed (a checkbox's click fires
// input too), or, for search, not work a reload would lose: a query is
// typed again in a moment, and a filter left in the admin's user list would
// otherwise hold the page back for as long as it is shown.
const NOT_TEXT = /^(button|checkbox|color|file|hidden|image|radio|range|reset|search|submit)$/;

// Typed in, not what the page shows. The app sets a field's value as a
// property, never its default (Preact), so value !== defaultValue holds for
// every field showing saved data: the desk's meeting details and weights,
// the cockpit's saved conclusion. Counting those, a page with such a form
// open never reloaded for a chunk gone after an update (review 9). So a
// field counts from the user's first keystroke in it (input), against what
// it showed just before.
//
// What it showed is read when the focus comes (a number's arrows and a
// date's picker change the value with an input and no beforeinput), and
// again at each beforeinput until the first keystroke lands (a live update
// may have changed the field under the focus: its new value is the one a
// reload brings back). Weak: a field only looked at goes with it.
const shownBefore = new WeakMap<HTMLElement, string>();
// The fields typed in, and what each showed before. A Map, to be gone
// through; those that left the page are dropped as the next keystroke or
// editing() finds them, so a closed form is not held for long.
const typed = new Map<HTMLElement, string>();

/** Whether el takes text a person types: a text input, a textarea, a contenteditable. */
function takesText(el: EventTarget | null): el is HTMLElement {
  const t = el as HTMLElement | null;
  if (t?.tagName === 'TEXTAREA') return true;
  if (t?.tagName === 'INPUT') return !NOT_TEXT.test((t as HTMLInputElement).type);
  return t?.isContentEditable === true;
}

const isControl = (el: HTMLElement): el is HTMLInputElement | HTMLTextAreaElement => el.tagName === 'INPUT' || el.tagName === 'TEXTAREA';
const textOf = (el: HTMLElement): string => (isControl(el) ? el.value : el.textContent ?? '');

function forgetRemoved(): void {
  for (const el of typed.keys()) if (!el.isConnected) typed.delete(el); // deleting while going through a Map is safe
}

function watchTyping(doc: Document): void {
  // Capturing, all of them: a handler that stops an event does not hide it.
  const showing = (e: Event): void => {
    if (takesText(e.target) && !typed.has(e.target)) shownBefore.set(e.target, textOf(e.target));
  };
  doc.addEventListener('focusin', showing, true);
  doc.addEventListener('beforeinput', showing, true);
  doc.addEventListener('input', (e) => {
    const el = e.target;
    if (!takesText(el) || typed.has(el)) return;
    forgetRemoved();
    // Never seen before it changed (an autofill into a field not focused): what its markup gave it.
    typed.set(el, shownBefore.get(el) ?? (isControl(el) ? el.defaultValue : ''));
  }, true);
  // A form sent: its fields are saved, or being saved (a refusal shows its
  // error; the next keystroke counts them again). What they show now is what
  // a new keystroke is weighed against.
  doc.addEventListener('submit', (e) => {
    const form = e.target as HTMLElement;
    for (const el of typed.keys()) {
      if (!form.contains(el)) continue;
      typed.delete(el);
      shownBefore.set(el, textOf(el));
    }
  }, true);
}

/**
 * Tells editing() that el's text is saved: for a field that saves itself,
 * outside a form (a participant's weight, saved as it is left). What it
 * shows now is what a new keystroke is weighed against.
 */
export function saved(el: HTMLElement): void {
  typed.delete(el);
  shownBefore.set(el, textOf(el));
}

// In Node (the tests) there is no document, or a stand-in without events.
if (typeof document !== 'undefined' && typeof document.addEventListener === 'function') watchTyping(document);

/**
 * Whether a field of the page holds text a reload would lose: one the user
 * typed in, still on the page, and showing other than it did before (typed
 * back to it, nothing is lost). A field now disabled (itself or by its
 * fieldset: a read-only desk) or read-only is saving, or not the user's to
 * change; a contenteditable counts while it still holds text.
 */
export function editing(): boolean {
  for (const [el, shown] of typed) {
    if (!el.isConnected) {
      typed.delete(el); // gone with its form or screen: there is nothing left to lose
      continue;
    }
    const now = textOf(el);
    if (now === shown) continue;
    if (isControl(el) ? !el.readOnly && !el.matches(':disabled') : el.isContentEditable && now.trim() !== '') return true;
  }
  return false;
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
