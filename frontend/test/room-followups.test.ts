// The delegate's meeting room (src/ui/Room.tsx with its controller
// live/room.ts and the viewer), rendered with Preact into the small DOM of
// fake-browser.ts against a fake REST server and a fake live hub: what the
// room offers must be what the server accepts, after the meeting closed or
// after the delegate's rights changed.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byTestId, click, find, FakeSocket, installBrowser, lastSocket, notFound, settle, stubViewer,
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
const docA = { id: 'docA', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 1, confidential: false, version: 1, pages: 12, size: 1000, sha256: '' };
const presenting = { meeting_id: 'm', document_id: 'docA', version: 1, page: 3, pages: 12, zoom: null, by: 'u-chair', at: T0 };
const me = { id: 'u1', username: 'daibieu', full_name: 'Đại biểu A', is_admin: false };

let meeting = meetingOf();
let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') {
    return { status: 200, body: { meeting_id: 'm', items: [item('1', { status: 'current', became_current_at: T0 })], current_item_id: '1', planned_min: 10 } };
  }
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [docA] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: presenting };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
  if (p === '/agenda-items/1/speakers') return { status: 200, body: { agenda_item_id: '1', active: null, speeches: [], questions: [], history: [] } };
  if (p.startsWith('/documents/docA/annotations')) return { status: 200, body: { annotations: [] } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

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

/** Opens the room as the delegate and lets the hub send its first snapshot. */
async function openRoom() {
  const { Room } = await import('../src/ui/Room');
  browser.preact.render(browser.h(Room, { id: 'm', me, onSignOut: () => {} }), root as never);
  await settle(12);
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E.r1', state: { meeting, presentation: presenting }, online: [] } });
  await settle(12);
  return hub;
}

const buttonsLabelled = (label: string) => find(root, (e) => e.tagName === 'BUTTON' && (e.getAttribute('aria-label') === label || e.textContent.trim() === label));

describe('the room offers only what the server accepts', () => {
  it('check-in is no longer offered once the meeting closes (the server takes a check-in only in session)', async () => {
    const hub = await openRoom();
    expect(byTestId(root, 'check-in')).toHaveLength(1);
    // The chair closes the meeting: the turn and the item end, then meeting.updated (my_role empty in events).
    hub.msg({ seq: 11, type: 'agenda.current', data: { item_id: null, became_current_at: null, previous_item_id: '1' } });
    hub.msg({ seq: 12, type: 'meeting.updated', data: { ...meeting, status: 'closed', my_role: '' } });
    await settle(8);
    expect(byTestId(root, 'speak-closed')).toHaveLength(1);
    expect(byTestId(root, 'check-in'), 'a "Điểm danh" button the server answers with 409').toHaveLength(0);
  });

  it('sharing an annotation is no longer offered once the meeting closes: a shared mark would be refused (409) and vanish', async () => {
    const hub = await openRoom();
    const pen = buttonsLabelled(t('annot.pen'))[0];
    expect(pen, 'the viewer and its toolbar are shown').toBeDefined();
    click(pen);
    await settle(4);
    const toggle = () => buttonsLabelled(t('annot.private')).concat(buttonsLabelled(t('annot.shared')));
    expect(toggle()).toHaveLength(1);
    click(toggle()[0]); // "Chia sẻ với mọi người"
    await settle(4);
    expect(buttonsLabelled(t('annot.shared'))).toHaveLength(1);
    hub.msg({ seq: 11, type: 'meeting.updated', data: { ...meeting, status: 'closed', my_role: '' } });
    await settle(8);
    // Private marks may still be made on one's own copy; the toggle (and its "shared" state) are gone.
    expect(toggle(), 'the "Chỉ mình tôi / Chia sẻ" toggle').toHaveLength(0);
    expect(byTestId(root, 'annot-export')[0]?.getAttribute('href')).toContain('shared=false');
    // The shared marks can still be taken home, by a link of their own.
    expect(byTestId(root, 'annot-export-shared')[0]?.getAttribute('href')).toContain('shared=true');
  });

  it('sharing an annotation is not offered to an observer (the server refuses it with 403)', async () => {
    meeting = meetingOf({ my_role: 'observer' });
    await openRoom();
    click(buttonsLabelled(t('annot.pen'))[0]);
    await settle(4);
    expect(buttonsLabelled(t('annot.private')).concat(buttonsLabelled(t('annot.shared')))).toHaveLength(0);
  });

  it("the chair's laser and temporary pen are no longer offered once the meeting closes (the hub refuses pointing then)", async () => {
    meeting = meetingOf({ my_role: 'chair' });
    const hub = await openRoom();
    expect(byTestId(root, 'laser-tool')).toHaveLength(1);
    hub.msg({ seq: 11, type: 'agenda.current', data: { item_id: null, became_current_at: null, previous_item_id: '1' } });
    hub.msg({ seq: 12, type: 'meeting.updated', data: { ...meeting, status: 'closed', my_role: '' } });
    await settle(8);
    // The page stays open (a closed meeting shows no live badge); pointing at it is answered with error "conflict" (api/live.md §3), and nothing shows.
    expect(byTestId(root, 'doc-title')[0].textContent).toBe('Tờ trình');
    expect(byTestId(root, 'live-badge')).toHaveLength(0);
    expect(byTestId(root, 'laser-tool')).toHaveLength(0);
  });

  it('after a change of rights (4003, then resync and a full snapshot) the snapshot\'s role counts: no "ask to speak" for an observer', async () => {
    const hub = await openRoom();
    expect(byTestId(root, 'ask-speech')).toHaveLength(1);
    // The secretary makes the delegate an observer: the hub closes with 4003.
    // The meeting's REST answer is slow to come on the tablet's Wi-Fi (here: never).
    meeting = meetingOf({ my_role: 'observer' });
    routes = (c) => (c.path === '/meetings/m' ? new Promise<Answer>(() => {}) : undefined);
    hub.drop(4003);
    await settle(4, 600); // the backoff
    const again = lastSocket()!;
    expect(again).not.toBe(hub);
    expect(again.url).toContain('since=10');
    expect(again.url).toContain('epoch=E.r1');
    again.open();
    again.msg({ type: 'resync' });
    again.msg({ type: 'snapshot', seq: 14, data: { epoch: 'E.r2', state: { meeting, presentation: presenting }, online: [] } });
    await settle(12);
    // The snapshot is built with the new rights (api/live.md §4, §6: my_role is this viewer's role).
    expect(byTestId(root, 'ask-speech'), 'the observer is still offered "Xin phát biểu", which the server refuses').toHaveLength(0);
  });
});
