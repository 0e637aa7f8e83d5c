// The polish points of the review of the room display and the cockpit
// (notes/review-display.md), and the tablet's and the list's side of its
// defects: the speaker's last seconds said in words, Page Up / Page Down
// left to scrolling outside the presentation panel, an item's clock past an
// hour, no attendance GET from the display, the administrator's links in the
// list of meetings, results by weight on the delegate's tablet, the grouped
// numbers, and which polls the cockpit always shows. Rendered with Preact
// into fake-browser.ts against a fake REST server and a fake live hub.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byTestId, dispatch, event, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer,
  type Answer, type Call, type FElement,
} from './fake-browser';
import type { Poll } from '../src/types';

// The list of meetings warms up the room's code and pdf.js: not here.
vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

const T0 = '2026-11-25T09:00:00Z';
const ago = (sec: number) => new Date(Date.now() - sec * 1000).toISOString();
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'chair', ...over,
});
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
  status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const queues = (itemId: string, over: Record<string, unknown> = {}) => ({ agenda_item_id: itemId, active: null, speeches: [], questions: [], history: [], ...over });
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
const motionOptions = [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }];

let meeting = meetingOf();
let agendaItems: Record<string, unknown>[] = [];
let currentId: string | null = null;
let speakers: Record<string, unknown> = queues('1');
let documents: Record<string, unknown>[] = [];
let presentation: Record<string, unknown> = { meeting_id: 'm', document_id: null, zoom: null, at: null };
let meetings: Record<string, unknown>[] = [];

function server(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings') return { status: 200, body: { meetings } };
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: agendaItems, current_item_id: currentId, planned_min: 20 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents } };
  if (p === '/meetings/m/presentation' && c.method === 'GET') return { status: 200, body: presentation };
  if (p === '/meetings/m/presentation' && c.method === 'PUT') {
    const b = c.body as { document_id: string | null; page?: number };
    presentation = { ...presentation, document_id: b.document_id, page: b.page ?? 1, version: 1, at: new Date().toISOString() };
    return { status: 200, body: presentation };
  }
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
  if (/^\/agenda-items\/\w+\/speakers$/.test(p)) return { status: 200, body: speakers };
  return notFound;
}

const chairMe = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/display', server);
});

beforeEach(() => {
  browser.calls.length = 0;
  FakeSocket.all.length = 0;
  meeting = meetingOf();
  agendaItems = [item('1', { status: 'current', became_current_at: T0 }), item('2')];
  currentId = '1';
  speakers = queues('1');
  documents = [];
  presentation = { meeting_id: 'm', document_id: null, zoom: null, at: null };
  meetings = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function open(screen: 'display' | 'chair', me = chairMe) {
  const C = screen === 'display' ? (await import('../src/display/Display')).Display : (await import('../src/chair/Chair')).Chair;
  browser.preact.render(browser.h(C, { id: 'm', me, onSignOut: () => {} }), root as never);
  await settle();
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
  await settle(12);
  return hub;
}

const activeSpeaker = (startedSecAgo: number, limit: number) => ({
  id: 's1', agenda_item_id: '1', user_id: 'u-an', full_name: 'Nguyễn Văn An', kind: 'speech', status: 'active',
  requested_at: T0, started_at: ago(startedSecAgo), finished_at: null, time_limit_sec: limit,
});

describe('polish: the speaker\'s last seconds are not shown by colour only', () => {
  it('polish: the projector and the cockpit say "time is almost up" in words, in a polite live region', async () => {
    speakers = queues('1', { active: activeSpeaker(170, 180) }); // 10 s left of 3 min
    await open('display');
    const card = byTestId(root, 'display-speaker')[0];
    const notice = byTestId(card, 'time-notice')[0];
    expect(notice?.textContent).toContain(browser.t('chair.speak.windUp'));
    expect(notice.getAttribute('role')).toBe('status');
    expect(notice.getAttribute('aria-live')).toBe('polite');
    browser.preact.render(null, root as never);
    await settle(2);

    await open('chair');
    const floor = byTestId(root, 'chair-active-speaker')[0];
    const said = byTestId(floor, 'time-notice')[0];
    expect(said?.textContent).toContain(browser.t('chair.speak.windUp'));
    expect(said.getAttribute('aria-live')).toBe('polite');
  });

  it('polish: past the limit the projector says the time is up; within it, the live region is there and says nothing', async () => {
    speakers = queues('1', { active: activeSpeaker(200, 180) });
    await open('display');
    expect(byTestId(root, 'time-notice')[0]?.textContent).toContain(browser.t('chair.speak.timeUp'));
    browser.preact.render(null, root as never);
    await settle(2);

    speakers = queues('1', { active: activeSpeaker(20, 180) });
    await open('display');
    const notice = byTestId(root, 'time-notice');
    expect(notice, 'the region exists before the warning comes, so that it is announced').toHaveLength(1);
    expect(notice[0].textContent).toBe('');
  });
});

describe('polish: Page Up / Page Down in the cockpit', () => {
  const key = (target: FElement, k: string) => {
    const e = event('keydown', target, { key: k, altKey: false, ctrlKey: false, metaKey: false });
    dispatch(target, e);
    return e;
  };
  const puts = () => browser.calls.filter((c) => c.method === 'PUT' && c.path === '/meetings/m/presentation');

  beforeEach(() => {
    documents = [{ id: 'd1', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 0, confidential: false, version: 1, pages: 4, size: 1, sha256: '' }];
    presentation = { meeting_id: 'm', document_id: 'd1', version: 1, page: 2, zoom: null, at: T0 };
  });

  it('polish: scroll the cockpit when the focus is elsewhere, and turn the room\'s page from within the presentation panel', async () => {
    await open('chair');
    const outside = key(browser.doc.body, 'PageDown');
    expect(outside.defaultPrevented, 'Page Down outside the panel scrolls').toBe(false);
    await settle();
    expect(puts()).toHaveLength(0);

    const inside = key(byTestId(root, 'page-next')[0], 'PageDown');
    expect(inside.defaultPrevented, 'Page Down in the page control turns the page').toBe(true);
    await settle();
    expect(puts().map((c) => c.body)).toEqual([{ document_id: 'd1', page: 3 }]);
  });

  it('polish: one who may not turn the presented page (the secretary) keeps every key', async () => {
    meeting = meetingOf({ my_role: 'secretary' });
    await open('chair', { ...chairMe, id: 'u-sec' });
    expect(key(browser.doc.body, 'ArrowRight').defaultPrevented).toBe(false);
    expect(key(byTestId(root, 'page-next')[0], 'PageDown').defaultPrevented).toBe(false);
    await settle();
    expect(puts()).toHaveLength(0);
  });
});

describe('polish: an item past an hour', () => {
  it('polish: reads h:mm:ss', async () => {
    const { clock } = await import('../src/i18n');
    expect([clock(0), clock(59), clock(3599), clock(3600), clock(3725), clock(7200), clock(-3605), clock(-65)])
      .toEqual(['0:00', '0:59', '59:59', '1:00:00', '1:02:05', '2:00:00', '-1:00:05', '-1:05']);
    agendaItems = [item('1', { status: 'current', became_current_at: ago(7200), duration_min: 90, total_min: 90 })];
    await open('display');
    const timer = byTestId(root, 'display-item-timer')[0]?.textContent ?? '';
    expect(timer).toMatch(/^2:00:0\d \/ 1:30:00$/);
  });
});

describe('polish: the display asks only for what it shows', () => {
  it('polish: participants.changed makes the display read the quorum again, never the attendance list', async () => {
    const hub = await open('display');
    browser.calls.length = 0;
    hub.msg({ seq: 11, type: 'participants.changed', data: { participants: [] } });
    await settle(12);
    const gets = browser.calls.filter((c) => c.method === 'GET').map((c) => c.path);
    expect(gets).toContain('/meetings/m/quorum');
    expect(gets).not.toContain('/meetings/m/attendance');
    expect(browser.calls.some((c) => c.path === '/meetings/m/attendance'), 'not at the start either').toBe(false);
  });
});

describe('not covered: the list of meetings', () => {
  it('links an administrator to the cockpit and the desk of every meeting, whatever their part in it', async () => {
    meetings = [meetingOf({ id: 'a', my_role: 'delegate' }), meetingOf({ id: 'b', my_role: '' })];
    const { Meetings } = await import('../src/ui/Meetings');
    browser.preact.render(browser.h(Meetings, { me: { ...chairMe, id: 'u-admin', is_admin: true }, onSignOut: () => {} }), root as never);
    await settle(12);
    const hrefs = find(root, (e) => e.tagName === 'A').map((e) => e.getAttribute('href'));
    for (const id of ['a', 'b']) {
      expect(hrefs).toContain(`/meetings/${id}/chair`);
      expect(hrefs).toContain(`/meetings/${id}/desk`);
    }
  });

  it('links a delegate who is no administrator to neither', async () => {
    meetings = [meetingOf({ id: 'a', my_role: 'delegate' })];
    const { Meetings } = await import('../src/ui/Meetings');
    browser.preact.render(browser.h(Meetings, { me: chairMe, onSignOut: () => {} }), root as never);
    await settle(12);
    const hrefs = find(root, (e) => e.tagName === 'A').map((e) => e.getAttribute('href'));
    expect(hrefs).not.toContain('/meetings/a/chair');
    expect(hrefs).not.toContain('/meetings/a/desk');
    expect(hrefs).toContain('/meetings/a/display');
  });
});

// One holder of 12 shares votes yes, three holders of 1 share vote no: adopted by 12 to 3.
const weightedPoll = (scale = 1): Poll => ({
  id: 'p1', meeting_id: 'm', title: 'Thông qua báo cáo tài chính', agenda_item_id: null, kind: 'motion', secret: true,
  options: motionOptions, max_choices: 1, status: 'published', voted: 4, eligible: 4,
  results: [
    { option: 'agree', label: 'Đồng ý', votes: 1, weight: 12 * scale },
    { option: 'disagree', label: 'Không đồng ý', votes: 3, weight: 3 * scale },
    { option: 'abstain', label: 'Không biểu quyết', votes: 0, weight: 0 },
  ],
  outcome: 'adopted', me: { can_vote: false, voted: false },
});

describe('defect 1 on the tablet: results by what decided the vote', () => {
  async function showResults(poll: Poll) {
    const { PollLayer } = await import('../src/ui/Poll');
    const { createStore } = await import('../src/store');
    const { emptyRoom } = await import('../src/live/state');
    const room = {
      state: createStore({ ...emptyRoom(), polls: { [poll.id]: poll } }),
      events: createStore<unknown>(null),
      checkPoll: async () => poll,
      voted: () => {},
    };
    browser.preact.render(browser.h(PollLayer, { room: room as never }), root as never);
    await settle();
    room.events.set({ seq: 1, type: 'poll.published', data: poll });
    await settle();
    return byTestId(root, 'results')[0];
  }

  it('draws the weight, grouped, says so, and gives each option\'s head count', async () => {
    const box = await showResults(weightedPoll(1000));
    expect(box, 'the results are shown').toBeTruthy();
    expect(byTestId(box, 'bar-n').map((e) => e.textContent)).toEqual(['12.000', '3.000', '0']);
    const widths = find(box, (e) => e.getAttribute('class') === 'bar').map((e) => (e.childNodes[0] as FElement).style.width);
    expect(widths).toEqual(['80%', '20%', '0%']);
    expect(byTestId(box, 'results-by-weight')[0]?.textContent).toBe(browser.t('poll.byWeight'));
    expect(byTestId(box, 'bar-heads').map((e) => e.textContent)).toEqual(
      ['1', '3', '0'].map((n) => ` · ${browser.t('poll.heads', { n })}`));
  });

  it('without weights, shows the votes as before and nothing about weight', async () => {
    const p = weightedPoll();
    p.results = p.results!.map((r) => ({ ...r, weight: r.votes }));
    const box = await showResults(p);
    expect(byTestId(box, 'bar-n').map((e) => e.textContent)).toEqual(['1', '3', '0']);
    expect(byTestId(box, 'results-by-weight')).toHaveLength(0);
    expect(byTestId(box, 'bar-heads')).toHaveLength(0);
  });
});

describe('defects 1 and 6 on the projector: the weighted chart', () => {
  it('gives the weight grouped, says it is by weight, and each option\'s head count, labelled', async () => {
    const hub = await open('display');
    hub.msg({ seq: 11, type: 'poll.published', data: { ...weightedPoll(1000), created_at: T0 } });
    await settle(12);
    const result = byTestId(root, 'display-result')[0];
    expect(byTestId(result, 'chart-n').map((e) => e.textContent)).toEqual(['12.000', '3.000', '0']);
    expect(byTestId(result, 'chart-by-weight')[0]?.textContent).toBe(browser.t('poll.byWeight'));
    expect(byTestId(result, 'chart-heads').map((e) => e.textContent)).toEqual(['1', '3', '0'].map((n) => browser.t('poll.heads', { n })));
    expect(find(result, (e) => e.getAttribute('class') === 'chart-scale')[0]?.textContent).toBe(browser.t('chair.poll.scaleWeight'));
  });
});

describe('the helpers', () => {
  it('num groups digits as the language writes them', async () => {
    const i18n = await import('../src/i18n');
    expect([i18n.num(0), i18n.num(999), i18n.num(1000), i18n.num(15000), i18n.num(1234567)]).toEqual(['0', '999', '1.000', '15.000', '1.234.567']);
    await i18n.setLang('en', false, true);
    try {
      expect(i18n.num(15000)).toBe('15,000');
      expect(i18n.t('chair.poll.barLabel', { n: i18n.num(1), pct: 100 })).toBe('1 vote, 100%');
    } finally {
      await i18n.setLang('vi', false, true);
    }
  });

  it('shownPolls keeps the open vote, the counted one and the current item\'s drafts, first, then the newest others', async () => {
    const { shownPolls } = await import('../src/chair/logic');
    const at = (n: number) => `2026-11-25T08:${String(n).padStart(2, '0')}:00Z`;
    const poll = (id: string, n: number, status: string, itemId: string | null = null) =>
      ({ ...weightedPoll(), id, status, agenda_item_id: itemId, created_at: at(n) }) as Poll;
    const list = [
      poll('open', 0, 'open'), poll('closed', 1, 'closed'), poll('draft-cur', 2, 'draft', 'i3'),
      ...[3, 4, 5, 6, 7, 8, 9].map((n) => poll(`d${n}`, n, 'draft', `other${n}`)),
    ];
    expect(shownPolls(list, 'i3').map((p) => p.id)).toEqual(['open', 'closed', 'draft-cur', 'd9', 'd8', 'd7']);
    // Without anything pinned: the six newest; a cancelled poll only as the newest of all.
    const plain = [poll('c', 10, 'cancelled'), ...[1, 2, 3, 4, 5, 6, 7].map((n) => poll(`p${n}`, n, 'published')), poll('old-c', 0, 'cancelled')];
    expect(shownPolls(plain, null).map((p) => p.id)).toEqual(['c', 'p7', 'p6', 'p5', 'p4', 'p3']);
    expect(shownPolls(plain.slice(1), null).map((p) => p.id)).toEqual(['p7', 'p6', 'p5', 'p4', 'p3', 'p2']);
  });
});
