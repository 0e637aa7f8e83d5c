// Marks held for their author (annot/backend.ts: a 401, a sign-out, another
// tab's sign-in or sign-out) go when that author signs in again in this tab
// (ui/App.tsx tells api.ts signedInUser whom the sign-in named), not only
// when the author next opens a document; and only that author's: another
// user's held marks keep waiting, a /me asked after another tab's change and
// answered after a sign-in here is not taken for who is signed in, and a
// queue opened while /me is not yet answered waits too.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { byName, click, find, installBrowser, notFound, settle, typeInto, type Answer, type FElement } from './fake-browser';
import type { ApiBackend } from '../src/annot/backend';
import type { Annotation } from '../src/annot/types';

vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

const KEY = 'curia.signedIn';
const people: Record<string, { id: string; username: string; full_name: string; is_admin: boolean }> = {
  an: { id: 'an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false },
  binh: { id: 'binh', username: 'daibieu2', full_name: 'Trần Văn Bình', is_admin: false },
  chi: { id: 'chi', username: 'daibieu3', full_name: 'Lê Thị Chi', is_admin: false },
};
const byUsername = (u: string) => Object.values(people).find((p) => p.username === u);

/** Whose session the browser's cookie holds (null: none). */
let session: string | null = 'an';
/** Each POST of annotations the server took: under whose session, which marks. */
const posts: { session: string; ids: string[] }[] = [];
/** While set, /me answers wait for it (with whom the session named when asked). */
let meGate: Promise<void> | null = null;
const store = new Map<string, string>([[KEY, '1']]);
const win = new EventTarget();
let root: FElement;
let browser: Awaited<ReturnType<typeof installBrowser>>;

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sent = () => posts.flatMap((p) => p.ids.map((id) => `${p.session}:${id}`));
const onSignIn = () => find(root, (e) => e.tagName === 'INPUT' && e.getAttribute('name') === 'password').length > 0;
const unauthenticated: Answer = { status: 401, body: { error: { code: 'unauthenticated', message: 'sign in' } } };

const note = (id: string, author: string, doc = 'd1'): Annotation => ({
  id, document_id: doc, version: 0, page: 1, kind: 'note', shared: false,
  data: { x: 10, y: 10, text: `Ghi chú riêng của ${people[author].full_name}` } as never, author_id: author,
});

/** What another tab of this browser does to the shared flag: this tab hears a 'storage' event. */
function otherTab(on: boolean, who: string | null): void {
  session = who;
  if (on) store.set(KEY, '1');
  else store.delete(KEY);
  win.dispatchEvent(Object.assign(new Event('storage'), { key: KEY }));
}

/** Signs in on this tab's sign-in screen. */
async function signInHere(who: string): Promise<void> {
  await settle(10, 5);
  expect(onSignIn(), 'the sign-in screen').toBe(true);
  typeInto(byName(root, 'username'), people[who].username);
  typeInto(byName(root, 'password'), 'secret');
  await settle(4);
  click(find(root, (e) => e.tagName === 'BUTTON' && e.getAttribute('type') === 'submit')[0]);
  await settle(10, 5);
  expect(onSignIn(), `${who} signed in`).toBe(false);
}

beforeAll(async () => {
  browser = await installBrowser('/', async (c) => {
    if (c.path === '/auth/login') {
      const u = byUsername((c.body as { username: string }).username);
      if (!u) return unauthenticated;
      session = u.id;
      return { status: 200, body: { token: 't', user: u } };
    }
    if (c.path === '/auth/logout') {
      session = null;
      return { status: 204 };
    }
    if (!session) return unauthenticated;
    if (c.path === '/me') {
      const who = session;
      if (meGate) await meGate;
      return { status: 200, body: people[who] };
    }
    if (c.path === '/meetings') return { status: 200, body: { meetings: [] } };
    if (c.method === 'POST' && /^\/documents\/[^/]+\/annotations$/.test(c.path)) {
      const body = c.body as { annotations: Annotation[] };
      posts.push({ session, ids: body.annotations.map((a) => a.id) });
      return { status: 201, body: { annotations: body.annotations.map((a) => ({ ...a, author_id: session, rev: 1 })) } };
    }
    if (c.method === 'GET' && c.path.includes('/annotations')) return { status: 200, body: { annotations: [] } };
    return notFound;
  });
  vi.stubGlobal('window', win);
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  });
  const { App } = await import('../src/ui/App');
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
  browser.preact.render(browser.h(App, {}), root as never);
  await settle(20, 5);
});

describe('marks held for their author resume at sign-in', () => {
  it("An's marks held by a 401 go once An signs in again here, without opening a document", async () => {
    expect(root.textContent).toContain('Nguyễn Văn An');
    const { backendFor } = await import('../src/annot/backend');
    const an = await backendFor('d1', 'an');
    await an.list('d1');
    // An's session ends (expired on the server); An draws a note: its POST meets the 401.
    session = null;
    void an.create(note('an-1', 'an')).catch(() => {});
    await tick(300);
    await settle(10, 5);
    expect(sent()).toEqual([]);
    expect(onSignIn(), 'back to the sign-in screen').toBe(true);
    // An signs in again here and stays on the list of meetings (no document opened).
    await signInHere('an');
    await tick(300);
    expect(sent(), 'the held note went at the sign-in, under An').toEqual(['an:an-1']);
  });

  it("a sign-in resumes only whoever signed in: Bình's held marks stay held, even when a /me asked before the sign-in answers after it", async () => {
    const { backendFor } = await import('../src/annot/backend');
    posts.length = 0;
    // An signs out; Bình signs in on this tablet and draws.
    click(find(root, (e) => e.tagName === 'BUTTON' && e.textContent.trim() === browser.t('common.signOut'))[0]);
    await signInHere('binh');
    const binh = (await backendFor('d2', 'binh')) as ApiBackend;
    await binh.create(note('binh-1', 'binh', 'd2'));
    expect(sent()).toEqual(['binh:binh-1']);
    // Bình's session ends; Bình's next note is held.
    session = null;
    void binh.create(note('binh-2', 'binh', 'd2')).catch(() => {});
    await tick(300);
    await settle(10, 5);
    expect(binh.pending).toBe(1);
    // Bình signs in in another tab: this tab asks /me, whose answer is slow.
    let open!: () => void;
    meGate = new Promise<void>((r) => (open = r));
    otherTab(true, 'binh');
    await settle(4);
    // Meanwhile An signs in here (this tab is at the sign-in screen): the session is An's now.
    await signInHere('an');
    // The /me asked before An's sign-in answers now: it names Bình, who is no longer signed in.
    open();
    meGate = null;
    await settle(10, 5);
    await tick(600);
    expect(sent().filter((s) => s.startsWith('an:')), "Bình's note went out under An's session").toEqual([]);
    expect(binh.pending, "Bình's note still waits for Bình").toBe(1);
    // Nor does this tab take that answer for who is signed in: An stays on An's screens.
    expect(onSignIn(), 'An, just signed in, is not sent back to the sign-in screen').toBe(false);
    expect(root.textContent).toContain('Nguyễn Văn An');
    // Bình's note goes once Bình signs in here.
    click(find(root, (e) => e.tagName === 'BUTTON' && e.textContent.trim() === browser.t('common.signOut'))[0]);
    await signInHere('binh');
    await tick(300);
    expect(sent()).toEqual(['binh:binh-1', 'binh:binh-2']);
  });

  it("a queue opened while the /me after another tab's sign-in is not answered waits, and goes once its author signs in here", async () => {
    const { backendFor } = await import('../src/annot/backend');
    posts.length = 0;
    // Chi signs in here.
    click(find(root, (e) => e.tagName === 'BUTTON' && e.textContent.trim() === browser.t('common.signOut'))[0]);
    await signInHere('chi');
    // In another tab An signs in (the cookie is An's now); this tab's /me is slow.
    let open!: () => void;
    meGate = new Promise<void>((r) => (open = r));
    otherTab(true, 'an');
    await settle(4);
    // Before /me answers, Chi (as this tab still shows) opens a document for the first time and draws.
    const chi = (await backendFor('d3', 'chi')) as ApiBackend;
    void chi.create(note('chi-1', 'chi', 'd3')).catch(() => {});
    await tick(300);
    expect(sent(), "Chi's note went out under An's session").toEqual([]);
    open();
    meGate = null;
    await settle(10, 5);
    await tick(300);
    expect(sent(), "/me names An: Chi's note still waits").toEqual([]);
    expect(chi.pending).toBe(1);
    // This tab, which showed Chi, goes to the sign-in screen (ui/App.tsx); Chi signs in again: Chi's note goes.
    await signInHere('chi');
    await tick(300);
    expect(sent()).toEqual(['chi:chi-1']);
  });
});
