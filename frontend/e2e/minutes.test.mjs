// The secretary's minutes from the desk: a download of the printable page
// in the desk's language and the browser's time zone, a draft until the
// meeting closes; a delegate gets no such button. Own users and own meeting
// (dated in the past), never the demo meeting.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { BASE, PASSWORD, client, launch, signIn, tablet } from './lib.mjs';

const T = { timeout: 180000 };
const LAPTOP = { width: 1280, height: 800 };
const run = Date.now().toString(36);
let browser;
let closeBrowser;
let meetingId;
let sec;
const people = {};
const tabs = [];

before(async () => {
  const admin = await client('admin');
  for (const [key, full_name] of [['sec', 'Thư ký Biên Bản'], ['d1', 'Đại biểu Có Mặt'], ['d2', 'Đại biểu Vắng']]) {
    people[key] = await admin.post('/users', { username: `e2e-min-${key}-${run}`, full_name, password: PASSWORD, is_admin: false });
  }
  sec = await client(people.sec.username);
  const m = await sec.post('/meetings', { title: `E2E biên bản <b>${run}</b>`, starts_at: '2025-05-06T08:00:00Z', location: 'Phòng họp số 2' });
  meetingId = m.id;
  await sec.put(`/meetings/${meetingId}/participants/${people.d1.id}`, { role: 'delegate' });
  await sec.put(`/meetings/${meetingId}/participants/${people.d2.id}`, { role: 'delegate' });
  await sec.post(`/meetings/${meetingId}/agenda`, { title: 'Báo cáo tình hình kinh tế - xã hội' });
  await sec.post(`/meetings/${meetingId}/status`, { status: 'scheduled' });
  await sec.post(`/meetings/${meetingId}/status`, { status: 'live' });
  await sec.post(`/meetings/${meetingId}/attendance`, { user_id: people.d1.id, state: 'present' });
  await sec.post(`/meetings/${meetingId}/attendance`, { user_id: people.d2.id, state: 'absent', reason: 'Đi công tác' });
  ({ browser, close: closeBrowser } = await launch());
});

after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await closeBrowser?.();
});

/** Clicks the desk's minutes button and returns the file's name and text. */
async function download(page) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('minutes').click()]);
  return { name: d.suggestedFilename(), text: await readFile(await d.path(), 'utf8') };
}

describe('the minutes', () => {
  it('downloads from the desk in its language, a draft until the meeting closes', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'secretary', timezoneId: 'Asia/Ho_Chi_Minh' });
    tabs.push(t);
    const { page } = t;
    await signIn(t, people.sec.username);
    await page.goto(`${BASE}/meetings/${encodeURIComponent(meetingId)}/desk`);
    assert.equal((await page.getByTestId('minutes').textContent()).trim(), 'Biên bản');

    const vi = await download(page);
    assert.match(vi.name, /\.html$/);
    assert.match(vi.text, /Biên bản cuộc họp/);
    assert.match(vi.text, /Dự thảo/, 'a draft while the meeting is live');
    assert.ok(vi.text.includes(`E2E biên bản &lt;b&gt;${run}&lt;/b&gt;`), 'the title, escaped');
    assert.ok(!vi.text.includes(`<b>${run}</b>`), 'no markup from the title');
    for (const s of ['Phòng họp số 2', people.d1.full_name, people.d2.full_name, 'Đi công tác', 'Báo cáo tình hình kinh tế - xã hội']) {
      assert.ok(vi.text.includes(s), `the minutes name ${s}`);
    }
    assert.ok(!/<script/i.test(vi.text), 'no script in the page');
    // 08:00 UTC, written on the secretary's clock (the browser's zone)
    assert.ok(vi.text.includes('15:00 06/05/2025 (GMT&#43;07:00)'), 'the start in Hà Nội time');

    await page.getByTestId('lang').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=minutes]')?.textContent?.trim() === 'Minutes');
    const en = await download(page);
    assert.match(en.text, /Draft/);
    assert.ok(en.text.includes('Đi công tác'), 'the reason as written');

    await sec.post(`/meetings/${meetingId}/status`, { status: 'closed' });
    await page.reload();
    const closed = await download(page);
    assert.ok(!/Draft/.test(closed.text), 'no draft mark once the meeting is closed');
    assert.deepEqual(t.errors, []);
  });

  it('is not offered to a delegate, and the server refuses it to them', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'delegate' });
    tabs.push(t);
    await signIn(t, people.d1.username);
    await t.page.goto(`${BASE}/meetings/${encodeURIComponent(meetingId)}/desk`);
    await t.page.getByTestId('meeting-status').waitFor();
    assert.equal(await t.page.getByTestId('minutes').count(), 0);
    const d1 = await client(people.d1.username);
    const res = await fetch(`${BASE}/api/v1/meetings/${meetingId}/minutes`, { headers: { Authorization: `Bearer ${d1.token}` } });
    assert.equal(res.status, 403);
  });
});
