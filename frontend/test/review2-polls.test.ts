// Review 2 (web app, polls): a snapshot "ends" an open poll it does not
// list by marking it closed here, and mergePoll then refuses anything that
// would move the poll back to open. But the snapshot can be older than what
// this tablet knows: the hub builds it when the socket connects, and a REST
// answer read later (the chair's own POST /polls/{id}/open, put in with
// putPoll; or the room's first list GET racing the socket) may reach the
// tablet before the snapshot frame does. The poll then really is open, the
// hub sends poll.opened after the snapshot (its seq is after the snapshot's
// head), and the GET that event brings says open too; both are refused, so
// the poll stays "closed" (no results, no ballot, no "close" button in the
// cockpit) until someone closes it.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { byName, byTestId, choose, click, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer, toasts, typeInto, type Answer, type Call, type FElement } from './fake-browser';
import { applyEvent, applySnapshot, emptyRoom, guessedEnded, mergePoll } from '../src/live/state';
import type { Poll } from '../src/types';

const poll = (over: Partial<Poll> = {}): Poll => ({
  id: 'p1', meeting_id: 'm', title: 'Thông qua dự thảo', agenda_item_id: null, kind: 'motion', secret: false, options: [], max_choices: 1,
  status: 'open', voted: 0, eligible: 10, ...over,
});

describe('review2: a snapshot older than what the tablet knows', () => {
  it('review2: a poll the snapshot guessed closed opens when the event after the snapshot says it is open', () => {
    // The chair pressed "open": the answer (open) is in the state…
    const s0 = { ...emptyRoom(), polls: { p1: poll({ me: { can_vote: true, voted: false } }) } };
    // …then the snapshot arrives, built when the socket connected, just before the open committed.
    const { next } = applySnapshot(s0, { polls: [] });
    // The hub then sends what came after the snapshot: poll.opened.
    const after = applyEvent(next, { seq: 10, type: 'poll.opened', data: poll() }, 'me');
    // …and the GET of the poll that this event brings (live/room.ts onEvent → loadPoll).
    const polls = mergePoll(after.polls, poll({ me: { can_vote: true, voted: false } }), false);
    expect({ afterEvent: after.polls.p1.status, afterGet: polls.p1.status }, 'the poll stays "closed" for good: the guess of the snapshot outranks the server').toEqual({
      afterEvent: 'open',
      afterGet: 'open',
    });
  });
});

// --- after the fix: the guess in the cockpit, and list GETs racing GETs of one poll ---

const chairMe = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };
const liveMeeting = { id: 'm', title: 'Kỳ họp', description: '', location: '', starts_at: null, status: 'live', my_role: 'chair' };
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
const never = () => new Promise<Answer>(() => {});
/** Answers the test hands out by hand, in the order it chooses. */
const held: { path: string; answer(a: Answer): void }[] = [];
const holdIt = (path: string) => new Promise<Answer>((answer) => held.push({ path, answer }));
let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

function server(c: Call): Answer | Promise<Answer> {
  const r = routes(c);
  if (r) return r;
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: liveMeeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls/p1/voters' || p === '/polls/p1/voters') return { status: 200, body: { poll_id: 'p1', not_voted: [] } };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [poll()] } };
  if (p === '/polls/p1') return { status: 200, body: poll() };
  if (p === '/me') return { status: 200, body: chairMe };
  return notFound;
}

describe('review2 (fix): the snapshot\'s guess, and lists racing single reads', () => {
  let browser: Awaited<ReturnType<typeof installBrowser>>;
  let root: FElement;

  beforeAll(async () => {
    stubViewer();
    browser = await installBrowser('/meetings/m/chair', server);
  });

  beforeEach(() => {
    routes = () => undefined;
    held.length = 0;
    FakeSocket.all.length = 0;
    root = browser.doc.createElementNS(null, 'div');
    browser.doc.body.appendChild(root);
  });

  afterEach(async () => {
    browser.preact.render(null, root as never);
    root.remove();
    await settle(2);
  });

  it('review2: a guess replaced by a GET leaves no mark, whatever stage the GET says', () => {
    const s0 = { ...emptyRoom(), polls: { p1: poll({ me: { can_vote: true, voted: false } }) } };
    const { next } = applySnapshot(s0, { polls: [] });
    expect(next.polls.p1.status).toBe('closed');
    expect(next.polls.p1.me?.can_vote, 'the ballot goes with the guess').toBe(false);
    expect(guessedEnded(next.polls.p1)).toBe(true);
    const got = mergePoll(next.polls, poll({ status: 'cancelled' }), false);
    expect({ status: got.p1.status, guessed: guessedEnded(got.p1) }).toEqual({ status: 'cancelled', guessed: false });
    // A real "closed" is not a guess: an older "open" is still refused over it.
    expect(mergePoll(mergePoll(next.polls, poll({ status: 'closed' }), false), poll(), false).p1.status).toBe('closed');
  });

  it('review2: the cockpit offers neither Publish nor Close for a poll only guessed closed, and Close once the event says open', async () => {
    const { Chair } = await import('../src/chair/Chair');
    browser.preact.render(browser.h(Chair, { id: 'm', me: chairMe, onSignOut: () => {} }), root as never);
    await settle();
    let hub = lastSocket()!;
    hub.open();
    hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting: liveMeeting, quorum, polls: [poll()] }, online: [] } });
    await settle();
    expect(byTestId(root, 'poll-close')).toHaveLength(1);
    // The Wi-Fi drops; the snapshot of the reconnection does not list the poll; the list GET after it is slow.
    routes = (c) => (c.path === '/meetings/m/polls' || c.path === '/polls/p1' ? never() : undefined);
    hub.drop();
    await settle(8, 1200);
    hub = lastSocket()!;
    hub.open();
    hub.msg({ type: 'snapshot', seq: 20, data: { epoch: 'E', state: { meeting: liveMeeting, quorum, polls: [] }, online: [] } });
    await settle();
    expect({
      status: byTestId(root, 'poll-card')[0]?.getAttribute('data-status'),
      publish: byTestId(root, 'poll-publish').length,
      close: byTestId(root, 'poll-close').length,
    }, 'Publish of a poll that may be open or cancelled answers 409').toEqual({ status: 'closed', publish: 0, close: 0 });
    // The snapshot was older than what the cockpit knew: the hub sends poll.opened after it.
    hub.msg({ seq: 21, type: 'poll.opened', data: poll() });
    await settle();
    expect(byTestId(root, 'poll-close'), 'the chair cannot close the vote from this cockpit').toHaveLength(1);
  });

  it('review2: the new-poll form says in Vietnamese that the question or an option is not one line (a pasted text-direction mark)', async () => {
    const { Chair } = await import('../src/chair/Chair');
    const posted: Call[] = [];
    let refuse = false;
    routes = (c) => {
      if (c.method !== 'POST' || c.path !== '/meetings/m/polls') return undefined;
      posted.push(c);
      return refuse
        ? { status: 400, body: { error: { code: 'invalid', message: 'title must be a single line without control characters, line or paragraph separators, or text-direction controls' } } }
        : undefined;
    };
    browser.preact.render(browser.h(Chair, { id: 'm', me: chairMe, onSignOut: () => {} }), root as never);
    await settle();
    const hub = lastSocket()!;
    hub.open();
    hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting: liveMeeting, quorum }, online: [] } });
    await settle(12);
    click(byTestId(root, 'new-poll')[0]);
    await settle(12);
    // The form's alerts (the toasts' alert region, empty here, is not the form's).
    const alert = () => find(root, (e) => e.getAttribute('role') === 'alert' && !/\btoasts-list\b/.test(e.getAttribute('class') ?? '')).map((e) => e.textContent);
    typeInto(byName(root, 'title'), 'Thông qua\u200f dự toán');
    await settle();
    click(byTestId(root, 'create-poll')[0]);
    await settle();
    expect(alert()).toEqual([browser.t('chair.err.pollTitleLine')]);
    typeInto(byName(root, 'title'), 'Thông qua dự toán');
    choose(byTestId(root, 'kind-custom')[0], 'on'); // a radio: Preact's onChange
    await settle();
    typeInto(byName(root, 'options'), 'Phương án A\nPhương án B\u202e');
    await settle();
    click(byTestId(root, 'create-poll')[0]);
    await settle();
    expect(alert()).toEqual([browser.t('chair.err.optionLine', { n: 2 })]);
    expect(posted, 'nothing the server refuses is sent').toHaveLength(0);
    // The server refuses a title the form let through (a rule it has and the form not yet): said the cockpit's way.
    refuse = true;
    typeInto(byName(root, 'options'), 'Phương án A\nPhương án B');
    await settle();
    click(byTestId(root, 'create-poll')[0]);
    await settle(12);
    expect(posted).toHaveLength(1);
    expect(toasts(root)).toContain(browser.t('chair.err.pollTitleLine'));
  });

  it('review2: an older list GET does not overwrite my standing from a GET of the poll started after it, nor the reverse', async () => {
    const { Room } = await import('../src/live/room');
    const room = new Room('m', 'u1', { makeSocket: (u) => new FakeSocket(u), rand: () => 0 });
    room.state.set((s) => ({ ...s, polls: { p1: poll({ me: { can_vote: false, voted: false } }) } }));
    const standing = () => room.state.get().polls.p1.me?.can_vote;
    const loadPolls = () => (room as unknown as { loadPolls(): Promise<void> }).loadPolls();
    routes = (c) => (c.path === '/meetings/m/polls' || c.path === '/polls/p1' ? holdIt(c.path) : undefined);
    const answer = (path: string, can_vote: boolean) => {
      const i = held.findIndex((h) => h.path === path);
      const [h] = held.splice(i, 1);
      const p = poll({ me: { can_vote, voted: false } });
      h.answer({ status: 200, body: path === '/polls/p1' ? p : { polls: [p] } });
    };
    // The list is asked (before checking in), then the delegate checks in and the poll is asked again.
    const list = loadPolls();
    await settle(2);
    const one = room.loadPoll('p1');
    await settle(2);
    answer('/polls/p1', true);
    await one;
    answer('/meetings/m/polls', false);
    await list;
    expect(standing(), 'the list read before checking in says "no vote" over the newer GET').toBe(true);
    // The reverse: a GET asked before a list, answered after it.
    const one2 = room.loadPoll('p1');
    await settle(2);
    const list2 = loadPolls();
    await settle(2);
    answer('/meetings/m/polls', false);
    await list2;
    answer('/polls/p1', true);
    await one2;
    expect(standing(), 'the GET asked before the list overwrote it').toBe(false);
    room.stop();
  });
});
