// A part of the app that failed to download is asked for again until it
// comes, and the page is loaded again when the server answers but the part
// still does not come (a new version: the old names are gone) — unless the
// part is an optional layer, or a reload would lose text being typed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FElement, type FNode, click, disabledControl, dispatch, event, find, makeDocument } from './fake-browser';

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

/**
 * A text field as the app leaves it: Preact sets its value as a property,
 * never the attribute, so its defaultValue stays empty. The fake DOM's
 * element, with what editing() reads of a field besides.
 */
class Field extends FElement {
  type = 'text';
  defaultValue = '';
  readOnly = false;
  editable = false;
  get isContentEditable(): boolean { return this.editable; }
  get isConnected(): boolean {
    return (this.ownerDocument as ReturnType<typeof makeDocument>).documentElement.contains(this);
  }
  matches(selector: string): boolean {
    if (selector !== ':disabled') throw new Error(`matches(${selector}): not in this fake`);
    return disabledControl(this); // its own flag, or a disabled fieldset around it
  }
}

type Tree = FElement | string;

/**
 * Stubs a document whose body holds the given tree, before chunks.ts is
 * loaded (it listens to the document as it loads). el() makes elements:
 * input, textarea and any element with editable: true are Fields.
 */
function page() {
  const doc = makeDocument();
  // A document's: editing() went through the page's fields with it before review 9.
  const querySelectorAll = () => find(doc.body, (e) => e instanceof Field && !e.editable);
  vi.stubGlobal('document', Object.assign(doc, { activeElement: doc.body, querySelectorAll }));
  const el = (name: string, props: Record<string, unknown> = {}, ...children: Tree[]): FElement => {
    const e = name === 'input' || name === 'textarea' || props.editable ? new Field(name, null) : new FElement(name, null);
    e.ownerDocument = doc;
    Object.assign(e, props);
    for (const c of children) e.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
    return e;
  };
  return { doc, el, show: (...trees: FElement[]) => doc.body.append(...trees) };
}

/**
 * The user types into f until it holds text, as a browser tells it: the
 * focus comes (focusin, unless it is there already), each edit is announced
 * (beforeinput) and made (input). A number's arrows or a date's picker send
 * no beforeinput.
 */
function typeIn(f: FNode, text: string, { focus = true, beforeinput = true } = {}): void {
  const field = f as Field;
  if (focus) dispatch(field, event('focusin', field));
  if (beforeinput) dispatch(field, event('beforeinput', field));
  if (field.editable) field.textContent = text;
  else field.value = text;
  dispatch(field, event('input', field));
}

/**
 * The secretary's desk, as it opens: the meeting's details (a form, in a
 * fieldset the read-only desk disables) and each participant's weight
 * (saved as it is left, no form), all showing saved data.
 */
function desk(p: ReturnType<typeof page>) {
  const { el } = p;
  const title = el('input', { name: 'title', value: 'Council, 12 May' });
  const starts = el('input', { type: 'datetime-local', value: '2026-05-12T09:00' });
  const description = el('textarea', { type: 'textarea', value: 'Budget and staffing' });
  const quorum = el('input', { type: 'number', value: '3' });
  const byWeight = el('input', { type: 'checkbox', value: 'on' });
  const fieldset = el('fieldset', {}, title, starts, description, quorum, byWeight);
  const save = el('button', {}, 'Save');
  const details = el('form', {}, fieldset, save);
  const weight = el('input', { type: 'number', value: '1' });
  p.show(details, el('table', {}, el('tr', {}, el('td', {}, weight))));
  return { title, starts, description, quorum, byWeight, fieldset, save, details, weight };
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

  it('reloads on a page whose fields show saved data when nothing was typed in them (a checkbox ticked, a field only focused)', async () => {
    const p = page();
    const d = desk(p);
    const { retrying } = await fresh();
    d.byWeight.checked = true;
    dispatch(d.byWeight, event('input', d.byWeight)); // a checkbox's click fires input too: no text typed
    dispatch(d.title, event('focusin', d.title)); // tabbed through
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not reload while a field typed in holds unsaved text, and reloads once it shows what it showed again', async () => {
    const p = page();
    const d = desk(p);
    const { retrying } = await fresh();
    typeIn(d.description, 'Budget, staffing and the hall');
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalled(); // the server answers: a new version
    expect(reload).not.toHaveBeenCalled(); // but a reload would lose the description
    typeIn(d.description, 'Budget and staffing'); // typed back: a reload brings the same back
    await vi.advanceTimersByTimeAsync(8_000); // the next failure
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('weighs a field typed in against what it showed just before the first keystroke, else at the focus, or when its form was last sent', async () => {
    const p = page();
    const d = desk(p);
    const { retrying } = await fresh();
    typeIn(d.quorum, '4', { beforeinput: false }); // the number's arrow: focused at 3
    click(d.save as FElement); // sent: 4 is what it shows now
    typeIn(d.quorum, '5', { focus: false, beforeinput: false }); // the arrow again, the focus still there
    typeIn(d.weight, '2', { beforeinput: false }); // focused at 1
    dispatch(d.title, event('focusin', d.title));
    d.title.value = 'Council, 12 May (moved)'; // another desk renamed the meeting: the live update shows it under the focus
    typeIn(d.title, 'Council, 19 May', { focus: false });
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).not.toHaveBeenCalled();
    typeIn(d.quorum, '4', { focus: false, beforeinput: false });
    typeIn(d.weight, '1', { beforeinput: false });
    typeIn(d.title, 'Council, 12 May (moved)'); // back to the renamed title, not the one first focused
    await vi.advanceTimersByTimeAsync(8_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('reloads once a field that saves itself (a weight, left) says it is saved, not before', async () => {
    const p = page();
    const d = desk(p);
    const { retrying, saved } = await fresh();
    typeIn(d.weight, '2', { beforeinput: false });
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).not.toHaveBeenCalled(); // typed, not yet saved
    saved(d.weight as unknown as HTMLElement);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('reloads once the forms typed in are submitted (saved, or being saved), not before', async () => {
    const p = page();
    const d = desk(p);
    const reason = p.el('input', { value: '' });
    const absent = p.el('form', {}, reason, p.el('button', {}, 'Record'));
    p.show(absent);
    const { retrying } = await fresh();
    typeIn(d.title, 'Council, 19 May');
    typeIn(reason, 'ill');
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).not.toHaveBeenCalled();
    click(d.save as FElement); // the details go: the absence reason, in its own form, is still unsaved
    await vi.advanceTimersByTimeAsync(8_000);
    expect(reload).not.toHaveBeenCalled();
    click(absent.lastChild as FElement);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not count a field typed in that is now disabled by its fieldset, read-only, or gone from the page', async () => {
    const p = page();
    const d = desk(p);
    const rename = p.el('input', { value: 'Budget.pdf' });
    const note = p.el('textarea', { type: 'textarea', value: '' });
    const modal = p.el('div', {}, note);
    p.show(p.el('form', {}, rename), modal);
    const { retrying } = await fresh();
    typeIn(d.title, 'Council, 19 May');
    typeIn(rename, 'Budget 2026.pdf');
    typeIn(note, 'The budget line 4 is');
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).not.toHaveBeenCalled();
    d.fieldset.disabled = true; // the desk turned read-only (the meeting was closed)
    (rename as Field).readOnly = true; // being saved
    await vi.advanceTimersByTimeAsync(8_000);
    expect(reload).not.toHaveBeenCalled(); // the note is still open
    modal.remove(); // the note closed (saved, or given up)
    await vi.advanceTimersByTimeAsync(8_000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not reload while a contenteditable typed in holds text, focused or not, and reloads once it is empty', async () => {
    const p = page();
    const shown = p.el('div', { editable: true }, 'Amendment 3: as agreed'); // saved, never typed in
    const amendment = p.el('div', { editable: true });
    p.show(shown, amendment);
    Object.assign(document, { activeElement: shown });
    const { retrying } = await fresh();
    void retrying(gone);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reload).toHaveBeenCalledTimes(1); // showing saved text, even focused: nothing typed
    typeIn(amendment, 'Amendment 4: ');
    Object.assign(document, { activeElement: p.doc.body }); // the focus left it: the text is still unsaved
    await vi.advanceTimersByTimeAsync(120_000);
    expect(reload).toHaveBeenCalledTimes(1);
    typeIn(amendment, ' ');
    await vi.advanceTimersByTimeAsync(8_000);
    expect(reload).toHaveBeenCalledTimes(2);
  });

  it('does not reload when the health check answers an error', async () => {
    const { retrying, RELOAD_AFTER } = await fresh();
    health = () => Promise.resolve({ ok: false });
    void retrying(flaky(RELOAD_AFTER, 'x').load);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reload).not.toHaveBeenCalled();
  });
});
