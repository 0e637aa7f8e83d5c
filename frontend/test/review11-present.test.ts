// Review 11 (notes/review11-walkthrough.md), the chair's cockpit on a
// tablet. Defect 1: the presentation panel's documents were a strip that
// scrolled sideways, two of five in sight at 1024×768 and nothing to say
// more were there; they now wrap onto rows (of one height), and only very
// many scroll, up and down, within the list. Defect 2: after tapping a
// document (a preview), "Trình chiếu trang N" sat under the preview, below
// the fold; the controls now come before the preview. Defect 10: with no
// agenda items at all, "Nội dung tiếp theo" said "Đây là nội dung cuối
// cùng"; it now says the agenda has no items. Rendered with Preact into
// fake-browser.ts against a fake REST server and a fake live hub; the layout
// itself (rows, not a sideways strip) is checked on chair.css.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byTestId, click, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer,
  type Answer, type Call, type FElement, type FNode,
} from './fake-browser';

const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 12', description: '', location: '', starts_at: null, status: 'live', my_role: 'chair', ...over,
});
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
  status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const docOf = (id: string, title: string, over: Record<string, unknown> = {}) => ({
  id, meeting_id: 'm', agenda_item_id: null, title, position: 0, confidential: false, version: 1, pages: 6, size: 1, sha256: '', ...over,
});
const TITLES = [
  'Báo cáo tình hình kinh tế – xã hội năm 2025, kế hoạch phát triển kinh tế – xã hội năm 2026',
  'Tờ trình về dự toán thu, chi ngân sách địa phương năm 2026',
  'Nghị quyết về kế hoạch phát triển kinh tế – xã hội năm 2026',
  'Báo cáo kết quả thanh tra việc quản lý, sử dụng vốn đầu tư công tại Ban Quản lý dự án đầu tư xây dựng các công trình giao thông',
  'Phụ lục mới tải lên',
];
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };

let meeting = meetingOf();
let agendaItems: Record<string, unknown>[] = [];
let currentId: string | null = null;
let documents: Record<string, unknown>[] = [];
let presentation: Record<string, unknown> = { meeting_id: 'm', document_id: null, zoom: null, at: null };

function server(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: agendaItems, current_item_id: currentId, planned_min: 0 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents } };
  if (p === '/meetings/m/presentation') return { status: 200, body: presentation };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls' && c.method === 'GET') return { status: 200, body: { polls: [] } };
  const sp = /^\/agenda-items\/(\w+)\/speakers$/.exec(p);
  if (sp) return { status: 200, body: { agenda_item_id: sp[1], active: null, speeches: [], questions: [], history: [] } };
  return notFound;
}

const chairMe = { id: 'u-chair', username: 'chutri', full_name: 'Nguyễn Văn An', is_admin: false };

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);
const cls = (e: FElement) => e.getAttribute('class') ?? '';
const byClass = (r: FNode, c: string) => find(r, (e) => cls(e).split(/\s+/).includes(c));
/** Every element under root, in document order. */
const all = (r: FNode) => find(r, () => true);

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/chair', server);
});

beforeEach(() => {
  browser.calls.length = 0;
  FakeSocket.all.length = 0;
  meeting = meetingOf();
  agendaItems = [item('1', { status: 'current', became_current_at: '2026-11-25T09:00:00Z' }), item('2')];
  currentId = '1';
  documents = TITLES.map((x, i) => docOf(`d${i + 1}`, x, { confidential: i === 3, pages: 12 - i }));
  presentation = { meeting_id: 'm', document_id: 'd1', version: 1, page: 1, zoom: null, at: '2026-11-25T09:05:00Z' };
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function openCockpit() {
  const { Chair } = await import('../src/chair/Chair');
  browser.preact.render(browser.h(Chair, { id: 'm', me: chairMe, onSignOut: () => {} }), root as never);
  await settle();
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
  await settle(12);
  return hub;
}

/** The declarations of the first rule in css whose selector is exactly sel. */
function rule(css: string, sel: string): string {
  const flat = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const re = /([^{}]+)\{([^{}]*)\}/g;
  for (let m = re.exec(flat); m; m = re.exec(flat)) {
    if (m[1].trim() === sel) return m[2].replace(/\s+/g, ' ').trim();
  }
  return '';
}

describe('review 11, defect 1: every document of the presentation panel in sight on a tablet', () => {
  const css = readFileSync(join(__dirname, '../src/chair/chair.css'), 'utf8');

  it('the document list wraps onto rows instead of scrolling sideways, and scrolls (up and down) only when it is very long', () => {
    const list = rule(css, '.doclist');
    expect(list, 'a rule for .doclist').not.toBe('');
    // no sideways strip: the chips that do not fit go on the next row
    expect(list).not.toMatch(/overflow-x:\s*(auto|scroll)/);
    const wraps = /display:\s*grid/.test(list) && /grid-template-columns:\s*repeat\(auto-fill/.test(list);
    expect(wraps || /flex-wrap:\s*wrap/.test(list), `rows, not a strip: ${list}`).toBe(true);
    // bounded: very many documents scroll within the list, not the whole cockpit
    expect(list).toMatch(/max-height:\s*[\d.]+(rem|px|em)/);
    expect(list).toMatch(/overflow-y:\s*auto/);
    // three chips a row in the panel at 1024×768 (528 px inside it), two at 768×1024 (370 px)
    const min = Number(/minmax\((\d+)px/.exec(list)?.[1] ?? 'NaN');
    expect(3 * min + 2 * 8 + 4).toBeLessThanOrEqual(528);
    expect(2 * min + 8 + 4).toBeLessThanOrEqual(370);
    // a chip no longer has a fixed width that keeps it on one row
    expect(rule(css, '.doclist li')).not.toMatch(/flex:\s*0 0 auto/);
  });

  it('a chip cuts a long title to two lines, and keeps the whole of it as its tooltip', async () => {
    const title = rule(css, '.docchip .doc-title');
    expect(title).toMatch(/line-clamp:\s*2/);
    expect(title).toMatch(/overflow:\s*hidden/);
    await openCockpit();
    const chips = byTestId(root, 'doc-chip');
    expect(chips).toHaveLength(5);
    expect(chips.map((c) => c.getAttribute('title'))).toEqual(TITLES);
    // the chips are all in one list (no pages, no "more" to open)
    const list = byClass(root, 'doclist');
    expect(list).toHaveLength(1);
    expect(byTestId(list[0], 'doc-chip')).toHaveLength(5);
  });
});

describe('review 11, defect 2: "present this page" is above the preview', () => {
  it('after tapping another document, "Trình chiếu trang N" comes before the preview, in the controls next to the page', async () => {
    await openCockpit();
    expect(byTestId(root, 'present-doc'), 'the presented document is shown: nothing to present').toHaveLength(0);
    click(byTestId(root, 'doc-chip')[1]);
    await settle(4);
    const show = byTestId(root, 'present-doc')[0];
    expect(show, 'a preview offers to present its page').toBeTruthy();
    expect(show.textContent).toContain(t('chair.present.show', { page: 1 }));
    const order = all(root);
    const stage = byTestId(root, 'chair-stage')[0];
    const body = byClass(root, 'present-body')[0];
    const bar = byClass(root, 'present-bar')[0];
    expect(order.indexOf(show)).toBeLessThan(order.indexOf(stage));
    expect(order.indexOf(bar)).toBeLessThan(order.indexOf(body));
    expect(order.indexOf(bar)).toBeGreaterThan(order.indexOf(byClass(root, 'doclist')[0]));
    // the page, the arrows and the hint are up there too
    for (const id of ['page-prev', 'chair-pageof', 'page-next']) expect(order.indexOf(byTestId(root, id)[0]), id).toBeLessThan(order.indexOf(body));
    const hint = find(root, (e) => cls(e) === 'hint-line' && e.textContent === t('chair.present.hintPreview'))[0];
    expect(hint, 'the preview hint').toBeTruthy();
    expect(order.indexOf(hint)).toBeLessThan(order.indexOf(body));
  });

  it('while the presented document is shown, "Ngừng trình chiếu" is above the preview as well', async () => {
    await openCockpit();
    const hide = byTestId(root, 'present-hide')[0];
    expect(hide).toBeTruthy();
    const order = all(root);
    expect(order.indexOf(hide)).toBeLessThan(order.indexOf(byTestId(root, 'chair-stage')[0]));
  });

  it('the secretary\'s note (why the page cannot be turned for everyone) sits with the controls, above the preview', async () => {
    meeting = meetingOf({ my_role: 'secretary' });
    await openCockpit();
    const note = byTestId(root, 'present-not-yours')[0];
    expect(note?.textContent).toBe(t('chair.present.secretaryNote'));
    const order = all(root);
    expect(order.indexOf(note)).toBeLessThan(order.indexOf(byClass(root, 'present-body')[0]));
  });
});

describe('review 11, defect 10: an empty agenda is not "the last item"', () => {
  it('with no agenda items, "Nội dung tiếp theo" says the agenda has none', async () => {
    agendaItems = [];
    currentId = null;
    meeting = meetingOf({ status: 'scheduled' });
    documents = [];
    presentation = { meeting_id: 'm', document_id: null, zoom: null, at: null };
    await openCockpit();
    const next = byTestId(root, 'next-title')[0];
    expect(next.textContent?.trim()).toBe(t('chair.session.noItems'));
    expect(next.textContent).not.toContain(t('chair.session.last'));
    expect(t('chair.session.noItems')).toBe('Chương trình họp chưa có nội dung nào');
    expect(byTestId(root, 'next-item')).toHaveLength(0);
  });

  it('still says "the last item" on the last item, and names the first one before any is taken up', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: '2026-11-25T09:00:00Z' })];
    await openCockpit();
    expect(byTestId(root, 'next-title')[0].textContent?.trim()).toBe(t('chair.session.last'));
    browser.preact.render(null, root as never);
    await settle(2);

    agendaItems = [item('1'), item('2')];
    currentId = null;
    await openCockpit();
    expect(byTestId(root, 'next-title')[0].textContent?.trim()).toBe('1 Mục 1');
  });
});
