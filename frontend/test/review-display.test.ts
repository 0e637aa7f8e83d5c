// Review of the room display (src/display) against the server's rules:
// what the room sees on the projector. Rendered with Preact into
// fake-browser.ts against a fake REST server and a fake live hub (the same
// set-up as display-screen.test.ts).
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { byTestId, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer, type Answer, type Call, type FElement } from './fake-browser';

const meeting = { id: 'm', title: 'Đại hội đồng cổ đông', description: '', location: '', starts_at: null, status: 'live', my_role: 'delegate' };
const quorum = { rule: { rule: 'majority', by_weight: true }, eligible: 20, present: 20, remote: 0, absent: 0, unknown: 0, attending: 20, required: 11, reached: true };

let quorumNow: Record<string, unknown> = quorum;

function server(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorumNow };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
  return notFound;
}

const me = { id: 'u-room', username: 'phonghop', full_name: 'Màn hình phòng họp', is_admin: false };

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/display', server);
});

beforeEach(() => {
  FakeSocket.all.length = 0;
  quorumNow = quorum;
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function openDisplay() {
  const { Display } = await import('../src/display/Display');
  browser.preact.render(browser.h(Display, { id: 'm', me, onSignOut: () => {} }), root as never);
  await settle();
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
  await settle(12);
  return hub;
}

describe('review: the published result on the projector', () => {
  it('review: with voting weights, the chart shows what decided the vote (weight), not heads against the outcome', async () => {
    // vote/rules.go: "Every rule counts voting weight". A shareholders' meeting: one holder of
    // 12 shares votes yes, three holders of 1 share each vote no (simple majority: 12 > 3, adopted).
    // The room display's chart (chair/Chart.tsx: bars(poll.results), by votes) shows 1 yes
    // (25 %) against 3 no (75 %) under "Thông qua".
    const hub = await openDisplay();
    const published = {
      id: 'p1', meeting_id: 'm', title: 'Thông qua báo cáo tài chính', agenda_item_id: null, kind: 'motion', secret: true,
      options: [{ id: 'agree', label: 'Đồng ý' }, { id: 'disagree', label: 'Không đồng ý' }, { id: 'abstain', label: 'Không biểu quyết' }],
      max_choices: 1, status: 'published', voted: 4, eligible: 4, created_at: '2026-11-25T09:00:00Z',
      results: [
        { option: 'agree', label: 'Đồng ý', votes: 1, weight: 12 },
        { option: 'disagree', label: 'Không đồng ý', votes: 3, weight: 3 },
        { option: 'abstain', label: 'Không biểu quyết', votes: 0, weight: 0 },
      ],
      outcome: 'adopted',
      decision: { majority: 'simple', count_abstentions: false, base: 15, required: 8, outcome: 'adopted' },
      me: { can_vote: false, voted: false },
    };
    hub.msg({ seq: 11, type: 'poll.published', data: published });
    await settle(12);
    const result = byTestId(root, 'display-result')[0];
    expect(result, 'the published result is on screen').toBeTruthy();
    expect(byTestId(result, 'chart-outcome')[0]?.textContent).toBe(browser.t('outcome.adopted'));
    const pct = find(result, (e) => e.getAttribute('class') === 'chart-pct').map((e) => e.textContent);
    // Yes carried 12 of the 15 weight cast: 80 %, not 25 %.
    expect(pct[0], 'the share shown for "Đồng ý"').toBe('80%');
    expect(pct[1], 'the share shown for "Không đồng ý"').toBe('20%');
  });
});

describe('review: numbers on the projector in Vietnamese', () => {
  it('review: a quorum counted by weight in the thousands is written with Vietnamese digit grouping (15.000, not 15000)', async () => {
    // meeting.Quorum counts weight when the rule says so (weights up to 1000 each): a
    // shareholders' meeting reaches tens of thousands. The gauge prints the raw numbers.
    const { Display } = await import('../src/display/Display');
    browser.preact.render(browser.h(Display, { id: 'm', me, onSignOut: () => {} }), root as never);
    await settle();
    const hub = lastSocket()!;
    hub.open();
    const big = { ...quorum, eligible: 20000, present: 15000, attending: 15000, required: 10001 };
    quorumNow = big;
    hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum: big }, online: [] } });
    await settle(12);
    const gauge = byTestId(root, 'quorum')[0]?.textContent ?? '';
    expect(gauge).toContain(browser.t('chair.quorum.counts', { attending: '15.000', eligible: '20.000' }));
  });
});
