// The room display (src/display) for the projector, rendered with Preact
// into the small DOM of fake-browser.ts against a fake REST server and a
// fake live hub: the quorum it shows follows the hub.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { byTestId, FakeSocket, installBrowser, lastSocket, notFound, settle, stubViewer, type Answer, type Call, type FElement } from './fake-browser';

const meeting = { id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'delegate' };
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };

function server(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
  return notFound;
}

const me = { id: 'u-room', username: 'phonghop', full_name: 'Màn hình phòng họp', is_admin: false };

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/display', server);
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

describe('the room display', () => {
  it('quorum.changed (the roll or the rule changed) replaces the quorum shown', async () => {
    const { Display } = await import('../src/display/Display');
    browser.preact.render(browser.h(Display, { id: 'm', me, onSignOut: () => {} }), root as never);
    await settle();
    const hub = lastSocket()!;
    hub.open();
    hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting, quorum }, online: [] } });
    await settle();
    const gauge = () => byTestId(root, 'quorum')[0]?.textContent ?? '';
    expect(gauge()).toContain(t('chair.quorum.reached'));
    hub.msg({ seq: 11, type: 'quorum.changed', data: { quorum: { ...quorum, eligible: 7, required: 4, reached: false } } });
    await settle();
    expect(gauge()).toContain(t('chair.quorum.counts', { attending: 2, eligible: 7 }));
    expect(gauge()).toContain(t('chair.quorum.notReached'));
  });
});
