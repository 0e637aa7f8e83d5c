// A visual walkthrough of every screen, for a person to look at: each
// screen as its user reaches it, in Vietnamese and English, at phone,
// tablet portrait, tablet landscape and laptop sizes. It saves screenshots
// and, next to them, what it measured on each (report.json, summary.txt):
// sideways scrolling, controls out of the viewport, cut-off or overflowing
// text, tap targets under 40 px, overlapping controls, text of the other
// language, low-contrast text, and (laptop) focus outlines missing.
// It is not a test: it asserts nothing, and a step that fails is noted and
// skipped.
//
// It needs a running `curia demo` (as scripts/e2e.sh starts one, with
// CURIA_LOGIN_PER_CLIENT raised) and changes its data: it adds a user with
// a long name and a meeting with long Vietnamese titles, in session, and
// runs speakers, a presentation and a vote on it.
//
//   CURIA_E2E_URL=http://127.0.0.1:PORT node e2e/tools/walkthrough.mjs
//   WALK_OUT=/tmp/walkthrough       where the screenshots go (default)
//   WALK_SIZES=phone,laptop         only these sizes (phone, portrait, landscape, laptop)
//   WALK_LANGS=vi                   only these languages (vi, en)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, PASSWORD, client, launch, sleep } from '../lib.mjs';
import { makePdf } from './mkpdf.mjs';

const OUT = process.env.WALK_OUT ?? '/tmp/walkthrough';
mkdirSync(OUT, { recursive: true });

const ALL_SIZES = {
  phone: { width: 390, height: 844 },
  portrait: { width: 820, height: 1180 },
  landscape: { width: 1180, height: 820 },
  laptop: { width: 1440, height: 900 },
};
const pick = (env, all) => (env ? env.split(',').filter((x) => x in all) : Object.keys(all));
const SIZES = pick(process.env.WALK_SIZES, ALL_SIZES);
const LANGS = pick(process.env.WALK_LANGS, { vi: 1, en: 1 });

// What the script clicks by its visible name, per language (src/i18n).
const L = {
  vi: { agenda: 'Chương trình họp', pen: 'Bút', note: 'Ghi chú', none: 'Xem, lật trang', locale: 'vi-VN' },
  en: { agenda: 'Agenda', pen: 'Pen', note: 'Note', none: 'Read and turn pages', locale: 'en-GB' },
};

// Long Vietnamese data: what a real council's titles and names look like.
const LONG = {
  user: { username: 'tonnu.thao', full_name: 'Tôn Nữ Hoàng Phương Thảo Nguyễn Ngọc Bích' },
  title: 'Kỳ họp chuyên đề lần thứ hai mươi bảy Hội đồng nhân dân tỉnh Thừa Thiên Huế khóa VIII, nhiệm kỳ 2021–2026, về điều chỉnh quy hoạch sử dụng đất',
  location: 'Hội trường tầng 3, Trụ sở Hội đồng nhân dân và Ủy ban nhân dân tỉnh, số 16 đường Lê Lợi',
  items: [
    'Khai mạc kỳ họp; thông qua chương trình và nội quy kỳ họp',
    'Tờ trình của Ủy ban nhân dân tỉnh về việc điều chỉnh, bổ sung kế hoạch đầu tư công trung hạn giai đoạn 2021–2025 nguồn vốn ngân sách địa phương',
    'Thảo luận tổ và thảo luận tại hội trường về dự thảo nghị quyết',
    'Biểu quyết thông qua các nghị quyết; bế mạc kỳ họp',
  ],
  sub: 'Báo cáo thẩm tra của Ban Kinh tế – Ngân sách Hội đồng nhân dân tỉnh',
  docs: [
    ['Tờ trình số 1234/TTr-UBND ngày 15 tháng 11 năm 2025 về việc điều chỉnh kế hoạch đầu tư công trung hạn', 6],
    ['Dự thảo Nghị quyết (kèm phụ lục chi tiết danh mục dự án)', 4],
    ['Báo cáo thẩm tra', 3],
  ],
};

const report = [];
let combo = '';
function note(kind, name, detail) {
  report.push({ combo, kind, name, detail });
  if (kind === 'error') console.error(`! ${combo} ${name}: ${detail}`);
}

// --- measuring a screen ------------------------------------------------------

/** What the page shows that a person would call broken; runs in the page. */
function measure(lang) {
  const W = innerWidth;
  const H = innerHeight;
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || Number(s.opacity) === 0) return false;
    if (el.closest('[hidden],[aria-hidden=true],[inert]')) return false;
    return true;
  };
  const label = (el) =>
    (el.getAttribute('aria-label') || el.getAttribute('title') || el.textContent || el.getAttribute('name') || el.tagName)
      .trim()
      .replace(/\s+/g, ' ')
      .slice(0, 60);
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.getAttribute('data-testid') ? `[${e.getAttribute('data-testid')}]` : e.classList.length ? `.${[...e.classList].slice(0, 2).join('.')}` : ''));
    }
    return parts.join('>');
  };
  const scrollsX = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (/(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1) return true;
    }
    return false;
  };
  const scrollsY = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (/(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1) return true;
    }
    return document.documentElement.scrollHeight > H + 1 && getComputedStyle(document.body).overflow !== 'hidden';
  };
  const out = { hscroll: 0, offscreen: [], clipped: [], overflowing: [], small: [], overlap: [], otherLang: [], contrast: [] };
  out.hscroll = Math.max(0, document.documentElement.scrollWidth - W);

  const controls = [...document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, [role=button], [role=tab], [role=radio], [role=checkbox], summary')]
    .filter((el) => visible(el) && !el.closest('svg'));
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    if ((r.right > W + 1 || r.left < -1) && !scrollsX(el)) out.offscreen.push({ el: label(el), at: where(el), x: Math.round(r.left), w: Math.round(r.width) });
    if (r.bottom > H + 1 && !scrollsY(el)) out.offscreen.push({ el: label(el), at: where(el), y: Math.round(r.top), why: 'below the viewport, nothing scrolls' });
    // a checkbox or radio inside a label counts the label's box
    let box = r;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) box = el.closest('label').getBoundingClientRect();
    if ((box.width < 40 || box.height < 40) && r.width > 0) out.small.push({ el: label(el), at: where(el), w: Math.round(box.width), h: Math.round(box.height) });
  }
  // overlapping controls (neither inside the other)
  const rects = controls.map((el) => [el, el.getBoundingClientRect()]).filter(([, r]) => r.width > 2 && r.height > 2);
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      const [a, ra] = rects[i];
      const [b, rb] = rects[j];
      if (a.contains(b) || b.contains(a)) continue;
      const ix = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const iy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (ix > 4 && iy > 4) out.overlap.push({ a: label(a), b: label(b), at: where(a), px: `${Math.round(ix)}x${Math.round(iy)}` });
    }
  }
  // text cut off (overflow hidden / ellipsis) or spilling out of its box
  const texty = [...document.querySelectorAll('body *')].filter((el) => {
    if (!visible(el) || el.closest('svg') || el.tagName === 'CANVAS') return false;
    return [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim().length > 1);
  });
  for (const el of texty) {
    const s = getComputedStyle(el);
    if (el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0 && s.display !== 'inline') {
      const item = { text: label(el), at: where(el), box: el.clientWidth, needs: el.scrollWidth };
      if (/(hidden|clip)/.test(s.overflowX) || s.textOverflow === 'ellipsis') out.clipped.push(item);
      else if (!/(auto|scroll)/.test(s.overflowX)) out.overflowing.push(item);
    }
    if (s.webkitLineClamp && s.webkitLineClamp !== 'none' && el.scrollHeight > el.clientHeight + 2) out.clipped.push({ text: label(el), at: where(el), lines: s.webkitLineClamp });
    // contrast of the text against the first opaque background behind it
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let bg = null;
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (getComputedStyle(e).backgroundImage !== 'none') { bg = null; break; }
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.9)) { bg = c; break; }
    }
    if (!bg) bg = [255, 255, 255];
    const fg = rgb(s.color);
    if (fg.length >= 3 && !(fg.length === 4 && fg[3] < 0.1)) {
      const l1 = lum(fg);
      const l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.6 && Number(s.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.contrast.push({ text: label(el), at: where(el), ratio: Math.round(ratio * 100) / 100, fg: s.color, bg: `rgb(${bg.slice(0, 3).join(',')})`, size: s.fontSize });
    }
  }
  // text of the other language: the chrome (not the data) in English on a
  // Vietnamese screen, or Vietnamese words on an English one
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const strings = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || !visible(p) || p.closest('svg, script, style, option:not(:checked)')) continue;
    const s = n.textContent.trim();
    if (s.length > 1) strings.push([s, where(p)]);
  }
  for (const el of controls) for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) strings.push([el.getAttribute(a), `${where(el)}@${a}`]);
  const EN = /\b(the|and|of|Sign|Page|Meeting|Meetings|Agenda|Vote|Votes|Save|Cancel|Delete|Add|Close|Open|Users|Audit|Password|Document|Documents|Speaker|Quorum|Poll|Present|Next|Previous|Back|Loading|Error|Yes|No|Abstain|Chair|Delegate|Secretary|Observer|Download|Upload|Search|Filter|Status|Draft|Live|Closed|min|sec)\b/;
  const VI = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;
  for (const [s, at] of strings) {
    if (lang === 'vi' ? EN.test(s) && !VI.test(s) : VI.test(s)) out.otherLang.push({ text: s.slice(0, 80), at });
  }
  return out;
}

/** Tabs through the first controls; those that show no focus ring. */
async function focusRings(page, n = 12) {
  await page.evaluate(() => {
    document.activeElement?.blur?.();
    window.scrollTo(0, 0);
  });
  const missing = [];
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none');
      return { ring, el: (el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 40), tag: el.tagName, cls: el.className?.toString?.().slice(0, 40) };
    });
    if (f && !f.ring) missing.push(f);
  }
  return missing;
}

const shots = [];
/** A screenshot of the screen as it is, and what was measured on it. */
async function look(page, name, lang, { full = false, focus = false } = {}) {
  const file = join(OUT, `${combo}--${name}.png`);
  try {
    await sleep(350);
    await page.screenshot({ path: file, fullPage: full });
    const m = await page.evaluate(measure, lang);
    if (focus) m.noFocusRing = await focusRings(page);
    shots.push({ file, combo, name, ...m });
    const bad = [m.hscroll ? `hscroll ${m.hscroll}px` : '', m.offscreen.length ? `offscreen ${m.offscreen.length}` : '', m.overflowing.length ? `overflow ${m.overflowing.length}` : '',
      m.clipped.length ? `clipped ${m.clipped.length}` : '', m.small.length ? `small ${m.small.length}` : '', m.overlap.length ? `overlap ${m.overlap.length}` : '',
      m.otherLang.length ? `otherLang ${m.otherLang.length}` : '', m.contrast.length ? `contrast ${m.contrast.length}` : '', m.noFocusRing?.length ? `noFocus ${m.noFocusRing.length}` : ''].filter(Boolean);
    console.log(`${combo}--${name}: ${bad.join(', ') || 'ok'}`);
  } catch (e) {
    note('error', name, e.message.split('\n')[0]);
  }
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    note('error', name, e.message.split('\n')[0]);
  }
}

// --- the setup: a long-named delegate and a meeting of long titles ----------

async function setup() {
  const admin = await client('admin');
  const users = await admin.get('/users');
  const list = users.users ?? users;
  if (!list.some((u) => u.username === LONG.user.username)) {
    await admin.post('/users', { ...LONG.user, password: PASSWORD });
  }
  const [sec, chair, obs, longUser, ...dels] = await Promise.all(
    ['thuky', 'chutri', 'quansat', LONG.user.username, 'daibieu1', 'daibieu2', 'daibieu3', 'daibieu4', 'daibieu5', 'daibieu6', 'daibieu7', 'daibieu8'].map((u) => client(u)),
  );
  const m = await sec.post('/meetings', {
    title: LONG.title,
    location: LONG.location,
    description: 'Kỳ họp xem xét, quyết định việc điều chỉnh kế hoạch đầu tư công trung hạn và các nội dung khác theo đề nghị của Ủy ban nhân dân tỉnh.',
    starts_at: new Date(Date.now() - 30 * 60000).toISOString(),
  });
  await sec.put(`/meetings/${m.id}/participants/${chair.user.id}`, { role: 'chair' });
  for (const d of [longUser, ...dels]) await sec.put(`/meetings/${m.id}/participants/${d.user.id}`, { role: 'delegate' });
  await sec.put(`/meetings/${m.id}/participants/${obs.user.id}`, { role: 'observer' });
  const items = [];
  for (const [i, title] of LONG.items.entries()) {
    items.push(await sec.post(`/meetings/${m.id}/agenda`, { title, duration_min: [10, 45, 60, 15][i], presenter_id: i === 1 ? longUser.user.id : chair.user.id }));
  }
  await sec.post(`/meetings/${m.id}/agenda`, { title: LONG.sub, duration_min: 20, parent_id: items[1].id, presenter_id: dels[0].user.id });
  const docs = [];
  for (const [i, [title, pages]] of LONG.docs.entries()) {
    docs.push(await sec.upload(m.id, `tai-lieu-${i}.pdf`, makePdf({ pages, label: `Tai lieu ${i + 1}` }), { title, agenda_item_id: items[i === 2 ? 1 : 1].id }));
  }
  await sec.upload(m.id, 'phu-luc.pdf', makePdf({ pages: 2, label: 'Phu luc' }), { title: 'Phụ lục: danh mục các dự án đầu tư công điều chỉnh giảm kế hoạch vốn năm 2025' });
  await sec.post(`/meetings/${m.id}/status`, { status: 'scheduled' });
  await sec.post(`/meetings/${m.id}/status`, { status: 'live' });
  await sec.put(`/meetings/${m.id}/agenda/current`, { item_id: items[1].id });
  // some checked in, one absent with a reason
  for (const d of [longUser, ...dels.slice(0, 4)]) await d.post(`/meetings/${m.id}/attendance`, { state: 'present' });
  await sec.post(`/meetings/${m.id}/attendance`, { user_id: dels[6].user.id, state: 'absent', reason: 'Đi công tác theo Quyết định số 45/QĐ-UBND của Chủ tịch Ủy ban nhân dân tỉnh' }).catch((e) => note('error', 'absent', e.message));
  // speakers waiting
  await longUser.post(`/agenda-items/${items[1].id}/speakers`, { kind: 'speech' });
  await dels[1].post(`/agenda-items/${items[1].id}/speakers`, { kind: 'speech' });
  await dels[2].post(`/agenda-items/${items[1].id}/speakers`, { kind: 'question' });
  return { sec, chair, obs, longUser, dels, m, items, docs };
}

// --- the walkthrough ----------------------------------------------------------

async function signedIn(browser, username, size, lang) {
  const context = await browser.newContext({ viewport: ALL_SIZES[size], locale: L[lang].locale, deviceScaleFactor: 1, hasTouch: size !== 'laptop', isMobile: false });
  context.setDefaultTimeout(12000);
  if (username) {
    const r = await context.request.post(`${BASE}/api/v1/auth/login`, { data: { username, password: PASSWORD } });
    if (!r.ok()) throw new Error(`login ${username}: ${r.status()}`);
    // the app asks /me only when it knows it signed in (api.ts, signedIn)
    await context.addInitScript(() => localStorage.setItem('curia.signedIn', '1'));
  }
  const page = await context.newPage();
  page.on('pageerror', (e) => note('pageerror', username, e.message));
  return { context, page };
}

/** Goes to a screen as a user does: the app loaded at /, then a client-side navigation. */
async function go(page, path) {
  if (!page.url().startsWith(BASE)) {
    await page.goto(`${BASE}/`);
    await page.locator('.meetings, .login, form').first().waitFor();
  }
  await page.evaluate((p) => {
    history.pushState(null, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  await page.waitForURL(`**${path}`);
  await sleep(600);
}

async function phaseA(browser, s, size, lang, delegate) {
  const x = L[lang];
  const id = s.m.id;
  // sign-in, empty and with an error
  {
    const { context, page } = await signedIn(browser, null, size, lang);
    await step('login', async () => {
      await page.goto(`${BASE}/`);
      await page.locator('input[name=username]').waitFor();
      await look(page, 'login', lang, { focus: size === 'laptop' });
      await page.locator('input[name=username]').fill(`khong.co.${combo}`);
      await page.locator('input[name=password]').fill('sai-mat-khau');
      await page.locator('button[type=submit]').click();
      await page.getByRole('alert').waitFor();
      await look(page, 'login-error', lang);
    });
    await context.close();
  }
  // the delegate: list of meetings, the room, agenda, tools, asking to speak
  {
    const { context, page } = await signedIn(browser, delegate, size, lang);
    await step('meetings-delegate', async () => {
      await page.goto(`${BASE}/`);
      await page.locator('.meetings').waitFor();
      await look(page, 'meetings-delegate', lang, { full: true, focus: size === 'laptop' });
    });
    await step('room', async () => {
      await page.locator(`.meetings a.card.meeting[href="/meetings/${id}"]`).click();
      await page.getByTestId('speakbar').waitFor();
      await page.locator('.page-canvas').first().waitFor({ timeout: 30000 }).catch(() => note('error', 'room', 'no page canvas'));
      await look(page, 'room', lang, { focus: size === 'laptop' });
    });
    await step('room-agenda-doc', async () => {
      const btn = page.getByRole('button', { name: x.agenda }).first();
      const drawer = await btn.isVisible();
      if (drawer) {
        await btn.click();
        await sleep(500);
        await look(page, 'room-agenda-drawer', lang);
        // does Escape close the drawer, as a keyboard user expects?
        await page.keyboard.press('Escape');
        await sleep(400);
        const open = await page.evaluate(() => {
          const r = document.querySelector('.agenda-pane')?.getBoundingClientRect();
          return !!r && r.right > 10 && r.left < innerWidth - 10;
        });
        if (open) note('info', 'room-agenda', 'Escape does not close the agenda drawer');
        else await btn.click();
        await sleep(400);
      } else note('info', 'room-agenda', 'no agenda button (pane always shown)');
      await page.locator('button.doc').nth(1).click();
      await page.locator('.page-canvas').first().waitFor();
      await sleep(600);
      await look(page, 'room-doc2', lang);
    });
    await step('room-tools', async () => {
      const pen = page.getByRole('radio', { name: x.pen, exact: true });
      if (!(await pen.isVisible())) {
        // perhaps behind a button
        const tools = page.getByRole('button', { name: lang === 'vi' ? /Ghi chú trên trang/ : /Annotations/ }).first();
        if (await tools.count()) await tools.click();
      }
      await pen.click();
      await sleep(300);
      const svg = page.getByTestId('annotations');
      const b = await svg.boundingBox();
      if (b) {
        await page.mouse.move(b.x + b.width * 0.3, b.y + b.height * 0.3);
        await page.mouse.down();
        for (let i = 1; i <= 8; i++) await page.mouse.move(b.x + b.width * (0.3 + i * 0.04), b.y + b.height * (0.3 + (i % 2) * 0.03));
        await page.mouse.up();
      }
      await look(page, 'room-pen', lang);
      await page.getByRole('radio', { name: x.note, exact: true }).click();
      if (b) await page.mouse.click(b.x + b.width * 0.5, b.y + b.height * 0.5);
      await page.getByRole('dialog').waitFor({ timeout: 5000 });
      await page.getByRole('dialog').locator('textarea').fill('Đề nghị làm rõ nguồn vốn của dự án số 7 và tiến độ giải ngân năm 2025');
      await look(page, 'room-note-dialog', lang);
      await page.keyboard.press('Escape');
      await sleep(200);
      await page.getByRole('radio', { name: x.none, exact: true }).click().catch(() => {});
    });
    await step('room-speak', async () => {
      const ask = page.getByTestId('ask-speech');
      if (await ask.isVisible()) {
        await ask.click();
        await page.getByTestId('my-place').waitFor();
      }
      await look(page, 'room-asked', lang);
    });
    await context.close();
  }
  // the secretary: list, desk tabs, new meeting
  {
    const { context, page } = await signedIn(browser, 'thuky', size, lang);
    await step('meetings-secretary', async () => {
      await page.goto(`${BASE}/`);
      await page.locator('.meetings').waitFor();
      await look(page, 'meetings-secretary', lang, { full: true });
    });
    await step('desk', async () => {
      await go(page, `/meetings/${id}/desk`);
      await page.getByTestId('tab-details').waitFor();
      for (const tab of ['details', 'people', 'agenda', 'documents', 'attendance']) {
        await page.getByTestId(`tab-${tab}`).click();
        await sleep(500);
        await look(page, `desk-${tab}`, lang, { full: true, focus: size === 'laptop' && tab === 'details' });
      }
    });
    await step('desk-new', async () => {
      await go(page, '/desk/new');
      await page.getByTestId('details-form').waitFor();
      await page.getByTestId('details-save').click();
      await sleep(300);
      await look(page, 'desk-new-errors', lang, { full: true });
    });
    await context.close();
  }
  // the chair: cockpit, new-poll form
  {
    const { context, page } = await signedIn(browser, 'chutri', size, lang);
    await step('chair', async () => {
      await page.goto(`${BASE}/`);
      await page.locator('.meetings').waitFor();
      await look(page, 'meetings-chair', lang, { full: true });
      await go(page, `/meetings/${id}/chair`);
      await page.getByTestId('chair-current').waitFor();
      await look(page, 'chair', lang, { focus: size === 'laptop' });
      await look(page, 'chair-full', lang, { full: true });
      await page.getByTestId('new-poll').click();
      await page.getByTestId('poll-form').waitFor();
      await page.getByTestId('poll-form').scrollIntoViewIfNeeded();
      await look(page, 'chair-poll-form', lang);
      await page.keyboard.press('Escape');
    });
    await context.close();
  }
  // the administrator: users, audit, my account
  {
    const { context, page } = await signedIn(browser, 'admin', size, lang);
    await step('admin', async () => {
      await page.goto(`${BASE}/`);
      await page.locator('.meetings').waitFor();
      await look(page, 'meetings-admin', lang, { full: true });
      await go(page, '/admin');
      await sleep(800);
      await look(page, 'admin-users', lang, { full: true, focus: size === 'laptop' });
      await go(page, '/admin/audit');
      await sleep(1000);
      await look(page, 'admin-audit', lang, { full: true });
      await go(page, '/account');
      await sleep(600);
      await look(page, 'account', lang, { full: true, focus: size === 'laptop' });
    });
    await context.close();
  }
}

/** The screens that show the meeting's live state: room, cockpit, display. */
async function liveScreens(browser, s, size, lang, delegate, tag, { ballot = false } = {}) {
  const id = s.m.id;
  {
    const { context, page } = await signedIn(browser, delegate, size, lang);
    await step(`room-${tag}`, async () => {
      await go(page, `/meetings/${id}`);
      await page.getByTestId('speakbar').waitFor();
      await sleep(1200);
      await look(page, `room-${tag}`, lang);
      if (ballot) {
        await page.getByTestId('ballot').waitFor({ timeout: 10000 });
        await page.locator('button.option').first().click();
        await sleep(300);
        await look(page, 'room-ballot-chosen', lang);
        await page.getByTestId('cast-vote').click().catch(() => {});
        await page.getByTestId('confirm-vote').waitFor({ timeout: 4000 }).catch(() => {});
        await look(page, 'room-ballot-confirm', lang);
        await page.getByTestId('confirm-vote').click();
        await page.getByTestId('vote-recorded').waitFor({ timeout: 8000 }).catch(() => {});
        await look(page, 'room-ballot-recorded', lang);
      }
    });
    await context.close();
  }
  {
    const { context, page } = await signedIn(browser, 'chutri', size, lang);
    await step(`chair-${tag}`, async () => {
      await go(page, `/meetings/${id}/chair`);
      await page.getByTestId('chair-current').waitFor();
      await sleep(1200);
      await look(page, `chair-${tag}`, lang);
      await look(page, `chair-${tag}-full`, lang, { full: true });
    });
    await context.close();
  }
  {
    const { context, page } = await signedIn(browser, 'quansat', size, lang);
    await step(`display-${tag}`, async () => {
      await go(page, `/meetings/${id}/display`);
      await page.getByTestId('display-title').waitFor();
      await sleep(1500);
      await look(page, `display-${tag}`, lang);
    });
    await context.close();
  }
}

async function main() {
  const s = await setup();
  console.log(`meeting ${s.m.id}`);
  const { browser, close } = await launch();
  const combos = [];
  let i = 0;
  for (const size of SIZES) {
    for (const lang of LANGS) {
      // the long-named delegate on the phone in Vietnamese; the others each a demo delegate
      const delegate = size === 'phone' && lang === 'vi' ? LONG.user.username : `daibieu${1 + (i++ % 8)}`;
      combos.push({ size, lang, delegate, name: `${size}-${lang}` });
    }
  }
  try {
    for (const c of combos) {
      combo = c.name;
      await phaseA(browser, s, c.size, c.lang, c.delegate);
    }
    // a speaker with the floor, and a document presented
    const q = await s.chair.get(`/agenda-items/${s.items[1].id}/speakers`);
    const first = (q.speeches ?? q.queue ?? [])[0];
    if (first) await s.chair.post(`/speakers/${first.id}/start`, { time_limit_sec: 300 });
    await s.chair.put(`/meetings/${s.m.id}/presentation`, { document_id: s.docs[0].id, page: 2, zoom: null });
    for (const c of combos) {
      combo = c.name;
      await liveScreens(browser, s, c.size, c.lang, c.delegate, 'speaking');
    }
    // a vote: each combo's delegate votes through the ballot
    const poll = await s.chair.post(`/meetings/${s.m.id}/polls`, { title: 'Thông qua Nghị quyết về việc điều chỉnh, bổ sung kế hoạch đầu tư công trung hạn giai đoạn 2021–2025', agenda_item_id: s.items[1].id });
    await s.chair.post(`/polls/${poll.id}/open`);
    for (const c of combos) {
      combo = c.name;
      await liveScreens(browser, s, c.size, c.lang, c.delegate, 'voting', { ballot: true });
    }
    await s.chair.post(`/polls/${poll.id}/close`);
    await s.chair.post(`/polls/${poll.id}/publish`);
    for (const c of combos) {
      combo = c.name;
      await liveScreens(browser, s, c.size, c.lang, c.delegate, 'result');
    }
  } finally {
    await close();
    writeFileSync(join(OUT, 'report.json'), JSON.stringify({ notes: report, shots }, null, 1));
    const lines = [];
    for (const sh of shots) {
      const parts = [];
      if (sh.hscroll) parts.push(`  sideways scroll: ${sh.hscroll}px`);
      for (const k of ['offscreen', 'overflowing', 'clipped', 'overlap', 'otherLang', 'contrast', 'noFocusRing']) {
        for (const v of (sh[k] ?? []).slice(0, 12)) parts.push(`  ${k}: ${JSON.stringify(v)}`);
        if ((sh[k] ?? []).length > 12) parts.push(`  ${k}: … ${sh[k].length - 12} more`);
      }
      if (sh.small.length) parts.push(`  small (<40px): ${sh.small.map((v) => `${v.el} ${v.w}x${v.h}`).join(' | ')}`);
      lines.push(`${sh.combo}--${sh.name}${parts.length ? '' : ': ok'}`, ...parts);
    }
    for (const n of report) lines.push(`NOTE ${n.combo} ${n.kind} ${n.name}: ${n.detail}`);
    writeFileSync(join(OUT, 'summary.txt'), lines.join('\n') + '\n');
    console.log(`wrote ${shots.length} screenshots, ${join(OUT, 'summary.txt')}`);
  }
}

await main();
