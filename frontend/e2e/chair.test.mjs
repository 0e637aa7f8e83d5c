// The chair's cockpit and the room display (issue 9), in both languages.
// Each language runs on a meeting of its own, prepared through the API by
// the secretary (so the demo meeting of room.test.mjs and perf.test.mjs is
// left alone): a chair, two delegates, three agenda items, a real PDF, in
// session. Then, in separate browser contexts, the chair runs it from the
// cockpit while a room display and a delegate's tablet are open: check-ins
// arrive live, the item changes, a speaker gets the floor with a timer, a
// document is presented and turned, a vote runs to a published result.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE, IPAD, client, launch, shot, signIn, sleep, tablet, waitShown } from './lib.mjs';
import { makePdf } from './tools/mkpdf.mjs';

const T = { timeout: 180000 };
const LAPTOP = { width: 1280, height: 800 };
const SMALL = { width: 1024, height: 768 };
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

const TEXT = {
  vi: {
    title: 'E2E Phiên họp điều hành',
    items: ['Khai mạc phiên họp', 'Báo cáo kết quả giám sát', 'Biểu quyết thông qua nghị quyết'],
    doc: 'E2E Tài liệu trình chiếu',
    pageOf: (p, n) => `Trang ${p} / ${n}`,
    following: /\d+ \/ \d+ đang theo dõi/,
    quorumOk: 'Đủ số đại biểu',
    adopted: 'Thông qua',
    progress: (v, e) => `Đã biểu quyết ${v} / ${e}`,
    denied: /Chỉ chủ trì và thư ký/,
  },
  en: {
    title: 'E2E Chaired session',
    items: ['Opening of the session', 'Report on the oversight', 'Vote on the resolution'],
    doc: 'E2E Presented document',
    pageOf: (p, n) => `Page ${p} of ${n}`,
    following: /\d+ of \d+ following/,
    quorumOk: 'Quorum reached',
    adopted: 'Adopted',
    progress: (v, e) => `${v} of ${e} voted`,
    denied: /Only the chair and the secretary/,
  },
};

/** A meeting of our own, prepared by the secretary through the API, in session with its first item current. */
async function prepare(lang) {
  const x = TEXT[lang];
  const m = await sec.post('/meetings', { title: `${x.title} ${new Date().toISOString().slice(11, 19)}`, location: 'E2E' });
  await sec.put(`/meetings/${m.id}/participants/${chair.user.id}`, { role: 'chair' });
  await sec.put(`/meetings/${m.id}/participants/${del1.user.id}`, { role: 'delegate' });
  await sec.put(`/meetings/${m.id}/participants/${del2.user.id}`, { role: 'delegate' });
  const items = [];
  for (const [i, title] of x.items.entries()) {
    items.push(await sec.post(`/meetings/${m.id}/agenda`, { title, duration_min: [5, 20, 10][i], presenter_id: i === 1 ? del1.user.id : chair.user.id }));
  }
  const doc = await sec.upload(m.id, 'trinh-chieu.pdf', makePdf({ pages: 12, label: 'Curia cockpit' }), { title: x.doc, agenda_item_id: items[1].id });
  await sec.post(`/meetings/${m.id}/status`, { status: 'scheduled' });
  await sec.post(`/meetings/${m.id}/status`, { status: 'live' });
  await sec.put(`/meetings/${m.id}/agenda/current`, { item_id: items[0].id });
  return { m, items, doc };
}

async function open(name, username, path, { viewport = LAPTOP, locale } = {}) {
  const t = await tablet(browser, { viewport, locale, name });
  contexts.push(t);
  await signIn(t, username);
  await go(t, path);
  return t;
}

/**
 * Goes to a screen the way a user does, from the list of meetings (a link)
 * or, when there is none, by a client-side navigation. Not page.goto: a
 * fresh load of a lazy screen's URL can stay on the splash (App.tsx: the
 * early chunk preload may finish between the render and the effect that
 * checks for it; reported).
 */
async function go(t, path) {
  const link = t.page.locator(`.meetings a[href="${path}"]`);
  if (new URL(t.page.url()).pathname === '/') {
    await link.first().click();
  } else {
    await t.page.evaluate((p) => {
      history.pushState(null, '', p);
      dispatchEvent(new PopStateEvent('popstate'));
    }, path);
  }
  await t.page.waitForURL(`**${path}`);
}

const text = (loc) => loc.textContent().then((s) => (s ?? '').trim());

async function waitText(page, testid, re, timeout = 10000) {
  try {
    await page.waitForFunction(
      ([id, src, flags]) => new RegExp(src, flags).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''),
      [testid, re.source, re.flags],
      { timeout },
    );
  } catch (e) {
    const now = await page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '(none)', testid).catch(() => '?');
    throw new Error(`${testid} never matched ${re}: it shows ${JSON.stringify(now)}`, { cause: e });
  }
}

function scenario(lang) {
  const x = TEXT[lang];
  const locale = lang === 'vi' ? 'vi-VN' : 'en-US';
  describe(`the chair runs a meeting (${lang})`, () => {
    let setup;
    let cockpit;
    let display;
    let tab;

    before(async () => {
      setup = await prepare(lang);
    });

    it('opens the cockpit, the room display and a delegate tablet', T, async () => {
      const id = setup.m.id;
      cockpit = await open(`chair-${lang}`, 'chutri', `/meetings/${id}/chair`, { locale });
      display = await open(`display-${lang}`, 'daibieu2', `/meetings/${id}/display`, { locale, viewport: lang === 'vi' ? LAPTOP : SMALL });
      tab = await open(`tablet-${lang}`, 'daibieu1', `/meetings/${id}`, { locale, viewport: IPAD });
      await cockpit.page.getByTestId('chair-current').waitFor();
      assert.match(await text(cockpit.page.getByTestId('chair-current')), new RegExp(x.items[0]));
      assert.match(await text(cockpit.page.getByTestId('next-title')), new RegExp(x.items[1]));
      await waitText(cockpit.page, 'chair-item-timer', /\d+:\d\d/);
      await display.page.getByTestId('display-item-title').waitFor();
      assert.match(await text(display.page.getByTestId('display-title')), new RegExp(x.title));
      assert.match(await text(display.page.getByTestId('display-item-title')), new RegExp(x.items[0]));
      // three people online (chair, display, tablet), all following
      await waitText(cockpit.page, 'count-online', /^3$/);
      await waitText(cockpit.page, 'count-following', x.following);
    });

    it('shows check-ins live, with the quorum', T, async () => {
      const id = setup.m.id;
      const row = (u) => cockpit.page.locator(`[data-testid=person][data-user="${u.user.id}"]`);
      assert.equal(await row(del1).getAttribute('data-state'), 'unknown');
      await del1.post(`/meetings/${id}/attendance`, { state: 'present' });
      await cockpit.page.locator(`[data-testid=person][data-user="${del1.user.id}"][data-state=present]`).waitFor();
      await del2.post(`/meetings/${id}/attendance`, { state: 'present' });
      await cockpit.page.locator(`[data-testid=person][data-user="${del2.user.id}"][data-state=present]`).waitFor();
      await waitText(cockpit.page, 'count-checked-in', /^2\b/);
      await waitText(cockpit.page, 'quorum', new RegExp(x.quorumOk));
      await waitText(display.page, 'quorum', new RegExp(x.quorumOk));
      await shot(cockpit.page, `chair-cockpit-${lang}`);
    });

    it('moves to the next item with one tap; the display and the tablet follow', T, async () => {
      await cockpit.page.getByTestId('next-item').click();
      await waitText(cockpit.page, 'chair-current', new RegExp(x.items[1]));
      await waitText(display.page, 'display-item-title', new RegExp(x.items[1]));
      await tab.page.waitForFunction(() => document.querySelector('[data-testid=current-item] .num')?.textContent === '2');
      assert.match(await text(cockpit.page.getByTestId('next-title')), new RegExp(x.items[2]));
      await waitText(display.page, 'display-item-timer', /^0:0\d \/ 20:00$/);
    });

    it('gives a speaker the floor with a countdown, shown on the display', T, async () => {
      const item = setup.items[1].id;
      await del1.post(`/agenda-items/${item}/speakers`, { kind: 'speech' });
      await cockpit.page.getByTestId('queue-row').first().waitFor();
      await cockpit.page.getByTestId('speaker-limit').selectOption('120');
      await cockpit.page.getByTestId('start-speaker').first().click();
      await cockpit.page.getByTestId('chair-active-speaker').waitFor();
      await display.page.getByTestId('display-speaker-name').waitFor();
      assert.equal(await text(display.page.getByTestId('display-speaker-name')), 'Lê Minh Châu');
      await waitText(display.page, 'display-speaker-timer', /^(2:00|1:5\d)$/);
      const first = await text(display.page.getByTestId('display-speaker-timer'));
      await sleep(2200);
      const later = await text(display.page.getByTestId('display-speaker-timer'));
      assert.notEqual(later, first, 'the speaker timer runs');
      assert.match(later, /^1:5\d$/);
      assert.match(await text(cockpit.page.getByTestId('chair-speaker-timer')), /^1:5\d$/);
      await shot(cockpit.page, `chair-speaker-${lang}`);
      await shot(display.page, `display-speaker-${lang}`);
    });

    it('puts a participant on the list of questions on their behalf, and takes them off', T, async () => {
      const item = setup.items[1].id;
      const form = cockpit.page.getByTestId('add-speaker');
      await form.getByTestId('add-speaker-kind').selectOption('question');
      const who = form.getByTestId('add-speaker-who');
      // the speaker who has the floor is not offered; the observer-free list has the other delegate
      assert.equal(await who.locator(`option[value="${del1.user.id}"]`).count(), 0);
      await who.selectOption(del2.user.id);
      await form.getByTestId('add-speaker-submit').click();
      const row = cockpit.page.getByTestId('question-queue').getByTestId('queue-row').filter({ hasText: del2.user.full_name });
      await row.waitFor();
      await form.scrollIntoViewIfNeeded();
      await shot(cockpit.page, `chair-add-speaker-${lang}`);
      const q = await del2.get(`/agenda-items/${item}/speakers`);
      assert.deepEqual(q.questions.map((s) => [s.user_id, s.kind]), [[del2.user.id, 'question']]);
      // once on that list, not offered for it again
      await cockpit.page.waitForFunction((id) => !document.querySelector(`[data-testid=add-speaker-who] option[value="${id}"]`), del2.user.id);
      assert.equal(await form.getByTestId('add-speaker-submit').isDisabled(), true);
      await row.getByRole('button', { name: new RegExp(del2.user.full_name) }).click();
      await row.waitFor({ state: 'detached' });
      assert.deepEqual((await del2.get(`/agenda-items/${item}/speakers`)).questions, []);
    });

    it('presents the document and turns pages for everyone (thumbnail, button and arrow key)', T, async () => {
      const doc = setup.doc;
      await cockpit.page.getByTestId('doc-chip').filter({ hasText: x.doc }).click();
      await cockpit.page.locator('.present-body .page-canvas').waitFor();
      let since = Date.now();
      await cockpit.page.getByTestId('present-doc').click();
      await Promise.all([waitShown(display.page, 1, doc.id, 15000, since), waitShown(tab.page, 1, doc.id, 15000, since)]);
      await cockpit.page.getByTestId('present-live').waitFor();

      since = Date.now();
      await cockpit.page.locator('.present-body .thumbs li[data-n="3"] button').click();
      await Promise.all([waitShown(display.page, 3, doc.id, 10000, since), waitShown(tab.page, 3, doc.id, 10000, since)]);
      await waitText(display.page, 'display-pageof', new RegExp(x.pageOf(3, 12)));

      since = Date.now();
      await cockpit.page.getByTestId('page-next').click();
      await Promise.all([waitShown(display.page, 4, doc.id, 10000, since), waitShown(tab.page, 4, doc.id, 10000, since)]);

      since = Date.now();
      await cockpit.page.locator('body').press('ArrowRight');
      await Promise.all([waitShown(display.page, 5, doc.id, 10000, since), waitShown(tab.page, 5, doc.id, 10000, since)]);
      assert.equal(await text(cockpit.page.getByTestId('chair-pageof')), x.pageOf(5, 12));
      assert.equal(await text(tab.page.getByTestId('pageof')), x.pageOf(5, 12));
      await sleep(300);
      await shot(cockpit.page, `chair-present-${lang}`);
      await shot(display.page, `display-page-${lang}`);
      await shot(tab.page, `chair-tablet-follows-${lang}`);
    });

    it('runs a vote from the template to a published result on the display', T, async () => {
      const id = setup.m.id;
      // the speaker's turn ends first
      await cockpit.page.getByTestId('finish-speaker').click();
      await cockpit.page.getByTestId('chair-active-speaker').waitFor({ state: 'detached' });
      await display.page.getByTestId('display-speaker-name').waitFor({ state: 'detached' });

      await cockpit.page.getByTestId('new-poll').click();
      await cockpit.page.getByTestId('poll-form').waitFor();
      assert.equal(await cockpit.page.locator('[data-testid=poll-form] input[name=title]').inputValue(), x.items[1]);
      await cockpit.page.getByTestId('create-open-poll').click();
      const card = cockpit.page.locator('[data-testid=poll-card][data-status=open]');
      await card.waitFor();
      await waitText(cockpit.page, 'poll-progress-n', new RegExp(x.progress(0, 2)));
      await cockpit.page.locator('[data-testid=not-voted] li', { hasText: 'Lê Minh Châu' }).waitFor();
      await cockpit.page.locator('[data-testid=not-voted] li', { hasText: 'Phạm Thu Dung' }).waitFor();
      await display.page.getByTestId('display-voting').waitFor();
      await tab.page.getByTestId('ballot').waitFor();

      const poll = (await chair.get(`/meetings/${id}/polls`)).polls.find((p) => p.status === 'open');
      assert.equal(poll.kind, 'motion');
      await del1.post(`/polls/${poll.id}/votes`, { option: 'agree' });
      await waitText(cockpit.page, 'poll-progress-n', new RegExp(x.progress(1, 2)));
      await cockpit.page.locator('[data-testid=not-voted] li', { hasText: 'Lê Minh Châu' }).waitFor({ state: 'detached' });
      assert.deepEqual(await cockpit.page.locator('[data-testid=not-voted] li').allTextContents(), ['Phạm Thu Dung']);
      await shot(cockpit.page, `chair-poll-progress-${lang}`);
      await del2.post(`/polls/${poll.id}/votes`, { option: 'agree' });
      await waitText(cockpit.page, 'poll-progress-n', new RegExp(x.progress(2, 2)));
      await cockpit.page.getByTestId('all-voted').waitFor();

      await cockpit.page.getByTestId('poll-close').click();
      await cockpit.page.locator('[data-testid=poll-card][data-status=closed] [data-testid=result-chart]').waitFor();
      await cockpit.page.getByTestId('poll-publish').click();
      await cockpit.page.locator('[data-testid=poll-card][data-status=published]').waitFor();
      await display.page.getByTestId('display-result').waitFor();
      await waitText(display.page, 'chart-outcome', new RegExp(`^${x.adopted}$`));
      const counts = await display.page.locator('[data-testid=display-result] [data-testid=chart-n]').allTextContents();
      assert.deepEqual(counts, ['2', '0', '0']);
      const widths = await display.page.locator('[data-testid=display-result] .chart-fill').evaluateAll((l) => l.map((el) => parseFloat(el.style.width)));
      assert.deepEqual(widths, [100, 0, 0], 'two votes of two fill the scale');
      await sleep(600);
      await shot(display.page, `display-result-${lang}`);
      await shot(cockpit.page, `chair-results-${lang}`);
    });

    it('fits 1024 × 768, refuses a delegate, and lets the secretary in', T, async () => {
      await cockpit.page.setViewportSize(SMALL);
      await sleep(400);
      const overflow = await cockpit.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert.equal(overflow, false, 'nothing sticks out sideways at 1024 × 768');
      await shot(cockpit.page, `chair-1024-${lang}`);
      await go(tab, `/meetings/${setup.m.id}/chair`);
      await waitText(tab.page, 'chair-denied', x.denied);
      // the secretary may run the cockpit too (but only the chair or the presenter turns pages)
      const desk = await open(`secretary-${lang}`, 'thuky', `/meetings/${setup.m.id}/chair`, { locale, viewport: SMALL });
      await desk.page.locator('[data-testid=poll-card][data-status=published]').waitFor();
      await waitText(desk.page, 'count-checked-in', /^2\b/);
      assert.equal(await desk.page.locator('[data-testid=present-live]').count(), 1);
      assert.deepEqual(desk.errors, []);
    });

    it('left no errors in any console', T, async () => {
      for (const t of [cockpit, display, tab]) assert.deepEqual(t?.errors ?? [], [], t?.name);
    });
  });
}

scenario('vi');
scenario('en');
