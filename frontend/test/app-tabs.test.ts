// Another tab of the same browser signs in or out (ui/App.tsx): the session
// cookie is shared, so this tab asks who is signed in now. Someone other than
// the user it shows sends it back to the sign-in screen: it never acts for
// one person on another's screens. At the sign-in screen it takes the new
// sign-in.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { byTestId, find, installBrowser, notFound, settle, type FElement } from './fake-browser';

vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

const KEY = 'curia.signedIn';
const people: Record<string, { id: string; username: string; full_name: string; is_admin: boolean }> = {
  an: { id: 'an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false },
  binh: { id: 'binh', username: 'daibieu2', full_name: 'Trần Văn Bình', is_admin: false },
};
/** Whose session the shared cookie holds (null: none). */
let session: string | null = 'an';
const store = new Map<string, string>([[KEY, '1']]);
const win = new EventTarget();
let root: FElement;

/** What another tab does to the shared flag: this tab hears a 'storage' event. */
function otherTab(on: boolean, who: string | null): void {
  session = who;
  if (on) store.set(KEY, '1');
  else store.delete(KEY);
  win.dispatchEvent(Object.assign(new Event('storage'), { key: KEY }));
}

const shown = () => ({
  login: find(root, (e) => e.tagName === 'INPUT' && e.getAttribute('name') === 'password').length > 0,
  who: root.textContent ?? '',
});

beforeAll(async () => {
  const browser = await installBrowser('/', (c) => {
    if (c.path === '/me') return session ? { status: 200, body: people[session] } : { status: 401, body: { error: { code: 'unauthenticated', message: 'sign in' } } };
    if (c.path === '/meetings') return { status: 200, body: { meetings: [] } };
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

describe('another tab of this browser', () => {
  it('signs out: this tab goes to the sign-in screen; someone signs in there: this tab takes them', async () => {
    expect(shown().who).toContain('Nguyễn Văn An');
    otherTab(false, null);
    await settle(20, 5);
    expect(shown().login, 'the sign-in screen').toBe(true);
    otherTab(true, 'binh');
    await settle(20, 5);
    expect(shown().login).toBe(false);
    expect(shown().who).toContain('Trần Văn Bình');
  });

  it('signs in as someone else without signing out here: back to the sign-in screen, not on their screens', async () => {
    expect(shown().who).toContain('Trần Văn Bình');
    otherTab(true, 'an');
    await settle(20, 5);
    expect(shown().login, 'Bình’s screens no longer act for An').toBe(true);
    expect(byTestId(root, 'to-account')).toHaveLength(0);
  });
});
