// Review: the cockpit's vote panel in a closed meeting. Every poll action
// runs under meeting.LockOpen (vote/store.go createPoll and change), so
// once the meeting is closed the server refuses creating a poll, "vote
// again", publishing and cancelling with 409 "the meeting is closed". The
// panel still offers all of them (chair/Polls.tsx gates only "open" on
// the meeting's status).
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { byTestId, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer, type Answer, type Call, type FElement } from './fake-browser';

const me = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };
const meeting = { id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'closed', my_role: 'chair' };
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
// Closed (counted) before the meeting closed, never published: MeetingCloseGuard only stops an open vote.
const closedPoll = {
  id: 'p1', meeting_id: 'm', title: 'Thông qua nghị quyết', agenda_item_id: null, kind: 'motion', secret: false,
  options: [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }],
  max_choices: 1, status: 'closed', voted: 2, eligible: 3, created_at: '2026-11-25T09:00:00Z',
  results: [{ option: 'agree', votes: 2, weight: 2 }], outcome: 'adopted', me: { can_vote: false, voted: true },
};

function server(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls' && c.method === 'GET') return { status: 200, body: { polls: [closedPoll] } };
  if (p === '/polls/p1') return { status: 200, body: closedPoll };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/chair', server);
});

beforeEach(() => {
  FakeSocket.all.length = 0;
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function openCockpit() {
  const { Chair } = await import('../src/chair/Chair');
  browser.preact.render(browser.h(Chair, { id: 'm', me, onSignOut: () => {} }), root as never);
  await settle();
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
  await settle();
}

describe('review: the vote panel of a closed meeting', () => {
  it('review: offers no poll action the server refuses once the meeting is closed', async () => {
    await openCockpit();
    expect(byTestId(root, 'meeting-status')[0]?.textContent).toBe(browser.t('status.closed'));
    expect(byTestId(root, 'poll-card')).toHaveLength(1);
    const cancel = find(root, (e) => e.tagName === 'BUTTON' && e.textContent === browser.t('chair.poll.cancel'));
    const offered = {
      'new-poll': byTestId(root, 'new-poll').length,
      'poll-publish': byTestId(root, 'poll-publish').length,
      'poll-again': byTestId(root, 'poll-again').length,
      cancel: cancel.length,
    };
    // Each of these is a 409 "the meeting is closed" from the server.
    expect(offered).toEqual({ 'new-poll': 0, 'poll-publish': 0, 'poll-again': 0, cancel: 0 });
  });
});
