// A tablet on the room's Wi-Fi loses a request while it opens the app: the
// part of the app that did not come (the dictionary, the sign-in form, the
// viewer, the room's stylesheet) is asked for again until it comes
// (src/chunks.ts), instead of a blank page, a splash for ever, a room
// without its document or without its styles. A fetch is
// made to fail as the network does (a connection reset) by the browser's
// request routing, the first time or two it is made.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BASE, IPAD, signInForm, tablet, waitShown } from './lib.mjs';
import { roomKit } from './room-kit.mjs';

const T = { timeout: 120000 };
const kit = roomKit();

/** Makes the first `times` requests for a URL matching re fail (a connection reset); returns their count. */
async function dropFirst(t, re, times) {
  const asked = { n: 0 };
  await t.context.route(re, (route) => (++asked.n <= times ? route.abort('connectionreset') : route.continue()));
  return asked;
}

/** What the console said, without the browser's own line for each failed request. */
const unexpected = (t) => t.errors.filter((e) => !/Failed to load resource: net::ERR_CONNECTION_RESET/.test(e));

describe('a tablet whose downloads fail on the way', () => {
  let s;
  before(async () => {
    s = await kit.meeting('chunks', [['Tờ trình tải lại', 4]]);
    await kit.chair.put(`/meetings/${s.m.id}/presentation`, { document_id: s.docs[0].id, page: 3 });
  });

  it('shows the sign-in form in its language when the dictionary and the form failed to download', T, async () => {
    const t = await tablet(kit.browser, { viewport: IPAD, locale: 'vi-VN', name: 'chunks-login' });
    kit.contexts.push(t);
    const dictionary = await dropFirst(t, /\/assets\/vi-[^/]+\.js$/, 1);
    const form = await dropFirst(t, /\/assets\/Login-[^/]+\.js$/, 2);
    await t.page.goto(`${BASE}/`);
    await signInForm(t);
    assert.equal(await t.page.locator('h1').textContent(), 'Đăng nhập');
    assert.equal(dictionary.n, 2, 'the dictionary was asked for again, once');
    assert.equal(form.n, 3, 'the sign-in form was asked for again, twice');
    assert.deepEqual(unexpected(t), []);
  });

  it('opens the room on the presented page when the viewer failed to download twice', T, async () => {
    let viewer;
    const t = await kit.openRoom('chunks-room', s.m, { beforeSignIn: async (t) => (viewer = await dropFirst(t, /\/assets\/Viewer-[^/]+\.js$/, 2)) });
    await waitShown(t.page, 3, s.docs[0].id, 20000, 0);
    assert.equal(viewer.n, 3, 'the viewer was asked for again, twice');
    assert.deepEqual(unexpected(t), []);
  });

  it('opens the room with its styles when its stylesheet failed to download', T, async () => {
    let css;
    const t = await kit.openRoom('chunks-css', s.m, { beforeSignIn: async (t) => (css = await dropFirst(t, /\/assets\/Room-[^/]+\.css$/, 1)) });
    await waitShown(t.page, 3, s.docs[0].id, 20000, 0);
    // The room may come before its styles do (they follow within the backoff's waits).
    await t.page.waitForFunction(() => getComputedStyle(document.querySelector('.pane-head')).display === 'flex', null, { timeout: 10000 }); // room.css
    assert.equal(css.n, 2, "the room's stylesheet was asked for again, once");
    const sheets = await t.page.evaluate(() => [...document.styleSheets].filter((x) => x.href?.includes('/assets/Room-')).map((x) => x.cssRules.length > 0));
    assert.deepEqual(sheets, [true], 'one copy of the stylesheet, loaded');
    assert.deepEqual(unexpected(t), []);
  });
});
