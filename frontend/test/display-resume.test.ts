// The room display after a break. Adjourning the meeting clears the
// current item's became_current_at (its clock stands) and resuming sets it
// to the time of the resumption, so it is no longer when the item became
// current; current_since is, through any break. A display opened or
// reloaded after the resumption must show what the displays left open
// through the break show: the result published before the break, until
// the next change on the screen. Results of an earlier item stay out.
// standingResult and the live state directly, then the display rendered
// with Preact into fake-browser.ts against a fake REST server and hub.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { byTestId, FakeSocket, installBrowser, lastSocket, notFound, settle, stubViewer, type Answer, type Call, type FElement } from './fake-browser';
import { standingResult } from '../src/display/result';
import { applySnapshot, emptyRoom, setCurrent } from '../src/live/state';
import type { Agenda, AgendaItem, Poll, Presentation } from '../src/types';

const T0 = '2026-11-25T09:00:00Z';
const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
  status: 'pending', became_current_at: null, spent_sec: 0, current_since: null, done_at: null, items: [], ...over,
});
const options = [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }];
const results = [
  { option: 'agree', label: 'Đồng ý', votes: 2, weight: 2 },
  { option: 'disagree', label: 'Không đồng ý', votes: 0, weight: 0 },
  { option: 'abstain', label: 'Không biểu quyết', votes: 0, weight: 0 },
];
/** A poll of item 1 as GET /meetings/{id}/polls gives it, published at 09:04. */
const poll = (id: string, over: Record<string, unknown> = {}) => ({
  id, meeting_id: 'm', title: `Biểu quyết ${id}`, agenda_item_id: '1', kind: 'motion', secret: false, options, max_choices: 1,
  status: 'published', voted: 2, eligible: 2, results, outcome: 'adopted', me: { can_vote: false, voted: false },
  created_at: at(1), opened_at: at(2), closed_at: at(3), published_at: at(4), cancelled_at: null, ...over,
});
const of = (...ps: Record<string, unknown>[]) => Object.fromEntries(ps.map((x) => [x.id, x])) as unknown as Record<string, Poll>;
const cur = (over: Record<string, unknown>) => item('1', { status: 'current', ...over }) as unknown as AgendaItem;
const pres = (a: string | null) => ({ meeting_id: 'm', document_id: null, zoom: null, at: a }) as Presentation;

// Item 1 became current at 09:00, its poll was published at 09:04, the
// meeting adjourned at 09:10 and resumed at 10:10.
const resumed = { became_current_at: at(70), spent_sec: 600, current_since: at(0) };

describe('standingResult after a break', () => {
  it('keeps a result published before the break when current_since is before it', () => {
    expect(standingResult(of(poll('p1')), cur(resumed), null)).toBe('p1');
    expect(standingResult(of(poll('p1')), cur(resumed), pres(at(-5))), 'a page presented before the publication').toBe('p1');
    // during the break (no became_current_at) too, as before
    expect(standingResult(of(poll('p1')), cur({ ...resumed, became_current_at: null }), null)).toBe('p1');
    // and the newest of them, whichever side of the break it was published on
    expect(standingResult(of(poll('p1'), poll('p2', { opened_at: at(71), closed_at: at(72), published_at: at(73) })), cur(resumed), null)).toBe('p2');
  });

  it('still gives way to the next change after it', () => {
    expect(standingResult(of(poll('p1')), cur(resumed), pres(at(71))), 'a page presented after the resumption').toBeNull();
    const next = poll('p2', { status: 'open', results: undefined, outcome: undefined, opened_at: at(75), closed_at: null, published_at: null });
    expect(standingResult(of(poll('p1'), next), cur(resumed), null), 'a vote open').toBeNull();
  });

  it('leaves out the results of an earlier item, and of an earlier spell of the item taken up again', () => {
    // item 2 was current before 09:00: its result, and a result of no item, published then
    const p0 = poll('p0', { agenda_item_id: '2', created_at: at(-9), opened_at: at(-8), closed_at: at(-7), published_at: at(-6) });
    const free = poll('free', { agenda_item_id: null, created_at: at(-9), opened_at: at(-8), closed_at: at(-7), published_at: at(-5) });
    expect(standingResult(of(p0), cur(resumed), null)).toBeNull();
    expect(standingResult(of(free), cur(resumed), null)).toBeNull();
    // item 1 taken up again at 11:00: its own result from 09:04 is of an earlier spell
    const again = { became_current_at: at(120), spent_sec: 900, current_since: at(120) };
    expect(standingResult(of(poll('p1')), cur(again), null)).toBeNull();
  });

  it('takes a poll of the item when current_since is null: not known (current and adjourned when the server was upgraded)', () => {
    const unknown = cur({ became_current_at: at(70), spent_sec: 600, current_since: null });
    expect(standingResult(of(poll('p1')), unknown, null), 'not counted from the resumption').toBe('p1');
    expect(standingResult(of(poll('p0', { agenda_item_id: '2' })), unknown, null)).toBeNull();
  });

  it('falls back, for an older server, to became_current_at and then to the poll’s item', () => {
    expect(standingResult(of(poll('p1')), cur({ became_current_at: at(0), current_since: undefined }), null)).toBe('p1');
    expect(standingResult(of(poll('p1')), cur({ became_current_at: at(70), current_since: undefined }), null)).toBeNull();
    const noTimes = cur({ became_current_at: null, current_since: undefined });
    expect(standingResult(of(poll('p1')), noTimes, null)).toBe('p1');
    expect(standingResult(of(poll('p0', { agenda_item_id: '2' })), noTimes, null)).toBeNull();
  });
});

describe('current_since in the live state', () => {
  const agenda = (items: Record<string, unknown>[], current: string | null): Agenda =>
    ({ meeting_id: 'm', items, current_item_id: current, planned_min: 20 }) as unknown as Agenda;
  const find = (a: Agenda, id: string) => a.items.find((x) => x.id === id)!;

  it('agenda.current sets the new item’s current_since; the item now done keeps its own', () => {
    const a = agenda([item('1', { status: 'current', became_current_at: at(70), current_since: at(0) }), item('2')], '1');
    const next = setCurrent(a, { item_id: '2', became_current_at: at(80), spent_sec: 0, current_since: at(80), previous_item_id: '1' });
    expect(find(next, '2').current_since).toBe(at(80));
    expect(find(next, '1').status).toBe('done');
    expect(find(next, '1').current_since).toBe(at(0));
  });

  it('an agenda.current without current_since (an older server) leaves no stale one: the display counts from became_current_at', () => {
    const a = agenda([item('1', { status: 'done', became_current_at: at(0), current_since: at(0) }), item('2', { status: 'current', became_current_at: at(80), current_since: at(80) })], '2');
    const next = setCurrent(a, { item_id: '1', became_current_at: at(120), previous_item_id: '2' });
    const one = find(next, '1');
    expect(one.current_since ?? null).toBeNull();
    expect(standingResult(of(poll('p1')), one, null)).toBeNull();
  });

  it('the snapshot’s current_item carries current_since into the agenda', () => {
    const s = { ...emptyRoom(), agenda: agenda([item('1'), item('2')], null) };
    const { next } = applySnapshot(s, { current_item: { item_id: '1', title: 'Mục 1', presenter_id: null, duration_min: 10, ...resumed } });
    expect(find(next.agenda!, '1').current_since).toBe(at(0));
    expect(standingResult(of(poll('p1')), find(next.agenda!, '1'), null)).toBe('p1');
  });
});

// The display, rendered.
let agendaItems: Record<string, unknown>[] = [];
let polls: Record<string, unknown>[] = [];
const meeting = { id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'chair' };
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
const agendaBody = () => ({ meeting_id: 'm', items: agendaItems, current_item_id: '1', planned_min: 20 });

function server(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: agendaBody() };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls' && c.method === 'GET') return { status: 200, body: { polls } };
  const one = /^\/polls\/(\w+)$/.exec(p);
  if (one && c.method === 'GET') {
    const found = polls.find((x) => x.id === one[1]);
    return found ? { status: 200, body: found } : notFound;
  }
  if (/^\/polls\/\w+\/voters$/.test(p)) return { status: 200, body: { poll_id: '', voted: [], not_voted: [] } };
  if (/^\/agenda-items\/\w+\/speakers$/.test(p)) return { status: 200, body: { agenda_item_id: '1', active: null, speeches: [], questions: [], history: [] } };
  return notFound;
}

const me = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };
let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/display', server);
});

beforeEach(() => {
  browser.calls.length = 0;
  FakeSocket.all.length = 0;
  agendaItems = [item('1', { status: 'current', became_current_at: at(0), current_since: at(0) }), item('2')];
  polls = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function open() {
  const { Display } = await import('../src/display/Display');
  browser.preact.render(browser.h(Display, { id: 'm', me, onSignOut: () => {} }), root as never);
  await settle();
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
  await settle(12);
  return hub;
}

const shownResult = () => byTestId(root, 'display-result')[0];

describe('a display opened after the resumption agrees with one left open through the break', () => {
  it('both show the result published before the break', async () => {
    // left open: the result comes with poll.published, then the break and the resumption
    const hub = await open();
    const p1 = poll('p1');
    polls = [p1];
    hub.msg({ seq: 11, type: 'poll.published', data: p1 });
    await settle(12);
    expect(shownResult(), 'published').toBeTruthy();
    agendaItems = [item('1', { status: 'current', became_current_at: null, spent_sec: 600, current_since: at(0) }), item('2')];
    hub.msg({ seq: 12, type: 'agenda.changed', data: agendaBody() });
    hub.msg({ seq: 13, type: 'meeting.updated', data: { ...meeting, status: 'adjourned' } });
    await settle(12);
    agendaItems = [item('1', { status: 'current', ...resumed }), item('2')];
    hub.msg({ seq: 14, type: 'agenda.changed', data: agendaBody() });
    hub.msg({ seq: 15, type: 'meeting.updated', data: meeting });
    await settle(12);
    expect(shownResult(), 'left open through the break').toBeTruthy();
    expect(shownResult().textContent).toContain('Biểu quyết p1');
    browser.preact.render(null, root as never);
    await settle(2);

    // opened (or reloaded) after the resumption: the same result
    await open();
    expect(shownResult(), 'opened after the resumption').toBeTruthy();
    expect(shownResult().textContent).toContain('Biểu quyết p1');
  });

  it('a display opened after the resumption shows no result of an earlier item', async () => {
    agendaItems = [item('2', { status: 'done', became_current_at: at(-10), spent_sec: 300, current_since: at(-10) }), item('1', { status: 'current', ...resumed })];
    polls = [poll('p0', { agenda_item_id: '2', created_at: at(-9), opened_at: at(-8), closed_at: at(-7), published_at: at(-6) })];
    await open();
    expect(shownResult()).toBeUndefined();
  });
});
