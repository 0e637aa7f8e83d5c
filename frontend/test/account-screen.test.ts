// My account (src/admin/Account.tsx), rendered with Preact into the small
// DOM of fake-browser.ts against a fake REST server: who I am, and the
// change of my password: the form's own checks (nothing is sent then),
// and each answer of POST /auth/password.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byName, byTestId, click, find, installBrowser, notFound, settle, toasts, typeInto,
  type Answer, type Call, type FElement,
} from './fake-browser';

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;
/** The Retry-After the fake server adds to its next answers (null: none). */
let retryAfter: string | null = null;

const me = { id: 'u-an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false };
let meNow: Record<string, unknown> = { ...me, disabled: false };

function defaults(c: Call): Answer {
  if (c.path === '/me') return { status: 200, body: meNow };
  if (c.path === '/auth/password' && c.method === 'POST') return { status: 204 };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let calls: Call[];
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

const refused = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

beforeAll(async () => {
  browser = await installBrowser('/account', async (c) => (await routes(c)) ?? defaults(c));
  // The fake server's answers, with a Retry-After when the test asks for one.
  const inner = globalThis.fetch;
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const res = await inner(url, init);
    if (retryAfter === null) return res;
    const headers = new Headers(res.headers);
    headers.set('Retry-After', retryAfter);
    return new Response(res.status === 204 ? null : await res.text(), { status: res.status, headers });
  });
});

beforeEach(() => {
  browser.calls.length = 0;
  calls = browser.calls;
  routes = () => undefined;
  retryAfter = null;
  meNow = { ...me, disabled: false };
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
  const i18n = await import('../src/i18n');
  if (i18n.currentLang() !== 'vi') await i18n.setLang('vi', false, true);
});

async function openAccount(who: typeof me = me) {
  const { Account } = await import('../src/admin/Account');
  browser.preact.render(browser.h(Account, { id: null, me: who, onSignOut: () => {} }), root as never);
  await settle(12);
}

const field = (name: string) => byName(root, name);
const sent = () => calls.filter((c) => c.path === '/auth/password');
/** The error under a field, or null: the one its aria-describedby names, which must be shown. */
function errorOf(name: string): string | null {
  const input = field(name);
  const id = input.getAttribute('aria-describedby');
  if (!id) {
    expect(input.getAttribute('aria-invalid'), `${name} is not marked invalid without an error`).not.toBe('true');
    return null;
  }
  expect(input.getAttribute('aria-invalid'), `${name} is marked invalid`).toBe('true');
  const el = find(root, (e) => e.getAttribute('id') === id)[0];
  expect(el, `the error ${id} of ${name} is shown`).toBeTruthy();
  expect(el.getAttribute('role')).toBe('alert');
  return el.textContent;
}
const formError = () => byTestId(root, 'account-error')[0]?.textContent ?? null;

async function fill(current: string, next: string, repeat = next) {
  typeInto(field('current_password'), current);
  typeInto(field('new_password'), next);
  typeInto(field('repeat_password'), repeat);
  await settle(2);
}
async function submit() {
  click(byTestId(root, 'change-password')[0]);
  await settle(12);
}

describe('my account', () => {
  it('shows who I am, as the server tells it now (an administrator may have changed it since I signed in)', async () => {
    meNow = { ...me, full_name: 'Nguyễn Văn An (Sở Tư pháp)', is_admin: true, disabled: false };
    await openAccount();
    expect(byTestId(root, 'account-username')[0].textContent).toBe('daibieu1');
    expect(byTestId(root, 'account-fullname')[0].textContent).toBe('Nguyễn Văn An (Sở Tư pháp)');
    expect(byTestId(root, 'account-type')[0].textContent).toBe(t('account.typeAdmin'));
    expect(find(root, (e) => e.localName === 'h1')[0].textContent).toBe(t('account.title'));
  });

  it('says a user who is not an administrator is an ordinary user', async () => {
    await openAccount();
    expect(byTestId(root, 'account-type')[0].textContent).toBe(t('account.typeUser'));
  });

  it('offers the browser what it needs to fill and save passwords', async () => {
    await openAccount();
    expect(field('current_password').getAttribute('autocomplete')).toBe('current-password');
    expect(field('new_password').getAttribute('autocomplete')).toBe('new-password');
    expect(field('repeat_password').getAttribute('autocomplete')).toBe('new-password');
    for (const n of ['current_password', 'new_password', 'repeat_password']) expect(field(n).getAttribute('type')).toBe('password');
    expect(field('username').getAttribute('autocomplete')).toBe('username');
    expect(field('username').value).toBe('daibieu1');
  });
});

describe('changing my password: the checks before sending', () => {
  it('asks for the current password, and sends nothing', async () => {
    await openAccount();
    await fill('', 'mat-khau-moi-2026');
    await submit();
    expect(errorOf('current_password')).toBe(t('account.err.currentRequired'));
    expect(errorOf('new_password')).toBeNull();
    expect(errorOf('repeat_password')).toBeNull();
    expect(sent()).toEqual([]);
  });

  it('refuses a new password shorter than 8 characters (counted as characters, not bytes)', async () => {
    await openAccount();
    await fill('mat-khau-cu', 'ngắn');
    await submit();
    expect(errorOf('new_password')).toBe(t('admin.err.passwordShort'));
    expect(sent()).toEqual([]);
    // Eight Vietnamese letters are eight characters, though more bytes.
    await fill('mat-khau-cu', 'đượcđược');
    await submit();
    expect(errorOf('new_password')).toBeNull();
    expect(sent()).toHaveLength(1);
  });

  it('refuses a new password over 256 bytes', async () => {
    await openAccount();
    await fill('mat-khau-cu', 'ệ'.repeat(86)); // 86 × 3 bytes
    await submit();
    expect(errorOf('new_password')).toBe(t('admin.err.passwordLong'));
    expect(sent()).toEqual([]);
  });

  it('refuses a control character in the new password (a pasted line break or tab)', async () => {
    await openAccount();
    await fill('mat-khau-cu', 'mat-khau\tmoi-2026');
    await submit();
    expect(errorOf('new_password')).toBe(t('account.err.control'));
    expect(sent()).toEqual([]);
  });

  it('asks for the same new password twice', async () => {
    await openAccount();
    await fill('mat-khau-cu', 'mat-khau-moi-2026', 'mat-khau-moi-2025');
    await submit();
    expect(errorOf('repeat_password')).toBe(t('account.err.mismatch'));
    expect(errorOf('new_password')).toBeNull();
    expect(errorOf('current_password')).toBeNull();
    expect(sent()).toEqual([]);
  });

  it('refuses a new password equal to the current one', async () => {
    await openAccount();
    await fill('mat-khau-cu-2026', 'mat-khau-cu-2026');
    await submit();
    expect(errorOf('new_password')).toBe(t('account.err.same'));
    expect(sent()).toEqual([]);
  });

  it('shows every problem at once, and clears them when the form is right', async () => {
    await openAccount();
    await fill('', 'ngan', 'khac');
    await submit();
    expect(errorOf('current_password')).toBe(t('account.err.currentRequired'));
    expect(errorOf('new_password')).toBe(t('admin.err.passwordShort'));
    expect(errorOf('repeat_password')).toBe(t('account.err.mismatch'));
    expect(sent()).toEqual([]);
    await fill('mat-khau-cu', 'mat-khau-moi-2026');
    await submit();
    expect([errorOf('current_password'), errorOf('new_password'), errorOf('repeat_password')]).toEqual([null, null, null]);
    expect(sent()).toHaveLength(1);
  });
});

describe('changing my password: the server\'s answers', () => {
  it('204: sends the current and the new password once, says so (other devices signed out), and clears the form', async () => {
    await openAccount();
    await fill('mat-khau-cu', 'mat-khau-moi-2026');
    await submit();
    expect(sent()).toEqual([{ method: 'POST', path: '/auth/password', body: { current_password: 'mat-khau-cu', new_password: 'mat-khau-moi-2026' } }]);
    expect(toasts(root)).toContain(t('account.changed'));
    for (const n of ['current_password', 'new_password', 'repeat_password']) expect(field(n).value, n).toBe('');
    expect(formError()).toBeNull();
  });

  it('sends nothing more while the change is on its way (the form is disabled)', async () => {
    let release: (a: Answer) => void = () => {};
    routes = (c) => (c.path === '/auth/password' ? new Promise<Answer>((r) => (release = r)) : undefined);
    await openAccount();
    await fill('mat-khau-cu', 'mat-khau-moi-2026');
    await submit();
    await submit();
    expect(sent()).toHaveLength(1);
    release({ status: 204 });
    await settle(12);
    expect(toasts(root)).toContain(t('account.changed'));
  });

  it('403: the current password is wrong, said under its field; what was typed stays', async () => {
    routes = (c) => (c.path === '/auth/password' ? refused(403, 'forbidden', 'the current password is wrong') : undefined);
    await openAccount();
    await fill('sai-mat-khau', 'mat-khau-moi-2026');
    await submit();
    expect(errorOf('current_password')).toBe(t('account.err.wrongCurrent'));
    expect(errorOf('new_password')).toBeNull();
    expect(formError()).toBeNull();
    expect(field('current_password').value).toBe('sai-mat-khau');
    expect(field('new_password').value).toBe('mat-khau-moi-2026');
  });

  it('400: a known reason about the new password is told in our words, under the new password', async () => {
    const cases: [string, string][] = [
      ['new_password: the same as the current password; choose another', 'account.err.same'],
      ['new_password: at least 8 characters and at most 256 bytes', 'account.err.length'],
      ['new_password: use text only: no NUL or other control characters (tab, line break …) and no bytes that are not UTF-8', 'account.err.control'],
    ];
    await openAccount();
    for (const [message, key] of cases) {
      routes = (c) => (c.path === '/auth/password' ? refused(400, 'invalid', message) : undefined);
      await fill('mat-khau-cu', 'mat-khau-moi-2026');
      await submit();
      expect(errorOf('new_password'), message).toBe(t(key as never));
      expect(formError()).toBeNull();
    }
  });

  it('400: a reason we do not know shows the desk\'s error text', async () => {
    routes = (c) => (c.path === '/auth/password' ? refused(400, 'invalid', 'new_password: a rule of a newer server') : undefined);
    await openAccount();
    await fill('mat-khau-cu', 'mat-khau-moi-2026');
    await submit();
    expect(formError()).toBe(t('desk.err.server', { msg: 'new_password: a rule of a newer server' }));
    expect(errorOf('new_password')).toBeNull();
  });

  it('409: the password was changed meanwhile, said under the current password', async () => {
    routes = (c) => (c.path === '/auth/password' ? refused(409, 'conflict', 'your password was changed meanwhile; try again with the new one') : undefined);
    await openAccount();
    await fill('mat-khau-cu', 'mat-khau-moi-2026');
    await submit();
    expect(errorOf('current_password')).toBe(t('account.err.changedMeanwhile'));
  });

  it('429: too many wrong passwords, and how long to wait (Retry-After, in seconds or minutes)', async () => {
    routes = (c) => (c.path === '/auth/password' ? refused(429, 'rate_limited', 'too many attempts with a wrong password; try again later') : undefined);
    await openAccount();
    retryAfter = '30';
    await fill('sai-mat-khau', 'mat-khau-moi-2026');
    await submit();
    expect(formError()).toBe(t('account.err.tooMany', { wait: t('account.wait.sec', { n: 30 }) }));
    expect(formError()).toContain('30 giây');
    retryAfter = '900';
    await submit();
    expect(formError()).toContain('15 phút');
    retryAfter = null;
    await submit();
    expect(formError()).toBe(t('account.err.tooManySoon'));
  });

  it('503: the server is busy, try again in the seconds it says; a few seconds without Retry-After', async () => {
    routes = (c) => (c.path === '/auth/password' ? refused(503, 'unavailable', 'the server is busy; try again shortly') : undefined);
    await openAccount();
    retryAfter = '2';
    await fill('mat-khau-cu', 'mat-khau-moi-2026');
    await submit();
    expect(formError()).toBe(t('account.err.busy', { wait: t('account.wait.sec', { n: 2 }) }));
    expect(formError()).not.toBe(t('error.network'));
    retryAfter = null;
    await submit();
    expect(formError()).toBe(t('login.busy'));
    // The form is as it was: try again.
    expect(field('new_password').value).toBe('mat-khau-moi-2026');
  });

  it('401: the session ended (an administrator reset it): back to the login, no error on the form', async () => {
    const api = await import('../src/api');
    const ended = vi.fn();
    api.setUnauthorizedHandler(ended);
    routes = (c) => (c.path === '/auth/password' ? refused(401, 'unauthenticated', 'sign in first') : undefined);
    await openAccount();
    await fill('mat-khau-cu', 'mat-khau-moi-2026');
    await submit();
    expect(ended).toHaveBeenCalled();
    expect(formError()).toBeNull();
    expect(errorOf('current_password')).toBeNull();
    api.setUnauthorizedHandler(() => {});
  });

  it('no network: says so', async () => {
    routes = (c) => (c.path === '/auth/password' ? 'network' : undefined);
    await openAccount();
    await fill('mat-khau-cu', 'mat-khau-moi-2026');
    await submit();
    expect(formError()).toBe(t('error.network'));
  });

  it('an error shown is told again in the other language when the language changes', async () => {
    routes = (c) => (c.path === '/auth/password' ? refused(403, 'forbidden', 'the current password is wrong') : undefined);
    await openAccount();
    await fill('sai-mat-khau', 'mat-khau-moi-2026');
    await submit();
    expect(errorOf('current_password')).toBe('Mật khẩu hiện tại không đúng.');
    const i18n = await import('../src/i18n');
    await i18n.setLang('en', false, true);
    await settle(12);
    expect(errorOf('current_password')).toBe('The current password is wrong.');
  });
});

describe("the server's wording the account screens read (no reason word on these refusals)", () => {
  it('is still what the Go services write', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const go = ['account/account.go', 'account/password_change.go', 'account/store.go']
      .map((f) => readFileSync(join(__dirname, '../..', f), 'utf8'))
      .join('\n');
    // Account.tsx badNewPassword, Admin.tsx changeUser.
    for (const phrase of ['the same as the current password', 'at least 8 characters and at most 256 bytes', 'use text only',
      'is the last enabled administrator']) {
      expect(go, phrase).toContain(phrase);
    }
  });
});
