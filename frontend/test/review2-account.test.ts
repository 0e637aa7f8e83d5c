// Review 2 (web app, My account): when the server refuses the change (403:
// the current password is wrong; 400; 409) the form moves the focus to the
// field the refusal is about (ChangePassword.show). It does so from inside
// useBusy's run(), while busy is still true, so the <fieldset disabled={busy}>
// around every field is still disabled: a browser does not focus a control
// in a disabled fieldset, and the submit button, which had the focus, lost
// it when the fieldset was disabled. The focus is left on the page's body:
// a keyboard or screen-reader user must find the field again from the top.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byName, byTestId, click, disabledControl, installBrowser, notFound, settle, typeInto,
  type Answer, type Call, type FElement,
} from './fake-browser';

let routes: (c: Call) => Answer | undefined = () => undefined;
const me = { id: 'u-an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false };

function defaults(c: Call): Answer {
  if (c.path === '/me') return { status: 200, body: { ...me, disabled: false } };
  if (c.path === '/auth/password' && c.method === 'POST') return { status: 204 };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;

beforeAll(async () => {
  browser = await installBrowser('/account', (c) => routes(c) ?? defaults(c));
});

beforeEach(() => {
  routes = () => undefined;
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

describe('review2: my account, a refused change', () => {
  it('review2: the field a server refusal is about gets the focus (it is not disabled when focused)', async () => {
    routes = (c) => (c.path === '/auth/password' ? { status: 403, body: { error: { code: 'forbidden', message: 'the current password is wrong' } } } : undefined);
    const { Account } = await import('../src/admin/Account');
    browser.preact.render(browser.h(Account, { id: null, me, onSignOut: () => {} }), root as never);
    await settle(12);
    const current = byName(root, 'current_password');
    // Where focus() was called, and whether a browser would have let it land there.
    const focused: { field: string; landed: boolean }[] = [];
    current.focus = () => void focused.push({ field: 'current_password', landed: !disabledControl(current) });
    typeInto(current, 'mat-khau-sai');
    typeInto(byName(root, 'new_password'), 'mat-khau-moi-2026');
    typeInto(byName(root, 'repeat_password'), 'mat-khau-moi-2026');
    await settle(2);
    click(byTestId(root, 'change-password')[0]);
    await settle(12);
    expect(byTestId(root, 'change-password').length).toBe(1);
    expect(focused.at(-1), 'the focus was moved while the fieldset was still disabled: a browser leaves it on the body').toEqual(
      { field: 'current_password', landed: true },
    );
  });
});

describe('review2 (fix): where the focus goes after the answer', () => {
  const fill = () => {
    typeInto(byName(root, 'current_password'), 'mat-khau-cu-2025');
    typeInto(byName(root, 'new_password'), 'mat-khau-moi-2026');
    typeInto(byName(root, 'repeat_password'), 'mat-khau-moi-2026');
  };
  const watchFocus = (names: string[]) => {
    const focused: { field: string; landed: boolean }[] = [];
    for (const n of names) {
      const el = n === 'submit' ? byTestId(root, 'change-password')[0] : byName(root, n);
      el.focus = () => void focused.push({ field: n, landed: !disabledControl(el) });
    }
    return focused;
  };

  it('review2: after a successful change the focus is on the current-password field, which is enabled', async () => {
    const { Account } = await import('../src/admin/Account');
    browser.preact.render(browser.h(Account, { id: null, me, onSignOut: () => {} }), root as never);
    await settle(12);
    const focused = watchFocus(['current_password', 'new_password', 'repeat_password', 'submit']);
    fill();
    await settle(2);
    click(byTestId(root, 'change-password')[0]);
    await settle(12);
    expect(byName(root, 'current_password').value).toBe('');
    expect(focused).toEqual([{ field: 'current_password', landed: true }]);
  });

  it('review2: a refusal about no field (the server is busy) gives the focus back to the button, to try again', async () => {
    routes = (c) => (c.path === '/auth/password' ? { status: 503, body: { error: { code: 'unavailable', message: 'busy' } } } : undefined);
    const { Account } = await import('../src/admin/Account');
    browser.preact.render(browser.h(Account, { id: null, me, onSignOut: () => {} }), root as never);
    await settle(12);
    const focused = watchFocus(['current_password', 'new_password', 'repeat_password', 'submit']);
    fill();
    await settle(2);
    click(byTestId(root, 'change-password')[0]);
    await settle(12);
    expect(byTestId(root, 'account-error')).toHaveLength(1);
    expect(focused).toEqual([{ field: 'submit', landed: true }]);
  });
});
