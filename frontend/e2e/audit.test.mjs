// The administrator's audit log in the browser: who opened a confidential
// document, found by meeting, document and action; in both languages; paged;
// downloaded as CSV; and refused to someone who is not an administrator.
// Own users and own meeting (dated in the past), never the demo meeting.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { BASE, PASSWORD, client, launch, shot, signIn, tablet } from './lib.mjs';
import { makePdf } from './tools/mkpdf.mjs';

const T = { timeout: 180000 };
const LAPTOP = { width: 1280, height: 800 };
const run = Date.now().toString(36);
let browser;
let closeBrowser;
let meetingId;
let secret;
let open;
const people = {};
const tabs = [];

/** Opens a document's file as username would (the server audits it). */
async function openFile(who, docId) {
  const res = await fetch(`${BASE}/api/v1/documents/${docId}/file`, { headers: { Authorization: `Bearer ${who.token}` } });
  assert.equal(res.status, 200, `${who.user.username} opens ${docId}`);
  await res.arrayBuffer();
}

before(async () => {
  const admin = await client('admin');
  for (const [key, full_name] of [['sec', 'Thư ký Nhật Ký'], ['d1', 'Đại biểu Được Xem'], ['d2', 'Đại biểu Khác']]) {
    people[key] = await admin.post('/users', { username: `e2e-audit-${key}-${run}`, full_name, password: PASSWORD, is_admin: false });
  }
  const sec = await client(people.sec.username);
  const m = await sec.post('/meetings', { title: `E2E nhật ký ${run}`, starts_at: '2025-03-04T08:00:00Z' });
  meetingId = m.id;
  await sec.put(`/meetings/${meetingId}/participants/${people.d1.id}`, { role: 'delegate' });
  await sec.put(`/meetings/${meetingId}/participants/${people.d2.id}`, { role: 'delegate' });
  secret = await sec.upload(meetingId, `mat-${run}.pdf`, makePdf({ pages: 2, label: 'Mat' }),
    { title: `Tờ trình mật ${run}`, confidential: 'true', reader_ids: people.d1.id });
  open = await sec.upload(meetingId, `cong-khai-${run}.pdf`, makePdf({ pages: 1, label: 'Open' }), { title: `Công khai ${run}` });
  const d1 = await client(people.d1.username);
  const d2 = await client(people.d2.username);
  await openFile(d1, secret.id);
  await openFile(d1, secret.id);
  await openFile(d2, open.id);
  ({ browser, close: closeBrowser } = await launch());
});

after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await closeBrowser?.();
});

/** The audit table's rows: [who, action, about, meeting]. */
async function rows(page) {
  return page.locator('[data-testid=audit] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 5).map((td) => td.textContent.trim())));
}

describe('the audit log', () => {
  it('tells an administrator who opened a confidential document, in Vietnamese and in English, and downloads it as CSV', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'admin' });
    tabs.push(t);
    const { page } = t;
    await signIn(t, 'admin');
    await page.goto(`${BASE}/admin`);
    await page.getByTestId('to-audit').click();
    await page.waitForURL(/\/admin\/audit$/);
    assert.equal(await page.locator('h1').textContent(), 'Nhật ký hoạt động');
    await page.locator('[data-testid=audit] tbody tr').first().waitFor();

    const form = page.getByTestId('audit-filter');
    await form.locator('select[name=meeting]').selectOption(meetingId);
    // The administrator is not a reader of the confidential document: the
    // meeting's list of documents does not offer it, and its entries name
    // it by id only (never by title), which is enough to follow it.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=audit] tbody tr')]
      .some((tr) => tr.dataset.action === 'document.uploaded'));
    await form.locator(`select[name=document] option[value="${open.id}"]`).waitFor({ state: 'attached' });
    assert.equal(await form.locator(`select[name=document] option[value="${secret.id}"]`).count(), 0);
    await form.locator('select[name=action]').selectOption('document.opened');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=audit] tbody tr').length === n, 3);
    assert.equal(await page.locator('[data-testid=audit]', { hasText: `Tờ trình mật ${run}` }).count(), 0, 'no confidential title in the log');
    await page.locator('[data-testid=audit] tbody tr', { hasText: secret.id }).first().getByTestId('audit-object').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=audit] tbody tr').length === n, 2);
    assert.equal(await form.locator('select[name=document]').inputValue(), secret.id);
    const who = `${people.d1.full_name} (${people.d1.username})`;
    const want = [who, 'Mở tài liệu', `Tài liệu: ${secret.id}`, `E2E nhật ký ${run}`];
    assert.deepEqual(await rows(page), [want, want], 'both opens by the one reader, and nobody else');
    await shot(page, 'admin-audit');

    // Every action of the document: the upload too, by the secretary.
    await form.locator('select[name=action]').selectOption('');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=audit] tbody tr')]
      .some((tr) => tr.dataset.action === 'document.uploaded'));
    const actions = await page.locator('[data-testid=audit] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
    assert.deepEqual(actions.sort(), ['document.opened', 'document.opened', 'document.uploaded']);

    await page.getByTestId('lang').click();
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Audit log');
    await form.locator('select[name=action]').selectOption('document.opened');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=audit] tbody tr').length === n, 2);
    assert.deepEqual((await rows(page))[0], [who, 'Opened a document', `Document: ${secret.id}`, `E2E nhật ký ${run}`]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
    const csv = await readFile(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\uFEFF'), 'byte-order mark for spreadsheets');
    const lines = csv.slice(1).trimEnd().split('\r\n');
    assert.equal(lines.length, 3, 'a header and the two rows shown');
    for (const l of lines.slice(1)) {
      assert.ok(l.includes(people.d1.id) && l.includes('document.opened') && l.includes(`document:${secret.id}`), l);
    }
    assert.deepEqual(t.errors, []);
  });

  it('lists nothing for a filter nobody matches, and pages back through a long log', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'en-GB', name: 'admin-pages' });
    tabs.push(t);
    const { page } = t;
    await signIn(t, 'admin');
    await page.goto(`${BASE}/admin/audit`);
    const form = page.getByTestId('audit-filter');
    await form.locator(`select[name=actor] option[value="${people.d2.id}"]`).waitFor({ state: 'attached' });
    await form.locator('select[name=actor]').selectOption(people.d2.id);
    await form.locator('select[name=action]').selectOption('vote.cast');
    await page.getByTestId('audit-empty').waitFor();
    assert.equal(await page.locator('[data-testid=audit] tbody tr').count(), 0);

    // One reader's 106 opens are more than a page: "older" adds the rest
    // below, newest first throughout, none twice.
    const d2 = await client(people.d2.username);
    for (let i = 0; i < 105; i++) await openFile(d2, open.id);
    await form.locator('select[name=action]').selectOption('document.opened');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit] tbody tr').length === 100);
    assert.equal(await page.getByTestId('audit-count').textContent(), 'Entries: 100');
    await page.getByTestId('audit-older').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit] tbody tr').length === 106);
    await page.getByTestId('audit-older').waitFor({ state: 'detached' });
    const ids = await page.locator('[data-testid=audit] tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id)));
    assert.ok(ids.every((id, i) => i === 0 || id < ids[i - 1]), `newest first, none twice: ${ids}`);
    assert.deepEqual(t.errors, []);
  });

  it('is refused to someone who is not an administrator', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'secretary' });
    tabs.push(t);
    await signIn(t, people.sec.username);
    await t.page.goto(`${BASE}/admin/audit`);
    await t.page.getByTestId('not-allowed').waitFor();
    assert.equal(await t.page.locator('[data-testid=audit]').count(), 0);
  });
});
