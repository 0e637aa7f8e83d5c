// The secretary's desk and the admin screen, in the browser: a secretary
// prepares a meeting from nothing (details, participants with roles, an
// agenda with a sub-item reordered by drag and drop and by keyboard, two
// PDFs and a refused non-PDF uploaded at once, a document attached to an
// item, one made confidential with a reader, the attendance sheet) and runs
// it through its lifecycle to closed — once in Vietnamese, once in English.
// Every result is read back through the API. Then an administrator creates,
// disables, enables a user and resets their password.
//
// It never touches the demo meeting: it makes its own users (with the demo
// password, so lib.mjs can sign them in) and its own meetings, dated in the
// past and closed at the end, so lib.demoMeeting never picks them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE, PASSWORD, client, launch, shot, signIn, sleep, tablet } from './lib.mjs';
import { makePdf } from './tools/mkpdf.mjs';

const T = { timeout: 180000 };
const LAPTOP = { width: 1280, height: 800 };
const IPAD_LANDSCAPE = { width: 1024, height: 768 };
const run = Date.now().toString(36);
let browser;
let closeBrowser;
let admin;
const people = {}; // key -> { id, username, full_name }
const tabs = [];

const TEXT = {
  vi: {
    notPdf: 'Tệp này không phải là tài liệu PDF.',
    role: { chair: 'Chủ trì', delegate: 'Đại biểu', observer: 'Quan sát viên' },
    items: ['Khai mạc kỳ họp', 'Báo cáo tình hình kinh tế - xã hội', 'Biểu quyết thông qua nghị quyết'],
    sub: 'Thảo luận tổ về báo cáo',
    notAllowed: 'Chỉ quản trị viên mới được vào trang này.',
  },
  en: {
    notPdf: 'This file is not a PDF document.',
    role: { chair: 'Chair', delegate: 'Delegate', observer: 'Observer' },
    items: ['Opening of the session', 'Report on the economy', 'Vote on the resolution'],
    sub: 'Group discussion of the report',
    notAllowed: 'Only administrators may open this page.',
  },
};

async function login(username, password) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  return r.status;
}

/** Polls fn until it returns a truthy value (API read-backs after a UI action). */
async function eventually(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out: ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

before(async () => {
  admin = await client('admin');
  const make = async (key, full_name) => {
    const username = `e2e-${key}-${run}`;
    const u = await admin.post('/users', { username, full_name, password: PASSWORD, is_admin: false });
    people[key] = u;
  };
  await make('sec', 'Thư ký Kiểm Thử');
  await make('chair', 'Chủ trì Kiểm Thử');
  await make('d1', 'Đại biểu Một');
  await make('d2', 'Đại biểu Hai');
  await make('obs', 'Quan sát Kiểm Thử');
  ({ browser, close: closeBrowser } = await launch());
});

after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await closeBrowser?.();
});

for (const lang of ['vi', 'en']) {
  describe(`the secretary's desk (${lang})`, () => {
    it('prepares a meeting from nothing, uploads, takes attendance, runs it to closed', T, async () => {
      const tx = TEXT[lang];
      const viewport = lang === 'vi' ? LAPTOP : IPAD_LANDSCAPE;
      const t = await tablet(browser, { viewport, locale: lang === 'vi' ? 'vi-VN' : 'en-US', name: `secretary-${lang}` });
      tabs.push(t);
      const { page } = t;
      await signIn(t, people.sec.username);
      const sec = await client(people.sec.username);

      // --- a new meeting
      await page.locator('a[href="/desk/new"]').click();
      const form = page.getByTestId('details-form');
      await form.waitFor();
      // the form refuses an empty title before sending anything
      await page.getByTestId('details-save').click();
      await page.locator('#err-title').waitFor();
      const title = `E2E ${lang} ${run}`;
      await form.locator('input[name=title]').fill(title);
      await form.locator('input[name=starts_at]').fill('2025-03-04T08:30');
      await form.locator('input[name=location]').fill(lang === 'vi' ? 'Hội trường tầng 2' : 'Council hall, 2nd floor');
      await form.locator('textarea[name=description]').fill(lang === 'vi' ? 'Phiên họp thử nghiệm tự động.' : 'An automated test session.');
      await form.locator('select[name=quorum_rule]').selectOption('at_least');
      await form.locator('input[name=quorum_count]').fill('2');
      await shot(page, `desk-new-${lang}`);
      await page.getByTestId('details-save').click();
      await page.waitForURL(/\/meetings\/[^/]+\/desk#people$/);
      const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
      const m = await sec.get(`/meetings/${id}`);
      assert.equal(m.title, title);
      assert.equal(m.status, 'draft');
      assert.equal(m.my_role, 'secretary');
      assert.deepEqual(m.quorum, { rule: 'at_least', count: 2, by_weight: false });
      assert.equal(new Date(m.starts_at).getTime(), new Date('2025-03-04T08:30').getTime());

      // --- participants with roles, a vote and a weight
      const add = async (key, role, weight) => {
        const f = page.getByTestId('add-participant');
        await f.locator('select[name=user]').selectOption(people[key].id);
        await f.locator('select[name=role]').selectOption(role);
        if (weight) await f.locator('input[name=weight]').fill(String(weight));
        await page.getByTestId('add-participant-submit').click();
        await page.locator(`[data-testid=participants] tr[data-user="${people[key].username}"]`).waitFor();
      };
      await add('chair', 'chair');
      await add('d1', 'delegate');
      await add('d2', 'delegate', 2);
      await add('obs', 'observer', 1);
      // the role shown in the table is in the screen's language
      const chairRow = page.locator(`[data-testid=participants] tr[data-user="${people.chair.username}"]`);
      assert.equal(await chairRow.locator('select option:checked').textContent(), tx.role.chair);
      await shot(page, `desk-participants-${lang}`);
      const parts = (await sec.get(`/meetings/${id}/participants`)).participants;
      const by = Object.fromEntries(parts.map((p) => [p.user_id, p]));
      assert.equal(by[people.chair.id].role, 'chair');
      assert.equal(by[people.chair.id].can_vote, true);
      assert.equal(by[people.d1.id].role, 'delegate');
      assert.equal(by[people.d2.id].weight, 2);
      assert.equal(by[people.obs.id].role, 'observer');
      assert.equal(by[people.obs.id].can_vote, false);
      assert.equal(by[people.sec.id].role, 'secretary');

      // --- the agenda: three items and a sub-item
      await page.getByTestId('tab-agenda').click();
      const addItem = async (itemTitle, minutes, parentLabel, presenter) => {
        const f = page.getByTestId('add-item');
        await f.locator('input[name=item_title]').fill(itemTitle);
        await f.locator('input[name=duration]').fill(String(minutes));
        await f.locator('select[name=parent]').selectOption(parentLabel ? { label: parentLabel } : '');
        await f.locator('select[name=presenter]').selectOption(presenter ? people[presenter].id : '');
        await page.getByTestId('add-item-submit').click();
        await page.locator('[data-testid=agenda-title]', { hasText: itemTitle }).waitFor();
      };
      const [A, B, C] = tx.items;
      await addItem(A, 5, null, 'chair');
      await addItem(B, 20, null, 'd1');
      await addItem(C, 10, null, null);
      await addItem(tx.sub, 15, `2 ${B}`, null);
      let ag = await sec.get(`/meetings/${id}/agenda`);
      assert.deepEqual(ag.items.map((i) => i.title), [A, B, C]);
      assert.equal(ag.items[1].items[0].title, tx.sub);
      assert.equal(ag.items[0].presenter_id, people.chair.id);
      assert.equal(ag.planned_min, 50);

      // drag C above A (HTML5 drag and drop with the mouse)
      const row = (s) => page.locator('[data-testid=agenda-row]', { has: page.locator('[data-testid=agenda-title]', { hasText: s }) });
      await row(C).dragTo(row(A), { sourcePosition: { x: 20, y: 20 }, targetPosition: { x: 200, y: 3 } });
      await eventually(async () => {
        const a = await sec.get(`/meetings/${id}/agenda`);
        return a.items.map((i) => i.title).join('|') === [C, A, B].join('|');
      }, 'the dragged order on the server');
      // then B up with the keyboard: focus its up button and press Enter
      await page.locator('[data-testid=agenda-row]').nth(0).locator('[data-testid=agenda-title]', { hasText: C }).waitFor();
      await row(B).first().getByTestId('item-up').focus();
      await page.keyboard.press('Enter');
      ag = await eventually(async () => {
        const a = await sec.get(`/meetings/${id}/agenda`);
        return a.items.map((i) => i.title).join('|') === [C, B, A].join('|') && a;
      }, 'the keyboard order on the server');
      assert.equal(ag.items[1].number, '2');
      assert.equal(ag.items[1].items[0].title, tx.sub, 'the sub-item moved with its parent');
      assert.equal(ag.items[1].items[0].number, '2.1');
      await page.locator('[data-testid=agenda-row]').nth(1).locator('[data-testid=agenda-title]', { hasText: B }).waitFor();

      // and A to the top with a finger on its handle (real touch events through the DevTools protocol)
      const from = await row(A).locator('.handle').boundingBox();
      const to = await row(C).boundingBox();
      const cdp = await t.context.newCDPSession(page);
      const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
      await touch('touchStart', from.x + from.width / 2, from.y + from.height / 2);
      for (let i = 1; i <= 8; i++) {
        const k = i / 8;
        await touch('touchMove', from.x + from.width / 2, from.y + from.height / 2 + (to.y + 3 - from.y - from.height / 2) * k);
      }
      await touch('touchEnd');
      await cdp.detach();
      ag = await eventually(async () => {
        const a = await sec.get(`/meetings/${id}/agenda`);
        return a.items.map((i) => i.title).join('|') === [A, C, B].join('|') && a;
      }, 'the touch-dragged order on the server');
      assert.deepEqual(ag.items.map((i) => i.number), ['1', '2', '3']);
      assert.equal(ag.items[2].items[0].number, '3.1');
      await page.locator('[data-testid=agenda-row]').nth(0).locator('[data-testid=agenda-title]', { hasText: A }).waitFor();
      await shot(page, `desk-agenda-${lang}`);
      const itemB = ag.items[2];

      // --- documents: two PDFs and a text file at once through the file chooser
      await page.getByTestId('tab-documents').click();
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('pick-files').click();
      await (await chooser).setFiles([
        { name: 'bao-cao-kinh-te.pdf', mimeType: 'application/pdf', buffer: makePdf({ pages: 6, label: 'Bao cao kinh te' }) },
        { name: 'du-thao-nghi-quyet.pdf', mimeType: 'application/pdf', buffer: makePdf({ pages: 3, label: 'Du thao nghi quyet' }) },
        { name: 'ghi-chu.txt', mimeType: 'text/plain', buffer: Buffer.from('not a pdf at all\n') },
      ]);
      await page.locator('[data-testid=upload][data-state=done]').nth(1).waitFor();
      const refused = page.locator('[data-testid=upload][data-state=failed]');
      await refused.waitFor();
      assert.match(await refused.textContent(), /ghi-chu\.txt/);
      // Chromium logs the refused upload's 415 as a failed resource: expected here, and only this one.
      const i415 = t.errors.findIndex((e) => e.includes('status of 415'));
      if (i415 >= 0) t.errors.splice(i415, 1);
      assert.equal(await refused.getByTestId('upload-error').textContent(), tx.notPdf);
      await page.locator('[data-testid=doc-row]').nth(1).waitFor();
      await shot(page, `desk-uploads-${lang}`);
      let docs = (await sec.get(`/meetings/${id}/documents`)).documents;
      assert.deepEqual(docs.map((d) => d.title).sort(), ['bao-cao-kinh-te', 'du-thao-nghi-quyet']);
      const report = docs.find((d) => d.title === 'bao-cao-kinh-te');
      const draft = docs.find((d) => d.title === 'du-thao-nghi-quyet');
      assert.equal(report.pages, 6);

      // and one more dropped on the drop zone
      const dt = await page.evaluateHandle((b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const d = new DataTransfer();
        d.items.add(new File([bytes], 'phu-luc.pdf', { type: 'application/pdf' }));
        return d;
      }, makePdf({ pages: 2, label: 'Phu luc' }).toString('base64'));
      await page.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer: dt });
      await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dt });
      await page.locator('[data-testid=doc-row]').nth(2).waitFor();
      docs = (await sec.get(`/meetings/${id}/documents`)).documents;
      assert.ok(docs.some((d) => d.title === 'phu-luc'), 'the dropped PDF was uploaded');

      // attach the report to item 2
      const docRow = (d) => page.locator(`[data-testid=doc-row][data-doc-id="${d.id}"]`);
      await docRow(report).getByTestId('doc-item').selectOption(itemB.id);
      await eventually(async () => (await sec.get(`/documents/${report.id}`)).agenda_item_id === itemB.id, 'the report attached to item 2');

      // the draft resolution: confidential, readable by delegate 1
      await docRow(draft).getByTestId('doc-confidential').check();
      const readers = docRow(draft).getByTestId('readers');
      await readers.locator(`input[data-user="${people.d1.username}"]`).check();
      await shot(page, `desk-readers-${lang}`);
      await readers.getByTestId('readers-save').click();
      await readers.waitFor({ state: 'detached' });
      const conf = await eventually(async () => {
        const d = await sec.get(`/documents/${draft.id}`);
        return d.confidential && d.readers?.includes(people.d1.id) && d;
      }, 'the draft confidential with delegate 1 as reader');
      assert.deepEqual(conf.readers, [people.d1.id]);
      // delegate 2 may not see it; delegate 1 may
      const d1 = await client(people.d1.username);
      const d2 = await client(people.d2.username);
      assert.ok((await d1.get(`/meetings/${id}/documents`)).documents.some((d) => d.id === draft.id));
      assert.ok(!(await d2.get(`/meetings/${id}/documents`)).documents.some((d) => d.id === draft.id));
      await shot(page, `desk-documents-${lang}`);

      // --- the attendance sheet
      await page.getByTestId('tab-attendance').click();
      const attRow = (key) => page.locator(`[data-testid=attendance] tr[data-user-id="${people[key].id}"]`);
      await attRow('d1').locator('button[data-state=present]').click();
      await attRow('d1').locator('[data-testid=att-state][data-state=present]').waitFor();
      await attRow('obs').locator('button[data-state=remote]').click();
      await attRow('obs').locator('[data-testid=att-state][data-state=remote]').waitFor();
      await attRow('d2').locator('button[data-state=absent]').click();
      await attRow('d2').locator('input').fill(lang === 'vi' ? 'Đi công tác' : 'On a mission');
      await attRow('d2').locator('button[type=submit]').click();
      await attRow('d2').locator('[data-testid=att-state][data-state=absent]').waitFor();
      const att = Object.fromEntries((await sec.get(`/meetings/${id}/attendance`)).attendance.map((a) => [a.user_id, a]));
      assert.equal(att[people.d1.id].state, 'present');
      assert.equal(att[people.obs.id].state, 'remote');
      assert.equal(att[people.d2.id].state, 'absent');
      assert.equal(att[people.d2.id].reason, lang === 'vi' ? 'Đi công tác' : 'On a mission');
      assert.equal(att[people.chair.id].state, 'unknown');

      // --- schedule and start
      const status = page.getByTestId('meeting-status');
      await page.getByTestId('status-scheduled').click();
      await page.locator('[data-testid=meeting-status][data-status=scheduled]').waitFor();
      await page.getByTestId('status-live').click();
      await page.locator('[data-testid=meeting-status][data-status=live]').waitFor();
      assert.equal((await sec.get(`/meetings/${id}`)).status, 'live');

      // the chair checks in on their tablet: the sheet shows it without a reload
      const chair = await client(people.chair.username);
      await chair.post(`/meetings/${id}/attendance`, { state: 'present' });
      await attRow('chair').locator('[data-testid=att-state][data-state=present]').waitFor({ timeout: 8000 });
      await page.locator('[data-testid=quorum] .badge.ok').waitFor();
      await shot(page, `desk-attendance-${lang}`);

      // adjourn, resume, close (with a confirmation)
      await page.getByTestId('status-adjourned').click();
      await page.locator('[data-testid=meeting-status][data-status=adjourned]').waitFor();
      await page.getByTestId('status-live').click();
      await page.locator('[data-testid=meeting-status][data-status=live]').waitFor();
      await page.getByTestId('status-closed').click();
      await page.getByTestId('confirm').waitFor();
      await shot(page, `desk-close-confirm-${lang}`);
      await page.getByTestId('confirm-ok').click();
      await page.locator('[data-testid=meeting-status][data-status=closed]').waitFor();
      assert.equal(await status.getAttribute('data-status'), 'closed');
      const closed = await sec.get(`/meetings/${id}`);
      assert.equal(closed.status, 'closed');
      assert.ok(closed.started_at && closed.closed_at);
      // everything is read-only now
      await page.getByTestId('tab-agenda').click();
      assert.equal(await page.getByTestId('add-item').count(), 0);
      await shot(page, `desk-closed-${lang}`);

      assert.deepEqual(t.errors, []);
    });
  });
}

describe('the admin screen', () => {
  it('refuses a non-administrator clearly', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'en-US', name: 'not-admin' });
    tabs.push(t);
    await signIn(t, people.sec.username);
    assert.equal(await t.page.locator('a[href="/admin"]').count(), 0);
    await t.page.goto(`${BASE}/admin`);
    assert.equal(await t.page.getByTestId('not-allowed').textContent(), TEXT.en.notAllowed);
    assert.deepEqual(t.errors, []);
  });

  it('creates a user, disables them, enables them and resets their password', T, async () => {
    const t = await tablet(browser, { viewport: LAPTOP, locale: 'vi-VN', name: 'admin' });
    tabs.push(t);
    const { page } = t;
    await signIn(t, 'admin');
    await page.locator('a[href="/admin"]').click();
    const form = page.getByTestId('new-user');
    await form.waitFor();
    const username = `e2e-new-${run}`;
    // refused before sending: a short password
    await form.locator('input[name=new_username]').fill(username);
    await form.locator('input[name=new_full_name]').fill('Người Dùng Mới');
    await form.locator('input[name=new_password]').fill('short');
    await page.getByTestId('create-user').click();
    await page.locator('#err-password').waitFor();
    await form.locator('input[name=new_password]').fill('mat-khau-dau-tien');
    await page.getByTestId('create-user').click();
    const row = page.locator(`[data-testid=users] tr[data-username="${username}"]`);
    await row.waitFor();
    await shot(page, 'admin-vi');
    assert.equal(await login(username, 'mat-khau-dau-tien'), 200);

    // disable: their login fails
    await row.getByTestId('disable-user').click();
    await page.getByTestId('confirm-ok').click();
    await row.getByTestId('user-disabled').waitFor();
    assert.notEqual(await login(username, 'mat-khau-dau-tien'), 200);
    const listed = (await admin.get('/users')).users.find((u) => u.username === username);
    assert.equal(listed.disabled, true);

    // enable, then reset the password: the new one works, the old one not
    await row.getByTestId('enable-user').click();
    await row.getByTestId('user-disabled').waitFor({ state: 'detached' });
    await row.getByTestId('reset-password').click();
    await row.locator('input[name=reset_password]').fill('mat-khau-moi-2');
    await row.getByTestId('reset-save').click();
    await row.getByTestId('reset-password').waitFor();
    await shot(page, 'admin-reset-vi');
    assert.equal(await login(username, 'mat-khau-moi-2'), 200);
    assert.notEqual(await login(username, 'mat-khau-dau-tien'), 200);

    // the same screen in English
    await page.getByTestId('lang').click();
    await page.locator('h1', { hasText: 'Users' }).waitFor();
    await shot(page, 'admin-en');
    assert.deepEqual(t.errors, []);
  });
});
