// The meeting room's edge cases around documents and the speaking bar, in a
// browser: a document withdrawn while it is
// read, a document that failed to open while the Wi-Fi was down, and the
// speaking bar's messages when a request is refused (409) because something
// changed that the tablet had not heard of yet. Each test prepares a meeting
// of its own through the API (the demo meeting is left alone) and drives one
// tablet in Vietnamese.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep, waitShown } from './lib.mjs';
import { docButton, roomKit } from './room-kit.mjs';

const T = { timeout: 180000 };
const kit = roomKit();

/** A meeting of our own, in session, its first item current, with two documents on it. */
async function prepare(name) {
  const { m, item, docs: [docA, docB] } = await kit.meeting(`room-docs-edge ${name}`, [['Tờ trình A', 4], ['Báo cáo B', 3]]);
  return { m, item, docA, docB };
}
const areaText = (page) => page.locator('.doc-area').textContent().then((s) => (s ?? '').trim());

describe('the room: documents and the speaking bar at the edges', () => {
  it('a document removed while a delegate reads it does not leave "Đang tải…" (Loading…) for ever', T, async () => {
    const s = await prepare('removed');
    const t = await kit.openRoom('removed', s.m);
    const since = Date.now() - 5;
    await docButton(t.page, 'Báo cáo B').click();
    await waitShown(t.page, 1, s.docB.id, 15000, since);
    await kit.del(kit.sec, `/documents/${s.docB.id}`); // the secretary withdraws it
    await docButton(t.page, 'Báo cáo B').waitFor({ state: 'detached' });
    await sleep(4000);
    const shown = await areaText(t.page);
    assert.ok(!/Đang tải/.test(shown), `4 s after the document was withdrawn the reading area still says ${JSON.stringify(shown)}: a spinner that never ends, no word of what happened, no way back but the agenda`);
    assert.match(shown, /không còn nữa/, 'the reader is told the document was withdrawn');
    await t.page.locator('.doc-area').getByRole('button', { name: 'Mở chương trình họp' }).click(); // a way on
    await docButton(t.page, 'Tờ trình A').click();
    await waitShown(t.page, 1, s.docA.id, 15000, 0);
  });

  it('a document followed after "back to live", then withdrawn once the presentation ended, does not leave "Đang tải…"', T, async () => {
    const s = await prepare('followed');
    await kit.chair.put(`/meetings/${s.m.id}/presentation`, { document_id: s.docB.id, page: 2, zoom: null });
    const t = await kit.openRoom('followed', s.m);
    await waitShown(t.page, 2, s.docB.id, 15000, 0); // following the presenter
    await docButton(t.page, 'Tờ trình A').click(); // reading something else…
    await waitShown(t.page, 1, s.docA.id, 15000, 0);
    const since = Date.now() - 5;
    await t.page.getByTestId('back-to-live').click(); // …and back to live
    await waitShown(t.page, 2, s.docB.id, 15000, since);
    await kit.chair.put(`/meetings/${s.m.id}/presentation`, { document_id: null }); // the chair stops presenting: the delegate stays on its page
    await t.page.getByTestId('live-badge').waitFor({ state: 'detached' });
    await kit.del(kit.sec, `/documents/${s.docB.id}`); // and the secretary withdraws it
    await docButton(t.page, 'Báo cáo B').waitFor({ state: 'detached' });
    await sleep(4000);
    const shown = await areaText(t.page);
    assert.ok(!/Đang tải/.test(shown), `4 s after the followed document was withdrawn the reading area still says ${JSON.stringify(shown)}`);
    assert.match(shown, /không còn nữa/, 'the reader is told the document is no longer there');
  });

  it('a document that failed to open while the Wi-Fi was down opens when tapped again once it is back', T, async () => {
    const s = await prepare('retry');
    const t = await kit.openRoom('retry', s.m);
    const blocked = '**/api/v1/documents/*/file*';
    await t.page.route(blocked, (r) => r.abort('internetdisconnected'));
    await docButton(t.page, 'Báo cáo B').click();
    await t.page.locator('.loading.error').waitFor({ timeout: 15000 }); // "Không mở được tài liệu."
    assert.equal(await t.page.getByTestId('viewer-retry').count(), 1, 'the error offers "Thử lại" (try again)');
    await t.page.unroute(blocked);
    await t.page.evaluate(() => dispatchEvent(new Event('online'))); // the network is back
    await docButton(t.page, 'Báo cáo B').click(); // and the delegate taps the document again
    let opened = true;
    await waitShown(t.page, 1, s.docB.id, 10000, 0).catch(() => (opened = false));
    const shown = await areaText(t.page);
    assert.ok(opened, `with the network back and the document tapped again, the viewer still shows ${JSON.stringify(shown)} (no retry, no retry button; only opening another document and coming back helps)`);
  });

  it('withdrawing from the list just as the chair gives the floor does not say "cannot reach the server"', T, async () => {
    const s = await prepare('withdraw');
    let stalled = false;
    const t = await kit.openRoom('withdraw', s.m, {
      beforeSignIn: (x) => x.page.routeWebSocket(/\/api\/v1\/meetings\/[^/]+\/live/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((msg) => { if (!stalled) ws.send(msg); });
        ws.onMessage((msg) => server.send(msg));
      }),
    });
    await t.page.getByTestId('ask-speech').click();
    await t.page.getByTestId('my-place').waitFor({ timeout: 10000 });
    stalled = true; // the tablet does not hear of the next change in time
    const q = await kit.chair.get(`/agenda-items/${s.item.id}/speakers`);
    const mine = q.speeches.find((x) => x.user_id === kit.del1.user.id);
    await kit.chair.post(`/speakers/${mine.id}/start`, { time_limit_sec: 120 });
    await t.page.getByRole('button', { name: 'Rút đăng ký' }).click();
    const toast = t.page.locator('.toasts .toast.error');
    await toast.first().waitFor({ timeout: 5000 });
    const said = ((await toast.last().textContent()) ?? '').trim();
    assert.notEqual(said, 'Không kết nối được máy chủ. Vui lòng thử lại.', 'a 409 (you already have the floor) is reported as a network failure');
    assert.equal(said, 'Bạn vừa được mời phát biểu nên không rút đăng ký được nữa.');
  });

  it('asking to speak once the meeting is closed does not answer "Bạn đã đăng ký rồi." (already on the list)', T, async () => {
    const s = await prepare('speak');
    // The tablet must not hear of the close before it asks: its live
    // connection is stalled, a reconnection meanwhile (a stalled socket
    // misses its heartbeat) reaches no server, and everything it reads over
    // REST is what it last saw (the close also ends the current item, so a
    // fresh agenda alone would take the button away), until it asks.
    let stalled = false;
    let inFlight = 0; // GETs on their way to the server: one answered after the close would tell of it
    const seen = new Map(); // GET url -> last body read before the stall
    const t = await kit.openRoom('speak', s.m, {
      beforeSignIn: async (x) => {
        await x.page.routeWebSocket(/\/api\/v1\/meetings\/[^/]+\/live/, (ws) => {
          if (stalled) return; // a reconnection: open, and silent
          const server = ws.connectToServer();
          server.onMessage((msg) => { if (!stalled) ws.send(msg); });
          ws.onMessage((msg) => server.send(msg));
        });
        await x.page.route('**/api/v1/**', async (route) => {
          const url = route.request().url();
          if (route.request().method() !== 'GET') return route.continue();
          if (stalled && seen.has(url)) return route.fulfill({ status: 200, contentType: 'application/json', body: seen.get(url) });
          inFlight += 1;
          let res;
          let body;
          try {
            res = await route.fetch();
            body = await res.text();
          } finally {
            inFlight -= 1;
          }
          if (!stalled && res.status() === 200) seen.set(url, body);
          return route.fulfill({ response: res, body });
        });
        // The ask goes out as it is; from then on the tablet reads the meeting as it is.
        await x.page.route('**/api/v1/agenda-items/*/speakers', (route) => {
          if (route.request().method() === 'POST') stalled = false;
          return route.fallback(); // to the route above: a GET may be stale
        });
      },
    });
    await t.page.getByTestId('ask-speech').waitFor();
    // The room's first reads all answered (on a loaded machine some are still on their way here).
    for (const end = Date.now() + 10000; inFlight > 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    stalled = true; // the tablet does not hear of the close in time
    await kit.chair.post(`/meetings/${s.m.id}/status`, { status: 'closed' });
    const ask = t.page.getByTestId('ask-speech');
    assert.equal(await ask.count(), 1, 'precondition: the tablet, not told of the close, still offers "Xin phát biểu"');
    await ask.click();
    const toast = t.page.locator('.toasts .toast');
    await toast.first().waitFor({ timeout: 5000 });
    const said = ((await toast.last().textContent()) ?? '').trim();
    const queue = await kit.del1.get(`/agenda-items/${s.item.id}/speakers`);
    assert.ok(!queue.speeches.some((x) => x.user_id === kit.del1.user.id), 'precondition: the delegate is not on the list');
    assert.notEqual(said, 'Bạn đã đăng ký rồi.', 'a 409 "meeting closed" is read as "already on the list"');
    assert.equal(said, 'Cuộc họp đã kết thúc, không thể đăng ký phát biểu.');
    // The refusal refreshed the room: the meeting shows as closed, and asking to speak is no longer offered.
    await t.page.locator('.badge.st-closed').first().waitFor({ timeout: 10000 });
    await t.page.getByTestId('speak-closed').waitFor({ timeout: 10000 });
    assert.equal(await t.page.getByTestId('ask-speech').count(), 0, 'a closed meeting still offers "Xin phát biểu"');
  });
});
