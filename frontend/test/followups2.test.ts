// Three follow-ups, each against a fake REST server and a fake live hub
// (fake-browser.ts): the room takes the open polls from the hub's snapshot,
// the desk's readers panel follows an access list changed elsewhere, and an
// administrator's cockpit lists the polls again when the hub sends it skips
// (the drafts it is not sent).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byTestId, click, dispatch, event, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer,
  type Answer, type Call, type FElement,
} from './fake-browser';

const T0 = '2026-11-26T09:00:00Z';
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'delegate', ...over,
});
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, conclusion: '', duration_min: 10, total_min: 10,
  presenter_id: null, presenter_name: '', status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const pollOf = (id: string, over: Record<string, unknown> = {}) => ({
  id, meeting_id: 'm', title: `Biểu quyết ${id}`, agenda_item_id: null, kind: 'motion', secret: false,
  options: [{ id: 'yes', label: 'Tán thành' }, { id: 'no', label: 'Không tán thành' }], max_choices: 1,
  status: 'open', voted: 0, eligible: 3, ...over,
});
const me = { id: 'u1', username: 'daibieu', full_name: 'Đại biểu A', is_admin: false };

let meeting = meetingOf();
let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;
/** A request the test never answers (a slow network). */
const never = () => new Promise<Answer>(() => {});

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') {
    return { status: 200, body: { meeting_id: 'm', items: [item('1', { status: 'current', became_current_at: T0 })], current_item_id: '1', planned_min: 10 } };
  }
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [{ user_id: 'u1', state: 'present' }] } };
  if (p === '/meetings/m/quorum') return { status: 200, body: { eligible: 3, present: 2, required: 2, reached: true } };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
  if (p === '/agenda-items/1/speakers') return { status: 200, body: { agenda_item_id: '1', active: null, speeches: [], questions: [], history: [] } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m', async (c) => (await routes(c)) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  routes = () => undefined;
  FakeSocket.all.length = 0;
  meeting = meetingOf();
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

const gets = (path: string) => browser.calls.filter((c) => c.method === 'GET' && c.path === path);

describe('the room takes the open polls from the snapshot', () => {
  it('applySnapshot puts the open polls in, with my standing, and leaves the list GET that follows free to refine them', async () => {
    const { applySnapshot, emptyRoom, openPoll } = await import('../src/live/state');
    const p1 = pollOf('p1', { me: { can_vote: true, voted: false } });
    const { next, slices } = applySnapshot(emptyRoom(), { meeting, polls: [p1] });
    expect(openPoll(next.polls)?.id).toBe('p1');
    expect(next.polls.p1.me).toEqual({ can_vote: true, voted: false });
    expect(slices).toContain('poll:p1');
    expect(slices, 'the list GET after the snapshot must not be dropped').not.toContain('polls');
    // No open poll: nothing changes, and polls known already stay (the list GET says what became of them).
    const closed = { ...emptyRoom(), polls: { p0: pollOf('p0', { status: 'published' }) as never } };
    const again = applySnapshot(closed, { meeting, polls: [] });
    expect(again.next.polls).toBe(closed.polls);
  });

  it('after a reconnect the ballot is shown from the snapshot, while the polls\' REST answers are still on their way', async () => {
    const { Room } = await import('../src/ui/Room');
    browser.preact.render(browser.h(Room, { id: 'm', me, onSignOut: () => {} }), root as never);
    await settle(12);
    const hub = lastSocket()!;
    hub.open();
    hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E.1', state: { meeting }, online: [] } });
    await settle(12);
    expect(byTestId(root, 'ballot')).toHaveLength(0);

    // The connection drops; meanwhile the chair opens a poll. The tablet's
    // REST requests are slow (here: never answered).
    routes = (c) => (c.path === '/meetings/m/polls' || c.path.startsWith('/polls/') ? never() : undefined);
    hub.drop(1006);
    // The backoff (jittered): wait for the new socket, on a loaded machine too.
    for (let waited = 0; lastSocket() === hub && waited < 5000; waited += 100) await settle(1, 100);
    const again = lastSocket()!;
    expect(again).not.toBe(hub);
    again.open();
    again.msg({ type: 'resync' });
    again.msg({
      type: 'snapshot', seq: 14,
      data: { epoch: 'E.2', state: { meeting, polls: [pollOf('p1', { me: { can_vote: true, voted: false } })] }, online: [] },
    });
    // Up to 3 s for the snapshot to be applied on a loaded machine; the polls' GETs never answer.
    for (let waited = 0; byTestId(root, 'ballot').length === 0 && waited < 3000; waited += 50) await settle(2, 50);
    expect(byTestId(root, 'ballot'), 'the ballot waits for GET /meetings/m/polls').toHaveLength(1);
    expect(byTestId(root, 'cast-vote')).toHaveLength(1);
  });
});

describe("the desk's readers panel follows a change made elsewhere", () => {
  const secret = {
    id: 'd1', meeting_id: 'm', agenda_item_id: null, title: 'Tờ trình mật', position: 0, confidential: true, version: 1,
    pages: 2, size: 2048, sha256: 'ab'.repeat(32), filename: 'to-trinh.pdf',
  };
  const person = (user_id: string, username: string, full_name: string, role: string) =>
    ({ user_id, username, full_name, role, can_vote: role !== 'observer', weight: 1 });
  const participants = [
    person('u-c', 'chutoa', 'Chủ toạ', 'chair'), person('u-s', 'thuky', 'Thư ký', 'secretary'),
    person('u-1', 'daibieu1', 'Đại biểu Một', 'delegate'), person('u-2', 'daibieu2', 'Đại biểu Hai', 'delegate'),
    person('u-3', 'daibieu3', 'Đại biểu Ba', 'delegate'),
  ];
  const box = (username: string) => find(root, (e) => e.getAttribute('data-user') === username)[0];
  const ticked = () => ['daibieu1', 'daibieu2', 'daibieu3'].filter((u) => box(u).checked);
  const tick = (el: FElement, on: boolean) => {
    el.checked = on;
    dispatch(el, event('change', el));
  };

  /** The documents tab as the desk renders it, with the documents the desk last loaded (readers included, as the list gives them to the secretary). */
  async function showDocs(readers: string[]) {
    const { Documents } = await import('../src/desk/Documents');
    browser.preact.render(browser.h(Documents, {
      meetingId: 'm', docs: [{ ...secret, readers }], agenda: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 },
      participants: participants as never, readOnly: false, confides: true, onChanged: () => {},
    }), root as never);
    await settle();
  }

  beforeEach(() => {
    routes = (c) => (c.method === 'GET' && c.path === '/documents/d1' ? { status: 200, body: { ...secret, readers: ['u-1'] } } : undefined);
  });

  it('untouched, the panel shows the new access list', async () => {
    await showDocs(['u-1']);
    click(byTestId(root, 'doc-readers')[0]);
    await settle(12);
    expect(ticked()).toEqual(['daibieu1']);
    // The cockpit adds u-2: document.updated, and the desk reloads its documents.
    await showDocs(['u-1', 'u-2']);
    expect(ticked(), 'the panel still shows the list as it was opened').toEqual(['daibieu1', 'daibieu2']);
    expect(byTestId(root, 'readers-changed')).toHaveLength(0);
  });

  it('touched, the panel keeps the user\'s choice and says the list changed meanwhile', async () => {
    await showDocs(['u-1']);
    click(byTestId(root, 'doc-readers')[0]);
    await settle(12);
    tick(box('daibieu2'), true);
    await settle();
    expect(ticked()).toEqual(['daibieu1', 'daibieu2']);
    expect(byTestId(root, 'readers-changed')).toHaveLength(0);
    // Someone else gives u-3 access meanwhile.
    await showDocs(['u-1', 'u-3']);
    expect(ticked(), "the user's choice is kept").toEqual(['daibieu1', 'daibieu2']);
    const note = byTestId(root, 'readers-changed');
    expect(note).toHaveLength(1);
    expect(note[0].textContent).toBe(browser.t('desk.docs.readersChangedMeanwhile'));
    // Saving sends the user's choice.
    routes = (c) => (c.method === 'PUT' ? { status: 200, body: { ...secret, readers: ['u-1', 'u-2'] } } : undefined);
    click(byTestId(root, 'readers-save')[0]);
    await settle(12);
    expect(browser.calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ user_ids: ['u-1', 'u-2'] }]);
  });

  it('a reload that brings the list the panel already shows changes nothing', async () => {
    await showDocs(['u-1']);
    click(byTestId(root, 'doc-readers')[0]);
    await settle(12);
    tick(box('daibieu3'), true);
    await showDocs(['u-1']); // the same list, e.g. another document changed
    await showDocs(['u-3', 'u-1']); // elsewhere someone made the same choice as the user
    expect(ticked()).toEqual(['daibieu1', 'daibieu3']);
    expect(byTestId(root, 'readers-changed')).toHaveLength(0);
  });
});

describe("an administrator's cockpit lists the polls again on skips", () => {
  const admin = { id: 'u-admin', username: 'admin', full_name: 'Quản trị', is_admin: true };
  let polls: unknown[];

  async function cockpit(role: string, manage = true) {
    meeting = meetingOf({ my_role: role });
    polls = [];
    routes = (c) => (c.method === 'GET' && c.path === '/meetings/m/polls' ? { status: 200, body: { polls } } : undefined);
    const { LiveRoom } = await import('../src/chair/live');
    const room = new LiveRoom('m', admin.id, manage);
    room.start();
    await settle(8);
    const hub = lastSocket()!;
    hub.open();
    hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, polls: [] }, online: [] } });
    await settle(12);
    browser.calls.length = 0;
    return { room, hub };
  }

  it('a draft made on another device appears after the skip the hub sends instead of poll.created', async () => {
    const { room, hub } = await cockpit('');
    try {
      polls = [pollOf('p9', { status: 'draft' })];
      hub.msg({ seq: 11, type: 'skip' });
      await settle(12);
      expect(gets('/meetings/m/polls')).toHaveLength(1);
      expect(room.state.get().polls.p9?.status).toBe('draft');
      expect(room.state.get().online).toBe(true);
    } finally {
      room.stop();
    }
  });

  it('at most once a second, the last skip always followed', async () => {
    const { room, hub } = await cockpit('');
    try {
      hub.msg({ seq: 11, type: 'skip' });
      await settle(4);
      polls = [pollOf('p9', { status: 'draft' })];
      hub.msg({ seq: 12, type: 'skip' });
      hub.msg({ seq: 13, type: 'skip' });
      hub.msg({ seq: 13, type: 'skip' }); // a repeat the socket ignores
      await settle(8);
      expect(gets('/meetings/m/polls')).toHaveLength(1);
      expect(room.state.get().polls.p9).toBeUndefined();
      await settle(8, 1050);
      expect(gets('/meetings/m/polls')).toHaveLength(2);
      expect(room.state.get().polls.p9?.status).toBe('draft');
    } finally {
      room.stop();
    }
  });

  it('a list read before a poll event does not undo it: a poll beyond a draft keeps what its event brought', async () => {
    const { mergeListedDrafts } = await import('../src/chair/live');
    const state = { p1: pollOf('p1', { status: 'open' }), p2: pollOf('p2', { status: 'draft' }) } as never;
    const out = mergeListedDrafts(state, [
      pollOf('p1', { status: 'draft' }), pollOf('p2', { status: 'cancelled' }), pollOf('p3', { status: 'draft' }),
    ] as never);
    expect(Object.fromEntries(Object.entries(out).map(([k, p]) => [k, p.status]))).toEqual({ p1: 'open', p2: 'cancelled', p3: 'draft' });
    expect(mergeListedDrafts(state, [pollOf('p1'), pollOf('p2', { status: 'draft' })] as never)).toBe(state);
  });

  it('the chair, the secretary and the room display do not list again (drafts come to the chair and the secretary as events)', async () => {
    for (const [role, manage] of [['chair', true], ['secretary', true], ['', false]] as const) {
      const { room, hub } = await cockpit(role, manage);
      try {
        hub.msg({ seq: 11, type: 'skip' });
        await settle(8);
        expect(gets('/meetings/m/polls'), `${role || 'display'}`).toHaveLength(0);
      } finally {
        room.stop();
      }
    }
  });
});
