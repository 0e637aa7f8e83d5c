// Review 4 (visual walkthrough), findings 7, 10 and 13: the top bars of the
// list of meetings and of the administrator's screens keep their secondary
// actions in one "Thêm" (More) list (shown as a list at 900 px and under,
// styles.css), with "Đăng xuất" always outside it; the audit log clamps a
// long meeting title (the whole of it in a title attribute) and names the
// documents that its entries give by id only. Rendered with Preact into the
// small DOM of fake-browser.ts; the layout itself is CSS, checked by eye
// with e2e/tools/walkthrough.mjs.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { meetingsToAsk, type AuditEntry } from '../src/admin/audit';
import {
  byTestId, click, dispatch, event, find, installBrowser, notFound, settle, type Answer, type Call, type FElement,
} from './fake-browser';

// The list of meetings warms up the room's code and pdf.js: not here.
vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

const LONG = 'Kỳ họp chuyên đề lần thứ hai mươi bảy Hội đồng nhân dân tỉnh Thừa Thiên Huế khóa VIII, nhiệm kỳ 2021–2026, về điều chỉnh quy hoạch sử dụng đất';
const admin = { id: 'u-admin', username: 'admin', full_name: 'Tôn Nữ Hoàng Phương Thảo Nguyễn Ngọc Bích', is_admin: true };
const delegate = { id: 'u-an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false };
const users = [
  { ...admin, disabled: false },
  { ...delegate, disabled: false },
];
const meeting = (id: string, title: string) => ({ id, title, description: '', location: '', starts_at: null, status: 'live', my_role: '' });
const doc = (id: string, meetingId: string, title: string) => ({
  id, meeting_id: meetingId, agenda_item_id: null, title, position: 0, confidential: false, version: 1, pages: 3, size: 1, sha256: '',
});

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/users') return { status: 200, body: { users } };
  if (p === '/meetings') return { status: 200, body: { meetings: [meeting('m', LONG), meeting('m2', 'Phiên họp thường lệ')] } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [doc('d1', 'm', 'Tờ trình số 1234/TTr-UBND')] } };
  if (p === '/meetings/m2/documents') return { status: 200, body: { documents: [doc('d2', 'm2', 'Báo cáo thẩm tra')] } };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  browser = await installBrowser('/', async (c) => (await routes(c)) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  routes = () => undefined;
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function show(load: () => Promise<unknown>, props: Record<string, unknown>) {
  const Screen = (await load()) as never;
  browser.preact.render(browser.h(Screen, { id: null, onSignOut: () => {}, ...props }), root as never);
  await settle(12);
}
const openMeetings = (me = delegate) => show(() => import('../src/ui/Meetings').then((m) => m.Meetings), { me });
const openAdmin = () => show(() => import('../src/admin/Admin').then((m) => m.Admin), { me: admin });
const openAudit = () => show(() => import('../src/admin/Audit').then((m) => m.Audit), { me: admin });

const header = () => find(root, (e) => e.localName === 'header')[0];
const menu = () => find(root, (e) => /\bbar-menu\b/.test(e.getAttribute('class') ?? ''))[0];
const menuItems = () => find(root, (e) => e.getAttribute('id') === 'bar-menu-items')[0];
const toggle = () => byTestId(root, 'bar-menu')[0];
const signOut = () => byTestId(root, 'sign-out')[0];
const isOpen = () => /\bopen\b/.test(menu().getAttribute('class') ?? '');
const hrefs = (el: FElement) => find(el, (e) => e.localName === 'a').map((a) => a.getAttribute('href'));

describe('the top bar of the list of meetings', () => {
  it('keeps "Đăng xuất" and the language switch outside the "Thêm" list, and new meeting and my account inside it', async () => {
    await openMeetings();
    expect(signOut().textContent).toBe(t('common.signOut'));
    expect(menu().contains(signOut())).toBe(false);
    expect(menu().contains(byTestId(root, 'lang')[0])).toBe(false);
    expect(hrefs(menuItems())).toEqual(['/desk/new', '/account']);
    // The page's title stays in the bar, outside the list.
    expect(find(header(), (e) => e.localName === 'h1')[0].textContent).toBe(t('meetings.title'));
    expect(menu().contains(find(header(), (e) => e.localName === 'h1')[0])).toBe(false);
    // Who is signed in is said at the top of the list (a shared tablet).
    expect(find(menuItems(), (e) => e.getAttribute('class') === 'who')[0].textContent).toBe(delegate.full_name);
    expect(toggle().textContent).toBe(t('bar.more'));
  });

  it('puts the administration link in the list for an administrator', async () => {
    await openMeetings(admin);
    expect(hrefs(menuItems())).toEqual(['/admin', '/desk/new', '/account']);
    expect(menu().contains(signOut())).toBe(false);
  });

  it('opens and closes the list: its button says so (aria-expanded), Escape and a tap outside close it', async () => {
    await openMeetings();
    expect(toggle().getAttribute('aria-expanded')).toBe('false');
    expect(toggle().getAttribute('aria-controls')).toBe('bar-menu-items');
    click(toggle());
    await settle();
    expect(isOpen()).toBe(true);
    expect(toggle().getAttribute('aria-expanded')).toBe('true');

    dispatch(browser.doc.documentElement, event('keydown', browser.doc.documentElement, { key: 'Escape' }));
    await settle();
    expect(isOpen()).toBe(false);

    click(toggle());
    await settle();
    // A tap inside the list does not close it by itself…
    dispatch(menuItems(), event('pointerdown', menuItems()));
    await settle();
    expect(isOpen()).toBe(true);
    // …a tap on the page does.
    const main = find(root, (e) => e.localName === 'main')[0];
    dispatch(main, event('pointerdown', main));
    await settle();
    expect(isOpen()).toBe(false);
  });

  it('closes the list once one of its items is chosen', async () => {
    await openMeetings();
    click(toggle());
    await settle();
    expect(isOpen()).toBe(true);
    click(byTestId(root, 'to-account')[0]);
    await settle();
    expect(isOpen()).toBe(false);
  });

  it('the sign-out button still signs out', async () => {
    const out = vi.fn();
    const { Meetings } = await import('../src/ui/Meetings');
    browser.preact.render(browser.h(Meetings, { me: delegate, onSignOut: out }), root as never);
    await settle(12);
    click(signOut());
    expect(out).toHaveBeenCalledTimes(1);
  });
});

describe("the administrator's top bars", () => {
  it('users: the audit log and my account in the "Thêm" list, the way back and "Đăng xuất" outside it', async () => {
    await openAdmin();
    expect(hrefs(menuItems())).toEqual(['/admin/audit', '/account']);
    expect(byTestId(menuItems(), 'to-audit')).toHaveLength(1);
    expect(byTestId(menuItems(), 'to-account')).toHaveLength(1);
    expect(menu().contains(signOut())).toBe(false);
    const back = byTestId(root, 'back')[0];
    expect(menu().contains(back)).toBe(false);
    expect(back.getAttribute('href')).toBe('/');
    // An arrow on a phone; its name is still its text, for a screen reader and a test.
    expect(back.textContent).toBe(t('desk.back'));
    expect(find(back, (e) => e.localName === 'svg')).toHaveLength(1);
  });

  it('audit log: the users screen in the "Thêm" list, "Đăng xuất" outside it', async () => {
    routes = (c) => (c.path.startsWith('/audit?') ? { status: 200, body: { entries: [] } } : undefined);
    await openAudit();
    expect(hrefs(menuItems())).toEqual(['/admin']);
    expect(byTestId(menuItems(), 'to-users')).toHaveLength(1);
    expect(menu().contains(signOut())).toBe(false);
    expect(signOut().textContent).toBe(t('common.signOut'));
  });
});

const entry = (id: number, action: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id, at: '2026-11-26T08:00:00Z', actor_id: 'u-an', action, meeting_id: 'm', client_ip: '10.0.0.5', ...over,
});
const rows = () => find(root, (e) => e.localName === 'tr' && e.hasAttribute('data-action'));
const objectOf = (id: number) => {
  const row = rows().find((r) => r.getAttribute('data-id') === String(id));
  return row ? byTestId(row, 'audit-object')[0]?.textContent ?? '' : '';
};

describe('the audit log table', () => {
  it('clamps a long meeting title and keeps the whole of it in a title attribute', async () => {
    routes = (c) => (c.path.startsWith('/audit?') ? { status: 200, body: { entries: [entry(1, 'document.opened', { object: 'document:d1' })] } } : undefined);
    await openAudit();
    const cell = byTestId(rows()[0], 'audit-meeting')[0];
    expect(cell.getAttribute('title')).toBe(LONG);
    expect(cell.getAttribute('class')).toContain('clamp');
    expect(cell.textContent).toBe(LONG); // the text is all there: only its display is two lines
    // The object's button: its whole name on hover, with what a tap does.
    const obj = byTestId(rows()[0], 'audit-object')[0];
    expect(obj.getAttribute('title')).toBe(`${t('audit.k.document')}: Tờ trình số 1234/TTr-UBND\n${t('audit.onlyThis')}`);
  });

  it('names a document an entry gives by id only, from its meeting\'s list, with no meeting chosen in the filter', async () => {
    routes = (c) => (c.path.startsWith('/audit?') ? {
      status: 200,
      body: { entries: [
        entry(5, 'document.opened', { object: 'document:d1' }),
        entry(4, 'document.exported', { object: 'document:d1' }),
        entry(3, 'presentation.shown', { object: 'document:d2', meeting_id: 'm2' }),
        entry(2, 'annotation.shared', { object: 'annotation:a1', detail: { document_id: 'd1', version: 1, page: 2, kind: 'note' } }),
        entry(1, 'document.opened', { object: 'document:dx' }), // confidential, or deleted since: not in any list
      ] },
    } : undefined);
    await openAudit();
    expect(objectOf(5)).toBe(`${t('audit.k.document')}: Tờ trình số 1234/TTr-UBND`);
    expect(objectOf(4)).toBe(`${t('audit.k.document')}: Tờ trình số 1234/TTr-UBND`);
    expect(objectOf(3)).toBe(`${t('audit.k.document')}: Báo cáo thẩm tra`);
    expect(objectOf(2)).toBe(`${t('audit.k.annotation')}: Tờ trình số 1234/TTr-UBND`);
    expect(objectOf(1), 'a document no list names keeps its id: enough to filter by').toBe(`${t('audit.k.document')}: dx`);
    // Each meeting's list once, however many entries name its documents.
    const asked = browser.calls.filter((c) => /^\/meetings\/[^/]+\/documents$/.test(c.path)).map((c) => c.path).sort();
    expect(asked).toEqual(['/meetings/m/documents', '/meetings/m2/documents']);
  });
});

describe('meetingsToAsk', () => {
  const known = new Map([['d1', 'Tờ trình']]);
  it('lists the meetings of documents not named yet, once each, and not those asked for already', () => {
    const entries = [
      entry(6, 'document.opened', { object: 'document:d1' }), // named already
      entry(5, 'document.opened', { object: 'document:d7', meeting_id: 'm2' }),
      entry(4, 'document.exported', { object: 'document:d8', meeting_id: 'm2' }),
      entry(3, 'annotation.deleted', { object: 'annotation:a1', meeting_id: 'm3', detail: { document_id: 'd9' } }),
      entry(2, 'document.opened', { object: 'document:d6', meeting_id: 'm4' }),
      entry(1, 'login.succeeded', { object: 'user:u-an', meeting_id: undefined }),
    ];
    expect(meetingsToAsk(entries, known, new Set())).toEqual(['m2', 'm3', 'm4']);
    expect(meetingsToAsk(entries, known, new Set(['m2', 'm4']))).toEqual(['m3']);
  });

  it('asks nothing for entries with no meeting, or about no document', () => {
    expect(meetingsToAsk([
      entry(2, 'document.opened', { object: 'document:d5', meeting_id: undefined }),
      entry(1, 'meeting.updated', { object: 'meeting:m' }),
    ], known, new Set())).toEqual([]);
  });
});
