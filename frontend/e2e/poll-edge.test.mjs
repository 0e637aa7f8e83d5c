// The ballot at its edges, on a tablet in Vietnamese: a vote refused because
// the poll closed meanwhile, a ballot closed by the chair mid-choice, the
// keyboard kept inside the modal ballot, and a delegate removed from the
// meeting while in the room. Each test prepares a meeting of its own through
// the API (the demo meeting is left alone).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE, IPAD, client, launch, signIn, sleep, tablet, waitShown } from './lib.mjs';
import { makePdf } from './tools/mkpdf.mjs';

const T = { timeout: 180000 };
let browser;
let closeBrowser;
let sec;
let chair;
let del1;
let del2;
const contexts = [];

before(async () => {
  [sec, chair, del1, del2] = await Promise.all(['thuky', 'chutri', 'daibieu1', 'daibieu2'].map((u) => client(u)));
  ({ browser, close: closeBrowser } = await launch());
});

after(async () => {
  await Promise.all(contexts.map((c) => c.context.close().catch(() => {})));
  await closeBrowser?.();
});

/** A request the lib's client has no helper for (DELETE). */
async function raw(api, method, path) {
  const r = await fetch(`${BASE}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${api.token}` } });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
}

/** A meeting of our own, in session, its first item current, with two documents on it. */
async function prepare(name) {
  const m = await sec.post('/meetings', { title: `E2E review ${name} ${new Date().toISOString().slice(11, 19)}`, location: 'E2E' });
  await sec.put(`/meetings/${m.id}/participants/${chair.user.id}`, { role: 'chair' });
  await sec.put(`/meetings/${m.id}/participants/${del1.user.id}`, { role: 'delegate' });
  await sec.put(`/meetings/${m.id}/participants/${del2.user.id}`, { role: 'delegate' });
  const item = await sec.post(`/meetings/${m.id}/agenda`, { title: 'Thảo luận dự thảo nghị quyết', duration_min: 20 });
  const docA = await sec.upload(m.id, 'a.pdf', makePdf({ pages: 4, label: 'Review A' }), { title: 'Tờ trình A', agenda_item_id: item.id });
  const docB = await sec.upload(m.id, 'b.pdf', makePdf({ pages: 3, label: 'Review B' }), { title: 'Báo cáo B', agenda_item_id: item.id });
  await sec.post(`/meetings/${m.id}/status`, { status: 'scheduled' });
  await sec.post(`/meetings/${m.id}/status`, { status: 'live' });
  await sec.put(`/meetings/${m.id}/agenda/current`, { item_id: item.id });
  return { m, item, docA, docB };
}

/** daibieu1's tablet in the meeting room, opened from the list of meetings as a user does. */
async function openRoom(name, m, { beforeSignIn } = {}) {
  const t = await tablet(browser, { viewport: IPAD, locale: 'vi-VN', name });
  contexts.push(t);
  if (beforeSignIn) await beforeSignIn(t);
  await signIn(t, 'daibieu1');
  await t.page.locator(`.meetings a.card.meeting[href="/meetings/${m.id}"]`).click();
  await t.page.waitForURL(`**/meetings/${m.id}`);
  await t.page.getByTestId('speakbar').waitFor();
  return t;
}

const docButton = (page, title) => page.locator('button.doc', { hasText: title });

describe('the ballot at its edges, and a delegate removed', () => {
  it('a vote confirmed after the poll was closed (live updates stalled) is not reported as recorded', T, async () => {
    const s = await prepare('vote');
    await sec.post(`/meetings/${s.m.id}/attendance`, { user_id: del1.user.id, state: 'present' });
    const poll = await chair.post(`/meetings/${s.m.id}/polls`, { title: 'Thông qua dự thảo nghị quyết', secret: false, agenda_item_id: s.item.id });
    await chair.post(`/polls/${poll.id}/open`);
    let stalled = false;
    const t = await openRoom('vote', s.m, {
      // The tablet's live connection, through a relay that can stall (a Wi-Fi that holds frames back).
      beforeSignIn: (x) => x.page.routeWebSocket(/\/api\/v1\/meetings\/[^/]+\/live/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((msg) => { if (!stalled) ws.send(msg); });
        ws.onMessage((msg) => server.send(msg));
      }),
    });
    await t.page.getByTestId('ballot').waitFor({ timeout: 20000 });
    await t.page.locator('button.option[data-option="agree"]').click();
    await t.page.getByTestId('cast-vote').click();
    stalled = true;
    await chair.post(`/polls/${poll.id}/close`); // the chair closes the vote meanwhile
    await sleep(500);
    await t.page.getByTestId('confirm-vote').click();
    await sleep(3000);
    const recorded = await t.page.getByTestId('vote-recorded').count();
    const mine = await del1.get(`/polls/${poll.id}`);
    assert.equal(mine.me?.voted, false, 'precondition: the server did not count the vote');
    assert.equal(recorded, 0, 'the ballot says "Phiếu biểu quyết của bạn đã được ghi nhận." (your vote is recorded) for a vote the server refused (409: the poll is closed)');
    await t.page.getByTestId('ended-standing').waitFor({ timeout: 5000 });
    const notice = ((await t.page.getByTestId('ballot-ended').textContent()) ?? '').trim();
    assert.match(notice, /Biểu quyết đã kết thúc\./, 'the delegate is told the vote has ended');
    assert.match(notice, /Không có phiếu nào của bạn được ghi nhận\./, 'and that their vote did not count');
  });

  it('a ballot closed by the chair while the delegate is choosing tells them the vote has ended', T, async () => {
    const s = await prepare('closed-ballot');
    await sec.post(`/meetings/${s.m.id}/attendance`, { user_id: del1.user.id, state: 'present' });
    const poll = await chair.post(`/meetings/${s.m.id}/polls`, { title: 'Thông qua chương trình', secret: false, agenda_item_id: s.item.id });
    await chair.post(`/polls/${poll.id}/open`);
    const t = await openRoom('closed-ballot', s.m);
    await t.page.getByTestId('ballot').waitFor({ timeout: 20000 });
    await t.page.locator('button.option[data-option="agree"]').click(); // choosing…
    await chair.post(`/polls/${poll.id}/close`);
    await t.page.getByTestId('ballot').waitFor({ state: 'detached', timeout: 10000 }).catch(() => {});
    await sleep(1000);
    const ballot = await t.page.getByTestId('ballot').count();
    const toasts = ((await t.page.locator('.toasts').textContent()) ?? '').trim();
    const pill = await t.page.getByTestId('reopen-ballot').count();
    assert.ok(ballot > 0 || toasts !== '' || pill > 0, 'the ballot vanished mid-choice with no word (no toast, no notice): did my vote count? was it closed?');
    // in place of the choices: the vote has ended, and (asked of the server) no vote of theirs counted
    await t.page.getByTestId('ended-standing').waitFor({ timeout: 5000 });
    assert.match((await t.page.getByTestId('ballot-ended').textContent()) ?? '', /Biểu quyết đã kết thúc\..*Không có phiếu nào của bạn được ghi nhận\./s);
    const dialog = t.page.getByTestId('ballot');
    assert.ok(await dialog.evaluate((el) => el.contains(document.activeElement)), 'the notice takes the focus');
    await dialog.getByRole('button', { name: 'Đóng' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('the ballot (role=dialog, aria-modal) keeps keyboard focus inside it', T, async () => {
    const s = await prepare('focus');
    await sec.post(`/meetings/${s.m.id}/attendance`, { user_id: del1.user.id, state: 'present' });
    const poll = await chair.post(`/meetings/${s.m.id}/polls`, { title: 'Biểu quyết thủ tục', secret: true, agenda_item_id: s.item.id });
    await chair.post(`/polls/${poll.id}/open`);
    const t = await openRoom('focus', s.m);
    await t.page.getByTestId('ballot').waitFor({ timeout: 20000 });
    await t.page.waitForFunction(() => !!document.activeElement?.closest('[role="dialog"]'));
    const left = [];
    for (let i = 0; i < 8; i++) {
      await t.page.keyboard.press('Tab');
      const where = await t.page.evaluate(() => {
        const el = document.activeElement;
        return el?.closest('[role="dialog"]') ? null : `${el?.tagName.toLowerCase()}.${el?.className ?? ''} "${(el?.getAttribute('aria-label') ?? el?.textContent ?? '').trim().slice(0, 30)}"`;
      });
      if (where) left.push(where);
    }
    assert.deepEqual(left, [], 'Tab leaves the modal ballot for the page behind it');
  });

  it('a delegate removed from the meeting while in the room is told so, with the way back to the meetings', T, async () => {
    const s = await prepare('removed-delegate');
    const t = await openRoom('removed-delegate', s.m);
    const since = Date.now() - 5;
    await docButton(t.page, 'Tờ trình A').click();
    await waitShown(t.page, 1, s.docA.id, 15000, since);
    await raw(sec, 'DELETE', `/meetings/${s.m.id}/participants/${del1.user.id}`); // the hub closes with 4003
    const alert = t.page.getByTestId('room-error');
    await alert.waitFor({ timeout: 15000 });
    assert.equal(((await alert.textContent()) ?? '').trim(), 'Bạn không còn tham dự cuộc họp này.');
    assert.equal(await t.page.locator('.doc-area').count(), 0, 'the documents are gone from the screen');
    assert.equal(await t.page.getByTestId('offline').count(), 0, 'no "reconnecting…" for ever');
    await t.page.getByRole('button', { name: 'Về danh sách cuộc họp' }).click();
    await t.page.waitForURL((u) => new URL(u).pathname === '/');
  });
});
