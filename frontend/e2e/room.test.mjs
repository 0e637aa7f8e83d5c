// The meeting room, as a chair and two delegates live it: signing in, the
// agenda and documents, following the presenter's page, browsing away and
// back, checking in and asking to speak, voting, and a server restart.
// Each delegate is a separate browser context (own cookies); the chair acts
// through the API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  BASE, IPAD, PHONE, canRestart, client, currentPage, demoMeeting, launch, liveHubWired, restartServer, shot, signIn, signInForm, sleep,
  tablet, waitShown, within,
} from './lib.mjs';
import { makePdf } from './tools/mkpdf.mjs';

const T = { timeout: 90000 };
let browser;
let closeBrowser;
let sec;
let chair;
let meeting;
let agenda;
let docA; // 24 pages, on the current agenda item
let docB; // a real-world PDF on item 2.1
// Decided before the tests are declared, so that their skip reasons are right.
const liveWired = await liveHubWired();
const tablets = [];
let d1; // daibieu1: Vietnamese iPad
let d2; // daibieu2: English iPad
const latencies = [];

const present = (docId, page, zoom = null) => chair.put(`/meetings/${meeting.id}/presentation`, { document_id: docId, page, zoom });

/** Back to following the presenter, if the tablet was browsing (a failed test may have left it so). */
async function followLive(t) {
  const back = t.page.getByTestId('back-to-live');
  if (await back.count()) await back.click();
  await t.page.getByTestId('live-badge').waitFor();
}

/** Turns the page as the chair and returns the time (epoch ms) the action started. */
async function turn(docId, page, zoom) {
  const t0 = Date.now();
  await present(docId, page, zoom);
  return t0;
}

before(async () => {
  sec = await client('thuky');
  chair = await client('chutri');
  meeting = await demoMeeting(sec);
  agenda = await sec.get(`/meetings/${meeting.id}/agenda`);
  const current = agenda.current_item_id ?? agenda.items[0].id;
  docA = await sec.upload(meeting.id, 'to-trinh.pdf', makePdf({ pages: 24, label: 'To trinh khai mac' }), {
    title: 'E2E Tờ trình về chương trình kỳ họp', agenda_item_id: current,
  });
  const item21 = agenda.items[1]?.items?.[0]?.id ?? current;
  docB = await sec.upload(meeting.id, 'bao-cao.pdf', readFileSync(new URL('../../../shared/testdata/pdfs/tracemonkey_a11y.pdf', import.meta.url)), {
    title: 'E2E Báo cáo số liệu', agenda_item_id: item21,
  }).catch(() => sec.upload(meeting.id, 'bao-cao.pdf', makePdf({ pages: 14, label: 'Bao cao' }), { title: 'E2E Báo cáo số liệu', agenda_item_id: item21 }));
  await present(docA.id, 1);
  daibieu1Id = (await client('daibieu1')).user.id;
  ({ browser, close: closeBrowser } = await launch());
  d1 = await tablet(browser, { viewport: IPAD, locale: 'vi-VN', name: 'daibieu1' });
  d2 = await tablet(browser, { viewport: IPAD, locale: 'en-US', name: 'daibieu2' });
  tablets.push(d1, d2);
});

after(async () => {
  if (latencies.length) console.log(`# page-turn latency (ms): ${latencies.join(', ')}`);
  await closeBrowser?.();
});

const needsLive = () => (liveWired ? false : 'the live hub is not wired into the server yet: GET /api/v1/meetings/{id}/live answers 404');

describe('the delegate tablet', () => {
  it('signs in (Vietnamese and English chosen from the browser) and lists my meetings', T, async () => {
    await d1.page.goto(`${BASE}/`);
    await signInForm(d1);
    assert.equal(await d1.page.locator('h1').textContent(), 'Đăng nhập');
    await shot(d1.page, 'login-vi');
    await d2.page.goto(`${BASE}/`);
    assert.equal(await d2.page.locator('h1').textContent(), 'Sign in');
    await shot(d2.page, 'login-en');

    await d1.page.locator('input[name=username]').fill('daibieu1');
    await d1.page.locator('input[name=password]').fill('wrong-password');
    await d1.page.locator('button[type=submit]').click();
    await d1.page.getByRole('alert').waitFor();
    assert.match(await d1.page.getByRole('alert').textContent(), /không đúng/);
    d1.errors.splice(0); // the 401 of the wrong password is expected

    await signIn(d1, 'daibieu1');
    await signIn(d2, 'daibieu2');
    await d1.page.locator('.card.meeting').first().waitFor();
    assert.match(await d1.page.locator('.card.meeting').first().textContent(), /Kỳ họp thứ 12/);
    assert.match(await d1.page.locator('.card.meeting').first().textContent(), /Đại biểu/);
    await shot(d1.page, 'meetings-vi');
  });

  it('opens the room: the agenda tree beside the presented document', T, async () => {
    for (const t of [d1, d2]) {
      const since = Date.now();
      await t.page.locator('.card.meeting').first().click();
      await t.page.waitForURL(`**/meetings/${meeting.id}`);
      await waitShown(t.page, 1, docA.id, 15000, since);
    }
    const cur = d1.page.getByTestId('current-item');
    assert.match(await cur.locator('.num').first().textContent(), /^1$/);
    assert.match(await cur.getByTestId('item-timing').textContent(), /Đang thảo luận \d+:\d\d \/ 15:00/);
    assert.equal(await d1.page.locator('.tree .num').nth(1).textContent(), '1.1');
    assert.equal(await d1.page.getByTestId('pageof').textContent(), 'Trang 1 / 24');
    assert.equal(await d2.page.getByTestId('pageof').textContent(), 'Page 1 of 24');
    assert.match(await d1.page.locator('.doc.open').textContent(), /E2E Tờ trình về chương trình kỳ họp/);
    await sleep(300);
    await shot(d1.page, 'room-vi');
    await shot(d2.page, 'room-en');
  });

  it('switches language on the spot, every string', T, async () => {
    await d1.page.getByTestId('lang').click();
    await d1.page.getByText('Page 1 of 24').waitFor();
    const text = await d1.page.locator('.topbar, .agenda-pane .pane-title, .vbar, .speakbar').allTextContents();
    assert.doesNotMatch(text.join(' '), /Trang|Chương trình|Điểm danh|phát biểu/);
    await shot(d1.page, 'room-vi-switched-to-en');
    await d1.page.getByTestId('lang').click();
    await d1.page.getByText('Trang 1 / 24').waitFor();
  });

  it('checks in and asks to speak, and sees its place in the queue', T, async () => {
    await d1.page.getByTestId('check-in').click();
    await d1.page.getByTestId('checked-in').waitFor();
    await d2.page.getByTestId('check-in').click();
    await d2.page.getByTestId('checked-in').waitFor();

    await d1.page.getByTestId('ask-speech').click();
    await d1.page.getByTestId('my-place').waitFor();
    assert.match(await d1.page.getByTestId('my-place').textContent(), /Thứ tự phát biểu của bạn: 1/);
    await d2.page.getByTestId('ask-speech').click();
    await d2.page.getByTestId('my-place').waitFor();
    assert.match(await d2.page.getByTestId('my-place').textContent(), /Your place to speak: 2/);
  });

  it('shows the active speaker and their time left', { ...T, skip: needsLive() }, async () => {
    const item = agenda.current_item_id;
    const q = await chair.get(`/agenda-items/${item}/speakers`);
    const first = q.speeches.find((s) => s.user_id === d1Id());
    await chair.post(`/speakers/${first.id}/start`, { time_limit_sec: 180 });
    await d2.page.getByTestId('active-speaker').waitFor();
    assert.match(await d2.page.getByTestId('active-speaker').textContent(), /Lê Minh Châu.*is speaking.*[23]:\d\d left/);
    await d2.page.waitForFunction(() => /Your place to speak: 1/.test(document.querySelector('[data-testid=my-place]')?.textContent ?? ''));
    await shot(d2.page, 'speaker-en');
    await chair.post(`/speakers/${first.id}/finish`);
  });

  it('follows the presenter page by page, fast', { ...T, skip: needsLive() }, async () => {
    await Promise.all([followLive(d1), followLive(d2)]);
    for (let p = 2; p <= 8; p++) {
      const t0 = await turn(docA.id, p);
      const [a, b] = await Promise.all([waitShown(d1.page, p, docA.id, 10000, t0), waitShown(d2.page, p, docA.id, 10000, t0)]);
      latencies.push(Math.round(a.at - t0), Math.round(b.at - t0));
      await sleep(250);
    }
    assert.equal(await d1.page.getByTestId('pageof').textContent(), 'Trang 8 / 24');
    // The 90th percentile: the machine is shared with other builds; the perf test reports them all.
    const sorted = [...latencies].sort((a, b) => a - b);
    const p90 = sorted[Math.ceil(sorted.length * 0.9) - 1];
    assert.ok(p90 <= 1000, `90% of page turns within ${p90} ms of the chair's action (budget 200 ms, recorded in PERFORMANCE.md; this is a guard): ${latencies}`);
  });

  it('goes to the presenter zoom region', { ...T, skip: needsLive() }, async () => {
    await Promise.all([followLive(d1), followLive(d2)]);
    await turn(docA.id, 8, { x: 0.05, y: 0.05, w: 0.5, h: 0.25 });
    await d2.page.getByText("Presenter's view").waitFor();
    const scrolled = await d2.page.getByTestId('stage').evaluate((el) => el.scrollWidth > el.clientWidth * 1.5);
    assert.ok(scrolled, 'the zoomed region should be larger than the screen');
    await shot(d2.page, 'presenter-zoom-en');
    await turn(docA.id, 8, null);
    await d2.page.getByText('100%').waitFor();
  });

  it('browses away, keeps browsing, and comes back to live', { ...T, skip: needsLive() }, async () => {
    await Promise.all([followLive(d1), followLive(d2)]);
    await d1.page.getByTestId('stage').click({ position: { x: 20, y: 20 } });
    const since = Date.now();
    await d1.page.keyboard.press('ArrowRight');
    await waitShown(d1.page, 9, docA.id, 10000, since);
    await d1.page.getByTestId('back-to-live').waitFor();
    assert.match(await d1.page.getByTestId('back-to-live').textContent(), /Về trang trực tiếp \(trang 8\)/);

    const t12 = await turn(docA.id, 12);
    await waitShown(d2.page, 12, docA.id, 10000, t12);
    await d1.page.getByText('Về trang trực tiếp (trang 12)').waitFor();
    assert.equal(await currentPage(d1.page), 9, 'a delegate who browses away keeps browsing');

    // another document, by swipe-free means: the agenda
    const tB = Date.now();
    await d1.page.locator('.doc', { hasText: 'E2E Báo cáo số liệu' }).click();
    await waitShown(d1.page, 1, docB.id, 15000, tB);
    await shot(d1.page, 'browsing-vi');

    const tBack = Date.now();
    await d1.page.getByTestId('back-to-live').click();
    await waitShown(d1.page, 12, docA.id, 10000, tBack);
    await d1.page.getByTestId('live-badge').waitFor();
    assert.equal(await d1.page.getByTestId('back-to-live').count(), 0);
  });

  it('swipes and zooms with buttons', T, async () => {
    const before = await currentPage(d2.page);
    const box = await d2.page.getByTestId('stage').boundingBox();
    const y = box.y + box.height / 2;
    const x0 = box.x + box.width * 0.8;
    const tSwipe = Date.now();
    await d2.page.evaluate(([x0, y]) => {
      const el = document.querySelector('[data-testid=stage]');
      const ev = (type, x, t) => el.dispatchEvent(new PointerEvent(type, { pointerId: 7, pointerType: 'touch', clientX: x, clientY: y, bubbles: true, isPrimary: true }));
      ev('pointerdown', x0);
      ev('pointermove', x0 - 100);
      ev('pointerup', x0 - 200);
    }, [x0, y]);
    await waitShown(d2.page, before + 1, undefined, 10000, tSwipe);
    await d2.page.getByRole('button', { name: 'Zoom in' }).click();
    await d2.page.getByText('125%').waitFor();
    await d2.page.getByRole('button', { name: 'Fit page' }).click();
    await d2.page.getByText('100%').waitFor();
    await d2.page.getByRole('button', { name: 'Page thumbnails' }).click();
    await d2.page.locator('.thumbs canvas').first().waitFor();
    await shot(d2.page, 'thumbnails-en');
    const t3 = Date.now();
    await d2.page.getByRole('button', { name: 'Go to page 3' }).click();
    await waitShown(d2.page, 3, undefined, 10000, t3);
    await d2.page.getByRole('button', { name: 'Page thumbnails' }).click();
    if (liveWired) {
      await d2.page.getByTestId('back-to-live').click();
      await d2.page.getByTestId('live-badge').waitFor();
    }
  });

  it('annotates with pen, highlighter, note and eraser, kept on the server', T, async () => {
    const p = d1.page;
    await p.getByRole('radio', { name: 'Bút', exact: true }).click();
    assert.equal(await p.getByTestId('annot-local').count(), 0, 'annotations are stored on the server');
    const svg = p.getByTestId('annotations');
    const b = await svg.boundingBox();
    await p.mouse.move(b.x + b.width * 0.2, b.y + b.height * 0.3);
    await p.mouse.down();
    for (let i = 1; i <= 10; i++) await p.mouse.move(b.x + b.width * (0.2 + i * 0.05), b.y + b.height * (0.3 + (i % 2) * 0.02));
    await p.mouse.up();
    await p.locator('polyline.ink').first().waitFor({ state: 'attached' });
    await p.getByRole('radio', { name: 'Bút đánh dấu' }).click();
    await p.mouse.move(b.x + b.width * 0.15, b.y + b.height * 0.5);
    await p.mouse.down();
    await p.mouse.move(b.x + b.width * 0.7, b.y + b.height * 0.5, { steps: 8 });
    await p.mouse.up();
    await p.locator('path.highlight').first().waitFor({ state: 'attached' });
    await p.getByRole('radio', { name: 'Ghi chú', exact: true }).click();
    await p.mouse.click(b.x + b.width * 0.8, b.y + b.height * 0.15);
    await p.getByRole('dialog').locator('textarea').fill('Hỏi lại số liệu trang này');
    await p.getByRole('button', { name: 'Lưu' }).click();
    await p.locator('g.note').first().waitFor();
    await shot(p, 'annotations-vi');
    await p.getByRole('radio', { name: 'Tẩy' }).click();
    const before = await p.locator('polyline.ink').count();
    await p.mouse.move(b.x + b.width * 0.2, b.y + b.height * 0.3);
    await p.mouse.down();
    await p.mouse.move(b.x + b.width * 0.45, b.y + b.height * 0.31, { steps: 10 });
    await p.mouse.up();
    await p.waitForFunction((n) => document.querySelectorAll('polyline.ink').length < n, before);
    await p.getByRole('radio', { name: 'Xem, lật trang' }).click();
    // On the server: the highlight and the note (plain text, as typed) remain, the erased stroke does not.
    const me = await client('daibieu1');
    let kinds = [];
    for (let i = 0; i < 50; i++) {
      const list = (await me.get(`/documents/${docA.id}/annotations`)).annotations;
      kinds = list.map((a) => a.kind).sort();
      if (kinds.join() === 'highlight,note') {
        assert.equal(list.find((a) => a.kind === 'note').data.text, 'Hỏi lại số liệu trang này');
        assert.ok(list.every((a) => !a.shared));
        break;
      }
      await sleep(100);
    }
    assert.deepEqual(kinds, ['highlight', 'note']);
    // The annotated copy downloads as a PDF.
    const href = await p.getByTestId('annot-export').getAttribute('href');
    assert.match(href, /\/annotated\.pdf\?shared=false/);
    const res = await p.request.get(new URL(href, BASE).toString());
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    assert.equal((await res.body()).subarray(0, 5).toString(), '%PDF-');
  });

  it('shares a stroke drawn by one delegate with the other, in the same place at any zoom', { ...T, skip: needsLive() }, async () => {
    await Promise.all([followLive(d1), followLive(d2)]);
    const t0 = await turn(docA.id, 5);
    await Promise.all([waitShown(d1.page, 5, docA.id, 10000, t0), waitShown(d2.page, 5, docA.id, 10000, t0)]);
    const p = d1.page;
    await p.getByRole('radio', { name: 'Bút', exact: true }).click();
    await p.getByRole('button', { name: 'Chỉ mình tôi' }).click(); // → shared
    await p.getByRole('button', { name: 'Chia sẻ với mọi người' }).waitFor();
    const b = await p.getByTestId('annotations').boundingBox();
    await p.mouse.move(b.x + b.width * 0.3, b.y + b.height * 0.6);
    await p.mouse.down();
    for (let i = 1; i <= 8; i++) await p.mouse.move(b.x + b.width * (0.3 + i * 0.04), b.y + b.height * (0.6 - i * 0.02));
    await p.mouse.up();
    await p.locator('polyline.ink[data-shared="1"]').first().waitFor({ state: 'attached' });

    // daibieu2 sees it (live annotation.created), zoomed in, where daibieu1 drew it.
    const q = d2.page;
    await q.getByRole('button', { name: 'Zoom in' }).click();
    await q.getByText('125%').waitFor();
    const stroke = q.locator('polyline.ink[data-shared="1"]');
    await stroke.first().waitFor({ state: 'attached', timeout: 10000 });
    assert.equal(await q.locator('polyline.ink').count(), await stroke.count(), "daibieu1's private marks stay private");
    const rel = async (page) => {
      const s = await page.getByTestId('annotations').boundingBox();
      const l = await page.locator('polyline.ink[data-shared="1"]').first().boundingBox();
      return [(l.x - s.x) / s.width, (l.y - s.y) / s.height, l.width / s.width, l.height / s.height];
    };
    const [mine, theirs] = [await rel(p), await rel(q)];
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(mine[i] - theirs[i]) < 0.01, `same place on the page: ${mine} vs ${theirs}`);
    assert.ok(Math.abs(mine[0] - 0.3) < 0.02 && Math.abs(mine[2] - 0.32) < 0.03, `where it was drawn: ${mine}`);
    await shot(q, 'shared-stroke-en');

    // Erased by its author: gone for the other too (live annotation.deleted).
    await p.getByRole('radio', { name: 'Tẩy' }).click();
    await p.mouse.move(b.x + b.width * 0.3, b.y + b.height * 0.6);
    await p.mouse.down();
    await p.mouse.move(b.x + b.width * 0.38, b.y + b.height * 0.56, { steps: 6 });
    await p.mouse.up();
    await q.waitForFunction(() => document.querySelectorAll('polyline.ink[data-shared="1"]').length === 0, null, { timeout: 10000 });
    await p.getByRole('radio', { name: 'Bút', exact: true }).click();
    await p.getByRole('button', { name: 'Chia sẻ với mọi người' }).click(); // back to private for later tests
    await p.getByRole('radio', { name: 'Xem, lật trang' }).click();
    await q.getByRole('button', { name: 'Fit page' }).click();
  });

  it("shows the presenter's pointer on followers' screens, where it points, at any zoom", { ...T, skip: needsLive() }, async () => {
    await Promise.all([followLive(d1), followLive(d2)]);
    const t6 = await turn(docA.id, 6);
    await Promise.all([waitShown(d1.page, 6, docA.id, 10000, t6), waitShown(d2.page, 6, docA.id, 10000, t6)]);
    // The chair, on a tablet of their own, in the meeting room.
    const c = await tablet(browser, { viewport: IPAD, locale: 'vi-VN', name: 'chutri' });
    tablets.push(c);
    await signIn(c, 'chutri');
    const tc = Date.now();
    await c.page.goto(`${BASE}/meetings/${meeting.id}`);
    await waitShown(c.page, 6, docA.id, 60000, tc);
    assert.equal(await d1.page.getByTestId('laser-tool').count(), 0, 'a delegate who presents nothing has no pointer tool');
    await c.page.getByTestId('laser-tool').click();
    assert.equal(await c.page.getByTestId('laser-tool').getAttribute('aria-pressed'), 'true');
    // daibieu2 zoomed in, daibieu1 at fit: the dot lands on the same spot of the page for both.
    await d2.page.getByRole('button', { name: 'Zoom in' }).click();
    await d2.page.getByText('125%').waitFor();
    const sheet = await c.page.locator('.sheet').boundingBox();
    const at = (fx, fy) => [sheet.x + sheet.width * fx, sheet.y + sheet.height * fy];
    await c.page.mouse.move(...at(0.5, 0.5));
    await c.page.mouse.move(...at(0.25, 0.4), { steps: 12 });
    const where = async (t) => {
      const dot = t.page.locator('[data-testid=laser]:not(.faded)');
      await dot.waitFor({ timeout: 10000 });
      // the dot glides to its place (a 60 ms transition): wait until it settles
      await sleep(300);
      const s = await t.page.locator('.sheet').boundingBox();
      const d = await t.page.getByTestId('laser').boundingBox();
      return [(d.x + d.width / 2 - s.x) / s.width, (d.y + d.height / 2 - s.y) / s.height];
    };
    for (const t of [d1, d2]) {
      const [fx, fy] = await where(t);
      assert.ok(Math.abs(fx - 0.25) < 0.03 && Math.abs(fy - 0.4) < 0.03, `${t.name}: the dot at (${fx.toFixed(3)}, ${fy.toFixed(3)}) of the page, pointed at (0.25, 0.4)`);
    }
    await shot(d1.page, 'pointer-vi');
    await shot(d2.page, 'pointer-en');
    await shot(c.page, 'pointer-chair-vi');
    // No movement for about 2 s: the dot fades out.
    await d1.page.locator('[data-testid=laser].faded').waitFor({ state: 'attached', timeout: 5000 });
    // It moves again, then the chair leaves the page: the dot goes away.
    await c.page.mouse.move(...at(0.6, 0.7), { steps: 5 });
    await d1.page.locator('[data-testid=laser]:not(.faded)').waitFor({ timeout: 10000 });
    await c.page.mouse.move(sheet.x + sheet.width + 40, sheet.y + 10);
    await d1.page.getByTestId('laser').waitFor({ state: 'detached', timeout: 10000 });
    await c.page.getByTestId('laser-tool').click();
    await d2.page.getByRole('button', { name: 'Fit page' }).click();
    await c.context.close();
  });

  it('votes: the ballot opens, both vote with a confirmation, the results appear', { ...T, skip: needsLive() }, async () => {
    const poll = await chair.post(`/meetings/${meeting.id}/polls`, { title: 'Thông qua chương trình kỳ họp', agenda_item_id: agenda.current_item_id });
    await chair.post(`/polls/${poll.id}/open`);
    for (const t of [d1, d2]) await t.page.getByTestId('ballot').waitFor();
    assert.match(await d1.page.getByTestId('ballot').textContent(), /Thông qua chương trình kỳ họp/);
    await shot(d1.page, 'ballot-vi');

    await d1.page.locator('[data-option=agree]').click();
    await d1.page.getByTestId('cast-vote').click();
    assert.match(await d1.page.getByTestId('confirm-choice').textContent(), /Đồng ý/);
    await shot(d1.page, 'ballot-confirm-vi');
    await d1.page.getByTestId('confirm-vote').click();
    await d1.page.getByTestId('vote-recorded').waitFor();
    assert.match(await d1.page.getByTestId('vote-recorded').textContent(), /đã được ghi nhận/);
    await shot(d1.page, 'ballot-recorded-vi');

    await d2.page.locator('[data-option=disagree]').click();
    await d2.page.getByTestId('cast-vote').click();
    assert.match(await d2.page.getByTestId('confirm-choice').textContent(), /Against/);
    await d2.page.getByTestId('confirm-vote').click();
    await d2.page.getByTestId('vote-recorded').waitFor();
    assert.match(await d2.page.getByTestId('vote-recorded').textContent(), /Your vote is recorded/);

    const counted = await chair.get(`/polls/${poll.id}`);
    assert.equal(counted.voted, 2);
    await chair.post(`/polls/${poll.id}/close`);
    await chair.post(`/polls/${poll.id}/publish`);
    for (const t of [d1, d2]) await t.page.getByTestId('results').waitFor();
    assert.match(await d2.page.getByTestId('results').textContent(), /In favour/);
    await shot(d1.page, 'results-vi');
    await shot(d2.page, 'results-en');
    for (const t of [d1, d2]) await t.page.getByTestId('results').getByRole('button').click();
  });

  it('comes back by itself after a server restart, on the right page, with nothing stale', { ...T, skip: needsLive() || (!canRestart && 'set by scripts/e2e.sh: CURIA_E2E_BIN, CURIA_E2E_DATA, CURIA_E2E_PIDFILE') }, async () => {
    await Promise.all([followLive(d1), followLive(d2)]);
    const t5 = await turn(docA.id, 5);
    await Promise.all([waitShown(d1.page, 5, docA.id, 10000, t5), waitShown(d2.page, 5, docA.id, 10000, t5)]);
    // Watched from before the restart: the banner comes 1.5 s into the 2.5 s the server is down, and a
    // tablet that reconnects before restartServer has seen /healthz answer has already taken it away.
    const offline = d1.page.getByTestId('offline').waitFor({ timeout: 20000 }).then(() => null, (e) => e);
    await restartServer({ downMs: 2500 });
    const missed = await offline;
    if (missed) throw missed;
    await shot(d1.page, 'offline-vi');
    // Change things before the tablets are back: they must not show the old state.
    const t17 = await turn(docA.id, 17);
    const next = agenda.items[0].items[0].id;
    await chair.put(`/meetings/${meeting.id}/agenda/current`, { item_id: next });
    for (const t of [d1, d2]) {
      await within(30000, waitShown(t.page, 17, docA.id, 30000, t17), `${t.name} back on page 17`);
      await t.page.getByTestId('offline').waitFor({ state: 'detached', timeout: 30000 });
      await t.page.waitForFunction(() => document.querySelector('[data-testid=current-item] .num')?.textContent === '1.1');
    }
    assert.equal(await d1.page.getByTestId('pageof').textContent(), 'Trang 17 / 24');
    await shot(d2.page, 'after-restart-en');
    // and they follow live again
    const t0 = await turn(docA.id, 18);
    const [a, b] = await Promise.all([waitShown(d1.page, 18, docA.id, 10000, t0), waitShown(d2.page, 18, docA.id, 10000, t0)]);
    latencies.push(Math.round(a.at - t0), Math.round(b.at - t0));
    // reconnect errors are expected in the console while the server was down
    for (const t of [d1, d2]) {
      const noise = /WebSocket connection .* failed|Failed to load resource|ERR_CONNECTION_REFUSED/;
      const rest = t.errors.filter((e) => !noise.test(e));
      t.errors.splice(0, t.errors.length, ...rest);
    }
  });

  it('works on a phone (390 × 844) with the agenda as a drawer', T, async () => {
    const p = await tablet(browser, { viewport: PHONE, locale: 'en-GB', name: 'daibieu3-phone' });
    tablets.push(p);
    await signIn(p, 'daibieu3');
    await p.page.goto(`${BASE}/meetings/${meeting.id}`);
    // A first visit of this tablet: pdf.js is compiled from scratch, slow on a busy machine (not a timing test).
    await p.page.locator('.page-canvas').waitFor({ timeout: 60000 });
    await sleep(300);
    await shot(p.page, 'phone-room-en');
    const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'nothing should stick out sideways on a phone');
    await p.page.getByRole('button', { name: 'Agenda' }).click();
    await p.page.locator('.agenda-pane .doc').first().waitFor();
    await sleep(300);
    await shot(p.page, 'phone-agenda-en');
    await p.page.getByTestId('lang').click();
    await p.page.getByText('Chương trình họp').first().waitFor();
    await shot(p.page, 'phone-agenda-vi');
  });

  it('has touch targets of at least 44 px and works with the keyboard', T, async () => {
    const small = await d1.page.evaluate(() =>
      [...document.querySelectorAll('button, a[href], input, [role=button]')]
        .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden' && !el.closest('svg'))
        .map((el) => ({ el: el.getAttribute('aria-label') ?? el.textContent?.trim(), r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.width > 0 && (r.width < 44 || r.height < 44))
        .map(({ el, r }) => `${el} ${Math.round(r.width)}×${Math.round(r.height)}`),
    );
    assert.deepEqual(small, []);
    // Tab reaches the agenda's documents and Enter opens one.
    await d1.page.locator('body').press('Tab');
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      reached = await d1.page.evaluate(() => document.activeElement?.classList.contains('doc'));
      if (!reached) await d1.page.keyboard.press('Tab');
    }
    assert.ok(reached, 'Tab should reach a document in the agenda');
    await d1.page.keyboard.press('Enter');
    await d1.page.locator('.page-canvas').waitFor();
  });

  it('logged nothing in any console', () => {
    const all = tablets.flatMap((t) => t.errors);
    const allowed = liveWired ? [] : [/WebSocket connection .*\/live' failed/];
    const real = all.filter((e) => !allowed.some((re) => re.test(e)));
    assert.deepEqual(real, []);
  });
});

let daibieu1Id = '';
function d1Id() {
  return daibieu1Id;
}
