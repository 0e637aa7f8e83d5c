// What the room's edge tests (pen-edge, poll-edge, room-docs-edge) share:
// the demo's secretary, chair and two delegates signed in through the API;
// a meeting of the test's own (the demo meeting is left alone), in session,
// its one agenda item current, with documents on that item; and
// daibieu1's tablet opened in its room from the list of meetings, as a
// user does. Call roomKit() at the top of a test file: it registers the
// file's before and after.
import { after, before } from 'node:test';
import { BASE, IPAD, client, launch, signIn, tablet } from './lib.mjs';
import { makePdf } from './tools/mkpdf.mjs';

export function roomKit() {
  const kit = {
    /** @type {Awaited<ReturnType<typeof client>>} */ sec: null,
    chair: null,
    del1: null,
    del2: null,
    browser: null,
    contexts: [],

    /**
     * A meeting of our own, in session, its first item current, with the
     * documents given ([title, pages] each) on that item.
     */
    async meeting(name, docs) {
      const { sec } = kit;
      const m = await sec.post('/meetings', { title: `E2E ${name} ${new Date().toISOString().slice(11, 19)}`, location: 'E2E' });
      await sec.put(`/meetings/${m.id}/participants/${kit.chair.user.id}`, { role: 'chair' });
      await sec.put(`/meetings/${m.id}/participants/${kit.del1.user.id}`, { role: 'delegate' });
      await sec.put(`/meetings/${m.id}/participants/${kit.del2.user.id}`, { role: 'delegate' });
      const item = await sec.post(`/meetings/${m.id}/agenda`, { title: 'Thảo luận dự thảo nghị quyết', duration_min: 20 });
      const uploaded = [];
      for (const [i, [title, pages]] of docs.entries()) {
        uploaded.push(await sec.upload(m.id, `${i}.pdf`, makePdf({ pages, label: title }), { title, agenda_item_id: item.id }));
      }
      await sec.post(`/meetings/${m.id}/status`, { status: 'scheduled' });
      await sec.post(`/meetings/${m.id}/status`, { status: 'live' });
      await sec.put(`/meetings/${m.id}/agenda/current`, { item_id: item.id });
      return { m, item, docs: uploaded };
    },

    /** daibieu1's tablet in the meeting room; beforeSignIn runs on the fresh tablet first. */
    async openRoom(name, m, { beforeSignIn } = {}) {
      const t = await tablet(kit.browser, { viewport: IPAD, locale: 'vi-VN', name });
      kit.contexts.push(t);
      if (beforeSignIn) await beforeSignIn(t);
      await signIn(t, 'daibieu1');
      await t.page.locator(`.meetings a.card.meeting[href="/meetings/${m.id}"]`).click();
      await t.page.waitForURL(`**/meetings/${m.id}`);
      await t.page.getByTestId('speakbar').waitFor();
      return t;
    },

    /** A DELETE as api (the lib's client has no helper for it). */
    async del(api, path) {
      const r = await fetch(`${BASE}/api/v1${path}`, { method: 'DELETE', headers: { Authorization: `Bearer ${api.token}` } });
      if (!r.ok) throw new Error(`DELETE ${path}: ${r.status} ${await r.text()}`);
    },
  };
  let close;
  before(async () => {
    [kit.sec, kit.chair, kit.del1, kit.del2] = await Promise.all(['thuky', 'chutri', 'daibieu1', 'daibieu2'].map((u) => client(u)));
    ({ browser: kit.browser, close } = await launch());
  });
  after(async () => {
    await Promise.all(kit.contexts.map((c) => c.context.close().catch(() => {})));
    await close?.();
  });
  return kit;
}

/** The agenda's button of a document. */
export const docButton = (page, title) => page.locator('button.doc', { hasText: title });
