// The delegate room's layout where the visual walkthrough found it wanting,
// measured in the browser rather than looked at: on a phone the "Biểu quyết
// ngay" (vote now) pill leaves the speaker's name readable; on a landscape
// tablet the document's toolbar keeps one row in drawing mode; and the
// annotated copy's link (and the share toggle beside it) has an accessible
// name that holds the word it shows (WCAG 2.5.3, label in name). In
// Vietnamese and English. A meeting of its own (the demo meeting is left
// alone), with a delegate of a long name who has the floor and a vote open.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PASSWORD, client, signIn, sleep, tablet } from './lib.mjs';
import { roomKit } from './room-kit.mjs';

const T = { timeout: 240000 };
const kit = roomKit();
const LONG_NAME = 'Tôn Nữ Hoàng Phương Thảo Nguyễn Ngọc Bích';
const L = {
  'vi-VN': { pen: 'Bút', private: 'Chỉ mình tôi', zoomIn: 'Phóng to', zoomOut: 'Thu nhỏ', thumbs: 'Hình thu nhỏ các trang' },
  'en-GB': { pen: 'Pen', private: 'Only me', zoomIn: 'Zoom in', zoomOut: 'Zoom out', thumbs: 'Page thumbnails' },
};

let s;

/** daibieu1's room at this size and language, its first page on screen. */
async function room(name, viewport, locale) {
  const t = await tablet(kit.browser, { viewport, locale, name });
  kit.contexts.push(t);
  await signIn(t, 'daibieu1');
  await t.page.locator(`.meetings a.card.meeting[href="/meetings/${s.m.id}"]`).click();
  await t.page.waitForURL(`**/meetings/${s.m.id}`);
  await t.page.getByTestId('speakbar').waitFor();
  await t.page.getByTestId('active-speaker').waitFor();
  await t.page.locator('.page-canvas').first().waitFor({ timeout: 30000 });
  return t;
}

/** An element's box, rounded to the pixel. */
async function box(locator) {
  const b = await locator.boundingBox();
  assert.ok(b, 'the element is on screen');
  return { x: Math.round(b.x), y: Math.round(b.y), right: Math.round(b.x + b.width), bottom: Math.round(b.y + b.height) };
}
const intersect = (a, b) => Math.min(a.right, b.right) > Math.max(a.x, b.x) && Math.min(a.bottom, b.bottom) > Math.max(a.y, b.y);

describe('the delegate room on a phone and a landscape tablet', () => {
  // In the suite, not at the top: it needs the kit's sign-ins (room-kit's top-level before) done.
  before(async () => {
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
    s = { m, item, docs };
  });

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
      const bar = t.page.getByRole('toolbar');
      const oneRow = async (what) => {
        await sleep(250);
        const h = (await bar.boundingBox()).height;
        const button = (await t.page.getByRole('radio', { name: x.pen, exact: true }).boundingBox()).height;
        // One row: a button's height and the bar's padding and border (4 + 4 + 1 px), no second row.
        assert.ok(h <= button + 12, `${tag} ${what}: the toolbar is ${Math.round(h)} px high, two rows (a button is ${Math.round(button)} px)`);
      };
      await oneRow('reading');
      await t.page.getByRole('radio', { name: x.pen, exact: true }).click();
      await oneRow('with the pen');
      await t.page.getByRole('button', { name: x.private }).click(); // shared from now on
      await oneRow('with the pen, sharing');
      // Nothing left out of sight to make room: the tools that are reached nowhere else, by their names.
      for (const [role, name] of [['button', x.thumbs], ['button', x.zoomIn], ['button', x.zoomOut], ['radio', x.pen]]) {
        assert.ok(await t.page.getByRole(role, { name, exact: true }).isVisible(), `${tag}: "${name}" is in sight`);
      }
      assert.ok(await t.page.getByTestId('annot-export').isVisible(), `${tag}: the download is in sight`);
      await t.context.close();
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
