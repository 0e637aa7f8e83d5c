// My account in the browser: a user changes their own password. Their
// other session (an API sign-in made before) ends, this one stays; after
// signing out, the old password no longer signs in and the new one does.
// Its own user, made by the demo's administrator: the demo's users keep
// their password for the other tests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE, PASSWORD, client, launch, shot, signIn, signInForm, tablet } from './lib.mjs';

const T = { timeout: 180000 };
const run = Date.now().toString(36);
const NEW_PASSWORD = `Mật-khẩu-mới ${run}`;
let browser;
let closeBrowser;
let person;
const tabs = [];

/** POST /auth/login with a password; the response. */
function login(username, password) {
  return fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** GET /me with a session's token: its status (401 once the session has ended). */
async function meStatus(token) {
  const r = await fetch(`${BASE}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  await r.arrayBuffer();
  return r.status;
}

before(async () => {
  const admin = await client('admin');
  person = await admin.post('/users', { username: `e2e-acct-${run}`, full_name: 'Lê Thị Tài Khoản', password: PASSWORD, is_admin: false });
  ({ browser, close: closeBrowser } = await launch());
});

after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await closeBrowser?.();
});

describe('my account', () => {
  it('changes my password: the other session ends, this one stays, the old password no longer signs in', T, async () => {
    // Another device of the same person, signed in before the change.
    const other = await client(person.username);
    assert.equal(await meStatus(other.token), 200);

    const t = await tablet(browser, { locale: 'vi-VN', name: 'account' });
    tabs.push(t);
    const { page } = t;
    await signIn(t, person.username);
    await page.getByTestId('to-account').click();
    await page.waitForURL(/\/account$/);
    assert.equal(await page.locator('h1').textContent(), 'Tài khoản của tôi');
    assert.equal(await page.getByTestId('account-username').textContent(), person.username);
    assert.equal(await page.getByTestId('account-fullname').textContent(), 'Lê Thị Tài Khoản');
    assert.equal(await page.getByTestId('account-type').textContent(), 'Người dùng');

    const form = page.getByTestId('change-password-form');
    await form.locator('input[name=current_password]').fill(PASSWORD);
    await form.locator('input[name=new_password]').fill(NEW_PASSWORD);
    await form.locator('input[name=repeat_password]').fill(NEW_PASSWORD);
    await shot(page, 'account-vi');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/password'));
    await page.getByTestId('change-password').click();
    assert.equal((await answer).status(), 204);
    await page.locator('.toast', { hasText: 'Đã đổi mật khẩu' }).waitFor();
    for (const name of ['current_password', 'new_password', 'repeat_password']) {
      assert.equal(await form.locator(`input[name=${name}]`).inputValue(), '', `${name} is cleared`);
    }

    // The other session has ended; this one stays.
    assert.equal(await meStatus(other.token), 401, 'the session made before the change has ended');
    await page.reload();
    await page.locator('h1', { hasText: 'Tài khoản của tôi' }).waitFor();
    assert.equal(await page.evaluate(async () => (await fetch('/api/v1/me')).status), 200, 'this session stays');

    // Sign out; the old password no longer signs in, the new one does.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await signInForm(t);
    await page.locator('input[name=username]').fill(person.username);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /không đúng/);
    t.errors.splice(0); // the 401 of the old password is expected
    const oldOne = await login(person.username, PASSWORD);
    assert.equal(oldOne.status, 401, 'the old password, through the API');

    await page.locator('input[name=password]').fill(NEW_PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.locator('.meetings').waitFor();
    const newOne = await login(person.username, NEW_PASSWORD);
    assert.equal(newOne.status, 200, 'the new password, through the API');
    assert.deepEqual(t.errors, []);
  });
});
