// The delegate room's layout where the visual walkthrough found it wanting,
// measured in the browser rather than looked at: on a phone the "Biểu quyết
// ngay" (vote now) pill leaves the speaker's name readable; on a landscape
// tablet the document's toolbar keeps one row in drawing mode; and the
// annotated copy's link (and the share toggle beside it) has an accessible
// name that holds the word it shows (WCAG 2.5.3, label in name). The
// chair's toolbar, with the presenter's laser and temporary pen, keeps one
// row too, and so does the delegate's on a smaller landscape tablet (901 to
// 1023 px); on a landscape tablet the pill stays clear of the speak bar. On a
// portrait tablet (768 to 900 px) the delegate's bar keeps one row and the
// chair's two, every tool (the menu's too) in sight, 44 px, where a tap finds
// it, none moving when "clear" comes, the page keeping the screen, and neither
// the pill nor the speak bar over a tool. In Vietnamese and English. A
// meeting of its own (the demo meeting is left alone), with a delegate of a
// long name who has the floor, a document the chair presents, and a vote open
// in the pill's tests.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PASSWORD, client, signIn, sleep, tablet } from './lib.mjs';
import { roomKit } from './room-kit.mjs';

const T = { timeout: 240000 };
const kit = roomKit();
const LONG_NAME = 'Tôn Nữ Hoàng Phương Thảo Nguyễn Ngọc Bích';
const L = {
  'vi-VN': { pen: 'Bút', private: 'Chỉ mình tôi', zoomIn: 'Phóng to', zoomOut: 'Thu nhỏ', thumbs: 'Hình thu nhỏ các trang', prev: 'Trang trước', next: 'Trang sau', fit: 'Vừa trang' },
  'en-GB': { pen: 'Pen', private: 'Only me', zoomIn: 'Zoom in', zoomOut: 'Zoom out', thumbs: 'Page thumbnails', prev: 'Previous page', next: 'Next page', fit: 'Fit page' },
};

let s;

/**
 * The meeting of these tests, made once for the file's suites: a delegate of a long name has the
 * floor, another waits, and the chair presents the document (on its page, the laser and the temporary pen).
 */
async function setUp() {
  if (s) return;
  const admin = await client('admin');
  const run = Date.now().toString(36);
  const speaker = await admin.post('/users', { username: `e2e-layout-${run}`, full_name: LONG_NAME, password: PASSWORD, is_admin: false });
  const { m, item, docs } = await kit.meeting('room-layout', [['Tờ trình điều chỉnh kế hoạch đầu tư công', 4]]);
  await kit.sec.put(`/meetings/${m.id}/participants/${speaker.id}`, { role: 'delegate' });
  await kit.sec.post(`/meetings/${m.id}/attendance`, { user_id: kit.del1.user.id, state: 'present' });
  // The long-named delegate has the floor, another waits.
  const asker = await client(speaker.username);
  const turn = await asker.post(`/agenda-items/${item.id}/speakers`, { kind: 'speech' });
  await kit.chair.post(`/speakers/${turn.id}/start`, { time_limit_sec: 600 });
  await kit.del2.post(`/agenda-items/${item.id}/speakers`, { kind: 'speech' });
  // The chair presents the document: on its page, the chair has the laser and the temporary pen.
  await kit.chair.put(`/meetings/${m.id}/presentation`, { document_id: docs[0].id, page: 1, zoom: null });
  s = { m, item, docs };
}

/** daibieu1's (or another's) room at this size and language, its first page on screen. */
async function room(name, viewport, locale, user = 'daibieu1') {
  const t = await tablet(kit.browser, { viewport, locale, name });
  kit.contexts.push(t);
  await signIn(t, user);
  await t.page.locator(`.meetings a.card.meeting[href="/meetings/${s.m.id}"]`).click();
  await t.page.waitForURL(`**/meetings/${s.m.id}`);
  await t.page.getByTestId('speakbar').waitFor();
  await t.page.getByTestId('active-speaker').waitFor();
  await t.page.locator('.page-canvas').first().waitFor({ timeout: 30000 });
  return t;
}

/** The presenter's temporary pen draws a stroke on the page, and "clear" comes. */
async function tempStroke(page) {
  await page.getByTestId('temp-pen-tool').click();
  const sheet = await page.locator('.sheet').boundingBox();
  await page.mouse.move(sheet.x + sheet.width * 0.3, sheet.y + sheet.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(sheet.x + sheet.width * 0.45, sheet.y + sheet.height * 0.55, { steps: 6 });
  await page.mouse.up();
  await page.getByTestId('temp-clear').waitFor();
}

/** An element's box, rounded to the pixel. */
async function box(locator) {
  const b = await locator.boundingBox();
  assert.ok(b, 'the element is on screen');
  return { x: Math.round(b.x), y: Math.round(b.y), right: Math.round(b.x + b.width), bottom: Math.round(b.y + b.height) };
}
const intersect = (a, b) => Math.min(a.right, b.right) > Math.max(a.x, b.x) && Math.min(a.bottom, b.bottom) > Math.max(a.y, b.y);

/** The toolbar's height against a button's: one row is a button's height and the bar's padding and border (4 + 4 + 1 px). */
async function oneRow(t, tag, locale) {
  await sleep(250);
  const h = (await t.page.getByRole('toolbar').boundingBox()).height;
  const button = (await t.page.getByRole('radio', { name: L[locale].pen, exact: true }).boundingBox()).height;
  assert.ok(h <= button + 12, `${tag}: the toolbar is ${Math.round(h)} px high, two rows (a button is ${Math.round(button)} px)`);
}

/**
 * The toolbar's controls (those of a presenter too, when given, and any extra [name, locator] pairs):
 * each in sight on the screen, at least 44 px each way, the one a tap on its middle reaches (nothing
 * floats over it), none over another.
 */
async function everyTool(t, tag, locale, presenter = false, extra = []) {
  const x = L[locale];
  const { page } = t;
  const tools = [
    [x.thumbs, page.getByRole('button', { name: x.thumbs, exact: true })],
    [x.prev, page.getByRole('button', { name: x.prev, exact: true })],
    [x.next, page.getByRole('button', { name: x.next, exact: true })],
    [x.zoomOut, page.getByRole('button', { name: x.zoomOut, exact: true })],
    [x.fit, page.getByRole('button', { name: x.fit })], // "100%, Vừa trang"
    [x.zoomIn, page.getByRole('button', { name: x.zoomIn, exact: true })],
    ...(await page.getByRole('radio').all()).map((r, i) => [`tool ${i + 1}`, r]),
    ['annot-share', page.getByTestId('annot-share')],
    ['annot-export', page.getByTestId('annot-export')],
    ...(presenter ? ['laser-tool', 'temp-pen-tool', 'temp-clear'].map((id) => [id, page.getByTestId(id)]) : []),
    ...extra,
  ];
  assert.equal(tools.length, (presenter ? 16 : 13) + extra.length, `${tag}: the tools counted`);
  const vp = page.viewportSize();
  const seen = [];
  for (const [what, el] of tools) {
    assert.ok(await el.isVisible(), `${tag}: "${what}" is in sight`);
    const b = await el.boundingBox();
    const r = { x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height };
    assert.ok(b.width >= 44 && b.height >= 44, `${tag}: "${what}" is ${Math.round(b.width)}×${Math.round(b.height)} px, under 44`);
    assert.ok(r.x >= 0 && r.y >= 0 && r.right <= vp.width && r.bottom <= vp.height, `${tag}: "${what}" is off the screen ${JSON.stringify(r)}`);
    const reached = await el.evaluate((e) => {
      const c = e.getBoundingClientRect();
      const at = document.elementFromPoint(c.x + c.width / 2, c.y + c.height / 2);
      return !!at && e.contains(at);
    });
    assert.ok(reached, `${tag}: a tap on "${what}" reaches something over it`);
    for (const [other, o] of seen) {
      // Half a pixel of rounding between neighbours is no overlap.
      const shrunk = { x: r.x + 0.5, y: r.y + 0.5, right: r.right - 0.5, bottom: r.bottom - 0.5 };
      assert.ok(!intersect(shrunk, o), `${tag}: "${what}" ${JSON.stringify(r)} lies over "${other}" ${JSON.stringify(o)}`);
    }
    seen.push([what, r]);
  }
}

describe('the delegate room on a phone and a landscape tablet', () => {
  // In the suite, not at the top: it needs the kit's sign-ins (room-kit's top-level before) done.
  before(setUp);

  it("the vote-now pill covers neither the speaker's name nor the speak buttons on a phone (390 and 360 px, vi and en)", T, async () => {
    const poll = await kit.chair.post(`/meetings/${s.m.id}/polls`, { title: 'Thông qua dự thảo nghị quyết', secret: false, agenda_item_id: s.item.id });
    await kit.chair.post(`/polls/${poll.id}/open`);
    try {
      for (const [viewport, locale] of [[{ width: 390, height: 844 }, 'vi-VN'], [{ width: 390, height: 844 }, 'en-GB'], [{ width: 360, height: 780 }, 'vi-VN'], [{ width: 360, height: 780 }, 'en-GB']]) {
        const tag = `${viewport.width}×${viewport.height} ${locale}`;
        const t = await room(`phone-${viewport.width}-${locale}`, viewport, locale);
        // The ballot comes up; put aside, it leaves the pill.
        await t.page.getByTestId('ballot').waitFor({ timeout: 20000 });
        await t.page.keyboard.press('Escape');
        const pill = t.page.getByTestId('reopen-ballot');
        await pill.waitFor();
        await sleep(300);
        const p = await box(pill);
        const name = await box(t.page.getByTestId('active-speaker').locator('strong'));
        const line = await box(t.page.getByTestId('active-speaker'));
        assert.ok(!intersect(p, name), `${tag}: the pill ${JSON.stringify(p)} covers the speaker's name ${JSON.stringify(name)}`);
        assert.ok(!intersect(p, line), `${tag}: the pill ${JSON.stringify(p)} covers the speaker's line ${JSON.stringify(line)}`);
        for (const id of ['ask-speech', 'ask-question']) {
          const b = await box(t.page.getByTestId(id));
          assert.ok(!intersect(p, b), `${tag}: the pill ${JSON.stringify(p)} covers ${id} ${JSON.stringify(b)}`);
        }
        assert.ok(p.x >= 0 && p.right <= viewport.width && p.bottom <= viewport.height, `${tag}: the pill is in sight ${JSON.stringify(p)}`);
        // Still a pill that opens the ballot.
        await pill.click();
        await t.page.getByTestId('ballot').waitFor();
        await t.context.close();
      }
    } finally {
      await kit.chair.post(`/polls/${poll.id}/close`).catch(() => {});
    }
  });

  it('the toolbar keeps one row in drawing mode on a landscape tablet (1024×768 and 1180×820, vi and en), every tool in sight', T, async () => {
    for (const [viewport, locale] of [[{ width: 1024, height: 768 }, 'vi-VN'], [{ width: 1024, height: 768 }, 'en-GB'], [{ width: 1180, height: 820 }, 'vi-VN'], [{ width: 1180, height: 820 }, 'en-GB']]) {
      const tag = `${viewport.width}×${viewport.height} ${locale}`;
      const x = L[locale];
      const t = await room(`landscape-${viewport.width}-${locale}`, viewport, locale);
      await oneRow(t, `${tag} reading`, locale);
      await t.page.getByRole('radio', { name: x.pen, exact: true }).click();
      await oneRow(t, `${tag} with the pen`, locale);
      await t.page.getByRole('button', { name: x.private }).click(); // shared from now on
      await oneRow(t, `${tag} with the pen, sharing`, locale);
      // Nothing left out of sight to make room: the tools that are reached nowhere else, by their names.
      for (const [role, name] of [['button', x.thumbs], ['button', x.zoomIn], ['button', x.zoomOut], ['radio', x.pen]]) {
        assert.ok(await t.page.getByRole(role, { name, exact: true }).isVisible(), `${tag}: "${name}" is in sight`);
      }
      assert.ok(await t.page.getByTestId('annot-export').isVisible(), `${tag}: the download is in sight`);
      await t.context.close();
    }
  });

  it("the chair's toolbar, with the laser and the temporary pen, keeps one row on a landscape tablet (1024×768 and 1180×820, vi and en), every tool in sight and at least 44 px", T, async () => {
    for (const [viewport, locale] of [[{ width: 1024, height: 768 }, 'vi-VN'], [{ width: 1024, height: 768 }, 'en-GB'], [{ width: 1180, height: 820 }, 'vi-VN'], [{ width: 1180, height: 820 }, 'en-GB']]) {
      const tag = `chair ${viewport.width}×${viewport.height} ${locale}`;
      const t = await room(`chair-${viewport.width}-${locale}`, viewport, locale, 'chutri');
      const { page } = t;
      await page.getByTestId('laser-tool').waitFor({ timeout: 20000 });
      await oneRow(t, `${tag} reading`, locale);
      // The temporary pen, a stroke on the page: "clear" comes.
      await tempStroke(page);
      await oneRow(t, `${tag} with the temporary pen`, locale);
      // The pen with the temporary strokes still there: every tool at once (the share toggle too).
      await page.getByRole('radio', { name: L[locale].pen, exact: true }).click();
      await page.getByTestId('annot-share').waitFor();
      await oneRow(t, `${tag} with the pen`, locale);
      await everyTool(t, tag, locale, true);
      await page.getByTestId('temp-clear').click(); // the strokes go, for everyone
      await page.getByTestId('temp-clear').waitFor({ state: 'detached' });
      await t.context.close();
    }
  });

  it("the delegate's toolbar keeps one row on a smaller landscape tablet (901 to 1023 px: 960×600 and 1000×700, vi and en; 901×600 vi), every tool in sight and at least 44 px", T, async () => {
    for (const [viewport, locale] of [[{ width: 960, height: 600 }, 'vi-VN'], [{ width: 960, height: 600 }, 'en-GB'], [{ width: 1000, height: 700 }, 'vi-VN'], [{ width: 1000, height: 700 }, 'en-GB'], [{ width: 901, height: 600 }, 'vi-VN']]) {
      const tag = `${viewport.width}×${viewport.height} ${locale}`;
      const t = await room(`small-landscape-${viewport.width}-${locale}`, viewport, locale);
      await oneRow(t, `${tag} reading`, locale);
      await t.page.getByRole('radio', { name: L[locale].pen, exact: true }).click();
      await t.page.getByTestId('annot-share').waitFor();
      await oneRow(t, `${tag} with the pen`, locale);
      await everyTool(t, tag, locale);
      await t.context.close();
    }
  });

  it('the vote-now pill keeps clear of the speak bar on a landscape tablet (1024×768 and 960×600, vi and en)', T, async () => {
    const poll = await kit.chair.post(`/meetings/${s.m.id}/polls`, { title: 'Thông qua dự thảo nghị quyết (máy tính bảng)', secret: false, agenda_item_id: s.item.id });
    await kit.chair.post(`/polls/${poll.id}/open`);
    try {
      for (const [viewport, locale] of [[{ width: 1024, height: 768 }, 'vi-VN'], [{ width: 1024, height: 768 }, 'en-GB'], [{ width: 960, height: 600 }, 'vi-VN'], [{ width: 960, height: 600 }, 'en-GB']]) {
        const tag = `${viewport.width}×${viewport.height} ${locale}`;
        const t = await room(`tablet-pill-${viewport.width}-${locale}`, viewport, locale);
        await t.page.getByTestId('ballot').waitFor({ timeout: 20000 });
        await t.page.keyboard.press('Escape');
        const pill = t.page.getByTestId('reopen-ballot');
        await pill.waitFor();
        await sleep(300);
        const p = await box(pill);
        const bar = await box(t.page.getByTestId('speakbar'));
        assert.ok(p.bottom <= bar.y, `${tag}: the pill ${JSON.stringify(p)} overlaps the speak bar ${JSON.stringify(bar)} by ${p.bottom - bar.y} px`);
        const stage = await box(t.page.getByTestId('stage'));
        assert.ok(p.x >= stage.x && p.right <= stage.right && p.y >= stage.y, `${tag}: the pill ${JSON.stringify(p)} is over the page's area ${JSON.stringify(stage)}`);
        await pill.click();
        await t.page.getByTestId('ballot').waitFor();
        await t.context.close();
      }
    } finally {
      await kit.chair.post(`/polls/${poll.id}/close`).catch(() => {});
    }
  });

  it("the annotated copy's link and the share toggle are named with the words they show (label in name), vi and en", T, async () => {
    for (const locale of ['vi-VN', 'en-GB']) {
      const t = await room(`names-${locale}`, { width: 1024, height: 768 }, locale);
      await t.page.getByRole('radio', { name: L[locale].pen, exact: true }).click();
      const link = t.page.getByTestId('annot-export');
      const share = t.page.locator('#vmore button[aria-pressed]'); // its name changes with its state
      for (const [what, el, role] of [['the download link', link, 'link'], ['the share toggle', share, 'button']]) {
        for (const turn of [0, 1]) {
          const shown = (await el.innerText()).replace(/\s+/g, ' ').trim();
          assert.ok(shown, `${locale}: ${what} shows a word`);
          const snapshot = await el.ariaSnapshot();
          // The browser's own accessible name: the role matched by name holds what is shown (case aside).
          const named = await el.and(t.page.getByRole(role, { name: shown })).count();
          assert.equal(named, 1, `${locale}: ${what} shows "${shown}" but is announced as ${snapshot}`);
          if (turn === 0 && what === 'the share toggle') {
            await el.click(); // and when sharing
            await sleep(200);
          } else break;
        }
      }
      await t.context.close();
    }
  });
});

// A portrait tablet (768 to 900 px wide: iPad 768×1024, 810×1080, 820×1180, 834×1194, Android
// 800×1280): the agenda is a drawer, the document takes the width, and "Thêm" (More) holds sharing
// and the download (room.css). Measured at the narrowest and at a common wider one.
const PORTRAIT = [[{ width: 768, height: 1024 }, 'vi-VN'], [{ width: 768, height: 1024 }, 'en-GB'], [{ width: 820, height: 1180 }, 'vi-VN'], [{ width: 820, height: 1180 }, 'en-GB']];

/** The boxes of the tools on screen (the bar's, and any floating over the page), the menu's aside. */
async function toolBoxes(page) {
  return page.getByRole('toolbar').evaluate((bar) =>
    [...bar.querySelectorAll('button, a')]
      .filter((e) => !e.closest('.vmore') && e.getClientRects().length > 0)
      .map((e) => {
        const r = e.getBoundingClientRect();
        return { what: e.getAttribute('aria-label') || e.textContent.trim(), x: r.x, y: r.y, right: r.right, bottom: r.bottom };
      }));
}

/**
 * On a portrait tablet the tools leave the page most of the screen: from the bar's top to the lowest
 * tool (in the bar, or floating over the page), at most 110 px; the page's area spans the screen and
 * keeps at least 60 % of its height; the speak bar covers no tool.
 */
async function pageKept(t, tag) {
  const { page } = t;
  await sleep(250);
  const vp = page.viewportSize();
  const bar = await box(page.getByRole('toolbar'));
  const tools = await toolBoxes(page);
  const band = Math.round(Math.max(bar.bottom, ...tools.map((b) => b.bottom))) - bar.y;
  assert.ok(band <= 110, `${tag}: the tools take ${band} px of the screen's height (the bar ${bar.bottom - bar.y} px), over 110`);
  const stage = await box(page.getByTestId('stage'));
  assert.ok(stage.x <= 1 && stage.right >= vp.width - 1, `${tag}: the page's area ${JSON.stringify(stage)} does not span the screen`);
  assert.ok(stage.bottom - stage.y >= 0.6 * vp.height, `${tag}: the page's area is ${stage.bottom - stage.y} px of ${vp.height}, under 60 %`);
  const speak = await box(page.getByTestId('speakbar'));
  for (const b of tools) assert.ok(!intersect(speak, b), `${tag}: the speak bar ${JSON.stringify(speak)} covers "${b.what}" ${JSON.stringify(b)}`);
}

/** The tools that are on screen both times are where they were (a tap aimed at one finds it there). */
function kept(tag, was, now) {
  for (const b of now) {
    const a = was.find((x) => x.what === b.what);
    if (a) assert.ok(Math.abs(a.x - b.x) <= 1 && Math.abs(a.y - b.y) <= 1, `${tag}: "${b.what}" moved from ${Math.round(a.x)},${Math.round(a.y)} to ${Math.round(b.x)},${Math.round(b.y)}`);
  }
}

/** "Thêm" (More) opened: sharing and the download in sight. Its toggle, returned, is a tool of the bar. */
async function openMore(t, tag) {
  const toggle = t.page.getByTestId('viewer-more');
  assert.ok(await toggle.isVisible(), `${tag}: "Thêm" (More) is in sight`);
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await t.page.getByTestId('viewer-more-menu').waitFor();
  await sleep(150);
  return ['viewer-more', toggle];
}

describe('the room on a portrait tablet (768×1024 and 820×1180)', () => {
  before(setUp);

  it("the delegate's toolbar on a portrait tablet (768×1024 and 820×1180, vi and en): every tool in sight, at least 44 px, none over another, the page keeping the screen", T, async () => {
    for (const [viewport, locale] of PORTRAIT) {
      const tag = `portrait ${viewport.width}×${viewport.height} ${locale}`;
      const t = await room(`portrait-${viewport.width}-${locale}`, viewport, locale);
      await pageKept(t, `${tag} reading`);
      await oneRow(t, `${tag} reading`, locale);
      const reading = await toolBoxes(t.page);
      await t.page.getByRole('radio', { name: L[locale].pen, exact: true }).click();
      await t.page.getByTestId('annot-share').waitFor({ state: 'attached' });
      await pageKept(t, `${tag} with the pen`);
      await oneRow(t, `${tag} with the pen`, locale);
      kept(`${tag} with the pen`, reading, await toolBoxes(t.page));
      const more = await openMore(t, tag);
      await everyTool(t, `${tag} with the pen, the menu open`, locale, false, [more]);
      await t.context.close();
    }
  });

  it("the chair's toolbar, with the laser and the temporary pen, on a portrait tablet (768×1024 and 820×1180, vi and en): every tool in sight, at least 44 px, none over another, the page keeping the screen", T, async () => {
    for (const [viewport, locale] of PORTRAIT) {
      const tag = `chair portrait ${viewport.width}×${viewport.height} ${locale}`;
      const t = await room(`chair-portrait-${viewport.width}-${locale}`, viewport, locale, 'chutri');
      const { page } = t;
      await page.getByTestId('laser-tool').waitFor({ timeout: 20000 });
      await pageKept(t, `${tag} reading`);
      const reading = await toolBoxes(page);
      // The temporary pen, a stroke on the page: "clear" comes.
      await tempStroke(page);
      await pageKept(t, `${tag} with the temporary pen`);
      // "Xóa nét vẽ" (clear) came: no other tool moved for it.
      kept(`${tag} with the temporary pen`, reading, await toolBoxes(page));
      // The pen with the temporary strokes still there: every tool at once (the menu's too).
      await page.getByRole('radio', { name: L[locale].pen, exact: true }).click();
      await page.getByTestId('annot-share').waitFor({ state: 'attached' });
      await pageKept(t, `${tag} with the pen`);
      kept(`${tag} with the pen`, reading, await toolBoxes(page));
      const more = await openMore(t, tag);
      await everyTool(t, `${tag} with the pen, the menu open`, locale, true, [more]);
      await page.keyboard.press('Escape');
      await page.getByTestId('temp-clear').click(); // the strokes go, for everyone
      await page.getByTestId('temp-clear').waitFor({ state: 'detached' });
      await t.context.close();
    }
  });

  it('the vote-now pill and the speak bar cover no tool on a portrait tablet (768×1024 and 820×1180, vi and en)', T, async () => {
    const poll = await kit.chair.post(`/meetings/${s.m.id}/polls`, { title: 'Thông qua dự thảo nghị quyết (máy tính bảng dọc)', secret: false, agenda_item_id: s.item.id });
    await kit.chair.post(`/polls/${poll.id}/open`);
    try {
      for (const [viewport, locale] of PORTRAIT) {
        const tag = `portrait ${viewport.width}×${viewport.height} ${locale}`;
        const t = await room(`portrait-pill-${viewport.width}-${locale}`, viewport, locale);
        await t.page.getByTestId('ballot').waitFor({ timeout: 20000 });
        await t.page.keyboard.press('Escape');
        const pill = t.page.getByTestId('reopen-ballot');
        await pill.waitFor();
        await t.page.getByRole('radio', { name: L[locale].pen, exact: true }).click();
        await pageKept(t, `${tag} with the pill`);
        const p = await box(pill);
        const bar = await box(t.page.getByTestId('speakbar'));
        assert.ok(p.bottom <= bar.y, `${tag}: the pill ${JSON.stringify(p)} overlaps the speak bar ${JSON.stringify(bar)} by ${p.bottom - bar.y} px`);
        const stage = await box(t.page.getByTestId('stage'));
        assert.ok(p.x >= stage.x && p.right <= stage.right && p.y >= stage.y, `${tag}: the pill ${JSON.stringify(p)} is over the page's area ${JSON.stringify(stage)}`);
        for (const b of await toolBoxes(t.page)) assert.ok(!intersect(p, b), `${tag}: the pill ${JSON.stringify(p)} covers "${b.what}" ${JSON.stringify(b)}`);
        // Still a pill that opens the ballot.
        await pill.click();
        await t.page.getByTestId('ballot').waitFor();
        await t.context.close();
      }
    } finally {
      await kit.chair.post(`/polls/${poll.id}/close`).catch(() => {});
    }
  });
});
