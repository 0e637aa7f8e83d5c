// Review 11 (notes/review11-walkthrough.md), the delegate's room, rendered with Preact into the small DOM of
// fake-browser.ts against a fake REST server and a fake live hub:
//   8  once the meeting is closed, nothing says "live": no "Trực tiếp · trang N" badge over the document,
//      no "Về trang trực tiếp" button, no "Đang trình chiếu" in the agenda (the page last presented stays open);
//   11 someone else's shared note opens to be read: its text as plain text, not a (focused) text box, and
//      "Đóng" (Close), not "Hủy" (Cancel); my own note still opens to be edited;
//   12 the new-note dialog says who will see the note: everyone in the room, or only me (the toolbar's choice).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byTestId, click, dispatch, event, FakeSocket, FElement, find, installBrowser, lastSocket, notFound, settle, stubViewer,
  type Answer, type Call,
} from './fake-browser';
import type { Annotation } from '../src/annot/types';

const T0 = '2026-11-26T09:00:00Z';
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: 'delegate', ...over,
});
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, parent_id: null, number: id, title: `Mục ${id}`, conclusion: '', duration_min: 10, total_min: 10,
  presenter_id: null, presenter_name: '', status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const docA = { id: 'docA', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 1, confidential: false, version: 1, pages: 12, size: 1000, sha256: '' };
const docB = { ...docA, id: 'docB', title: 'Báo cáo thẩm tra', position: 2 };
const presenting = { meeting_id: 'm', document_id: 'docA', version: 1, page: 3, pages: 12, zoom: null, by: 'u-chair', at: T0 };
const me = { id: 'u1', username: 'daibieu', full_name: 'Đại biểu A', is_admin: false };

const note = (id: string, author: string, text: string, shared: boolean, x = 100): Annotation => ({
  id, document_id: 'dn', version: 0, page: 1, kind: 'note', shared, author_id: author, rev: 1, data: { x, y: 100, text },
});
let notes: Annotation[] = [];

let meeting = meetingOf();
let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') {
    return { status: 200, body: { meeting_id: 'm', items: [item('1', { status: 'current', became_current_at: T0 })], current_item_id: '1', planned_min: 10 } };
  }
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [docA, docB] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: presenting };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/polls') return { status: 200, body: { polls: [] } };
  if (p === '/agenda-items/1/speakers') return { status: 200, body: { agenda_item_id: '1', active: null, speeches: [], questions: [], history: [] } };
  if (p.startsWith('/documents/dn/annotations')) return { status: 200, body: { annotations: notes } };
  if (p.startsWith('/documents/doc')) return { status: 200, body: { annotations: [] } };
  if (p === '/documents/dn') return { status: 200, body: { ...docA, id: 'dn' } };
  if (p === '/meetings/m/participants') return { status: 200, body: { participants: [{ user_id: 'u2', full_name: 'Lê Minh Châu' }] } };
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
  notes = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  vi.restoreAllMocks();
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

const liveInAgenda = () => find(root, (e) => /\bbadge live\b/.test(e.getAttribute('class') ?? '') && e.textContent === t('live.badge'));
const docButton = (title: string) => find(root, (e) => e.tagName === 'BUTTON' && /\bdoc\b/.test(e.getAttribute('class') ?? '') && e.textContent.includes(title))[0];

describe('review 11 #8: a closed meeting shows nothing as live', () => {
  it('the "Trực tiếp · trang N" badge and the agenda\'s "Đang trình chiếu" go when the meeting closes; the last presented page stays open', async () => {
    const hub = await openRoom();
    expect(byTestId(root, 'live-badge'), 'in session, the presented page is live').toHaveLength(1);
    expect(liveInAgenda()).toHaveLength(1);
    // The chair closes the meeting (the presentation is not taken down: the server leaves it as it was).
    hub.msg({ seq: 11, type: 'agenda.current', data: { item_id: null, became_current_at: null, previous_item_id: '1' } });
    hub.msg({ seq: 12, type: 'meeting.updated', data: { ...meeting, status: 'closed', my_role: '' } });
    await settle(8);
    expect(byTestId(root, 'live-badge'), 'an orange "Trực tiếp · trang 3" over a closed meeting').toHaveLength(0);
    expect(liveInAgenda(), '"Đang trình chiếu" beside a document of a closed meeting').toHaveLength(0);
    expect(byTestId(root, 'back-to-live')).toHaveLength(0);
    expect(byTestId(root, 'doc-title')[0].textContent, 'the page last presented stays open').toBe('Tờ trình');
  });

  it('a reader of a closed meeting who opens another document is not offered "Về trang trực tiếp"', async () => {
    meeting = meetingOf({ status: 'closed' });
    await openRoom();
    expect(byTestId(root, 'live-badge'), 'a room opened after the close').toHaveLength(0);
    click(docButton('Báo cáo thẩm tra'));
    await settle(8);
    expect(byTestId(root, 'doc-title')[0].textContent).toBe('Báo cáo thẩm tra');
    expect(byTestId(root, 'back-to-live'), 'a "back to live (page 3)" with nothing live').toHaveLength(0);
  });

  it('in session the same steps still offer "Về trang trực tiếp" (the check above is not empty)', async () => {
    await openRoom();
    click(docButton('Báo cáo thẩm tra'));
    await settle(8);
    expect(byTestId(root, 'back-to-live')).toHaveLength(1);
    expect(byTestId(root, 'back-to-live')[0].textContent).toContain(t('live.back', { page: 3 }));
  });
});

/** The annotation layer over page 1 of document dn, as the Viewer puts it. */
async function openLayer(tool: 'none' | 'note', shared = false) {
  const { default: Layer } = await import('../src/annot/Layer');
  browser.preact.render(browser.h(Layer, { docId: 'dn', page: 1, size: { w: 600, h: 800 }, tool, me: 'u1', shared }), root as never);
  await settle(12);
}
const dialog = () => find(root, (e) => e.getAttribute('role') === 'dialog')[0];
const buttons = (el: FElement) => find(el, (e) => e.tagName === 'BUTTON').map((b) => b.textContent.trim());
const openNote = async (id: string) => {
  const g = find(root, (e) => e.getAttribute('data-id') === id)[0];
  expect(g, `note ${id} on the page`).toBeDefined();
  dispatch(g, event('pointerdown', g, { pointerId: 1, clientX: 10, clientY: 10 }));
  await settle(8);
};
/** The elements focus() was called on while fn ran. */
async function focusedDuring(fn: () => Promise<void>): Promise<FElement[]> {
  const spy = vi.spyOn(FElement.prototype, 'focus');
  await fn();
  return spy.mock.contexts as FElement[];
}

describe("review 11 #11: someone else's note is read, not edited", () => {
  it("opens as plain text with \"Đóng\", no text box, the focus not in an editor", async () => {
    notes = [note('theirs', 'u2', 'Đề nghị làm rõ\nnguồn vốn', true)];
    await openLayer('none');
    const focused = await focusedDuring(() => openNote('theirs'));
    const d = dialog();
    expect(d, 'the note opens').toBeDefined();
    expect(byTestId(d, 'note-by')[0]?.textContent).toBe(t('annot.noteBy', { name: 'Lê Minh Châu' }));
    expect(find(d, (e) => e.tagName === 'TEXTAREA'), 'a text box (it looked like an editor)').toHaveLength(0);
    expect(byTestId(d, 'note-read')[0]?.textContent, 'the note\'s text, as text').toBe('Đề nghị làm rõ\nnguồn vốn');
    expect(buttons(d)).toEqual([t('common.close')]);
    expect(focused.some((e) => e.tagName === 'TEXTAREA'), 'focused as an editor').toBe(false);
    expect(focused.map((e) => e.textContent.trim()), 'the focus on Close (Escape and the keyboard work in the dialog)').toEqual([t('common.close')]);
    expect(byTestId(d, 'note-audience'), 'who sees it is for my own notes').toHaveLength(0);

    click(byTestId(d, 'note-close')[0]);
    await settle(4);
    expect(dialog(), 'Close closes').toBeUndefined();
  });

  it('my own note still opens to be edited: a focused text box, Xóa, Hủy, Lưu', async () => {
    notes = [note('mine', 'u1', 'Hỏi lại số liệu', false)];
    await openLayer('none');
    const focused = await focusedDuring(() => openNote('mine'));
    const d = dialog();
    const box = find(d, (e) => e.tagName === 'TEXTAREA');
    expect(box).toHaveLength(1);
    expect(box[0].value).toBe('Hỏi lại số liệu');
    expect(focused).toContain(box[0]);
    expect(buttons(d)).toEqual([t('common.delete'), t('common.cancel'), t('common.save')]);
  });
});

describe('review 11 #12: the new-note dialog says who will see the note', () => {
  const newNote = async (shared: boolean) => {
    await openLayer('note', shared);
    const svg = byTestId(root, 'annotations')[0];
    dispatch(svg, event('pointerdown', svg, { pointerId: 1, clientX: 20, clientY: 20 }));
    await settle(8);
    const d = dialog();
    expect(d, 'the new-note dialog').toBeDefined();
    return d;
  };

  it('with "Chia sẻ" on: everyone in the room will see it', async () => {
    const d = await newNote(true);
    expect(byTestId(d, 'note-audience')[0]?.textContent).toBe(t('annot.noteAudienceShared'));
    expect(t('annot.noteAudienceShared')).toBe('Mọi người trong phòng họp sẽ thấy ghi chú này.');
  });

  it('with "Chỉ mình tôi": only I will see it', async () => {
    const d = await newNote(false);
    expect(byTestId(d, 'note-audience')[0]?.textContent).toBe(t('annot.noteAudiencePrivate'));
  });

  it('on my own note, the line follows the "Chia sẻ với mọi người" box', async () => {
    notes = [note('mine', 'u1', 'Riêng tôi', false)];
    await openLayer('none');
    await openNote('mine');
    const d = dialog();
    expect(byTestId(d, 'note-audience')[0]?.textContent).toBe(t('annot.noteAudiencePrivate'));
    const box = find(d, (e) => e.tagName === 'INPUT' && e.getAttribute('type') === 'checkbox')[0];
    box.checked = true;
    dispatch(box, event('change', box));
    await settle(4);
    expect(byTestId(dialog(), 'note-audience')[0]?.textContent).toBe(t('annot.noteAudienceShared'));
  });
});
