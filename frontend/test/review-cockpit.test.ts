// Review of the chair's cockpit (src/chair) against the server's rules:
// what it must show the chair, and what it offers that the server refuses.
// Rendered with Preact into fake-browser.ts, against a fake REST server and
// a fake live hub (the same set-up as chair-screen.test.ts).
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { byTestId, FakeSocket, installBrowser, lastSocket, notFound, settle, stubViewer, type Answer, type Call, type FElement } from './fake-browser';

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

const T0 = '2026-11-25T09:00:00Z';
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'chair', ...over,
});
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
  status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const queues = (itemId: string, over: Record<string, unknown> = {}) => ({ agenda_item_id: itemId, active: null, speeches: [], questions: [], history: [], ...over });
const speaker = (id: string, itemId: string, name: string, over: Record<string, unknown> = {}) => ({
  id, agenda_item_id: itemId, user_id: `u-${id}`, full_name: name, kind: 'speech', status: 'waiting',
  requested_at: T0, started_at: null, finished_at: null, time_limit_sec: 0, ...over,
});
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
const motion = (id: string, over: Record<string, unknown> = {}) => ({
  id, meeting_id: 'm', title: `Biểu quyết ${id}`, agenda_item_id: null, kind: 'motion', secret: false,
  options: [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }],
  max_choices: 1, status: 'draft', voted: 0, eligible: 0, created_at: T0, ...over,
});

let meeting = meetingOf();
let polls: Record<string, unknown>[] = [];
let agendaItems: Record<string, unknown>[] = [];
let currentId: string | null = null;
let documents: Record<string, unknown>[] = [];

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: agendaItems, current_item_id: currentId, planned_min: 20 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls' && c.method === 'GET') return { status: 200, body: { polls } };
  const sp = /^\/agenda-items\/(\w+)\/speakers$/.exec(p);
  if (sp && c.method === 'GET') return { status: 200, body: queues(sp[1]) };
  const v = /^\/polls\/(\w+)\/voters$/.exec(p);
  if (v) return { status: 200, body: { poll_id: v[1], voted: [], not_voted: [] } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

const me = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/chair', (c) => routes(c) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  routes = () => undefined;
  FakeSocket.all.length = 0;
  meeting = meetingOf();
  polls = [];
  agendaItems = [item('1', { status: 'current', became_current_at: T0 }), item('2')];
  currentId = '1';
  documents = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function openCockpit(user = me) {
  const { Chair } = await import('../src/chair/Chair');
  browser.preact.render(browser.h(Chair, { id: 'm', me: user, onSignOut: () => {} }), root as never);
  await settle();
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
  await settle(12);
  return hub;
}

describe('review: the vote panel', () => {
  it('review: the open vote stays on the cockpit when more than six newer votes are prepared', async () => {
    // The secretary prepares the session's votes in advance (drafts, in agenda order) and the
    // chair opens the first one: the oldest poll. chair/Polls.tsx sorts newest first and keeps
    // only six cards, so the open vote — its progress, who has not voted, and "close" — is cut off.
    const at = (n: number) => `2026-11-25T08:${String(n).padStart(2, '0')}:00Z`;
    polls = [motion('p0', { status: 'open', voted: 1, eligible: 3, created_at: at(0) })];
    for (let i = 1; i <= 7; i++) polls.push(motion(`p${i}`, { created_at: at(i) }));
    await openCockpit();
    const statuses = byTestId(root, 'poll-card').map((c) => c.getAttribute('data-status'));
    expect(statuses, 'the open vote has a card').toContain('open');
    expect(byTestId(root, 'poll-close'), 'the chair can close the open vote').toHaveLength(1);
  });

  it('review: a counted vote not yet published stays on the cockpit when more than six newer votes are prepared', async () => {
    const at = (n: number) => `2026-11-25T08:${String(n).padStart(2, '0')}:00Z`;
    polls = [motion('p0', {
      status: 'closed', voted: 3, eligible: 3, created_at: at(0),
      results: [{ option: 'agree', votes: 3, weight: 3 }, { option: 'disagree', votes: 0, weight: 0 }, { option: 'abstain', votes: 0, weight: 0 }],
      outcome: 'adopted',
    })];
    for (let i = 1; i <= 6; i++) polls.push(motion(`p${i}`, { created_at: at(i) }));
    await openCockpit();
    expect(byTestId(root, 'poll-publish'), 'the chair can publish the counted vote').toHaveLength(1);
  });
});

describe('review: the speakers panel', () => {
  it('review: "give the floor" is not offered while the meeting is adjourned (agenda.StartSpeaker: 409 not in session)', async () => {
    // Adjourning keeps the current item; StartSpeaker refuses unless the meeting is live.
    meeting = meetingOf({ status: 'adjourned' });
    routes = (c) => (c.path === '/agenda-items/1/speakers' && c.method === 'GET'
      ? { status: 200, body: queues('1', { speeches: [speaker('s1', '1', 'Nguyễn Văn An')] }) }
      : undefined);
    await openCockpit();
    expect(byTestId(root, 'queue-row')).toHaveLength(1);
    const start = byTestId(root, 'start-speaker')[0];
    expect(start, 'the row is there').toBeTruthy();
    expect(start.disabled, '"Mời phát biểu" is refused by the server while adjourned').toBe(true);
  });
});

describe('review: presenting', () => {
  it('review: a closed meeting offers no "present this page" (presentation.Set: Writable, 409 the meeting is closed)', async () => {
    meeting = meetingOf({ status: 'closed' });
    agendaItems = [item('1', { status: 'done', became_current_at: T0, done_at: T0 }), item('2')];
    currentId = null;
    documents = [{ id: 'd1', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 0, confidential: false, version: 1, pages: 4, size: 1, sha256: '' }];
    await openCockpit();
    expect(byTestId(root, 'doc-chip')).toHaveLength(1);
    const show = byTestId(root, 'present-doc')[0];
    expect(!!show && !show.disabled, '"Trình chiếu trang 1" in a closed meeting').toBe(false);
  });
});

describe('review: who may run the cockpit', () => {
  it('review: an administrator who also takes part (here as a delegate) is let in, as the server lets them run the meeting', async () => {
    // meeting.Access.CanRun: IsAdmin || chair || secretary ("admins may, to unstick a meeting"),
    // whatever role the administrator has in the meeting; chair/Chair.tsx mayRun lets an
    // administrator in only when my_role is '' and shows "chair.notAllowed" otherwise.
    meeting = meetingOf({ my_role: 'delegate' });
    const { Chair } = await import('../src/chair/Chair');
    const admin = { id: 'u-admin', username: 'admin', full_name: 'Quản trị', is_admin: true };
    browser.preact.render(browser.h(Chair, { id: 'm', me: admin, onSignOut: () => {} }), root as never);
    await settle(12);
    expect(byTestId(root, 'chair-denied')[0]?.textContent ?? '', 'the cockpit is refused').toBe('');
    const hub = lastSocket();
    expect(hub, 'the cockpit listens to the hub').toBeTruthy();
    hub!.open();
    hub!.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
    await settle(12);
    expect(byTestId(root, 'next-item'), 'the session controls are there').toHaveLength(1);
  });
});
