// The ballot at its edges, on a tablet in Vietnamese: a vote refused because
// the poll closed meanwhile, a ballot closed by the chair mid-choice, the
// keyboard kept inside the modal ballot, and a delegate removed from the
// meeting while in the room. Each test prepares a meeting of its own through
// the API (the demo meeting is left alone).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep, waitShown } from './lib.mjs';
import { docButton, roomKit } from './room-kit.mjs';

const T = { timeout: 180000 };
const kit = roomKit();

/** A meeting of our own, in session, its first item current, with two documents on it. */
async function prepare(name) {
  const { m, item, docs: [docA, docB] } = await kit.meeting(`poll-edge ${name}`, [['Tờ trình A', 4], ['Báo cáo B', 3]]);
  return { m, item, docA, docB };
}

describe('the ballot at its edges, and a delegate removed', () => {
  it('a vote confirmed after the poll was closed (live updates stalled) is not reported as recorded', T, async () => {
    const s = await prepare('vote');
    await kit.sec.post(`/meetings/${s.m.id}/attendance`, { user_id: kit.del1.user.id, state: 'present' });
    const poll = await kit.chair.post(`/meetings/${s.m.id}/polls`, { title: 'Thông qua dự thảo nghị quyết', secret: false, agenda_item_id: s.item.id });
    await kit.chair.post(`/polls/${poll.id}/open`);
    let stalled = false;
    const t = await kit.openRoom('vote', s.m, {
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
    await kit.chair.post(`/polls/${poll.id}/close`); // the chair closes the vote meanwhile
    await sleep(500);
    await t.page.getByTestId('confirm-vote').click();
    await sleep(3000);
    const recorded = await t.page.getByTestId('vote-recorded').count();
    const mine = await kit.del1.get(`/polls/${poll.id}`);
    assert.equal(mine.me?.voted, false, 'precondition: the server did not count the vote');
    assert.equal(recorded, 0, 'the ballot says "Phiếu biểu quyết của bạn đã được ghi nhận." (your vote is recorded) for a vote the server refused (409: the poll is closed)');
    await t.page.getByTestId('ended-standing').waitFor({ timeout: 5000 });
    const notice = ((await t.page.getByTestId('ballot-ended').textContent()) ?? '').trim();
    assert.match(notice, /Biểu quyết đã kết thúc\./, 'the delegate is told the vote has ended');
    assert.match(notice, /Không có phiếu nào của bạn được ghi nhận\./, 'and that their vote did not count');
  });

  it('a ballot closed by the chair while the delegate is choosing tells them the vote has ended', T, async () => {
    const s = await prepare('closed-ballot');
    await kit.sec.post(`/meetings/${s.m.id}/attendance`, { user_id: kit.del1.user.id, state: 'present' });
    const poll = await kit.chair.post(`/meetings/${s.m.id}/polls`, { title: 'Thông qua chương trình', secret: false, agenda_item_id: s.item.id });
    await kit.chair.post(`/polls/${poll.id}/open`);
    const t = await kit.openRoom('closed-ballot', s.m);
    await t.page.getByTestId('ballot').waitFor({ timeout: 20000 });
    await t.page.locator('button.option[data-option="agree"]').click(); // choosing…
    await kit.chair.post(`/polls/${poll.id}/close`);
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
    await kit.sec.post(`/meetings/${s.m.id}/attendance`, { user_id: kit.del1.user.id, state: 'present' });
    const poll = await kit.chair.post(`/meetings/${s.m.id}/polls`, { title: 'Biểu quyết thủ tục', secret: true, agenda_item_id: s.item.id });
    await kit.chair.post(`/polls/${poll.id}/open`);
    const t = await kit.openRoom('focus', s.m);
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
    const t = await kit.openRoom('removed-delegate', s.m);
    // The current item's first document opens by itself; it may be on
    // screen before the tap (which then changes nothing), so any showing counts.
    await docButton(t.page, 'Tờ trình A').click();
    await waitShown(t.page, 1, s.docA.id, 15000, 0);
    await kit.del(kit.sec, `/meetings/${s.m.id}/participants/${kit.del1.user.id}`); // the hub closes with 4003
    const alert = t.page.getByTestId('room-error');
    await alert.waitFor({ timeout: 15000 });
    assert.equal(((await alert.textContent()) ?? '').trim(), 'Bạn không còn tham dự cuộc họp này.');
    assert.equal(await t.page.locator('.doc-area').count(), 0, 'the documents are gone from the screen');
    assert.equal(await t.page.getByTestId('offline').count(), 0, 'no "reconnecting…" for ever');
    await t.page.getByRole('button', { name: 'Về danh sách cuộc họp' }).click();
    await t.page.waitForURL((u) => new URL(u).pathname === '/');
  });
});
