// Review 4 (notes/review4-visual.md), the room display and the chair's
// cockpit: what the layout fixes changed in behaviour and markup. The
// display shows the result the chair published to a display opened later
// too (finding 19), and keeps it until the next change on the screen; the
// page number and the document's title are apart (2); the speaker's card
// says "asking a question" in its heading and the queue's size beside it
// (1); the time notices draw an SVG icon, not an emoji (18). The cockpit
// shows who has the floor, the countdown and "end the turn" in a bar above
// its scrolling columns (4); says why "give the floor" is greyed out (16);
// gives a queued name its own element with the whole name as its tooltip
// (3); cuts the presented document's title, not the page, in the
// presentation panel's heading (5); and counts everyone checked in under a
// label that says so (15). Rendered with Preact into fake-browser.ts
// against a fake REST server and a fake live hub.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byTestId, click, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer,
  type Answer, type Call, type FElement, type FNode,
} from './fake-browser';
import type { AgendaItem, Poll, Presentation } from '../src/types';

const T0 = '2026-11-25T09:00:00Z';
const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'chair', ...over,
});
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
  status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const queues = (itemId: string, over: Record<string, unknown> = {}) => ({ agenda_item_id: itemId, active: null, speeches: [], questions: [], history: [], ...over });
const speaker = (id: string, name: string, over: Record<string, unknown> = {}) => ({
  id, agenda_item_id: '1', user_id: `u-${id}`, full_name: name, kind: 'speech', status: 'waiting',
  requested_at: T0, started_at: null, finished_at: null, time_limit_sec: 0, ...over,
});
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
const options = [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }];
const results = [
  { option: 'agree', label: 'Đồng ý', votes: 2, weight: 2 },
  { option: 'disagree', label: 'Không đồng ý', votes: 0, weight: 0 },
  { option: 'abstain', label: 'Không biểu quyết', votes: 0, weight: 0 },
];
/** A poll as GET /meetings/{id}/polls gives it, with the timestamps types.ts leaves out. */
const poll = (id: string, over: Record<string, unknown> = {}) => ({
  id, meeting_id: 'm', title: `Biểu quyết ${id}`, agenda_item_id: '1', kind: 'motion', secret: false, options, max_choices: 1,
  status: 'published', voted: 2, eligible: 2, results, outcome: 'adopted', me: { can_vote: false, voted: false },
  created_at: at(1), opened_at: at(2), closed_at: at(3), published_at: at(4), cancelled_at: null, ...over,
});
const LONG_NAME = 'Tôn Nữ Hoàng Phương Thảo Nguyễn Ngọc Bích';
const LONG_DOC = 'Tờ trình số 1234/TTr-UBND ngày 15 tháng 11 năm 2025 về việc điều chỉnh kế hoạch đầu tư công trung hạn';

let meeting = meetingOf();
let agendaItems: Record<string, unknown>[] = [];
let speakers: Record<string, unknown> = queues('1');
let polls: Record<string, unknown>[] = [];
let documents: Record<string, unknown>[] = [];
let presentation: Record<string, unknown> = { meeting_id: 'm', document_id: null, zoom: null, at: null };
let attendance: Record<string, unknown>[] = [];

function server(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: agendaItems, current_item_id: '1', planned_min: 20 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents } };
  if (p === '/meetings/m/presentation') return { status: 200, body: presentation };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance } };
  if (p === '/meetings/m/polls' && c.method === 'GET') return { status: 200, body: { polls } };
  const one = /^\/polls\/(\w+)$/.exec(p);
  if (one && c.method === 'GET') {
    const found = polls.find((x) => x.id === one[1]);
    return found ? { status: 200, body: found } : notFound;
  }
  if (/^\/polls\/\w+\/voters$/.test(p)) return { status: 200, body: { poll_id: '', voted: [], not_voted: [] } };
  if (/^\/agenda-items\/\w+\/speakers$/.test(p)) return { status: 200, body: speakers };
  if (/^\/speakers\/\w+\/finish$/.test(p) && c.method === 'POST') return { status: 200, body: {} };
  return notFound;
}

const chairMe = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);
const cls = (e: FElement) => e.getAttribute('class') ?? '';
const byClass = (r: FNode, c: string) => find(r, (e) => cls(e).split(/\s+/).includes(c));

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/display', server);
});

beforeEach(() => {
  browser.calls.length = 0;
  FakeSocket.all.length = 0;
  meeting = meetingOf();
  agendaItems = [item('1', { status: 'current', became_current_at: T0 }), item('2')];
  speakers = queues('1');
  polls = [];
  documents = [];
  presentation = { meeting_id: 'm', document_id: null, zoom: null, at: null };
  attendance = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function open(screen: 'display' | 'chair') {
  const C = screen === 'display' ? (await import('../src/display/Display')).Display : (await import('../src/chair/Chair')).Chair;
  browser.preact.render(browser.h(C, { id: 'm', me: chairMe, onSignOut: () => {} }), root as never);
  await settle();
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
  await settle(12);
  return hub;
}

const shownResult = () => byTestId(root, 'display-result')[0];

describe('finding 19: a display opened after the chair published a result shows it', () => {
  it('shows the newest result published during the current item to a display opened (or reloaded) later', async () => {
    polls = [poll('old', { published_at: at(4), title: 'Lần đầu' }), poll('new', { published_at: at(8), opened_at: at(6), title: 'Biểu quyết lại' })];
    await open('display');
    const box = shownResult();
    expect(box, 'the result is on the projector').toBeTruthy();
    expect(box.textContent).toContain('Biểu quyết lại');
    expect(byTestId(box, 'chart-n').map((e) => e.textContent)).toEqual(['2', '0', '0']);
  });

  it('shows nothing once the next vote has opened, while it is open and after it', async () => {
    polls = [poll('p1'), poll('p2', { status: 'open', results: undefined, outcome: undefined, opened_at: at(5), closed_at: null, published_at: null })];
    await open('display');
    expect(shownResult(), 'a vote is open').toBeUndefined();
    expect(byTestId(root, 'display-voting')).toHaveLength(1);
    browser.preact.render(null, root as never);
    await settle(2);

    polls = [poll('p1'), poll('p2', { status: 'cancelled', results: undefined, outcome: undefined, opened_at: at(5), closed_at: null, published_at: null, cancelled_at: at(6) })];
    await open('display');
    expect(shownResult(), 'a vote opened after it, even one cancelled since').toBeUndefined();
  });

  it('gives way to a page the chair presented after the publication, and ignores one presented before', async () => {
    documents = [{ id: 'd1', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 0, confidential: false, version: 1, pages: 4, size: 1, sha256: '' }];
    polls = [poll('p1', { published_at: at(4) })];
    presentation = { meeting_id: 'm', document_id: 'd1', version: 1, page: 2, zoom: null, at: at(5) };
    await open('display');
    expect(shownResult()).toBeUndefined();
    browser.preact.render(null, root as never);
    await settle(2);

    presentation = { ...presentation, at: at(3) };
    await open('display');
    expect(shownResult(), 'presented before the publication: the result is on top').toBeTruthy();
  });

  it('does not show a result published before the current item became current', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: at(10) })];
    polls = [poll('p1', { published_at: at(4) })];
    await open('display');
    expect(shownResult()).toBeUndefined();
  });

  it('on a display that was open: stays past the old 90 s, and goes when the next vote opens', async () => {
    const hub = await open('display');
    const p = poll('p1', { published_at: at(4) });
    hub.msg({ seq: 11, type: 'poll.published', data: p });
    await settle(12);
    expect(shownResult()).toBeTruthy();
    // nothing is timed any more: the result stays until the next change on the screen
    expect(Object.keys(await import('../src/display/Display'))).not.toContain('RESULT_MS');
    const next = poll('p2', { status: 'open', results: undefined, outcome: undefined, opened_at: at(6), closed_at: null, published_at: null });
    polls = [p, next];
    hub.msg({ seq: 12, type: 'poll.opened', data: next });
    await settle(12);
    expect(shownResult()).toBeUndefined();
  });

  it('standingResult: compares server times only, and needs a current item', async () => {
    const { standingResult } = await import('../src/display/result');
    const cur = item('1', { became_current_at: T0 }) as unknown as AgendaItem;
    const of = (...ps: Record<string, unknown>[]) => Object.fromEntries(ps.map((x) => [x.id, x])) as unknown as Record<string, Poll>;
    const pres = (a: string | null) => ({ meeting_id: 'm', document_id: null, zoom: null, at: a }) as Presentation;
    expect(standingResult(of(poll('a')), null, null)).toBeNull();
    expect(standingResult(of(poll('a')), cur, null)).toBe('a');
    expect(standingResult(of(poll('a'), poll('b', { published_at: at(9) })), cur, pres(at(5)))).toBe('b');
    expect(standingResult(of(poll('a'), poll('b', { published_at: at(9) })), cur, pres(at(10)))).toBeNull();
    // counted but not published, or published without results: nothing to show
    expect(standingResult(of(poll('a', { status: 'closed' })), cur, null)).toBeNull();
    expect(standingResult(of(poll('a', { results: undefined })), cur, null)).toBeNull();
    // no publication time (an older server): only the live event shows it
    expect(standingResult(of(poll('a', { published_at: null })), cur, null)).toBeNull();
    // the item's start unknown: a poll of that item
    const noStart = item('1') as unknown as AgendaItem;
    expect(standingResult(of(poll('a', { agenda_item_id: '2' })), noStart, null)).toBeNull();
    expect(standingResult(of(poll('a')), noStart, null)).toBe('a');
  });
});

describe('findings 1, 2 and 18 on the projector', () => {
  it('puts the page number in an element of its own after the document title (the title is what gives way)', async () => {
    documents = [{ id: 'd1', meeting_id: 'm', agenda_item_id: '1', title: LONG_DOC, position: 0, confidential: false, version: 1, pages: 6, size: 1, sha256: '' }];
    presentation = { meeting_id: 'm', document_id: 'd1', version: 1, page: 2, zoom: null, at: T0 };
    await open('display');
    const caption = byTestId(root, 'display-pageof')[0];
    const parts = caption.childNodes.filter((n): n is FElement => n instanceof Object && 'attrs' in n);
    expect(parts.map(cls)).toEqual(['d-doc', 'd-pg']);
    expect(parts[0].getAttribute('title'), 'the whole title in the tooltip').toBe(LONG_DOC);
    expect(parts[1].textContent).toBe(t('viewer.pageOf', { page: 2, pages: '…' }));
  });

  it('says "asking a question" in the speaker card\'s heading, with the queue beside it, and the name whole in its tooltip', async () => {
    speakers = queues('1', {
      active: speaker('s1', LONG_NAME, { kind: 'question', status: 'active', started_at: new Date().toISOString(), time_limit_sec: 120 }),
      speeches: [speaker('s2', 'Trần Thị Bình')], questions: [speaker('s3', 'Lê Văn Cường', { kind: 'question' })],
    });
    await open('display');
    const card = byTestId(root, 'display-speaker')[0];
    const kicker = byClass(card, 'd-kicker')[0];
    expect(kicker.textContent).toContain(t('display.questioning'));
    expect(byTestId(kicker, 'display-waiting')[0]?.textContent).toBe(t('speak.waiting', { n: '2' }));
    const name = byTestId(card, 'display-speaker-name')[0];
    expect(name.getAttribute('title')).toBe(LONG_NAME);
    expect(cls(name), 'three lines at most').toContain('clamp3');
    expect(card.textContent, 'no second "đang chất vấn" line under the name').not.toContain(t('speak.questioning'));
  });

  it('gives the name two lines only while a vote\'s card needs the room', async () => {
    speakers = queues('1', { active: speaker('s1', LONG_NAME, { status: 'active', started_at: new Date().toISOString(), time_limit_sec: 120 }) });
    polls = [poll('p1', { status: 'open', results: undefined, outcome: undefined, closed_at: null, published_at: null })];
    await open('display');
    expect(byTestId(root, 'display-voting')).toHaveLength(1);
    expect(cls(byTestId(root, 'display-speaker-name')[0])).toContain('clamp2');
  });

  it('clamps the current item\'s title to two lines, whole in its tooltip', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: T0, title: 'Tờ trình của Ủy ban nhân dân tỉnh về việc điều chỉnh, bổ sung kế hoạch đầu tư công trung hạn' })];
    await open('display');
    const title = byTestId(root, 'display-item-title')[0];
    expect(cls(title)).toContain('clamp2');
    expect(title.getAttribute('title')).toBe('1 Tờ trình của Ủy ban nhân dân tỉnh về việc điều chỉnh, bổ sung kế hoạch đầu tư công trung hạn');
  });

  it('draws the time notices with an SVG icon, no emoji (a kiosk PC often has no emoji font)', async () => {
    const started = (sec: number) => new Date(Date.now() - sec * 1000).toISOString();
    for (const [ago, said] of [[170, 'chair.speak.windUp'], [200, 'chair.speak.timeUp']] as const) {
      speakers = queues('1', { active: speaker('s1', 'Nguyễn Văn An', { status: 'active', started_at: started(ago), time_limit_sec: 180 }) });
      await open('display');
      const notice = byTestId(byTestId(root, 'display-speaker')[0], 'time-notice')[0];
      expect(notice.textContent).toBe(t(said));
      expect(notice.textContent).not.toMatch(/[\u{2300}-\u{23FF}\u{1F300}-\u{1FAFF}]/u);
      const icon = byTestId(notice, 'time-notice-icon')[0];
      expect(icon?.tagName).toBe('SVG');
      expect(icon.getAttribute('aria-hidden')).toBe('true');
      browser.preact.render(null, root as never);
      await settle(2);
    }
  });
});

describe('findings 4 and 16: the floor in the cockpit', () => {
  const active = () => speaker('s1', LONG_NAME, { status: 'active', started_at: new Date(Date.now() - 200_000).toISOString(), time_limit_sec: 180 });

  it('shows who has the floor, the countdown and "end the turn" in a bar above the scrolling columns', async () => {
    speakers = queues('1', { active: active(), speeches: [speaker('s2', 'Trần Thị Bình')] });
    await open('chair');
    const bars = byClass(root, 'floorbar');
    expect(bars).toHaveLength(1);
    const main = byClass(root, 'cockpit')[0];
    expect(main.tagName).toBe('MAIN');
    expect(main.contains(bars[0]), 'not inside the scrolling columns').toBe(false);
    expect(bars[0].parentNode, 'a sibling of the columns').toBe(main.parentNode);
    const floor = byTestId(bars[0], 'chair-active-speaker');
    expect(floor, 'the only floor on the page').toHaveLength(1);
    expect(byTestId(root, 'chair-active-speaker')).toHaveLength(1);
    expect(byTestId(floor[0], 'chair-speaker-timer')[0]?.textContent).toMatch(/^-0:[12]\d$/);
    expect(byTestId(floor[0], 'time-notice')).toHaveLength(1);
    expect(find(floor[0], (e) => e.getAttribute('title') === LONG_NAME)).toHaveLength(1);

    browser.calls.length = 0;
    click(byTestId(bars[0], 'finish-speaker')[0]);
    await settle(12);
    expect(browser.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/speakers/s1/finish']);
    expect(browser.calls.some((c) => c.method === 'GET' && c.path === '/agenda-items/1/speakers'), 'the queues read again').toBe(true);
  });

  it('has no bar while nobody has the floor', async () => {
    speakers = queues('1', { speeches: [speaker('s2', 'Trần Thị Bình')] });
    await open('chair');
    expect(byClass(root, 'floorbar')).toHaveLength(0);
    expect(byTestId(root, 'floor-why')).toHaveLength(0);
    expect(byTestId(root, 'start-speaker')[0].disabled).toBe(false);
  });

  it('says once why "give the floor" is greyed out, and ties each button to it', async () => {
    speakers = queues('1', { active: active(), speeches: [speaker('s2', 'Trần Thị Bình')], questions: [speaker('s3', 'Lê Văn Cường', { kind: 'question' })] });
    await open('chair');
    const why = byTestId(root, 'floor-why');
    expect(why).toHaveLength(1);
    expect(why[0].textContent).toBe(t('chair.speak.endFirst'));
    const starts = byTestId(root, 'start-speaker');
    expect(starts).toHaveLength(2);
    for (const b of starts) {
      expect(b.disabled).toBe(true);
      expect(b.getAttribute('aria-describedby')).toBe(why[0].getAttribute('id'));
    }
    // the panel still names who has the floor
    expect(byTestId(root, 'floor-ref')[0]?.textContent).toContain(LONG_NAME);
  });
});

describe('finding 3: long names in the queue', () => {
  it('gives each name an element of its own, whole in its tooltip, the buttons apart', async () => {
    speakers = queues('1', { speeches: [speaker('s2', LONG_NAME)] });
    await open('chair');
    const row = byTestId(root, 'queue-row')[0];
    const name = byClass(row, 'qname')[0];
    expect(name.textContent).toBe(LONG_NAME);
    expect(name.getAttribute('title')).toBe(LONG_NAME);
    const acts = byClass(row, 'qacts')[0];
    expect(byTestId(acts, 'start-speaker')).toHaveLength(1);
    expect(find(acts, (e) => e.getAttribute('aria-label') === t('chair.speak.cancelWho', { name: LONG_NAME }))).toHaveLength(1);
  });
});

describe('findings 5 and 15: the presentation heading and the headcount', () => {
  it('cuts the presented document\'s title, keeps "page N" apart, and has the whole line in the tooltip', async () => {
    documents = [{ id: 'd1', meeting_id: 'm', agenda_item_id: '1', title: LONG_DOC, position: 0, confidential: false, version: 1, pages: 6, size: 1, sha256: '' }];
    presentation = { meeting_id: 'm', document_id: 'd1', version: 1, page: 2, zoom: null, at: T0 };
    await open('chair');
    const pill = byTestId(root, 'present-live')[0];
    expect(pill.getAttribute('title')).toBe(t('chair.present.liveOn', { title: LONG_DOC, page: 2 }));
    expect(byClass(pill, 'live-doc')[0]?.textContent).toBe(LONG_DOC);
    expect(byClass(pill, 'live-pg')[0]?.textContent).toBe(`· ${t('chair.present.livePage', { page: 2 })}`);
  });

  it('labels the second headcount as everyone on the list, the number first', async () => {
    attendance = [
      { user_id: 'a', full_name: 'A', role: 'delegate', can_vote: true, state: 'present' },
      { user_id: 'b', full_name: 'B', role: 'secretary', can_vote: false, state: 'unknown' },
      { user_id: 'c', full_name: 'C', role: 'observer', can_vote: false, state: 'remote' },
    ];
    await open('chair');
    const dd = byTestId(root, 'count-checked-in')[0];
    expect(dd.textContent).toBe(t('chair.people.checkedInOf', { n: '2', m: '3' }));
    expect(dd.textContent, 'the browser test waits for the number first').toMatch(/^2\b/);
    expect((dd.parentNode as FElement).textContent).toContain(t('chair.people.everyone'));
  });
});
