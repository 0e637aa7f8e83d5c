// The delegate's room after the visual walkthrough (notes/review4-visual.md), rendered with Preact into
// the small DOM of fake-browser.ts against a fake REST server and a fake live hub:
//   6  a delegate who has not checked in checks in from the ballot, and then votes;
//   11 the annotation tools carry their names, not only icons;
//   12 on a phone, sharing, zoom and the download sit in the toolbar's "Thêm" (More) menu;
//   14 the count of those waiting to speak follows the speaker's line, not a column of its own;
//   20 Escape (and the close button, and a tap beside it) closes the agenda drawer, focus back on its button;
//   and the thumbnail strip scrolls itself only, never the page around it (the cockpit opened scrolled down).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byTestId, click, dispatch, event, FakeSocket, FElement, find, installBrowser, lastSocket, notFound, settle, stubViewer, toasts,
  type Answer, type Call,
} from './fake-browser';

const T0 = '2026-11-26T09:00:00Z';
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'delegate', ...over,
});
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, conclusion: '', duration_min: 10, total_min: 10,
  presenter_id: null, presenter_name: '', status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const docA = { id: 'docA', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 1, confidential: false, version: 1, pages: 12, size: 1000, sha256: '' };
const presenting = { meeting_id: 'm', document_id: 'docA', version: 1, page: 3, pages: 12, zoom: null, by: 'u-chair', at: T0 };
const pollOf = (over: Record<string, unknown> = {}) => ({
  id: 'p1', meeting_id: 'm', title: 'Thông qua nghị quyết', agenda_item_id: null, kind: 'motion', secret: false,
  options: [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }],
  max_choices: 1, status: 'open', voted: 0, eligible: 3, ...over,
});
const me = { id: 'u1', username: 'daibieu', full_name: 'Đại biểu A', is_admin: false };
const speaker = (id: string, user: string, name: string, kind = 'speech') => ({
  id, agenda_item_id: '1', user_id: user, full_name: name, kind, status: 'waiting', requested_at: T0,
});

let meeting = meetingOf();
let attendance: { user_id: string; state: string }[] = [];
let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') {
    return { status: 200, body: { meeting_id: 'm', items: [item('1', { status: 'current', became_current_at: T0 })], current_item_id: '1', planned_min: 10 } };
  }
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [docA] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: presenting };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance } };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
  if (p === '/agenda-items/1/speakers') return { status: 200, body: { agenda_item_id: '1', active: null, speeches: [], questions: [], history: [] } };
  if (p.startsWith('/documents/docA/annotations')) return { status: 200, body: { annotations: [] } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m', async (c) => (await routes(c)) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  routes = () => undefined;
  FakeSocket.all.length = 0;
  meeting = meetingOf();
  attendance = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

/** Opens the room as the delegate and lets the hub send its first snapshot (with these polls). */
async function openRoom(polls: unknown[] = []) {
  const { Room } = await import('../src/ui/Room');
  browser.preact.render(browser.h(Room, { id: 'm', me, onSignOut: () => {} }), root as never);
  await settle(12);
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E.v1', state: { meeting, presentation: presenting, polls }, online: [] } });
  await settle(12);
  return hub;
}

/** Waits (on a loaded machine too) until found() finds something. */
async function until(found: () => unknown[], ms = 3000) {
  for (let waited = 0; found().length === 0 && waited < ms; waited += 50) await settle(2, 50);
  return found();
}

/** Records the focus: the fake DOM's focus() does nothing. */
function watchFocus(): { get(): FElement | null; restore(): void } {
  let at: FElement | null = null;
  const spy = vi.spyOn(FElement.prototype, 'focus').mockImplementation(function (this: FElement) {
    at = this;
  });
  return { get: () => at, restore: () => spy.mockRestore() };
}

const escape = () => {
  const e = event('keydown', browser.doc.documentElement, { key: 'Escape' });
  dispatch(browser.doc.documentElement, e);
  return e;
};
const hasClass = (el: FElement | undefined, c: string) => new RegExp(`(^|\\s)${c}(\\s|$)`).test(el?.getAttribute('class') ?? '');
const byClass = (c: string) => find(root, (e) => hasClass(e, c));

describe('finding 6: checking in from the ballot', () => {
  const notCheckedIn = pollOf({ me: { can_vote: false, voted: false } });

  it('offers "Điểm danh và biểu quyết" beside "Đóng"; it checks in as the top bar does, and then shows the options', async () => {
    let standing = { can_vote: false, voted: false };
    routes = (c) => {
      if (c.method === 'POST' && c.path === '/meetings/m/attendance') {
        standing = { can_vote: true, voted: false };
        return { status: 200, body: { meeting_id: 'm', attendance: { user_id: 'u1', state: 'present' } } };
      }
      if (c.path === '/polls/p1') return { status: 200, body: pollOf({ me: standing }) };
      if (c.path === '/meetings/m/polls') return { status: 200, body: { polls: [pollOf({ me: standing })] } };
      return undefined;
    };
    await openRoom([notCheckedIn]);
    const button = await until(() => byTestId(root, 'ballot-check-in'));
    expect(button, 'the ballot offers to check in').toHaveLength(1);
    const box = byTestId(root, 'ballot')[0];
    expect(box.textContent).toContain(t('poll.checkInFirst'));
    expect(button[0].textContent).toBe(t('poll.checkInAndVote'));
    expect(find(box, (e) => e.tagName === 'BUTTON').map((e) => e.textContent), '"Đóng" stays, as the secondary choice')
      .toEqual([t('common.close'), t('poll.checkInAndVote')]);
    expect(byTestId(root, 'cast-vote')).toHaveLength(0);

    click(button[0]);
    const options = await until(() => find(root, (e) => hasClass(e, 'option')));
    expect(browser.calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body])).toEqual([['/meetings/m/attendance', { state: 'present' }]]);
    expect(options.map((e) => e.textContent)).toEqual([t('poll.agree'), t('poll.disagree'), t('poll.abstain')]);
    expect(byTestId(root, 'ballot'), 'the same ballot, in place').toHaveLength(1);
    expect(byTestId(root, 'ballot-check-in')).toHaveLength(0);
    expect(byTestId(root, 'checked-in'), 'the top bar says "Có mặt" too').toHaveLength(1);
    expect(toasts(root)).toContain(t('room.checkedIn'));
  });

  it('says in the ballot why a check-in was refused, and keeps the button', async () => {
    routes = (c) => {
      if (c.method === 'POST' && c.path === '/meetings/m/attendance') return { status: 409, body: { error: { code: 'conflict', message: 'the meeting is not in session' } } };
      if (c.path === '/polls/p1') return { status: 200, body: notCheckedIn };
      return undefined;
    };
    await openRoom([notCheckedIn]);
    click((await until(() => byTestId(root, 'ballot-check-in')))[0]);
    await until(() => find(byTestId(root, 'ballot')[0], (e) => e.getAttribute('role') === 'alert'));
    const alert = find(byTestId(root, 'ballot')[0], (e) => e.getAttribute('role') === 'alert');
    expect(alert.map((e) => e.textContent)).toEqual([t('room.checkInClosed')]);
    expect(byTestId(root, 'ballot-check-in')[0]?.disabled).toBe(false);
    expect(byTestId(root, 'check-in'), 'the top bar still offers it').toHaveLength(1);
  });

  it('is not offered to one already checked in who may not vote: the ballot says so', async () => {
    attendance = [{ user_id: 'u1', state: 'present' }];
    routes = (c) => (c.path === '/polls/p1' ? { status: 200, body: notCheckedIn } : undefined);
    await openRoom([notCheckedIn]);
    await until(() => byTestId(root, 'ballot'));
    expect(byTestId(root, 'ballot')[0].textContent).toContain(t('poll.cannotVote'));
    expect(byTestId(root, 'ballot-check-in')).toHaveLength(0);
  });

  it('is not offered to the secretary (who keeps the attendance at the desk)', async () => {
    meeting = meetingOf({ my_role: 'secretary' });
    routes = (c) => (c.path === '/polls/p1' ? { status: 200, body: notCheckedIn } : undefined);
    await openRoom([notCheckedIn]);
    await until(() => byTestId(root, 'ballot'));
    expect(byTestId(root, 'ballot')[0].textContent).toContain(t('poll.checkInFirst'));
    expect(byTestId(root, 'ballot-check-in')).toHaveLength(0);
  });
});

describe('finding 20: the agenda drawer', () => {
  const toggle = () => find(root, (e) => hasClass(e, 'agenda-toggle'))[0];
  const isOpen = () => hasClass(find(root, (e) => hasClass(e, 'room-page'))[0], 'agenda-open');

  it('Escape closes it and gives the focus back to "Chương trình họp"', async () => {
    await openRoom();
    const focus = watchFocus();
    try {
      click(toggle());
      await settle(4);
      expect(isOpen()).toBe(true);
      expect(toggle().getAttribute('aria-expanded')).toBe('true');
      const close = byTestId(root, 'agenda-close');
      expect(close, 'the open drawer has a close button of its own').toHaveLength(1);
      expect(close[0].textContent).toContain(t('common.close'));
      expect(focus.get(), 'the focus goes into the drawer').toBe(close[0]);

      const e = escape();
      await settle(4);
      expect(e.defaultPrevented).toBe(true);
      expect(isOpen()).toBe(false);
      expect(toggle().getAttribute('aria-expanded')).toBe('false');
      expect(focus.get()).toBe(toggle());
      expect(byTestId(root, 'agenda-close'), 'no close button for a closed drawer').toHaveLength(0);
      expect(escape().defaultPrevented, 'Escape means nothing more once it is closed').toBe(false);
    } finally {
      focus.restore();
    }
  });

  it('the close button and a tap on the dimmed page close it too', async () => {
    await openRoom();
    click(toggle());
    await settle(4);
    click(byTestId(root, 'agenda-close')[0]);
    await settle(4);
    expect(isOpen()).toBe(false);
    click(toggle());
    await settle(4);
    expect(byTestId(root, 'agenda-scrim')).toHaveLength(1);
    click(byTestId(root, 'agenda-scrim')[0]);
    await settle(4);
    expect(isOpen()).toBe(false);
    expect(byTestId(root, 'agenda-scrim')).toHaveLength(0);
  });

  it('a closed drawer is hidden on narrow screens (room.css), so Tab does not wander into it', () => {
    const css = readFileSync(join(__dirname, '../src/ui/room.css'), 'utf8');
    expect(css).toMatch(/@media \(max-width: 900px\)[^@]*\.room-page:not\(\.agenda-open\) \.agenda-pane \{[^}]*visibility: hidden/);
  });
});

describe('finding 14: the speak bar', () => {
  it('puts the count of those waiting in the speaker\'s text, kept in one piece', async () => {
    routes = (c) => c.path === '/agenda-items/1/speakers'
      ? {
        status: 200,
        body: {
          agenda_item_id: '1', history: [],
          active: { ...speaker('s0', 'u9', 'Tôn Nữ Hoàng Phương Thảo Nguyễn Ngọc Bích'), status: 'active', started_at: T0, time_limit_sec: 300 },
          speeches: [speaker('s1', 'u2', 'B'), speaker('s2', 'u3', 'C')], questions: [speaker('s3', 'u4', 'D', 'question')],
        },
      }
      : undefined;
    await openRoom();
    const count = await until(() => byTestId(root, 'queue-count'));
    expect(count[0].textContent).toBe(`· ${t('speak.waiting', { n: 3 })}`);
    const text = count[0].parentNode as FElement;
    expect(hasClass(text, 'speaker-text'), 'one text with the speaker, not a flex item of its own').toBe(true);
    expect(byTestId(text, 'active-speaker')).toHaveLength(1);
    const css = readFileSync(join(__dirname, '../src/ui/room.css'), 'utf8');
    expect(css).toMatch(/\.queue-count \{[^}]*white-space: nowrap/);
  });
});

describe('findings 11 and 12: the toolbar', () => {
  const radios = () => find(root, (e) => e.getAttribute('role') === 'radio');

  it('names every tool beside its icon, the full name still its accessible name', async () => {
    await openRoom();
    const tools = await until(radios);
    expect(tools.map((e) => e.getAttribute('aria-label'))).toEqual(['annot.none', 'annot.pen', 'annot.highlighter', 'annot.eraser', 'annot.note'].map((k) => t(k as never)));
    const shown = tools.map((e) => find(e, (x) => hasClass(x, 'tl'))[0]?.textContent);
    expect(shown).toEqual(['annot.noneShort', 'annot.pen', 'annot.highlighterShort', 'annot.eraser', 'annot.note'].map((k) => t(k as never)));
    // Each shown name is part of the full one (a voice command by what is seen still finds the tool).
    tools.forEach((e, i) => expect(e.getAttribute('aria-label')!.toLowerCase()).toContain(shown[i]!.toLowerCase()));
    const download = byTestId(root, 'annot-export')[0];
    expect(find(download, (x) => hasClass(x, 'tl'))[0]?.textContent).toBe(t('annot.exportShort'));
    expect(download.getAttribute('aria-label')).toBe(t('annot.export'));
    expect(find(download, (x) => hasClass(x, 'tl-full'))[0]?.textContent, 'its full name, for the phone\'s menu').toBe(t('annot.export'));
  });

  it('keeps sharing, zoom and the download in the "Thêm" menu, which opens, closes on Escape and gives the focus back', async () => {
    await openRoom();
    click((await until(radios))[1]); // the pen: the share toggle appears
    await settle(4);
    const menu = byTestId(root, 'viewer-more-menu')[0];
    const more = byTestId(root, 'viewer-more')[0];
    expect(more.getAttribute('aria-controls')).toBe(menu.getAttribute('id'));
    expect(more.getAttribute('aria-expanded')).toBe('false');
    expect(more.textContent).toContain(t('viewer.more'));
    // In the menu: the share toggle, the zoom and the download (one each: the browser tests find them by test id and name).
    expect(find(menu, (e) => e.textContent === t('annot.private'))).toHaveLength(1);
    expect(byTestId(menu, 'annot-export')).toHaveLength(1);
    expect(byTestId(root, 'annot-export')).toHaveLength(1);
    // The zoom is in the bar; the menu's copy (for phones) exists only while the menu is open, so
    // that a closed menu never gives the zoom's label twice (a browser test found '125%' twice).
    expect(find(menu, (e) => e.getAttribute('aria-label') === t('viewer.zoomIn'))).toHaveLength(0);
    expect(find(root, (e) => e.getAttribute('aria-label') === t('viewer.zoomIn'))).toHaveLength(1);

    const focus = watchFocus();
    try {
      click(more);
      await settle(4);
      expect(more.getAttribute('aria-expanded')).toBe('true');
      expect(hasClass(menu, 'open')).toBe(true);
      expect(find(menu, (e) => e.getAttribute('aria-label') === t('viewer.zoomIn'))).toHaveLength(1);
      escape();
      await settle(4);
      expect(more.getAttribute('aria-expanded')).toBe('false');
      expect(hasClass(menu, 'open')).toBe(false);
      expect(focus.get()).toBe(more);
    } finally {
      focus.restore();
    }
    // A tap elsewhere closes it too; a tap inside it does not.
    click(more);
    await settle(4);
    dispatch(menu, event('pointerdown', menu));
    await settle(4);
    expect(hasClass(menu, 'open')).toBe(true);
    dispatch(browser.doc.body, event('pointerdown', browser.doc.body));
    await settle(4);
    expect(hasClass(menu, 'open')).toBe(false);
  });

  it('on a tablet in portrait and a phone, the menu holds sharing and the download; on a phone the zoom too, the chosen tool named (room.css)', () => {
    const all = readFileSync(join(__dirname, '../src/ui/room.css'), 'utf8');
    const css = all.slice(all.indexOf("the document's toolbar"));
    const block = (media: string) => {
      const at = css.indexOf(`@media (${media})`);
      expect(at, media).toBeGreaterThan(0);
      const next = css.indexOf('@media', at + 1);
      return css.slice(at, next < 0 ? undefined : next);
    };
    const tablet = block('max-width: 900px');
    expect(tablet).toMatch(/\.vbar \.vmore-toggle \{\s*display: inline-flex;/);
    expect(tablet).toMatch(/\.vmore \{ display: none; \}/);
    expect(tablet).toMatch(/\.vmore\.open \{[^}]*position: absolute/);
    const phone = block('max-width: 699px');
    expect(phone).toMatch(/\.vbar \.sep, \.vbar \.vzoom \{ display: none; \}/);
    expect(phone).toMatch(/\.vmore\.open \.vmore-zoom \{ display: flex;/);
    expect(phone).toMatch(/\.tools \.btn\.on \.tl \{ display: inline;/);
    expect(block('min-width: 700px')).toMatch(/\.btn\.lbl \.tl \{ display: block;/);
    // Wider than a portrait tablet, the menu's content sits in the bar.
    expect(css.slice(0, css.indexOf('@media (min-width: 700px)'))).toMatch(/\.vmore, \.vzoom \{ display: contents; \}/);
  });
});

describe('the thumbnail strip scrolls itself only', () => {
  // The real strip (the room's tests stand a do-nothing one in for it).
  beforeAll(() => void vi.doUnmock('../src/viewer/Thumbs'));

  it('stripOffset: the least scroll that brings the page in sight', async () => {
    const { stripOffset } = await import('../src/viewer/Thumbs');
    const box = { top: 100, bottom: 500 };
    expect(stripOffset(box, { top: 200, bottom: 350 })).toBe(0);
    expect(stripOffset(box, { top: 450, bottom: 600 })).toBe(100);
    expect(stripOffset(box, { top: 40, bottom: 190 })).toBe(-60);
    expect(stripOffset(box, { top: 300, bottom: 900 }), 'taller than the strip: its top').toBe(200);
  });

  it('moves the strip to the page, without scrollIntoView (which scrolls the page around the strip as well)', async () => {
    const proto = FElement.prototype as unknown as Record<string, unknown>;
    const scrolled: unknown[] = [];
    proto.scrollIntoView = (...a: unknown[]) => scrolled.push(a);
    proto.scrollTop = 0; // as a browser's element starts
    proto.querySelectorAll = function (this: FElement, sel: string) {
      return sel === 'li' ? find(this, (e) => e.localName === 'li') : [];
    };
    const ROW = 150;
    const rect = vi.spyOn(FElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: FElement) {
      if (this.localName === 'ol') return { top: 0, left: 0, width: 130, height: 400, right: 130, bottom: 400 };
      const n = Number(this.getAttribute('data-n'));
      const top = (n - 1) * ROW - Number((this.parentNode as unknown as { scrollTop?: number }).scrollTop ?? 0);
      return { top, left: 0, width: 130, height: ROW, right: 130, bottom: top + ROW };
    });
    const q = vi.spyOn(FElement.prototype, 'querySelector').mockImplementation(function (this: FElement, sel: string) {
      const n = /data-n="(\d+)"/.exec(sel)?.[1];
      return (n ? find(this, (e) => e.getAttribute('data-n') === n)[0] ?? null : null) as never;
    });
    vi.stubGlobal('IntersectionObserver', class { observe() {} unobserve() {} disconnect() {} });
    try {
      const { default: Thumbs } = await import('../src/viewer/Thumbs');
      const pdf = { pages: 10, size: async () => ({ w: 100, h: 140 }), render: () => ({ promise: new Promise(() => {}) }) };
      const show = async (page: number) => {
        browser.preact.render(browser.h(Thumbs, { pdf: pdf as never, page, onPick: () => {} }), root as never);
        await settle(4);
      };
      await show(1);
      const ol = find(root, (e) => e.localName === 'ol')[0] as FElement & { scrollTop?: number };
      expect(ol.scrollTop).toBe(0);
      await show(5); // rows 600–750, the strip shows 0–400
      expect(ol.scrollTop).toBe(350);
      await show(2); // rows 150–300: above what is shown
      expect(ol.scrollTop).toBe(150);
      expect(scrolled, 'scrollIntoView is never called').toEqual([]);
    } finally {
      rect.mockRestore();
      q.mockRestore();
      delete proto.scrollIntoView;
      delete proto.scrollTop;
      delete proto.querySelectorAll;
    }
  });
});
