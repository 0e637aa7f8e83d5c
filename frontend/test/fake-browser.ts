// A small browser for rendering whole screens (cockpit, desk, display,
// audit log) with Preact in Node: a DOM of nodes, attributes, properties and
// bubbling events, with a click() that skips disabled controls and submits
// forms; a fake REST server (fetch) whose answers a test chooses, and may
// hold back or fail; and a fake live hub (WebSocket) the test drives:
// snapshot, sequenced events, close codes. Not a test file itself: the
// screen tests import it.
import { vi } from 'vitest';

// ---------------------------------------------------------------- the DOM

type Listener = (e: FakeEvent) => void;

export interface FakeEvent {
  type: string;
  target: FNode;
  currentTarget: FNode | null;
  defaultPrevented: boolean;
  key?: string;
  button?: number;
  preventDefault(): void;
  stopPropagation(): void;
  [k: string | symbol]: unknown;
}

export class FNode {
  childNodes: FNode[] = [];
  parentNode: FNode | null = null;
  nodeType = 1;
  ownerDocument: unknown = null;
  private listeners = new Map<string, Set<Listener>>();
  get firstChild(): FNode | null { return this.childNodes[0] ?? null; }
  get lastChild(): FNode | null { return this.childNodes[this.childNodes.length - 1] ?? null; }
  get nextSibling(): FNode | null {
    const p = this.parentNode;
    if (!p) return null;
    return p.childNodes[p.childNodes.indexOf(this) + 1] ?? null;
  }
  get previousSibling(): FNode | null {
    const p = this.parentNode;
    if (!p) return null;
    return p.childNodes[p.childNodes.indexOf(this) - 1] ?? null;
  }
  insertBefore(n: FNode, ref: FNode | null): FNode {
    if (n.parentNode) n.parentNode.removeChild(n);
    const i = ref ? this.childNodes.indexOf(ref) : -1;
    if (i < 0) this.childNodes.push(n);
    else this.childNodes.splice(i, 0, n);
    n.parentNode = this;
    return n;
  }
  appendChild(n: FNode): FNode { return this.insertBefore(n, null); }
  append(...ns: FNode[]): void { ns.forEach((n) => this.appendChild(n)); }
  removeChild(n: FNode): FNode {
    const i = this.childNodes.indexOf(n);
    if (i >= 0) this.childNodes.splice(i, 1);
    n.parentNode = null;
    return n;
  }
  remove(): void { this.parentNode?.removeChild(this); }
  contains(n: FNode | null): boolean {
    for (let x = n; x; x = x.parentNode) if (x === this) return true;
    return false;
  }
  get textContent(): string { return this.childNodes.map((c) => c.textContent).join(''); }
  set textContent(v: string) {
    this.childNodes.forEach((c) => (c.parentNode = null));
    this.childNodes = [];
    if (v) this.appendChild(new FText(v));
  }
  addEventListener(type: string, fn: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: Listener): void { this.listeners.get(type)?.delete(fn); }
  fire(e: FakeEvent): void {
    e.currentTarget = this;
    for (const fn of [...(this.listeners.get(e.type) ?? [])]) fn.call(this, e);
  }
}

export class FText extends FNode {
  constructor(public data: string) {
    super();
    this.nodeType = 3;
  }
  get textContent(): string { return this.data; }
  set textContent(v: string) { this.data = v; }
}

export class FElement extends FNode {
  readonly attrs = new Map<string, string>();
  style: Record<string, unknown> & { setProperty(k: string, v: string): void } = { setProperty(k, v) { this[k] = v; } };
  value = '';
  checked = false;
  disabled = false;
  hidden = false;
  open = false;
  constructor(readonly localName: string, readonly namespaceURI: string | null) {
    super();
  }
  get tagName(): string { return this.localName.toUpperCase(); }
  get attributes() { return [...this.attrs].map(([name, value]) => ({ name, value })); }
  setAttribute(k: string, v: unknown): void { this.attrs.set(k, String(v)); }
  getAttribute(k: string): string | null { return this.attrs.get(k) ?? null; }
  hasAttribute(k: string): boolean { return this.attrs.has(k); }
  removeAttribute(k: string): void { this.attrs.delete(k); }
  focus(): void {}
  blur(): void {}
  showModal(): void { this.open = true; }
  close(): void { this.open = false; }
  getBoundingClientRect() { return { top: 0, left: 0, width: 100, height: 100, right: 100, bottom: 100 }; }
  setPointerCapture(): void {}
  querySelector(): null { return null; }
  get isContentEditable(): boolean { return false; }
}

export type FakeDocument = ReturnType<typeof makeDocument>;

export function makeDocument() {
  const doc = {
    documentElement: null as unknown as FElement,
    body: null as unknown as FElement,
    visibilityState: 'visible',
    fullscreenElement: null,
    createElementNS: (ns: string | null, name: string) => {
      const el = new FElement(name, ns);
      el.ownerDocument = doc;
      return el;
    },
    createElement: (name: string) => doc.createElementNS(null, name),
    createTextNode: (s: string) => {
      const n = new FText(s);
      n.ownerDocument = doc;
      return n;
    },
    addEventListener: (type: string, fn: Listener) => doc.documentElement.addEventListener(type, fn),
    removeEventListener: (type: string, fn: Listener) => doc.documentElement.removeEventListener(type, fn),
    querySelector: () => null,
    getElementById: (id: string) => find(doc.body, (e) => e.getAttribute('id') === id)[0] ?? null,
  };
  doc.documentElement = doc.createElementNS(null, 'html');
  doc.body = doc.createElementNS(null, 'body');
  doc.documentElement.appendChild(doc.body);
  return doc;
}

/** The elements under root (root included) that pred accepts, in document order. */
export function find(root: FNode, pred: (e: FElement) => boolean): FElement[] {
  const out: FElement[] = [];
  const walk = (n: FNode) => {
    if (n instanceof FElement && pred(n)) out.push(n);
    n.childNodes.forEach(walk);
  };
  walk(root);
  return out;
}

export const byTestId = (root: FNode, id: string) => find(root, (e) => e.getAttribute('data-testid') === id);

/** The form control named name (an input, a select, a textarea). */
export const byName = (root: FNode, name: string) => find(root, (e) => e.getAttribute('name') === name)[0];

export function event(type: string, target: FNode, extra: Record<string, unknown> = {}): FakeEvent {
  return {
    type, target, currentTarget: null, defaultPrevented: false, button: 0, ...extra,
    preventDefault() { this.defaultPrevented = true; },
    stopPropagation() { this.stopped = true; },
  };
}

/** Dispatches an event that bubbles from the target up. */
export function dispatch(target: FNode, e: FakeEvent): void {
  for (let n: FNode | null = target; n && !e.stopped; n = n.parentNode) n.fire(e);
}

/**
 * Whether a control is disabled as a browser sees it: its own flag, or a
 * <fieldset disabled> around it (unless the control is inside that
 * fieldset's first <legend>, which a browser leaves enabled).
 */
export function disabledControl(el: FElement): boolean {
  if (el.disabled) return true;
  let child: FNode = el;
  for (let n = el.parentNode; n; child = n, n = n.parentNode) {
    if (!(n instanceof FElement) || n.localName !== 'fieldset' || !n.disabled) continue;
    const legend = n.childNodes.find((c) => c instanceof FElement && c.localName === 'legend');
    if (child !== legend) return true;
  }
  return false;
}

/**
 * A click as a browser does it: nothing on a disabled control (its own flag
 * or a disabled fieldset's); a submit button submits its form, unless the
 * click's handler prevented that.
 */
export function click(el: FElement): void {
  if (disabledControl(el)) return;
  const e = event('click', el);
  dispatch(el, e);
  if (e.defaultPrevented) return;
  if (el.localName === 'button' && (el.getAttribute('type') ?? 'submit') === 'submit') {
    let form: FNode | null = el.parentNode;
    while (form && !(form instanceof FElement && form.localName === 'form')) form = form.parentNode;
    if (form) dispatch(form, event('submit', form));
  }
}

export function typeInto(el: FElement, value: string): void {
  el.value = value;
  dispatch(el, event('input', el));
}

export function choose(el: FElement, value: string): void {
  el.value = value;
  dispatch(el, event('change', el));
}

/** The texts of the toasts shown under root. */
export const toasts = (root: FNode) => find(root, (e) => /\btoast\b/.test(e.getAttribute('class') ?? '')).map((e) => e.textContent);

// ------------------------------------------------------- the REST server and the hub

/** The live hub's side of a socket: the test opens it, sends messages, drops it. */
export class FakeSocket {
  static readonly all: FakeSocket[] = [];
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close() { this.readyState = 3; }
  open() { this.readyState = 1; this.onopen?.({}); }
  msg(m: unknown) { this.onmessage?.({ data: JSON.stringify(m) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose?.({ code }); }
}

/** The newest socket a screen opened. */
export const lastSocket = (): FakeSocket | undefined => FakeSocket.all[FakeSocket.all.length - 1];

export interface Call { method: string; path: string; body: unknown }
/** An answer of the fake server; 'network': the request fails as with no connection. */
export type Answer = { status: number; body?: unknown } | 'network';

export const notFound: Answer = { status: 404, body: { error: { code: 'not_found', message: 'not found' } } };
export const conflict = (message: string): Answer => ({ status: 409, body: { error: { code: 'conflict', message } } });

/**
 * Installs the browser's globals (document, window, location, storage,
 * fetch, WebSocket) for a screen at pathname. Every request goes to
 * server(call) (an answer, or a promise of one), and is recorded in calls.
 * Loads Preact with effects run soon after a render (there is no
 * requestAnimationFrame here), and the Vietnamese strings.
 */
export async function installBrowser(pathname: string, server: (c: Call) => Answer | Promise<Answer>) {
  const doc = makeDocument();
  const calls: Call[] = [];
  const noop = () => {};
  vi.stubGlobal('document', doc);
  vi.stubGlobal('addEventListener', noop);
  vi.stubGlobal('removeEventListener', noop);
  vi.stubGlobal('window', { addEventListener: noop, removeEventListener: noop });
  vi.stubGlobal('location', { pathname, protocol: 'http:', host: 'h', hash: '' });
  vi.stubGlobal('history', { pushState: noop, replaceState: noop });
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: noop, removeItem: noop });
  vi.stubGlobal('navigator', { languages: ['vi-VN'], language: 'vi-VN' });
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const c: Call = { method: init?.method ?? 'GET', path: String(url).replace(/^\/api\/v1/, ''), body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(c);
    const a = await server(c);
    if (a === 'network') throw new TypeError('Failed to fetch');
    return new Response(a.status === 204 ? null : JSON.stringify(a.body), { status: a.status, headers: { 'Content-Type': 'application/json' } });
  });
  const preact = await import('preact');
  preact.options.requestAnimationFrame = (cb: () => void) => setTimeout(cb, 0);
  const i18n = await import('../src/i18n');
  await i18n.setLang('vi', false, true);
  return { doc, calls, preact, h: preact.h, t: i18n.t };
}

/** Replaces pdf.js and the page viewer with do-nothing stand-ins (presenting is not what the screen tests look at). */
export function stubViewer(): void {
  // warmUp: the room warms pdf.js up as it loads the viewer.
  vi.doMock('../src/viewer/pdf', () => ({ PdfDoc: { get: () => new Promise(() => {}) }, warmUp: () => {} }));
  vi.doMock('../src/viewer/stage', () => ({
    Stage: class {
      destroy() {}
      setDoc() {}
      show() { return Promise.resolve(); }
    },
  }));
  vi.doMock('../src/viewer/Thumbs', () => ({ default: () => null }));
}

/** Lets requests, renders and effects run; ms first waits that long (the desk batches live events for 120 ms). */
export async function settle(rounds = 8, ms = 0): Promise<void> {
  if (ms) await new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
