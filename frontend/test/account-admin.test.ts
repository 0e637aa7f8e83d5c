// The administrator right in the users table (src/admin/Admin.tsx): granted
// and removed with a confirmation, never offered on my own row, and the
// server's "last enabled administrator" refusal in our words; the links to
// My account; and the sign-in screen when the server is busy (503).
// Rendered with Preact into the small DOM of fake-browser.ts.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byName, byTestId, click, conflict, find, installBrowser, notFound, settle, toasts, typeInto,
  type Answer, type Call, type FElement,
} from './fake-browser';

// The sign-in screen and the list of meetings warm up the room's code and pdf.js: not here.
vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

const me = { id: 'u-admin', username: 'admin', full_name: 'Quản trị hệ thống', is_admin: true };
const usersOf = () => [
  { id: 'u-admin', username: 'admin', full_name: 'Quản trị hệ thống', is_admin: true, disabled: false },
  { id: 'u-hoa', username: 'hoa', full_name: 'Trần Thị Hoa', is_admin: true, disabled: false },
  { id: 'u-an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false, disabled: false },
];
let users = usersOf();

function defaults(c: Call): Answer {
  if (c.path === '/users' && c.method === 'GET') return { status: 200, body: { users } };
  const m = /^\/users\/([^/]+)$/.exec(c.path);
  if (m && c.method === 'PATCH') {
    const u = users.find((x) => x.id === m[1]);
    if (!u) return notFound;
    Object.assign(u, c.body as object);
    return { status: 200, body: u };
  }
  if (c.path === '/meetings') return { status: 200, body: { meetings: [] } };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let calls: Call[];
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  browser = await installBrowser('/admin', async (c) => (await routes(c)) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  calls = browser.calls;
  routes = () => undefined;
  users = usersOf();
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function openAdmin() {
  const { Admin } = await import('../src/admin/Admin');
  browser.preact.render(browser.h(Admin, { id: null, me, onSignOut: () => {} }), root as never);
  await settle(12);
}

const row = (username: string) => find(root, (e) => e.localName === 'tr' && e.getAttribute('data-username') === username)[0];
const patches = () => calls.filter((c) => c.method === 'PATCH');
const dialog = () => byTestId(root, 'confirm')[0];

describe('the administrator right in the users table', () => {
  it('is offered to grant to a user, to remove from another administrator, and never on my own row', async () => {
    await openAdmin();
    expect(byTestId(row('daibieu1'), 'grant-admin')).toHaveLength(1);
    expect(byTestId(row('daibieu1'), 'revoke-admin')).toHaveLength(0);
    expect(byTestId(row('hoa'), 'revoke-admin')).toHaveLength(1);
    expect(byTestId(row('hoa'), 'grant-admin')).toHaveLength(0);
    expect(byTestId(row('admin'), 'grant-admin')).toHaveLength(0);
    expect(byTestId(row('admin'), 'revoke-admin')).toHaveLength(0);
    expect(byTestId(row('daibieu1'), 'grant-admin')[0].getAttribute('aria-label')).toBe(t('admin.grantOf', { name: 'daibieu1' }));
  });

  it('grants it after a confirmation, and shows the user as an administrator', async () => {
    await openAdmin();
    click(byTestId(row('daibieu1'), 'grant-admin')[0]);
    await settle();
    expect(dialog().textContent).toContain(t('admin.grantTitle', { name: 'daibieu1' }));
    expect(dialog().open).toBe(true);
    expect(patches()).toEqual([]);
    click(byTestId(dialog(), 'confirm-ok')[0]);
    await settle(12);
    expect(patches()).toEqual([{ method: 'PATCH', path: '/users/u-an', body: { is_admin: true } }]);
    expect(toasts(root)).toContain(t('admin.grantedOk', { name: 'daibieu1' }));
    expect(dialog()).toBeUndefined();
    // The list is read again: the user is an administrator now.
    expect(row('daibieu1').textContent).toContain(t('admin.admin'));
    expect(byTestId(row('daibieu1'), 'revoke-admin')).toHaveLength(1);
  });

  it('sends nothing when the confirmation is cancelled', async () => {
    await openAdmin();
    click(byTestId(row('hoa'), 'revoke-admin')[0]);
    await settle();
    expect(dialog().textContent).toContain(t('admin.revokeTitle', { name: 'hoa' }));
    const cancel = find(dialog(), (e) => e.localName === 'button' && e.textContent === t('common.cancel'))[0];
    click(cancel);
    await settle();
    expect(dialog()).toBeUndefined();
    expect(patches()).toEqual([]);
  });

  it('removes it after a confirmation', async () => {
    await openAdmin();
    click(byTestId(row('hoa'), 'revoke-admin')[0]);
    await settle();
    click(byTestId(dialog(), 'confirm-ok')[0]);
    await settle(12);
    expect(patches()).toEqual([{ method: 'PATCH', path: '/users/u-hoa', body: { is_admin: false } }]);
    expect(toasts(root)).toContain(t('admin.revokedOk', { name: 'hoa' }));
    expect(byTestId(row('hoa'), 'grant-admin')).toHaveLength(1);
  });

  it('tells the "last enabled administrator" refusal (409) in our words', async () => {
    routes = (c) => (c.method === 'PATCH' && c.path === '/users/u-hoa'
      ? conflict('hoa is the last enabled administrator: make someone else an administrator first')
      : undefined);
    await openAdmin();
    click(byTestId(row('hoa'), 'revoke-admin')[0]);
    await settle();
    click(byTestId(dialog(), 'confirm-ok')[0]);
    await settle(12);
    const shown = toasts(root);
    expect(shown).toContain(t('admin.err.lastAdmin', { name: 'hoa' }));
    expect(shown.join(' ')).not.toContain('last enabled administrator');
    expect(byTestId(row('hoa'), 'revoke-admin'), 'still an administrator').toHaveLength(1);
  });

  it('tells the same refusal of disabling the last administrator in our words too', async () => {
    routes = (c) => (c.method === 'PATCH' && c.path === '/users/u-hoa'
      ? conflict('hoa is the last enabled administrator: make someone else an administrator first')
      : undefined);
    await openAdmin();
    click(byTestId(row('hoa'), 'disable-user')[0]);
    await settle();
    click(byTestId(dialog(), 'confirm-ok')[0]);
    await settle(12);
    expect(toasts(root)).toContain(t('admin.err.lastAdmin', { name: 'hoa' }));
  });
});

describe('the links to My account', () => {
  it('are in the users screen\'s header', async () => {
    await openAdmin();
    const link = byTestId(root, 'to-account')[0];
    expect(link.getAttribute('href')).toBe('/account');
    expect(link.textContent).toBe(t('account.title'));
  });

  it('are in the list of meetings\' header, for everyone (not only administrators)', async () => {
    const { Meetings } = await import('../src/ui/Meetings');
    browser.preact.render(browser.h(Meetings, { me: { id: 'u-an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false }, onSignOut: () => {} }), root as never);
    await settle(12);
    const link = byTestId(root, 'to-account')[0];
    expect(link.getAttribute('href')).toBe('/account');
    expect(link.textContent).toBe(t('meetings.account'));
  });

  it('route /account to its own screen, and back', async () => {
    const { pathOf, route } = await import('../src/router');
    expect(route('/account')).toEqual({ name: 'account' });
    expect(route('/account/')).toEqual({ name: 'account' });
    expect(pathOf({ name: 'account' })).toBe('/account');
  });
});

describe('the sign-in screen', () => {
  async function signIn(answer: Answer) {
    routes = (c) => (c.path === '/auth/login' ? answer : undefined);
    const { Login } = await import('../src/ui/Login');
    const onIn = vi.fn();
    browser.preact.render(browser.h(Login, { onIn }), root as never);
    await settle();
    typeInto(byName(root, 'username'), 'daibieu1');
    typeInto(byName(root, 'password'), 'curia-demo');
    await settle(2);
    click(find(root, (e) => e.localName === 'button' && e.getAttribute('type') === 'submit')[0]);
    await settle(12);
    return { onIn, error: find(root, (e) => e.getAttribute('role') === 'alert')[0]?.textContent ?? null };
  }
  const refused = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

  it('503: says the server is busy and to try again in a few seconds, not that the network failed', async () => {
    const { onIn, error } = await signIn(refused(503, 'unavailable', 'the server is busy; try again shortly'));
    expect(error).toBe(t('login.busy'));
    expect(error).not.toBe(t('error.network'));
    expect(onIn).not.toHaveBeenCalled();
  });

  it('keeps its other messages: a wrong password (401), too many attempts (429), no network', async () => {
    expect((await signIn(refused(401, 'unauthenticated', 'wrong username or password'))).error).toBe(t('login.wrong'));
    expect((await signIn(refused(429, 'rate_limited', 'too many attempts'))).error).toBe(t('login.tooMany'));
    expect((await signIn('network')).error).toBe(t('error.network'));
  });
});
