// The desk's documents tab, in the browser, read back through the API:
// a PDF uploaded with "confidential" ticked and one reader is stored
// confidential with exactly that reader from the first answer, and a
// delegate who is not a reader never sees it (not while it uploads, not
// after); a new version uploaded from a document's row makes it version 2
// while version 1 stays listed and downloadable; a closed meeting's desk
// offers no upload at all.
//
// Like desk.test.mjs it makes its own users and its own meeting (dated in
// the past, closed at the end), never the demo meeting.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BASE, PASSWORD, client, launch, shot, signIn, sleep, tablet } from './lib.mjs';
import { makePdf } from './tools/mkpdf.mjs';

const T = { timeout: 180000 };
const LAPTOP = { width: 1280, height: 800 };
const run = Date.now().toString(36);
let browser;
let closeBrowser;
let admin;
let sec;
let meetingId;
const people = {}; // key -> { id, username, full_name }
const tabs = [];

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** A GET with a user's token that does not throw: its status and body. */
async function raw(api, path) {
  const r = await fetch(`${BASE}/api/v1${path}`, { headers: { Authorization: `Bearer ${api.token}` } });
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
}

/** Polls fn until it returns a truthy value (API read-backs after a UI action). */
async function eventually(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out: ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

/** Drops Chromium's console line for a refused upload (a failed resource of that status): expected, once. */
function expectFailedResource(t, status) {
  const i = t.errors.findIndex((e) => e.includes(`status of ${status}`));
  if (i >= 0) t.errors.splice(i, 1);
}

async function openDocuments(t) {
  await signIn(t, people.sec.username);
  await t.page.goto(`${BASE}/meetings/${encodeURIComponent(meetingId)}/desk#documents`);
  await t.page.getByTestId('doc-list').waitFor({ state: 'attached' });
}

before(async () => {
  admin = await client('admin');
  const make = async (key, full_name) => {
    const username = `e2e-docs-${key}-${run}`;
    people[key] = await admin.post('/users', { username, full_name, password: PASSWORD, is_admin: false });
  };
  await make('sec', 'Thư ký Tài Liệu');
  await make('chair', 'Chủ trì Tài Liệu');
  await make('d1', 'Đại biểu Được Đọc');
  await make('d2', 'Đại biểu Không Đọc');
  sec = await client(people.sec.username);
  const m = await sec.post('/meetings', { title: `E2E tài liệu ${run}`, starts_at: '2025-02-03T08:00:00Z' });
  meetingId = m.id;
  await sec.put(`/meetings/${meetingId}/participants/${people.chair.id}`, { role: 'chair' });
  await sec.put(`/meetings/${meetingId}/participants/${people.d1.id}`, { role: 'delegate' });
  await sec.put(`/meetings/${meetingId}/participants/${people.d2.id}`, { role: 'delegate' });
  ({ browser, close: closeBrowser } = await launch());
});

after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await closeBrowser?.();
});

describe("the desk's documents", () => {
  it('uploads a confidential PDF that a delegate who is not a reader never sees', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'secretary-confidential' });
    tabs.push(t);
    const { page } = t;
    await openDocuments(t);
    const d1 = await client(people.d1.username);
    const d2 = await client(people.d2.username);

    // Delegate 2 watches the meeting's documents the whole time.
    const title = `mat-${run}`;
    const seenByD2 = new Set();
    let polls = 0;
    let watching = true;
    let watchError = null;
    const watcher = (async () => {
      while (watching) {
        const list = (await d2.get(`/meetings/${meetingId}/documents`)).documents;
        for (const d of list) seenByD2.add(d.title);
        polls++;
        await sleep(15);
      }
    })().catch((e) => {
      watchError = e;
    });

    // Tick "confidential": the readers are chosen among the participants; the chair and the secretary always may read.
    let first;
    try {
      await page.getByTestId('upload-confidential').check();
      const choice = page.getByTestId('upload-readers');
      await choice.waitFor();
      const always = await choice.locator('p').first().textContent();
      assert.ok(always.includes(people.chair.full_name) && always.includes(people.sec.full_name), always);
      assert.equal(await choice.locator(`input[data-user="${people.sec.username}"]`).count(), 0, 'the secretary is not a choice');
      assert.equal(await choice.locator(`input[data-user="${people.chair.username}"]`).count(), 0, 'the chair is not a choice');
      await choice.locator(`input[data-user="${people.d1.username}"]`).check();
      await shot(page, 'desk-docs-confidential-upload');

      const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/meetings/${meetingId}/documents`));
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('pick-files').click();
      await (await chooser).setFiles([{ name: `${title}.pdf`, mimeType: 'application/pdf', buffer: makePdf({ pages: 2, label: 'Mat' }) }]);
      const res = await answered;
      // The server's first answer: stored confidential, with its reader, from the start.
      assert.equal(res.status(), 201);
      first = await res.json();
      assert.equal(first.title, title);
      assert.equal(first.confidential, true, 'confidential in the first answer');
      assert.deepEqual(first.readers, [people.d1.id], 'exactly the chosen reader in the first answer');
      await page.locator(`[data-testid=doc-row][data-doc-id="${first.id}"]`).waitFor();
      await page.locator('[data-testid=upload][data-state=done]').waitFor();
      // the upload line says it is confidential
      assert.equal(await page.locator('[data-testid=upload][data-state=done] .badge.warn').count(), 1);
      // a little longer, for any late event or reload to show it
      await sleep(500);
    } finally {
      watching = false;
      await watcher;
    }
    assert.equal(watchError, null);
    assert.ok(polls >= 5, `delegate 2 looked ${polls} times`);
    assert.ok(!seenByD2.has(title), 'delegate 2 saw the confidential document in the list');

    const stored = await sec.get(`/documents/${first.id}`);
    assert.equal(stored.confidential, true);
    assert.deepEqual(stored.readers, [people.d1.id]);
    // the reader may read it; delegate 2 cannot, not even knowing its id
    assert.equal((await d1.get(`/documents/${first.id}`)).confidential, true);
    assert.ok((await d1.get(`/meetings/${meetingId}/documents`)).documents.some((d) => d.id === first.id));
    assert.equal((await raw(d2, `/documents/${first.id}`)).status, 404);
    assert.equal((await raw(d2, `/documents/${first.id}/file`)).status, 404);
    assert.ok(!(await d2.get(`/meetings/${meetingId}/documents`)).documents.some((d) => d.id === first.id));

    // The audit log: uploaded confidential, never changed afterwards (no
    // update, no access change: it was never open), never opened by delegate 2.
    const log = (await admin.get(`/audit?meeting_id=${meetingId}&limit=1000`)).entries.filter((e) => e.object === `document:${first.id}`);
    const uploaded = log.filter((e) => e.action === 'document.uploaded');
    assert.equal(uploaded.length, 1);
    assert.equal(uploaded[0].detail.confidential, true);
    assert.deepEqual(log.filter((e) => e.action === 'document.updated' || e.action === 'document.access_set'), []);
    assert.deepEqual(log.filter((e) => e.actor_id === people.d2.id), []);

    // Unticked, the next file is open again.
    await page.getByTestId('upload-confidential').uncheck();
    assert.equal(await page.getByTestId('upload-readers').count(), 0);
    const answered2 = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/meetings/${meetingId}/documents`));
    const chooser2 = page.waitForEvent('filechooser');
    await page.getByTestId('pick-files').click();
    await (await chooser2).setFiles([{ name: `mo-${run}.pdf`, mimeType: 'application/pdf', buffer: makePdf({ pages: 1, label: 'Mo' }) }]);
    const res2 = await answered2;
    const open = await res2.json();
    assert.equal(open.confidential, false);
    await eventually(async () => (await d2.get(`/meetings/${meetingId}/documents`)).documents.some((d) => d.id === open.id),
      'delegate 2 sees the open document');

    assert.deepEqual(t.errors, []);
  });

  it('uploads a new version from the row; the earlier one stays listed and downloadable', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'en-US', name: 'secretary-version' });
    tabs.push(t);
    const { page } = t;
    const v1 = makePdf({ pages: 3, label: 'Report v1' });
    const doc = await sec.upload(meetingId, `report-${run}.pdf`, v1);
    assert.equal(doc.version, 1);
    await openDocuments(t);
    const row = page.locator(`[data-testid=doc-row][data-doc-id="${doc.id}"]`);
    await row.waitFor();
    assert.equal(await row.getByTestId('doc-versions-toggle').count(), 0, 'no earlier versions yet');

    // a file that is not a PDF is refused with a clear reason, and nothing changes
    let chooser = page.waitForEvent('filechooser');
    await row.getByTestId('doc-new-version').click();
    await (await chooser).setFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a pdf\n') }]);
    await row.locator('[data-testid=version-upload][data-state=failed]').waitFor();
    assert.equal(await row.getByTestId('upload-error').textContent(), 'This file is not a PDF document.');
    expectFailedResource(t, 415);
    assert.equal((await sec.get(`/documents/${doc.id}`)).version, 1);

    // the new version, with its progress line
    const v2 = makePdf({ pages: 5, label: 'Report v2' });
    chooser = page.waitForEvent('filechooser');
    await row.getByTestId('doc-new-version').click();
    await (await chooser).setFiles([{ name: `report-${run}-v2.pdf`, mimeType: 'application/pdf', buffer: v2 }]);
    await row.locator('[data-testid=version-upload][data-state=done]').waitFor();
    await row.getByTestId('doc-version').waitFor();
    assert.equal(await row.getByTestId('doc-version').textContent(), 'Version 2');

    const now = await sec.get(`/documents/${doc.id}`);
    assert.equal(now.version, 2);
    assert.equal(now.pages, 5);
    assert.equal(now.sha256, sha256(v2));
    assert.deepEqual(now.versions.map((v) => v.version).sort(), [1, 2]);
    const old = now.versions.find((v) => v.version === 1);
    assert.equal(old.sha256, sha256(v1));
    assert.equal(old.pages, 3);
    // both versions download as they were uploaded (an open document: no stamp)
    const got1 = await raw(sec, `/documents/${doc.id}/file?version=1`);
    assert.equal(got1.status, 200);
    assert.equal(sha256(got1.body), sha256(v1));
    const got2 = await raw(sec, `/documents/${doc.id}/file`);
    assert.equal(sha256(got2.body), sha256(v2));

    // the row lists version 1 with its time and a link that opens it
    await row.getByTestId('doc-versions-toggle').click();
    const line = row.locator('[data-testid=doc-version-row][data-version="1"]');
    await line.waitFor();
    assert.equal(await row.locator('[data-testid=doc-version-row]').count(), 1, 'only the earlier version is listed');
    assert.match(await line.textContent(), /uploaded .*3 pages/);
    const href = await line.getByTestId('doc-version-open').getAttribute('href');
    assert.match(href, /\/documents\/[^/]+\/file\?version=1$/);
    const viaPage = await page.request.get(new URL(href, BASE).toString());
    assert.equal(viaPage.status(), 200);
    assert.equal(sha256(await viaPage.body()), sha256(v1));
    await shot(page, 'desk-docs-versions');

    // closed, the desk offers no upload at all, but the versions stay readable
    for (const status of ['scheduled', 'live', 'closed']) await sec.post(`/meetings/${meetingId}/status`, { status });
    await page.reload();
    await row.waitFor();
    assert.equal(await page.getByTestId('dropzone').count(), 0);
    assert.equal(await page.getByTestId('doc-new-version').count(), 0);
    assert.equal(await page.getByTestId('doc-version-input').count(), 0);
    await row.getByTestId('doc-versions-toggle').click();
    await row.locator('[data-testid=doc-version-row][data-version="1"]').waitFor();
    await shot(page, 'desk-docs-closed');

    assert.deepEqual(t.errors, []);
  });
});
