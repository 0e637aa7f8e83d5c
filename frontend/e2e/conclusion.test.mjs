// The chair's conclusion on an agenda item ("Kết luận"), end to end: the
// chair writes it in the cockpit under the current item and saves it; the
// secretary's desk, open in another browser context, shows it on that item
// live (no reload); the secretary edits it from the desk and the cockpit
// follows; the minutes show it under the item's "Kết luận" heading, as
// text (a `<b>` in it is not markup) with its line break kept. Own users
// and own meeting, never the demo meeting.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { BASE, PASSWORD, client, launch, shot, signIn, tablet } from './lib.mjs';

const T = { timeout: 180000 };
const LAPTOP = { width: 1280, height: 800 };
const run = Date.now().toString(36);
const ITEMS = ['Báo cáo kết quả thực hiện nhiệm vụ quý I', 'Kế hoạch công tác quý II'];
// Two lines, Vietnamese, and a tag that must stay text everywhere.
const FIRST = 'Thông qua báo cáo <b>quý I</b> của Ủy ban.\nGiao Văn phòng tổng hợp ý kiến đóng góp.';
const EDITED = 'Thông qua báo cáo <b>quý I</b>, có chỉnh sửa về số liệu.\nGiao Văn phòng hoàn thiện hồ sơ trước ngày 15/5.';
const [EDITED_1, EDITED_2] = EDITED.split('\n');

let browser;
let closeBrowser;
let sec;
let meetingId;
let items;
const people = {};
const tabs = [];
let cockpit;
let deskTab;

before(async () => {
  const admin = await client('admin');
  for (const [key, full_name] of [['sec', 'Thư ký Kết Luận'], ['chair', 'Chủ tọa Kết Luận'], ['d1', 'Đại biểu Kết Luận']]) {
    people[key] = await admin.post('/users', { username: `e2e-concl-${key}-${run}`, full_name, password: PASSWORD, is_admin: false });
  }
  sec = await client(people.sec.username);
  const m = await sec.post('/meetings', { title: `E2E kết luận ${run}`, starts_at: '2025-05-06T08:00:00Z', location: 'Phòng họp số 3' });
  meetingId = m.id;
  await sec.put(`/meetings/${meetingId}/participants/${people.chair.id}`, { role: 'chair' });
  await sec.put(`/meetings/${meetingId}/participants/${people.d1.id}`, { role: 'delegate' });
  items = [];
  for (const title of ITEMS) items.push(await sec.post(`/meetings/${meetingId}/agenda`, { title, duration_min: 15 }));
  await sec.post(`/meetings/${meetingId}/status`, { status: 'scheduled' });
  await sec.post(`/meetings/${meetingId}/status`, { status: 'live' });
  await sec.put(`/meetings/${meetingId}/agenda/current`, { item_id: items[0].id });
  ({ browser, close: closeBrowser } = await launch());
});

after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await closeBrowser?.();
});

/**
 * Signs in and goes to a screen from the list of meetings (its link), the
 * way a user does: a fresh page.goto of a lazy screen may stay on the
 * splash (see chair.test.mjs).
 */
async function open(name, username, path) {
  const t = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name, timezoneId: 'Asia/Ho_Chi_Minh' });
  tabs.push(t);
  await signIn(t, username);
  await t.page.locator(`.meetings a[href="${path}"]`).first().click();
  await t.page.waitForURL(`**${path}`);
  return t;
}

/** The item's conclusion as the server has it. */
async function serverConclusion(itemId) {
  const a = await sec.get(`/meetings/${meetingId}/agenda`);
  const find = (list) => {
    for (const it of list ?? []) {
      if (it.id === itemId) return it;
      const sub = find(it.items);
      if (sub) return sub;
    }
    return null;
  };
  return find(a.items)?.conclusion;
}

/** Waits until fn (in the page) returns true, and says what it last saw when it never does. */
async function until(page, fn, arg, what, seen, timeout = 10000) {
  try {
    await page.waitForFunction(fn, arg, { timeout });
  } catch (e) {
    const now = seen ? await page.evaluate(seen, arg).catch(() => '?') : '';
    throw new Error(`${what}: never happened${seen ? `; it shows ${JSON.stringify(now)}` : ''}`, { cause: e });
  }
}

/** The desk's row of the item: its conclusion as shown (innerText keeps the line break: white-space: pre-line). */
const deskRowConclusion = (id) => {
  const el = document.querySelector(`[data-testid=agenda-row][data-item-id="${id}"] [data-testid=agenda-conclusion]`);
  return el ? el.innerText : null;
};

describe('the conclusion of an agenda item', () => {
  it('is written and saved by the chair in the cockpit, and shows at once on the secretary’s desk', T, async () => {
    const item = items[0];
    cockpit = await open('chair', people.chair.username, `/meetings/${meetingId}/chair`);
    deskTab = await open('secretary', people.sec.username, `/meetings/${meetingId}/desk`);
    const cp = cockpit.page;
    const dp = deskTab.page;

    await dp.getByTestId('tab-agenda').click();
    const row = dp.locator(`[data-testid=agenda-row][data-item-id="${item.id}"]`);
    await row.waitFor();
    assert.equal(await row.getByTestId('agenda-conclusion').count(), 0, 'no conclusion yet');
    // A mark on the desk's page: gone if the page were loaded again.
    await dp.evaluate(() => { window.__concludeNoReload = true; });

    await cp.getByTestId('chair-current').waitFor();
    assert.match(await cp.getByTestId('chair-current').innerText(), new RegExp(ITEMS[0]));
    const box = cp.getByTestId('chair-conclusion-text');
    assert.equal(await box.inputValue(), '');
    assert.equal(await cp.getByTestId('conclusion-save').isDisabled(), true, 'nothing to save yet');
    await box.click();
    await box.pressSequentially(FIRST);
    assert.equal(await box.inputValue(), FIRST, 'typed as written, with its line break');
    await cp.getByTestId('conclusion-unsaved').waitFor();
    await cp.getByTestId('conclusion-save').click();
    await cp.getByTestId('conclusion-unsaved').waitFor({ state: 'detached' });
    assert.equal(await cp.getByTestId('conclusion-save').isDisabled(), true, 'saved: nothing left to save');
    assert.equal(await serverConclusion(item.id), FIRST);
    assert.equal(await box.inputValue(), FIRST);

    // The desk shows it live, on that item only, as text.
    await until(dp, (id) => {
      const el = document.querySelector(`[data-testid=agenda-row][data-item-id="${id}"] [data-testid=agenda-conclusion]`);
      return !!el && el.textContent.includes('Giao Văn phòng tổng hợp');
    }, item.id, 'the desk shows the chair’s conclusion', deskRowConclusion);
    assert.equal(await dp.evaluate(() => window.__concludeNoReload), true, 'the desk was not reloaded');
    const shownDesk = await dp.evaluate(deskRowConclusion, item.id);
    assert.equal(shownDesk, `Kết luận: ${FIRST}`, 'heading, then the text with its line break');
    assert.equal(await row.getByTestId('agenda-conclusion').locator('b').count(), 0, 'the <b> is text, not markup');
    const other = dp.locator(`[data-testid=agenda-row][data-item-id="${items[1].id}"]`);
    assert.equal(await other.getByTestId('agenda-conclusion').count(), 0, 'the other item has none');
    await shot(cp, 'conclusion-cockpit');
  });

  it('is edited by the secretary from the desk, and the cockpit follows', T, async () => {
    const item = items[0];
    const cp = cockpit.page;
    const dp = deskTab.page;
    const row = dp.locator(`[data-testid=agenda-row][data-item-id="${item.id}"]`);
    await row.getByTestId('item-conclusion').click();
    const form = dp.getByTestId('edit-conclusion');
    await form.waitFor();
    const box = form.getByTestId('conclusion-text');
    assert.equal(await box.inputValue(), FIRST, 'the editor starts from the saved conclusion');
    await box.fill(EDITED);
    assert.equal(await box.inputValue(), EDITED);
    await shot(dp, 'conclusion-desk-edit');
    await form.getByTestId('conclusion-save').click();
    await form.waitFor({ state: 'detached' });
    await until(dp, ([id, want]) => {
      const el = document.querySelector(`[data-testid=agenda-row][data-item-id="${id}"] [data-testid=agenda-conclusion]`);
      return !!el && el.innerText === want;
    }, [item.id, `Kết luận: ${EDITED}`], 'the desk shows the edited conclusion', ([id]) => document.querySelector(`[data-testid=agenda-row][data-item-id="${id}"] [data-testid=agenda-conclusion]`)?.innerText ?? '(none)');
    assert.equal(await serverConclusion(item.id), EDITED);
    assert.equal(await dp.evaluate(() => window.__concludeNoReload), true, 'the desk was not reloaded');

    // The cockpit (nothing being written there) follows the hub.
    await until(cp, (want) => document.querySelector('[data-testid=chair-conclusion-text]')?.value === want, EDITED,
      'the cockpit shows the edited conclusion', () => document.querySelector('[data-testid=chair-conclusion-text]')?.value ?? '(none)');
    assert.equal(await cp.getByTestId('conclusion-unsaved').count(), 0, 'the cockpit has nothing unsaved');
    assert.equal(await cp.getByTestId('conclusion-clash').count(), 0, 'no clash: the chair was not writing');
    assert.equal(await cp.getByTestId('conclusion-save').isDisabled(), true);
    await shot(cp, 'conclusion-cockpit-edited');
    await shot(dp, 'conclusion-desk');
  });

  it('is in the minutes under the item’s “Kết luận” heading, as text, with its line break', T, async () => {
    const dp = deskTab.page;
    assert.equal((await dp.getByTestId('minutes').textContent()).trim(), 'Biên bản');
    const [d] = await Promise.all([dp.waitForEvent('download'), dp.getByTestId('minutes').click()]);
    assert.match(d.suggestedFilename(), /\.html$/);
    const html = await readFile(await d.path(), 'utf8');
    assert.ok(html.includes('Kết luận'), 'the heading');
    assert.ok(!html.includes('<b>quý I</b>'), 'no markup from the conclusion');
    assert.ok(html.includes('&lt;b&gt;quý I&lt;/b&gt;'), 'the tag, escaped');
    assert.ok(!html.includes('Giao Văn phòng tổng hợp'), 'the first version is gone');
    assert.ok(!/<script/i.test(html), 'no script in the page');

    // The page as a browser shows it.
    const view = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'minutes' });
    tabs.push(view);
    await view.page.setContent(html, { waitUntil: 'load' });
    const got = await view.page.evaluate(([title, last]) => {
      const section = [...document.querySelectorAll('section')].find((s) => s.querySelector('h3')?.textContent.includes(title));
      const others = [...document.querySelectorAll('section')].filter((s) => s !== section && s.textContent.includes(last));
      const box = section?.querySelector('.conclusion');
      const ps = box ? [...box.querySelectorAll('p')] : [];
      const heading = ps[0];
      const body = ps[1];
      return {
        found: !!section,
        heading: heading?.innerText ?? null,
        headingBold: heading?.querySelector('strong') ? Number(getComputedStyle(heading.querySelector('strong')).fontWeight) : 0,
        body: body?.innerText ?? null,
        bodyChildren: body ? [...body.children].map((c) => c.tagName) : [],
        bodyWeight: body ? Number(getComputedStyle(body).fontWeight) : 0,
        bold: box ? box.querySelectorAll('b').length : -1,
        elsewhere: others.length,
      };
    }, [ITEMS[0], EDITED_2]);
    assert.ok(got.found, 'the item has its section');
    assert.equal(got.heading, 'Kết luận');
    assert.ok(got.headingBold >= 600, 'the heading is bold');
    assert.equal(got.body, EDITED, 'the conclusion, with its line break and the <b> as text');
    // Each line isolated in its <bdi> (minutes/html.go: no text-direction control in it can reorder the page).
    assert.deepEqual(got.bodyChildren, ['BDI', 'BR', 'BDI'], 'two isolated lines, one line break, no other markup');
    assert.ok(got.bodyWeight < 600, 'the conclusion itself is not bold');
    assert.equal(got.bold, 0, 'no <b> element');
    assert.equal(got.elsewhere, 0, 'under that item only');
    assert.ok(EDITED_1.includes('<b>'));
    await view.page.locator('section', { has: view.page.locator('h3', { hasText: ITEMS[0] }) }).locator('.conclusion').scrollIntoViewIfNeeded();
    await shot(view.page, 'conclusion-minutes');
  });

  it('left no errors in any console', T, async () => {
    for (const t of tabs) assert.deepEqual(t.errors, [], t.name);
  });
});
