// The item's clock stands still while the meeting is adjourned: the
// server adds the running spell to spent_sec and clears became_current_at
// (REST, the snapshot and the agenda.changed it publishes), and sets it
// again when the session resumes. The screens then show spent_sec alone,
// not growing, rather than 0:00 (no start) or the break counted. The
// screens are rendered with Preact into fake-browser.ts against a fake
// REST server and a fake live hub.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { byTestId, FakeSocket, installBrowser, lastSocket, notFound, settle, stubViewer, type Answer, type Call, type FElement } from './fake-browser';
import { applyEvent, clockStartAt, emptyRoom, findItem, itemClockSec } from '../src/live/state';
import type { Agenda, AgendaItem } from '../src/types';

vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

const NOW = Date.parse('2026-11-25T10:00:00Z');
const at = (secAgo: number, now = NOW) => new Date(now - secAgo * 1000).toISOString();
const item = (id: string, over: Partial<AgendaItem> = {}): AgendaItem => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, duration_min: 20, total_min: 20, presenter_id: null, presenter_name: '',
  status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const agendaOf = (items: AgendaItem[]): Agenda => ({
  meeting_id: 'm', items, current_item_id: items.find((i) => i.status === 'current')?.id ?? null, planned_min: 40,
});

describe('the clock of an item while the meeting is adjourned', () => {
  it('stands at spent_sec, whatever the time', () => {
    const paused = { became_current_at: null, spent_sec: 600 };
    expect(itemClockSec(paused, NOW)).toBe(600);
    expect(itemClockSec(paused, NOW + 3_600_000)).toBe(600);
    expect(clockStartAt(paused, NOW)).toBe(at(600));
    expect(clockStartAt(paused, NOW + 3_600_000)).toBe(at(600, NOW + 3_600_000));
  });

  it('runs from spent_sec again once resumed, and as before for a running spell', () => {
    const resumed = { became_current_at: at(300), spent_sec: 600 };
    expect(itemClockSec(resumed, NOW)).toBe(900);
    expect(clockStartAt(resumed, NOW)).toBe(at(900));
    expect(itemClockSec({ became_current_at: at(60) }, NOW)).toBe(60);
    expect(itemClockSec({ became_current_at: null }, NOW)).toBe(0);
    expect(clockStartAt({ became_current_at: null, spent_sec: 0 }, NOW)).toBeNull();
    expect(itemClockSec(null, NOW)).toBe(0);
  });

  it('agenda.changed on adjournment stops it, and on resumption starts it again', () => {
    const running = agendaOf([item('1', { status: 'current', became_current_at: at(600), spent_sec: 0 })]);
    let s = { ...emptyRoom(), agenda: running };
    expect(itemClockSec(findItem(s.agenda?.items, '1'), NOW)).toBe(600);
    s = applyEvent(s, { seq: 2, type: 'agenda.changed', data: agendaOf([item('1', { status: 'current', became_current_at: null, spent_sec: 600 })]) }, 'me');
    const one = findItem(s.agenda?.items, '1')!;
    expect(itemClockSec(one, NOW + 3_600_000)).toBe(600); // an hour's break later
    s = applyEvent(s, { seq: 3, type: 'agenda.changed', data: agendaOf([item('1', { status: 'current', became_current_at: at(0, NOW + 3_600_000), spent_sec: 600 })]) }, 'me');
    expect(itemClockSec(findItem(s.agenda?.items, '1'), NOW + 3_900_000)).toBe(900); // 5 minutes after
  });
});

// ---------------------------------------------------------------- screens

const meeting = { id: 'm', title: 'Kỳ họp', description: '', location: '', starts_at: null, status: 'adjourned', my_role: 'chair' };
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
let agendaItems: AgendaItem[] = [];

function server(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: agendaOf(agendaItems) };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/participants') return { status: 200, body: { participants: [] } };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
  if (/^\/agenda-items\/\w+\/speakers$/.test(p)) return { status: 200, body: { agenda_item_id: p.split('/')[2], active: null, speeches: [], questions: [], history: [] } };
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
  FakeSocket.all.length = 0;
  // Item 1 was current 10 minutes before the adjournment: its clock stands at 10:00 of 20.
  agendaItems = [item('1', { status: 'current', became_current_at: null, spent_sec: 600 }), item('2')];
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

describe('the screens show the standing clock during the break', () => {
  it('the room display, and again once the session resumes', async () => {
    const hub = await open('display');
    expect(byTestId(root, 'display-item-timer')[0]?.textContent).toBe('10:00 / 20:00');

    // Resumed 5 minutes ago: the clock runs on from 10:00.
    hub.msg({ seq: 11, type: 'meeting.updated', data: { ...meeting, status: 'live' } });
    hub.msg({ seq: 12, type: 'agenda.changed', data: agendaOf([item('1', { status: 'current', became_current_at: at(300, Date.now()), spent_sec: 600 }), item('2')]) });
    await settle(12);
    expect(byTestId(root, 'display-item-timer')[0]?.textContent).toMatch(/^15:0\d \/ 20:00$/);
  });

  it('the cockpit', async () => {
    await open('chair');
    expect(byTestId(root, 'chair-item-timer')[0]?.textContent).toMatch(/^10:00/);
  });

  it('the room\'s agenda', async () => {
    const { AgendaPane } = await import('../src/ui/Agenda');
    browser.preact.render(browser.h(AgendaPane, { agenda: agendaOf(agendaItems), documents: [], openDoc: null, liveDoc: null, onOpen: () => {} }), root as never);
    await settle();
    expect(byTestId(root, 'item-timing')[0]?.textContent).toMatch(/10:00 \/ 20:00/);
  });
});
