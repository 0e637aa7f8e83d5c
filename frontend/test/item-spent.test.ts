// An agenda item taken up again keeps the time already spent on it: the
// server sends spent_sec (the seconds of its earlier spells) with the item,
// with agenda.current and in the snapshot's current_item, and every "time
// used" figure (the room's agenda, the cockpit, the room display) adds it
// to the time since became_current_at. A server from before spent_sec
// sends none: the figures are then what they were. The screens are
// rendered with Preact into fake-browser.ts against a fake REST server
// and a fake live hub.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { byTestId, FakeSocket, installBrowser, lastSocket, notFound, settle, stubViewer, type Answer, type Call, type FElement } from './fake-browser';
import { applyEvent, applySnapshot, clockStart, emptyRoom, findItem, itemUsedSec, setCurrent } from '../src/live/state';
import type { Agenda, AgendaItem } from '../src/types';

vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

const NOW = Date.parse('2026-11-25T10:00:00Z');
const at = (secAgo: number, now = NOW) => new Date(now - secAgo * 1000).toISOString();
const item = (id: string, over: Partial<AgendaItem> = {}): AgendaItem => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
  status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const agendaOf = (items: AgendaItem[]): Agenda => ({
  meeting_id: 'm', items, current_item_id: items.find((i) => i.status === 'current')?.id ?? null, planned_min: 20,
});

describe('time used on an item', () => {
  it('adds the earlier spells (spent_sec) to the time since it became current', () => {
    expect(itemUsedSec({ became_current_at: at(60), spent_sec: 300 }, NOW)).toBe(360);
    expect(clockStart({ became_current_at: at(60), spent_sec: 300 })).toBe(at(360));
  });

  it('is the time since it became current without spent_sec (a server before it) or with 0', () => {
    expect(itemUsedSec({ became_current_at: at(60) }, NOW)).toBe(60);
    expect(itemUsedSec({ became_current_at: at(60), spent_sec: 0 }, NOW)).toBe(60);
    expect(clockStart({ became_current_at: at(60) })).toBe(at(60));
  });

  it('ignores a spent_sec that is not a count, and is 0 without a start', () => {
    expect(itemUsedSec({ became_current_at: at(60), spent_sec: -5 }, NOW)).toBe(60);
    expect(itemUsedSec({ became_current_at: at(60), spent_sec: Number.NaN }, NOW)).toBe(60);
    expect(itemUsedSec({ became_current_at: at(60), spent_sec: '90' as unknown as number }, NOW)).toBe(60);
    expect(itemUsedSec({ became_current_at: null, spent_sec: 300 }, NOW)).toBe(0);
    expect(itemUsedSec(null, NOW)).toBe(0);
    expect(clockStart({ became_current_at: null, spent_sec: 300 })).toBeNull();
    expect(clockStart({ became_current_at: 'not a time', spent_sec: 300 })).toBeNull();
  });
});

describe('spent_sec in the room state', () => {
  it('agenda.current takes an item up again with the time it already had', () => {
    const a = agendaOf([item('1', { status: 'done', became_current_at: at(900), spent_sec: 120 }), item('2', { status: 'current', became_current_at: at(30) })]);
    const s = applyEvent({ ...emptyRoom(), agenda: a }, {
      seq: 5, type: 'agenda.current', data: { item_id: '1', became_current_at: at(0), spent_sec: 150, previous_item_id: '2' },
    }, 'me');
    const one = findItem(s.agenda?.items, '1')!;
    expect(one.status).toBe('current');
    expect(one.spent_sec).toBe(150);
    expect(itemUsedSec(one, NOW + 10_000)).toBe(160);
    expect(findItem(s.agenda?.items, '2')?.status).toBe('done');
  });

  it('an agenda.current without spent_sec (a server before it) counts from became_current_at only', () => {
    const a = agendaOf([item('1', { status: 'done', became_current_at: at(900), spent_sec: 120 }), item('2', { status: 'current', became_current_at: at(30) })]);
    const next = setCurrent(a, { item_id: '1', became_current_at: at(0), previous_item_id: '2' });
    expect(itemUsedSec(findItem(next.items, '1'), NOW + 10_000)).toBe(10);
  });

  it('the snapshot\'s current_item brings spent_sec with it', () => {
    const s = { ...emptyRoom(), agenda: agendaOf([item('1', { status: 'current', became_current_at: at(600) }), item('2', { status: 'done', spent_sec: 40 })]) };
    const { next } = applySnapshot(s, { current_item: { item_id: '2', title: 'Mục 2', presenter_id: null, duration_min: 10, became_current_at: at(20), spent_sec: 400 } });
    const two = findItem(next.agenda?.items, '2')!;
    expect(two.status).toBe('current');
    expect(itemUsedSec(two, NOW)).toBe(420);
    expect(findItem(next.agenda?.items, '1')?.status).toBe('done');
  });
});

// ---------------------------------------------------------------- screens

const meeting = { id: 'm', title: 'Kỳ họp', description: '', location: '', starts_at: null, status: 'live', my_role: 'chair' };
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
  // Item 1 is current again since a minute ago, after five minutes earlier on: 6 minutes used of 10.
  agendaItems = [item('1', { status: 'current', became_current_at: at(60, Date.now()), spent_sec: 300 }), item('2', { spent_sec: 0 })];
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

describe('the time-used figures count the earlier spells', () => {
  it('the room display', async () => {
    const hub = await open('display');
    expect(byTestId(root, 'display-item-timer')[0]?.textContent).toMatch(/^6:0\d \/ 10:00$/);

    // Item 2 taken up again 5 s ago, with 7 minutes from before: the clock goes on from there.
    hub.msg({ seq: 11, type: 'agenda.current', data: { item_id: '2', became_current_at: at(5, Date.now()), spent_sec: 420, previous_item_id: '1' } });
    await settle(12);
    expect(byTestId(root, 'display-item-timer')[0]?.textContent).toMatch(/^7:0\d \/ 10:00$/);
  });

  it('the cockpit', async () => {
    await open('chair');
    const timer = byTestId(root, 'chair-item-timer')[0];
    expect(timer?.textContent).toMatch(/^6:0\d/);
  });

  it('the room\'s agenda', async () => {
    const { AgendaPane } = await import('../src/ui/Agenda');
    browser.preact.render(browser.h(AgendaPane, { agenda: agendaOf(agendaItems), documents: [], openDoc: null, liveDoc: null, onOpen: () => {} }), root as never);
    await settle();
    expect(byTestId(root, 'item-timing')[0]?.textContent).toMatch(/6:0\d \/ 10:00/);
  });
});
