// The chair's cockpit (src/chair) as a chair, a secretary or an
// administrator meets it in a session, rendered with Preact into the small
// DOM of fake-browser.ts against a fake REST server and a fake live hub.
// pdf.js is replaced by do-nothing stand-ins: presenting a page is not what
// these tests look at, only who is offered it.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byName, byTestId, click, conflict, FakeSocket, installBrowser, lastSocket, notFound, settle, stubViewer, toasts, typeInto,
  type Answer, type Call, type FElement,
} from './fake-browser';

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

let meeting = meetingOf();
let polls: Record<string, unknown>[] = [];
let agendaItems = [item('1', { status: 'current', became_current_at: T0 }), item('2')];

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: agendaItems, current_item_id: '1', planned_min: 20 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls' && c.method === 'GET') return { status: 200, body: { polls } };
  const sp = /^\/agenda-items\/(\w+)\/speakers$/.exec(p);
  if (sp && c.method === 'GET') return { status: 200, body: queues(sp[1]) };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

const me = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };

let browser: Awaited<ReturnType<typeof installBrowser>>;
let calls: Call[];
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/chair', (c) => routes(c) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  calls = browser.calls;
  routes = () => undefined;
  FakeSocket.all.length = 0;
  meeting = meetingOf();
  polls = [];
  agendaItems = [item('1', { status: 'current', became_current_at: T0 }), item('2')];
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
  await settle();
  return hub;
}

const posts = (path: string) => calls.filter((c) => c.method === 'POST' && c.path === path);

describe('the cockpit follows what changes under it', () => {
  it('a chair made a delegate mid-meeting (participants.changed, then 4003) loses the chair\'s controls and is shown why', async () => {
    const hub = await openCockpit();
    await settle(12);
    expect(byTestId(root, 'new-poll')).toHaveLength(1);
    const meetingReads = () => calls.filter((c) => c.method === 'GET' && c.path === '/meetings/m').length;
    const readsBefore = meetingReads();
    const sockets = FakeSocket.all.length;
    // The secretary makes this user a delegate: the hub publishes the new list, then closes the
    // user's connections with 4003 so that they reconnect in their new role.
    meeting = meetingOf({ my_role: 'delegate' });
    hub.msg({ seq: 11, type: 'participants.changed', data: { participants: [] } });
    hub.drop(4003);
    // Checked before the socket's first reconnect (backoff(0): 250 to 500 ms) could come.
    await settle(20, 50);
    expect(meetingReads(), 'the 4003 made the cockpit read the meeting again').toBe(readsBefore + 1);
    expect(byTestId(root, 'new-poll')).toHaveLength(0);
    expect(byTestId(root, 'next-item')).toHaveLength(0);
    expect(byTestId(root, 'status-adjourn')).toHaveLength(0);
    expect(byTestId(root, 'chair-denied')[0]?.textContent).toBe(t('chair.notAllowed'));
    // …and it stops listening: no reconnect follows, however long one waits past the backoff.
    await settle(10, 700);
    expect(FakeSocket.all.length, 'no new connection to the hub').toBe(sockets);
  });

  it('quorum.changed (the roll or the rule changed) replaces the quorum the cockpit shows', async () => {
    const hub = await openCockpit();
    expect(byTestId(root, 'quorum')[0]?.textContent).toContain(t('chair.quorum.counts', { attending: 2, eligible: 3 }));
    const next = { ...quorum, rule: { rule: 'two_thirds' }, eligible: 5, attending: 2, required: 4, reached: false };
    hub.msg({ seq: 11, type: 'quorum.changed', data: { quorum: next } });
    await settle();
    const shown = byTestId(root, 'quorum')[0]?.textContent;
    expect(shown).toContain(t('chair.quorum.counts', { attending: 2, eligible: 5 }));
    expect(shown).toContain(t('chair.quorum.notReached'));
    expect(shown).toContain(t('chair.quorum.required', { n: 4 }));
  });

  it('moving to the next item while someone has the floor: the server ends that turn, the cockpit shows the new item\'s floor', async () => {
    const an = speaker('s1', '1', 'Nguyễn Văn An', { status: 'active', started_at: T0 });
    const binh = speaker('s2', '2', 'Trần Thị Bình');
    routes = (c) => {
      if (c.path === '/agenda-items/1/speakers') return { status: 200, body: queues('1', { active: an }) };
      if (c.path === '/agenda-items/2/speakers') return { status: 200, body: queues('2', { speeches: [binh] }) };
      if (c.method === 'PUT' && c.path === '/meetings/m/agenda/current') {
        return { status: 200, body: { item_id: '2', became_current_at: '2026-11-25T09:20:00Z', previous_item_id: '1' } };
      }
      return undefined;
    };
    const hub = await openCockpit();
    expect(byTestId(root, 'chair-active-speaker')[0]?.textContent).toContain('Nguyễn Văn An');
    click(byTestId(root, 'next-item')[0]);
    await settle(12);
    // What the hub sends: the new current item, then the old item's queues with the turn finished.
    hub.msg({ seq: 11, type: 'agenda.current', data: { item_id: '2', became_current_at: '2026-11-25T09:20:00Z', previous_item_id: '1' } });
    hub.msg({ seq: 12, type: 'speakers.changed', data: queues('1', { history: [{ ...an, status: 'finished', finished_at: '2026-11-25T09:20:00Z' }] }) });
    await settle(12);
    expect(byTestId(root, 'chair-current')[0]?.textContent).toContain('Mục 2');
    expect(byTestId(root, 'chair-active-speaker')).toHaveLength(0);
    const start = byTestId(root, 'start-speaker');
    expect(start).toHaveLength(1);
    expect(start[0].disabled, 'the floor is free on the new item').toBe(false);
  });
});

describe('votes', () => {
  const draft = { id: 'p1', meeting_id: 'm', title: 'Thông qua chương trình', agenda_item_id: '1', kind: 'motion', secret: false,
    options: [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }],
    max_choices: 1, status: 'draft', voted: 0, eligible: 0, created_at: T0 };

  /** Creates are accepted; an open is refused because the meeting is not in session (vote.OpenPoll). */
  function opensRefused(status: string) {
    let n = 0;
    routes = (c) => {
      if (c.method === 'POST' && c.path === '/meetings/m/polls') return { status: 201, body: { ...draft, id: `p${++n}` } };
      if (c.method === 'POST' && /^\/polls\/p\d+\/open$/.test(c.path)) return conflict(`a poll opens when the meeting is in session (it is ${status})`);
      return undefined;
    };
  }

  async function fillNewPoll() {
    click(byTestId(root, 'new-poll')[0]);
    await settle();
    typeInto(byName(root, 'title'), 'Thông qua chương trình');
    await settle();
  }

  it('before the session a vote can be prepared but not opened: "create and open" and "open" are off, with a hint', async () => {
    meeting = meetingOf({ status: 'scheduled' });
    opensRefused('scheduled');
    await openCockpit();
    await fillNewPoll();
    expect(byTestId(root, 'create-open-poll')[0].disabled).toBe(true);
    expect(byTestId(root, 'poll-not-live')[0]?.textContent).toBe(t('chair.poll.notLive'));
    click(byTestId(root, 'create-poll')[0]);
    await settle(12);
    expect(posts('/meetings/m/polls')).toHaveLength(1);
    expect(byTestId(root, 'poll-form'), 'the draft exists: the form is done with').toHaveLength(0);
    expect(toasts(root)).toContain(t('chair.poll.created'));
    const open = byTestId(root, 'poll-open');
    expect(open).toHaveLength(1);
    expect(open[0].disabled).toBe(true);
    expect(byTestId(root, 'poll-not-live')).toHaveLength(1);
    expect(calls.filter((c) => /\/open$/.test(c.path))).toHaveLength(0);
  });

  it('"create and open" refused at the open (the meeting adjourned meanwhile) says why, keeps the draft, and never creates it twice', async () => {
    opensRefused('adjourned'); // the cockpit still thinks the meeting is live
    await openCockpit();
    await fillNewPoll();
    click(byTestId(root, 'create-open-poll')[0]);
    await settle(20);
    expect(posts('/meetings/m/polls')).toHaveLength(1);
    expect(posts('/polls/p1/open')).toHaveLength(1);
    const said = toasts(root);
    expect(said).toContain(t('chair.err.pollOpen'));
    expect(said.join(' | ')).not.toContain(t('chair.err.pollState'));
    // The form closed once the draft existed: there is nothing to press "create" on again…
    expect(byTestId(root, 'poll-form')).toHaveLength(0);
    expect(byTestId(root, 'create-poll')).toHaveLength(0);
    // …and the draft's card offers "open" again.
    expect(byTestId(root, 'poll-card').map((c) => c.getAttribute('data-status'))).toEqual(['draft']);
    expect(byTestId(root, 'poll-open')[0].disabled).toBe(false);
  });

  it('"create and open" in session creates, then opens', async () => {
    routes = (c) => {
      if (c.method === 'POST' && c.path === '/meetings/m/polls') return { status: 201, body: draft };
      if (c.method === 'POST' && c.path === '/polls/p1/open') return { status: 200, body: { ...draft, status: 'open', eligible: 2 } };
      if (c.path === '/polls/p1/voters') return { status: 200, body: { poll_id: 'p1', voted: [], not_voted: [] } };
      return undefined;
    };
    await openCockpit();
    await fillNewPoll();
    click(byTestId(root, 'create-open-poll')[0]);
    await settle(20);
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/meetings/m/polls', '/polls/p1/open']);
    expect(toasts(root)).toContain(t('chair.poll.openedToast'));
    expect(byTestId(root, 'poll-card').map((c) => c.getAttribute('data-status'))).toEqual(['open']);
  });

  it('while "create and open" is opening the new vote, its card does not offer "open" a second time', async () => {
    // Once the draft exists the form closes and the open runs: the new draft's card must not
    // send a second POST /open meanwhile (refused with 409, an error toast after the success one).
    const opens: ((a: Answer) => void)[] = [];
    routes = (c) => {
      if (c.method === 'POST' && c.path === '/meetings/m/polls') return { status: 201, body: draft };
      if (c.method === 'POST' && c.path === '/polls/p1/open') return new Promise<Answer>((r) => opens.push(r));
      if (c.path === '/polls/p1/voters') return { status: 200, body: { poll_id: 'p1', voted: [], not_voted: [] } };
      return undefined;
    };
    await openCockpit();
    await fillNewPoll();
    click(byTestId(root, 'create-open-poll')[0]);
    await settle(12);
    expect(opens, 'the open is on its way').toHaveLength(1);
    const again = byTestId(root, 'poll-open');
    expect(again, 'the new draft\'s card is there').toHaveLength(1);
    expect(again[0].disabled, '…with "open" off while it opens').toBe(true);
    click(again[0]);
    await settle(12);
    opens.forEach((r) => r({ status: 200, body: { ...draft, status: 'open', eligible: 2 } }));
    await settle(12);
    expect(posts('/polls/p1/open'), 'one press of "create and open", one open').toHaveLength(1);
    expect(toasts(root)).toContain(t('chair.poll.openedToast'));
    expect(byTestId(root, 'poll-card').map((c) => c.getAttribute('data-status'))).toEqual(['open']);
  });

  it('an administrator running the cockpit (no poll.voters for them) sees the "not voted yet" list shrink, asked at most once a second', async () => {
    // poll.voters goes to the chair and the secretary only (vote/read.go publishProgress: roll.managers());
    // an administrator who does not take part gets a skip for it and only poll.progress.
    const admin = { id: 'u-admin', username: 'admin', full_name: 'Quản trị', is_admin: true };
    meeting = meetingOf({ my_role: '' });
    polls = [{ ...draft, status: 'open', voted: 0, eligible: 3 }];
    const a = { user_id: 'a', full_name: 'Nguyễn Văn An', state: 'present' };
    const b = { user_id: 'b', full_name: 'Trần Thị Bình', state: 'present' };
    const c = { user_id: 'c', full_name: 'Lê Văn Cường', state: 'present' };
    let notVoted = [a, b, c];
    routes = (x) => (x.path === '/polls/p1/voters' ? { status: 200, body: { poll_id: 'p1', voted: [], not_voted: notVoted } } : undefined);
    const hub = await openCockpit(admin);
    const asked = () => calls.filter((x) => x.path === '/polls/p1/voters').length;
    const list = () => byTestId(root, 'not-voted')[0]?.textContent ?? '';
    expect(list()).toContain('Nguyễn Văn An');
    const before = asked();
    // An votes.
    notVoted = [b, c];
    hub.msg({ seq: 11, type: 'poll.progress', data: { poll_id: 'p1', voted: 1, eligible: 3 } });
    hub.msg({ seq: 12, type: 'skip' });
    await settle(20);
    expect(byTestId(root, 'poll-progress-n')[0]?.textContent).toContain('1');
    expect(list()).not.toContain('Nguyễn Văn An');
    expect(asked()).toBe(before + 1);
    // Bình and Cường vote within the same second: one more question, a second later, with both gone.
    notVoted = [c];
    hub.msg({ seq: 13, type: 'poll.progress', data: { poll_id: 'p1', voted: 2, eligible: 3 } });
    await settle(5);
    notVoted = [];
    hub.msg({ seq: 14, type: 'poll.progress', data: { poll_id: 'p1', voted: 3, eligible: 3 } });
    await settle(5);
    expect(asked()).toBe(before + 1);
    await settle(10, 1100);
    expect(asked()).toBe(before + 2);
    expect(byTestId(root, 'all-voted')).toHaveLength(1);
  });

  it('the chair, who gets poll.voters, does not ask for the list on every vote', async () => {
    polls = [{ ...draft, status: 'open', voted: 0, eligible: 2 }];
    routes = (x) => (x.path === '/polls/p1/voters' ? { status: 200, body: { poll_id: 'p1', voted: [], not_voted: [] } } : undefined);
    const hub = await openCockpit();
    const before = calls.filter((x) => x.path === '/polls/p1/voters').length;
    hub.msg({ seq: 11, type: 'poll.progress', data: { poll_id: 'p1', voted: 1, eligible: 2 } });
    hub.msg({ seq: 12, type: 'poll.voters', data: { poll_id: 'p1', not_voted: [] } });
    await settle(10);
    expect(calls.filter((x) => x.path === '/polls/p1/voters').length).toBe(before);
  });
});

describe('presenting', () => {
  const withDoc = (c: Call): Answer | undefined => (c.path === '/meetings/m/documents'
    ? { status: 200, body: { documents: [{ id: 'd1', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 0, confidential: false, version: 1, pages: 4, size: 1, sha256: '' }] } }
    : undefined);
  const offered = () => {
    const show = byTestId(root, 'present-doc')[0];
    return !!show && !show.disabled;
  };

  it('a secretary who is not the presenter is not offered "present this page" (the server refuses it with 403), and is told why', async () => {
    // presentation.mayPresent: the chair, an administrator, or the current item's presenter.
    meeting = meetingOf({ my_role: 'secretary' });
    routes = withDoc;
    await openCockpit({ ...me, id: 'u-sec' });
    expect(byTestId(root, 'doc-chip')).toHaveLength(1);
    expect(offered()).toBe(false);
    expect(byTestId(root, 'present-not-yours')[0]?.textContent).toBe(t('chair.present.secretaryNote'));
  });

  it('a secretary who presents the current item, the chair and an administrator are offered it', async () => {
    routes = withDoc;
    for (const [role, user, presenter] of [
      ['secretary', { ...me, id: 'u-sec' }, 'u-sec'],
      ['chair', me, null],
      ['', { ...me, id: 'u-admin', is_admin: true }, null],
    ] as const) {
      meeting = meetingOf({ my_role: role });
      agendaItems = [item('1', { status: 'current', became_current_at: T0, presenter_id: presenter }), item('2')];
      await openCockpit(user);
      expect(offered(), `${role || 'admin'} is offered "present"`).toBe(true);
      expect(byTestId(root, 'present-not-yours')).toHaveLength(0);
      browser.preact.render(null, root as never);
      await settle(2);
    }
  });
});
