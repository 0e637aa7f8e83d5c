// The edges of the desk's documents, in the browser: a confidential choice
// when the desk's own role changes, what an administrator who takes no part
// is offered, cancelling a queued file, the keyboard focus during a new
// version, an upload whose session has ended, and the wording of the
// versions list. Own users and own meeting (dated in the past), never the
// demo meeting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE, PASSWORD, client, launch, signIn, signInForm, sleep, tablet } from './lib.mjs';
import { makePdf } from './tools/mkpdf.mjs';

const T = { timeout: 180000 };
const LAPTOP = { width: 1280, height: 800 };
const run = Date.now().toString(36);
let browser;
let closeBrowser;
let admin;
let sec;
let meetingId;
let firstDoc;
const people = {};
const tabs = [];

async function openDocuments(t, username) {
  await signIn(t, username);
  await t.page.goto(`${BASE}/meetings/${encodeURIComponent(meetingId)}/desk#documents`);
  await t.page.getByTestId('doc-list').waitFor({ state: 'attached' });
}

const isUpload = (req) => req.method() === 'POST' && req.url().endsWith(`/meetings/${meetingId}/documents`);

/** The small form fields of a multipart upload as sent (the file part left out). */
function fieldsOf(req) {
  const body = req.postDataBuffer()?.toString('latin1') ?? '';
  const out = {};
  for (const m of body.matchAll(/Content-Disposition: form-data; name="([^"]+)"(; filename="[^"]*")?\r\n(?:[^\r\n]+\r\n)*\r\n([^\r]*)\r\n/g)) {
    if (!m[2]) out[m[1]] = m[3];
  }
  return out;
}

before(async () => {
  admin = await client('admin');
  const make = async (key, full_name, is_admin = false) => {
    const username = `e2e-edge-${key}-${run}`;
    people[key] = await admin.post('/users', { username, full_name, password: PASSWORD, is_admin });
  };
  await make('sec', 'Thư ký Biên');
  await make('adm', 'Quản trị Thư Ký', true);
  await make('d1', 'Đại biểu Một');
  await make('sec2', 'Thư ký Bị Đổi Vai');
  sec = await client(people.sec.username);
  const m = await sec.post('/meetings', { title: `E2E biên ${run}`, starts_at: '2025-02-04T08:00:00Z' });
  meetingId = m.id;
  await sec.put(`/meetings/${meetingId}/participants/${people.adm.id}`, { role: 'secretary' });
  await sec.put(`/meetings/${meetingId}/participants/${people.d1.id}`, { role: 'delegate' });
  await sec.put(`/meetings/${meetingId}/participants/${people.sec2.id}`, { role: 'secretary' });
  firstDoc = await sec.upload(meetingId, `mo-${run}.pdf`, makePdf({ pages: 1, label: 'Mo' }));
  ({ browser, close: closeBrowser } = await launch());
});

after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await closeBrowser?.();
});

describe("the desk's documents at their edges", () => {
  it('sends a confidential choice as made, and drops the choice with its checkbox when the role changes', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'admin-secretary' });
    tabs.push(t);
    const { page } = t;
    await openDocuments(t, people.adm.username);
    const box = page.getByTestId('upload-confidential');
    await box.check();
    // the wording of the choice and of its note
    assert.equal((await page.locator('label.check', { has: box }).textContent()).trim(), 'Tải lên dưới dạng tài liệu mật');
    assert.match(await page.getByTestId('upload-confidential-note').textContent(), /được lưu dưới dạng tài liệu mật/);
    await page.getByTestId('upload-readers').locator(`input[data-user="${people.d1.username}"]`).check();

    // A file chosen confidential is held on its way to the server ...
    const held = [];
    let hold = true;
    await page.route(`**/api/v1/meetings/${meetingId}/documents`, (route) => {
      if (hold && isUpload(route.request())) held.push(route);
      else route.continue();
    });
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('pick-files').click();
    await (await chooser).setFiles([{ name: `chon-mat-${run}.pdf`, mimeType: 'application/pdf', buffer: makePdf({ pages: 1, label: 'Mat' }) }]);
    const until = Date.now() + 10000;
    while (!held.length && Date.now() < until) await sleep(50);
    assert.equal(held.length, 1, 'the upload started');
    assert.deepEqual(fieldsOf(held[0].request()), { confidential: 'true', reader_ids: people.d1.id });

    // ... while the other secretary makes this administrator a delegate: the
    // desk follows its own role (participants.changed, or the hub's 4003)
    // without anything else reloading the meeting.
    await sec.put(`/meetings/${meetingId}/participants/${people.adm.id}`, { role: 'delegate' });
    await box.waitFor({ state: 'detached', timeout: 20000 });
    assert.equal(await page.getByTestId('dropzone').count(), 1, 'an administrator still manages the documents');
    assert.equal(await page.getByTestId('upload-readers').count(), 0);
    assert.equal(await page.getByTestId('upload-confidential-note').count(), 0);

    // The held file goes on as it was chosen: confidential or refused, never open.
    const line = page.locator('[data-testid=upload]').last();
    assert.equal(await line.locator('.badge.warn').count(), 1, 'the line shows the choice it carries');
    const answered = page.waitForResponse((r) => isUpload(r.request()));
    hold = false;
    await held[0].continue();
    const res = await answered;
    const body = await res.json();
    if (res.status() === 201) {
      assert.equal(body.confidential, true, 'chosen confidential, stored open');
      assert.deepEqual((await sec.get(`/documents/${body.id}`)).readers, [people.d1.id]);
    } else {
      assert.equal(res.status(), 403, JSON.stringify(body));
    }
    await line.locator('.up-state').waitFor();

    // The next file: no confidential choice is left, it goes up open and its line says so.
    const answered2 = page.waitForResponse((r) => isUpload(r.request()));
    const chooser2 = page.waitForEvent('filechooser');
    await page.getByTestId('pick-files').click();
    await (await chooser2).setFiles([{ name: `mo-2-${run}.pdf`, mimeType: 'application/pdf', buffer: makePdf({ pages: 1, label: 'Mo 2' }) }]);
    const res2 = await answered2;
    assert.deepEqual(fieldsOf(res2.request()), {});
    assert.equal(res2.status(), 201);
    assert.equal((await res2.json()).confidential, false);
    const line2 = page.locator('[data-testid=upload][data-state=done]').last();
    await line2.waitFor();
    assert.equal(await line2.locator('.badge.warn').count(), 0);

    // Made secretary again: the choice comes back unticked, with no readers chosen.
    await sec.put(`/meetings/${meetingId}/participants/${people.adm.id}`, { role: 'secretary' });
    await box.waitFor({ timeout: 20000 });
    assert.equal(await box.isChecked(), false);
    await box.check();
    assert.equal(await page.getByTestId('upload-readers').locator('input:checked').count(), 0);
    await box.uncheck();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  });

  it('shows no confidential control to an administrator who takes no part', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'en-US', name: 'outside-admin' });
    tabs.push(t);
    const { page } = t;
    await openDocuments(t, 'admin');
    await page.getByTestId('doc-row').first().waitFor();
    assert.equal(await page.getByTestId('dropzone').count(), 1);
    assert.equal(await page.getByTestId('upload-confidential').count(), 0);
    assert.equal(await page.getByTestId('doc-confidential').count(), 0, 'a "Confidential" checkbox on a row');
    assert.equal(await page.getByTestId('doc-readers').count(), 0, 'a "Readers" button on a row');
    assert.ok(await page.getByTestId('doc-rename').count() > 0, 'the rest of the row is offered');
    assert.deepEqual(t.errors, []);
  });

  it('lets a queued file be cancelled; it is never sent', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'en-US', name: 'secretary-queue' });
    tabs.push(t);
    const { page } = t;
    await openDocuments(t, people.sec.username);
    const held = [];
    await page.route(`**/api/v1/meetings/${meetingId}/documents`, (route) => {
      if (!isUpload(route.request())) return route.continue();
      held.push(route); // never answered: the upload stays in flight
    });
    const files = [1, 2, 3, 4].map((i) => ({ name: `q${i}-${run}.pdf`, mimeType: 'application/pdf', buffer: makePdf({ pages: 1, label: `Q${i}` }) }));
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('pick-files').click();
    await (await chooser).setFiles(files);
    const waiting = page.locator('[data-testid=upload][data-state=waiting]');
    await waiting.first().waitFor();
    const until = Date.now() + 10000;
    while (held.length < 3 && Date.now() < until) await sleep(50);
    try {
      assert.equal(held.length, 3, 'three uploads at once');
      assert.equal(await waiting.count(), 1);
      assert.match(await waiting.textContent(), new RegExp(`q4-${run}`));
      const cancel = waiting.getByTestId('upload-cancel');
      assert.equal(await cancel.getAttribute('aria-label'), `Cancel the upload of q4-${run}.pdf`);
      await cancel.click();
      const line = page.locator('[data-testid=upload]', { hasText: `q4-${run}` });
      await line.and(page.locator('[data-state=failed]')).waitFor();
      assert.equal(await line.getByTestId('upload-error').textContent(), 'Upload cancelled.');
      assert.equal(await waiting.count(), 0);
    } finally {
      for (const r of held) await r.abort().catch(() => {});
    }
    // the three that were sending end (refused by the network); the cancelled one never follows
    await page.locator('[data-testid=upload][data-state=failed]').nth(3).waitFor();
    await sleep(800);
    assert.equal(held.length, 3, 'the cancelled file was sent');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    const stored = (await sec.get(`/meetings/${meetingId}/documents`)).documents.map((d) => d.title);
    assert.ok(!stored.some((x) => x.startsWith(`q4-${run}`)), stored.join(', '));
  });

  it('follows a change of its own role', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'en-US', name: 'demoted-secretary' });
    tabs.push(t);
    const { page } = t;
    await openDocuments(t, people.sec2.username);
    await page.getByTestId('upload-confidential').waitFor();
    await sec.put(`/meetings/${meetingId}/participants/${people.sec2.id}`, { role: 'delegate' });
    await page.getByTestId('dropzone').waitFor({ state: 'detached', timeout: 15000 });
    assert.equal(await page.getByTestId('doc-confidential').count(), 0);
    assert.equal(await page.getByTestId('doc-new-version').count(), 0);
    // and back
    await sec.put(`/meetings/${meetingId}/participants/${people.sec2.id}`, { role: 'secretary' });
    await page.getByTestId('dropzone').waitFor({ timeout: 15000 });
  });

  it('keeps the focus on "New version" while the new version uploads', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'en-US', name: 'secretary-focus' });
    tabs.push(t);
    const { page } = t;
    await openDocuments(t, people.sec.username);
    const row = page.locator(`[data-testid=doc-row][data-doc-id="${firstDoc.id}"]`);
    await row.waitFor();
    const held = [];
    await page.route('**/api/v1/documents/*/versions', (route) => held.push(route));
    const button = row.getByTestId('doc-new-version');
    const chooser = page.waitForEvent('filechooser');
    await button.focus();
    await page.keyboard.press('Enter');
    await (await chooser).setFiles([{ name: `v2-${run}.pdf`, mimeType: 'application/pdf', buffer: makePdf({ pages: 1, label: 'V2' }) }]);
    await row.locator('[data-testid=version-upload][data-state=sending], [data-testid=version-upload][data-state=checking]').waitFor();
    await sleep(300);
    try {
      const where = await page.evaluate(() => {
        const a = document.activeElement;
        return a ? `${a.tagName} ${a.getAttribute('data-testid') ?? ''} in row: ${!!a.closest('[data-testid=doc-row]')}` : 'none';
      });
      assert.equal(where, 'BUTTON doc-new-version in row: true', `focus now on ${where}`);
      assert.equal(await button.getAttribute('aria-disabled'), 'true', 'said to be unavailable while the version goes up');
      // Enter again opens no second file choice
      let chosen = false;
      const onChooser = () => { chosen = true; };
      page.on('filechooser', onChooser);
      await page.keyboard.press('Enter');
      await sleep(300);
      page.off('filechooser', onChooser);
      assert.equal(chosen, false, 'a second file choice during the upload');
    } finally {
      for (const r of held) await r.abort().catch(() => {});
    }
    await row.locator('[data-testid=version-upload][data-state=failed]').waitFor();
    assert.equal(await button.getAttribute('aria-disabled'), null, 'available again');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  });

  it('sends the person back to the login when the session ends during an upload', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'en-US', name: 'secretary-session' });
    tabs.push(t);
    const { page } = t;
    await openDocuments(t, people.sec.username);
    // Only the upload hears that the session is gone (a 401).
    await page.route(`**/api/v1/meetings/${meetingId}/documents`, (route) => {
      if (!isUpload(route.request())) return route.continue();
      return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unauthenticated', message: 'sign in first' } }) });
    });
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('pick-files').click();
    await (await chooser).setFiles([{ name: `het-phien-${run}.pdf`, mimeType: 'application/pdf', buffer: makePdf({ pages: 1, label: 'S' }) }]);
    await signInForm(t, 10000);
    assert.equal(await page.getByTestId('dropzone').count(), 0);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  });

  it('says "1 page" and who uploaded an earlier version', T, async () => {
    // version 2 of the one-page document, by the other secretary
    const form = new FormData();
    form.append('file', new Blob([makePdf({ pages: 2, label: 'Mo v2' })], { type: 'application/pdf' }), `mo-v2-${run}.pdf`);
    const r = await fetch(`${BASE}/api/v1/documents/${firstDoc.id}/versions`, { method: 'POST', headers: { Authorization: `Bearer ${sec.token}` }, body: form });
    assert.equal(r.status, 201, await r.text());

    const en = await tablet(browser, { viewport: LAPTOP, locale: 'en-US', name: 'versions-en' });
    tabs.push(en);
    await openDocuments(en, people.sec2.username);
    const row = en.page.locator(`[data-testid=doc-row][data-doc-id="${firstDoc.id}"]`);
    await row.getByTestId('doc-versions-toggle').click();
    const line = row.locator('[data-testid=doc-version-row][data-version="1"]');
    await line.waitFor();
    const text = await line.textContent();
    assert.match(text, /· 1 page ·/);
    assert.doesNotMatch(text, /1 pages/);
    assert.match(text, new RegExp(`by ${people.sec.full_name}`));
    assert.match(await row.textContent(), /2 pages/);

    const vi = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'versions-vi' });
    tabs.push(vi);
    await openDocuments(vi, people.sec2.username);
    const rowVi = vi.page.locator(`[data-testid=doc-row][data-doc-id="${firstDoc.id}"]`);
    await rowVi.getByTestId('doc-versions-toggle').click();
    const lineVi = rowVi.locator('[data-testid=doc-version-row][data-version="1"]');
    await lineVi.waitFor();
    assert.match(await lineVi.textContent(), new RegExp(`người tải lên: ${people.sec.full_name} · 1 trang ·`));
    assert.deepEqual([...en.errors, ...vi.errors], []);
  });
});
