// Review 11 (a newcomer's walkthrough, notes/review11-walkthrough.md), the
// cockpit's vote and participants panels: defect 5, a vote opened without a
// quorum asks the chair first; defect 6, the chair checks themself in from
// the participants panel; defect 7, the result bars show each option's share
// of what was cast (1–1 is two half bars) and the scale says so, in the
// cockpit and on the room display. Rendered with Preact into fake-browser.ts
// against a fake REST server and a fake live hub.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byName, byTestId, click, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer, toasts, typeInto,
  type Answer, type Call, type FElement,
} from './fake-browser';
import type { Poll } from '../src/types';

const T0 = '2026-11-25T09:00:00Z';
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'chair', ...over,
});
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
  status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const queues = (itemId: string) => ({ agenda_item_id: itemId, active: null, speeches: [], questions: [], history: [] });
const quorumOk = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
// What the walkthrough saw: 2 of 9 present, 5 required, 3 more needed.
const quorumShort = { rule: { rule: 'majority' }, eligible: 9, present: 2, remote: 0, absent: 0, unknown: 7, attending: 2, required: 5, reached: false };
const motionOptions = [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }];
const draft = {
  id: 'p1', meeting_id: 'm', title: 'Thông qua chương trình', agenda_item_id: '1', kind: 'motion', secret: false,
  options: motionOptions, max_choices: 1, status: 'draft', voted: 0, eligible: 0, created_at: T0,
};
const row = (user_id: string, full_name: string, state: string, over: Record<string, unknown> = {}) => ({
  user_id, full_name, role: 'delegate', can_vote: true, state, reason: '', checked_in_at: null, updated_at: null, recorded_by: '', ...over,
});

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;
let meeting = meetingOf();
let quorum: Record<string, unknown> = quorumOk;
let polls: Record<string, unknown>[] = [];
let attendance: Record<string, unknown>[] = [];

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: [item('1', { status: 'current', became_current_at: T0 })], current_item_id: '1', planned_min: 10 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance' && c.method === 'GET') return { status: 200, body: { attendance } };
  if (p === '/meetings/m/polls' && c.method === 'GET') return { status: 200, body: { polls } };
  if (/^\/agenda-items\/\w+\/speakers$/.test(p)) return { status: 200, body: queues('1') };
  if (/^\/polls\/\w+\/voters$/.test(p)) return { status: 200, body: { poll_id: 'p1', voted: [], not_voted: [] } };
  return notFound;
}

const chairMe = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };

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
  quorum = quorumOk;
  polls = [];
  attendance = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function open(screen: 'chair' | 'display' = 'chair', me = chairMe) {
  const C = screen === 'display' ? (await import('../src/display/Display')).Display : (await import('../src/chair/Chair')).Chair;
  browser.preact.render(browser.h(C, { id: 'm', me, onSignOut: () => {} }), root as never);
  await settle();
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
  await settle(12);
  return hub;
}

const posts = (path: string) => calls.filter((c) => c.method === 'POST' && c.path === path);
const opensAnswered = () => {
  routes = (c) => {
    if (c.method === 'POST' && c.path === '/meetings/m/polls') return { status: 201, body: draft };
    if (c.method === 'POST' && c.path === '/polls/p1/open') return { status: 200, body: { ...draft, status: 'open', eligible: 2 } };
    return undefined;
  };
};

describe('defect 5: opening a vote without a quorum asks the chair first', () => {
  const question = () => t('chair.poll.noQuorumOpen', { attending: '2', eligible: '9', required: '5', missing: '3' });

  it('"Open the vote" without a quorum says how many are present and needed, and opens only when confirmed', async () => {
    quorum = quorumShort;
    polls = [draft];
    opensAnswered();
    await open();
    click(byTestId(root, 'poll-open')[0]);
    await settle(12);
    expect(posts('/polls/p1/open'), 'nothing opened yet').toHaveLength(0);
    expect(byTestId(root, 'poll-no-quorum-text')[0]?.textContent).toBe(question());
    expect(byTestId(root, 'poll-no-quorum-text')[0]?.getAttribute('role')).toBe('alert');
    expect(byTestId(root, 'poll-open'), 'the question stands in for the button').toHaveLength(0);

    // Cancel: nothing opens, the button is back.
    click(byTestId(root, 'poll-open-cancel')[0]);
    await settle(12);
    expect(byTestId(root, 'poll-no-quorum')).toHaveLength(0);
    expect(byTestId(root, 'poll-open')).toHaveLength(1);
    expect(posts('/polls/p1/open')).toHaveLength(0);

    // Asked again, and confirmed: it opens, once.
    click(byTestId(root, 'poll-open')[0]);
    await settle(12);
    click(byTestId(root, 'poll-open-confirm')[0]);
    await settle(20);
    expect(posts('/polls/p1/open')).toHaveLength(1);
    expect(toasts(root)).toContain(t('chair.poll.openedToast'));
    expect(byTestId(root, 'poll-card').map((c) => c.getAttribute('data-status'))).toEqual(['open']);
    expect(byTestId(root, 'poll-no-quorum')).toHaveLength(0);
  });

  it('asks in the chair\'s language (English)', async () => {
    const i18n = await import('../src/i18n');
    await i18n.setLang('en', false, true);
    try {
      quorum = quorumShort;
      polls = [draft];
      await open();
      click(byTestId(root, 'poll-open')[0]);
      await settle(12);
      expect(byTestId(root, 'poll-no-quorum-text')[0]?.textContent)
        .toBe('No quorum yet: 2 of 9 present, 5 required (3 more needed). Open the vote anyway?');
      expect(byTestId(root, 'poll-open-confirm')[0]?.textContent).toBe('Open anyway');
    } finally {
      await i18n.setLang('vi', false, true);
    }
  });

  it('with a quorum, "Open the vote" opens at once, as before', async () => {
    polls = [draft];
    opensAnswered();
    await open();
    click(byTestId(root, 'poll-open')[0]);
    await settle(20);
    expect(byTestId(root, 'poll-no-quorum')).toHaveLength(0);
    expect(posts('/polls/p1/open')).toHaveLength(1);
  });

  it('"Create and open" without a quorum asks before creating anything, then creates and opens', async () => {
    quorum = quorumShort;
    opensAnswered();
    await open();
    click(byTestId(root, 'new-poll')[0]);
    await settle();
    typeInto(byName(root, 'title'), 'Thông qua chương trình');
    await settle();
    click(byTestId(root, 'create-open-poll')[0]);
    await settle(12);
    expect(calls.filter((c) => c.method === 'POST'), 'nothing created or opened yet').toHaveLength(0);
    expect(byTestId(root, 'poll-no-quorum-text')[0]?.textContent).toBe(question());
    click(byTestId(root, 'poll-open-confirm')[0]);
    await settle(20);
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/meetings/m/polls', '/polls/p1/open']);
    expect(byTestId(root, 'poll-card').map((c) => c.getAttribute('data-status'))).toEqual(['open']);
  });

  it('the question goes once the quorum is reached (a check-in comes in meanwhile): "Open" opens at once again', async () => {
    quorum = quorumShort;
    polls = [draft];
    opensAnswered();
    const hub = await open();
    click(byTestId(root, 'poll-open')[0]);
    await settle(12);
    expect(byTestId(root, 'poll-no-quorum')).toHaveLength(1);
    hub.msg({ seq: 11, type: 'quorum.changed', data: { quorum: { ...quorumShort, attending: 5, present: 5, unknown: 4, reached: true } } });
    await settle(12);
    expect(byTestId(root, 'poll-no-quorum')).toHaveLength(0);
    click(byTestId(root, 'poll-open')[0]);
    await settle(20);
    expect(posts('/polls/p1/open')).toHaveLength(1);
  });
});

describe('defect 6: the chair checks themself in from the participants panel', () => {
  it('says the chair is not checked in, and checks them in (recorded for themself), which the list and quorum then show', async () => {
    attendance = [row('u-chair', 'Chủ tọa', 'unknown', { role: 'chair' }), row('u-a', 'Nguyễn Văn An', 'present')];
    routes = (c) => {
      if (c.method === 'POST' && c.path === '/meetings/m/attendance') {
        return { status: 200, body: { attendance: row('u-chair', 'Chủ tọa', 'present', { role: 'chair', checked_in_at: T0 }), quorum: { ...quorumOk, attending: 3, present: 3, unknown: 0 } } };
      }
      return undefined;
    };
    await open();
    const box = byTestId(root, 'self-checkin')[0];
    expect(box, 'the panel offers the chair a check-in').toBeTruthy();
    expect(box.textContent).toContain(t('chair.people.selfOut'));
    click(byTestId(box, 'self-checkin-btn')[0]);
    await settle(20);
    const sent = posts('/meetings/m/attendance');
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toEqual({ user_id: 'u-chair', state: 'present' });
    expect(toasts(root)).toContain(t('chair.people.checkedInSelf'));
    const me = find(root, (e) => e.getAttribute('data-testid') === 'person' && e.getAttribute('data-user') === 'u-chair')[0];
    expect(me.getAttribute('data-state')).toBe('present');
    expect(byTestId(root, 'self-checkin'), 'nothing left to offer').toHaveLength(0);
    expect(byTestId(root, 'count-checked-in')[0]?.textContent).toBe(t('chair.people.checkedInOf', { n: '2', m: '2' }));
    expect(byTestId(root, 'quorum')[0]?.textContent).toContain(t('chair.quorum.counts', { attending: '3', eligible: '3' }));
  });

  it('a chair without a vote is told only that they do not count as present', async () => {
    attendance = [row('u-chair', 'Chủ tọa', 'absent', { role: 'chair', can_vote: false })];
    await open();
    expect(byTestId(root, 'self-checkin')[0]?.textContent).toContain(t('chair.people.selfOutNoVote'));
  });

  it('offers nothing to a chair already checked in, to one who does not take part, or once the meeting is closed', async () => {
    attendance = [row('u-chair', 'Chủ tọa', 'remote', { role: 'chair' }), row('u-a', 'Nguyễn Văn An', 'unknown')];
    await open();
    expect(byTestId(root, 'person')).toHaveLength(2);
    expect(byTestId(root, 'self-checkin')).toHaveLength(0);
    browser.preact.render(null, root as never);
    await settle(2);

    await open('chair', { id: 'u-admin', username: 'admin', full_name: 'Quản trị', is_admin: true });
    expect(byTestId(root, 'person')).toHaveLength(2);
    expect(byTestId(root, 'self-checkin')).toHaveLength(0);
    browser.preact.render(null, root as never);
    await settle(2);

    meeting = meetingOf({ status: 'closed' });
    attendance = [row('u-chair', 'Chủ tọa', 'unknown', { role: 'chair' })];
    await open();
    expect(byTestId(root, 'person')).toHaveLength(1);
    expect(byTestId(root, 'self-checkin')).toHaveLength(0);
  });
});

describe('defect 7: each bar is its share of what was cast, and the scale says so', () => {
  const tied = (over: Partial<Poll> = {}): Poll => ({
    id: 'p1', meeting_id: 'm', title: 'Thông qua chương trình', agenda_item_id: '1', kind: 'motion', secret: false,
    options: motionOptions, max_choices: 1, status: 'published', voted: 2, eligible: 2,
    results: [
      { option: 'agree', label: 'Đồng ý', votes: 1, weight: 1 },
      { option: 'disagree', label: 'Không đồng ý', votes: 1, weight: 1 },
      { option: 'abstain', label: 'Không biểu quyết', votes: 0, weight: 0 },
    ],
    outcome: 'tied', me: { can_vote: false, voted: false }, ...over,
  } as Poll);
  const widths = (box: FElement) => find(box, (e) => e.getAttribute('class') === 'chart-fill').map((e) => e.style.width);
  const scale = (box: FElement) => find(box, (e) => e.getAttribute('class') === 'chart-scale')[0]?.textContent;

  it('bars(): a 1–1 vote is two halves', async () => {
    const { bars } = await import('../src/chair/logic');
    expect(bars(tied().results).bars.map((b) => b.share)).toEqual([0.5, 0.5, 0]);
    expect(bars([{ option: 'a', votes: 0, weight: 0 }]).bars.map((b) => b.share), 'nobody voted: no bar').toEqual([0]);
  });

  it('the cockpit draws 1–1 as two half bars, and says what the bar measures', async () => {
    polls = [tied()];
    await open();
    const chart = byTestId(root, 'result-chart')[0];
    expect(chart, 'the result is shown').toBeTruthy();
    expect(widths(chart)).toEqual(['50.00%', '50.00%', '0.00%']);
    expect(scale(chart)).toBe(t('chair.poll.scaleVotes'));
  });

  it('by weight: the bars are shares of the weight, and the scale says weight', async () => {
    polls = [tied({
      status: 'closed',
      results: [
        { option: 'agree', label: 'Đồng ý', votes: 1, weight: 12 },
        { option: 'disagree', label: 'Không đồng ý', votes: 3, weight: 3 },
        { option: 'abstain', label: 'Không biểu quyết', votes: 0, weight: 0 },
      ],
      voted: 4, eligible: 4, outcome: 'adopted',
    })];
    await open();
    const chart = byTestId(root, 'result-chart')[0];
    expect(widths(chart)).toEqual(['80.00%', '20.00%', '0.00%']);
    expect(scale(chart)).toBe(t('chair.poll.scaleWeight'));
  });

  it('the room display draws the same: two half bars and the scale in words', async () => {
    const hub = await open('display');
    hub.msg({ seq: 11, type: 'poll.published', data: { ...tied(), created_at: T0, published_at: new Date().toISOString() } });
    await settle(12);
    const result = byTestId(root, 'display-result')[0];
    expect(result, 'the display shows the result').toBeTruthy();
    expect(widths(result)).toEqual(['50.00%', '50.00%', '0.00%']);
    expect(scale(result)).toBe(t('chair.poll.scaleVotes'));
  });
});
