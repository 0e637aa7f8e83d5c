// The secretary's desk (src/desk) while others work on the same meeting,
// rendered with Preact into the small DOM of fake-browser.ts against a fake
// REST server and a fake live hub: the details form and changes made
// elsewhere, creating a meeting on a network that drops, the quorum from the
// hub, and the agenda refusals in the secretary's language.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byName, byTestId, choose, click, FakeSocket, installBrowser, lastSocket, notFound, settle, toasts, typeInto,
  type Answer, type Call, type FElement,
} from './fake-browser';

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

const me = { id: 'u-sec', username: 'thuky', full_name: 'Thư ký', is_admin: false };
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: 'Phiên thường lệ', location: 'Phòng A', starts_at: null, status: 'scheduled',
  quorum: { rule: 'majority', by_weight: false }, started_at: null, closed_at: null, my_role: 'secretary', ...over,
});
const quorumOf = (over: Record<string, unknown> = {}) => ({
  rule: { rule: 'majority' }, eligible: 4, present: 3, remote: 0, absent: 0, unknown: 1, attending: 3, required: 3, reached: true, ...over,
});
let meeting = meetingOf();

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m' && c.method === 'GET') return { status: 200, body: meeting };
  if (p === '/meetings/m/participants') return { status: 200, body: { participants: [] } };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorumOf() };
  if (p === '/meetings/m/agenda') return { status: 200, body: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/users') return { status: 200, body: { users: [] } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let calls: Call[];
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  browser = await installBrowser('/meetings/m/desk', async (c) => (await routes(c)) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  calls = browser.calls;
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

async function openDesk(id: string | null = 'm') {
  const { Desk } = await import('../src/desk/Desk');
  browser.preact.render(browser.h(Desk, { id, me, onSignOut: () => {} }), root as never);
  await settle(12);
  const hub = lastSocket();
  if (hub) {
    hub.open();
    hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting } } });
    await settle();
  }
  return hub;
}

const field = (name: string) => byName(root, name);
const patches = () => calls.filter((c) => c.method === 'PATCH');

/** Another device changes the meeting: the hub says so, and the desk reads it again (after its 120 ms batching). */
async function changedElsewhere(hub: FakeSocket, over: Record<string, unknown>, seq = 11) {
  meeting = meetingOf(over);
  hub.msg({ seq, type: 'meeting.updated', data: { ...meeting, my_role: '' } });
  await settle(8, 200);
}

describe('the meeting\'s details while someone else edits them', () => {
  it('a change another desk made (meeting.updated) shows in the form, and saving another field does not undo it', async () => {
    const hub = (await openDesk())!;
    expect(field('location').value).toBe('Phòng A');
    // The chair, on another device, moves the meeting to another room.
    await changedElsewhere(hub, { location: 'Hội trường B' });
    expect(calls.filter((c) => c.method === 'GET' && c.path === '/meetings/m').length, 'the desk read the meeting again').toBe(2);
    expect(field('location').value, 'a field nobody was editing follows the meeting').toBe('Hội trường B');
    // The secretary then only corrects the description and saves.
    routes = (c) => (c.method === 'PATCH' ? { status: 200, body: { ...meeting, ...(c.body as object) } } : undefined);
    typeInto(field('description'), 'Phiên thường lệ, có biểu quyết');
    await settle();
    click(byTestId(root, 'details-save')[0]);
    await settle(12);
    expect(patches()).toHaveLength(1);
    expect(patches()[0].body, 'only what the secretary changed is sent').toEqual({ description: 'Phiên thường lệ, có biểu quyết' });
    expect(toasts(root)).toContain(t('desk.details.saved'));
  });

  it('a field being edited keeps what the user typed when the meeting changes underneath, and says that someone else changed it', async () => {
    const hub = (await openDesk())!;
    typeInto(field('location'), 'Phòng C');
    await settle();
    await changedElsewhere(hub, { location: 'Hội trường B', title: 'Kỳ họp thứ 5 (bổ sung)' });
    expect(field('location').value).toBe('Phòng C');
    expect(field('title').value).toBe('Kỳ họp thứ 5 (bổ sung)');
    const note = byTestId(root, 'details-clash')[0]?.textContent ?? '';
    expect(note).toContain(t('desk.details.location'));
    expect(note).not.toContain(t('desk.details.name'));
    routes = (c) => (c.method === 'PATCH' ? { status: 200, body: { ...meeting, ...(c.body as object) } } : undefined);
    click(byTestId(root, 'details-save')[0]);
    await settle(12);
    expect(patches().map((c) => c.body)).toEqual([{ location: 'Phòng C' }]);
    expect(byTestId(root, 'details-clash'), 'saved: nothing left to warn about').toHaveLength(0);
  });

  it('saving with nothing changed sends nothing; a changed quorum rule is sent whole', async () => {
    await openDesk();
    click(byTestId(root, 'details-save')[0]);
    await settle(12);
    expect(patches()).toHaveLength(0);
    expect(toasts(root)).toContain(t('desk.details.unchanged'));
    routes = (c) => (c.method === 'PATCH' ? { status: 200, body: { ...meeting, quorum: (c.body as { quorum: unknown }).quorum } } : undefined);
    choose(field('quorum_rule'), 'at_least');
    await settle();
    typeInto(field('quorum_count'), '12');
    await settle();
    click(byTestId(root, 'details-save')[0]);
    await settle(12);
    expect(patches().map((c) => c.body)).toEqual([{ quorum: { rule: 'at_least', count: 12, by_weight: false } }]);
  });
});

describe('the details form while a save is on its way', () => {
  it('what the secretary types in another field while a save is on its way is kept when the answer comes', async () => {
    // (In a browser the form's fieldset is disabled while saving, so this is the last line of
    // defence: the answer takes the server's values only for the fields not changed since Save.)
    let release: (a: Answer) => void = () => {};
    routes = (c) => (c.method === 'PATCH' && c.path === '/meetings/m' ? new Promise<Answer>((r) => (release = r)) : undefined);
    await openDesk();
    typeInto(field('location'), 'Hội trường B');
    await settle();
    click(byTestId(root, 'details-save')[0]);
    await settle();
    expect(patches().map((c) => c.body)).toEqual([{ location: 'Hội trường B' }]);
    // While the PATCH is on its way, the secretary corrects the description.
    typeInto(field('description'), 'Phiên thường lệ, có biểu quyết ngân sách');
    await settle();
    release({ status: 200, body: { ...meeting, location: 'Hội trường B' } });
    await settle(12);
    expect(field('location').value).toBe('Hội trường B');
    expect(field('description').value, 'the description typed during the save is still there').toBe('Phiên thường lệ, có biểu quyết ngân sách');
    // …and it is what the next save sends.
    routes = (c) => (c.method === 'PATCH' ? { status: 200, body: { ...meeting, location: 'Hội trường B', ...(c.body as object) } } : undefined);
    click(byTestId(root, 'details-save')[0]);
    await settle(12);
    expect(patches().map((c) => c.body)).toEqual([{ location: 'Hội trường B' }, { description: 'Phiên thường lệ, có biểu quyết ngân sách' }]);
  });
});

describe('a new meeting', () => {
  it('when the quorum rule could not be set after the meeting was created, the secretary is told, and trying again does not create a second meeting', async () => {
    let n = 0;
    routes = (c) => {
      if (c.method === 'POST' && c.path === '/meetings') {
        return { status: 201, body: meetingOf({ id: `m${++n}`, status: 'draft', description: '', location: '', ...(c.body as object) }) };
      }
      if (c.method === 'PATCH') return patches().length === 1 ? 'network' : { status: 200, body: meetingOf({ id: 'm1', status: 'draft', quorum: (c.body as { quorum: unknown }).quorum }) }; // the Wi-Fi drops between the two requests, once
      return undefined;
    };
    // The details form alone, kept on screen (the desk would go to the new meeting's page): the retry always happens.
    const { Details } = await import('../src/desk/Details');
    const { Toasts } = await import('../src/ui/Toast');
    const saved: [string, boolean][] = [];
    const { h } = browser;
    browser.preact.render(h('div', null,
      h(Details, { meeting: null, readOnly: false, onSaved: (m, created) => void saved.push([m.id, created]) }),
      h(Toasts, null)), root as never);
    await settle();
    typeInto(field('title'), 'Kỳ họp bất thường');
    choose(field('quorum_rule'), 'two_thirds');
    await settle();
    click(byTestId(root, 'details-save')[0]);
    await settle(12);
    expect(toasts(root)).toContain(t('desk.details.quorumNotSaved', { reason: t('error.network') }));
    expect(field('quorum_rule').value, 'the rule chosen stays, to be sent again').toBe('two_thirds');
    // Pressing "create" again sets the rule on the meeting already made.
    click(byTestId(root, 'details-save')[0]);
    await settle(12);
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/meetings'), 'two meetings were created for one').toHaveLength(1);
    expect(patches()).toHaveLength(2);
    for (const p of patches()) expect(p).toEqual({ method: 'PATCH', path: '/meetings/m1', body: { quorum: { rule: 'two_thirds', by_weight: false } } });
    expect(saved).toEqual([['m1', true], ['m1', true]]);
    expect(toasts(root)).toContain(t('desk.details.saved'));
  });
});

describe('the quorum from the hub', () => {
  it('quorum.changed replaces the quorum on the attendance sheet, and a GET answered after it does not put the old one back', async () => {
    let release: (a: Answer) => void = () => {};
    const hub = (await openDesk())!;
    const card = () => byTestId(root, 'quorum')[0]?.textContent ?? '';
    expect(card()).toContain(t('desk.att.quorumCount', { attending: 3, required: 3, eligible: 4 }));
    // The roll changes: participants.changed makes the desk read attendance and quorum again; that answer is slow…
    routes = (c) => (c.path === '/meetings/m/quorum' ? new Promise<Answer>((r) => (release = r)) : undefined);
    hub.msg({ seq: 11, type: 'participants.changed', data: { participants: [] } });
    await settle(8, 200);
    // …and the hub's new quorum comes first.
    const next = quorumOf({ eligible: 6, required: 4, reached: false });
    hub.msg({ seq: 12, type: 'quorum.changed', data: { quorum: next } });
    await settle();
    expect(card()).toContain(t('desk.att.quorumCount', { attending: 3, required: 4, eligible: 6 }));
    expect(card()).toContain(t('desk.att.quorumNot'));
    release({ status: 200, body: quorumOf() });
    await settle();
    expect(card()).toContain(t('desk.att.quorumCount', { attending: 3, required: 4, eligible: 6 }));
  });
});

describe('refusals the secretary meets on the agenda, in Vietnamese', () => {
  it('deleting an agenda item that still has a document, a poll, or was spoken on is explained without the server\'s English', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { errText } = await import('../src/desk/common');
    const { ApiError } = await import('../src/api');
    const go = (f: string) => readFileSync(join(__dirname, '../..', f), 'utf8');
    // The server's texts (agenda/items.go, docs/store_agenda.go, vote/store_agenda.go), a title filled in as %q does.
    const refusals: [string, string, string, string][] = [
      ['docs/store_agenda.go', 'is filed under this agenda item',
        'the document "Tờ trình số 12" is filed under this agenda item (or one of its sub-items): move it to another item, or delete it, first',
        t('desk.err.itemHasDoc', { title: 'Tờ trình số 12' })],
      // A confidential document's title is not told: the server only says that one is filed there.
      ['docs/store_agenda.go', 'is filed under this agenda item',
        'a confidential document is filed under this agenda item (or one of its sub-items): move it to another item, or delete it, first',
        t('desk.err.itemHasSecretDoc')],
      ['vote/store_agenda.go', 'is prepared for this agenda item',
        'the poll "Thông qua dự toán" is prepared for this agenda item (or one of its sub-items): cancel it first, or keep the item',
        t('desk.err.itemHasDraftPoll', { title: 'Thông qua dự toán' })],
      ['vote/store_agenda.go', 'was held on this agenda item',
        'the poll "Bầu \\"Tổ thư ký\\"" was held on this agenda item (or one of its sub-items), and an item that was voted on stays on the agenda',
        t('desk.err.itemHasPoll', { title: 'Bầu "Tổ thư ký"' })],
      ['agenda/items.go', 'has been taken up in the session and stays on the record',
        '"Mục 2" has been taken up in the session and stays on the record', t('desk.err.itemTakenUp', { title: 'Mục 2' })],
      ['agenda/items.go', 'an item someone has spoken on stays on the record',
        'someone has the floor on "Mục 2"; an item someone has spoken on stays on the record', t('desk.err.itemFloor', { title: 'Mục 2' })],
      ['agenda/items.go', 'it stays on the record', 'someone has spoken on "Mục 2"; it stays on the record', t('desk.err.itemSpoken', { title: 'Mục 2' })],
      ['agenda/items.go', 'an agenda holds at most', 'an agenda holds at most 500 items', t('desk.err.agendaFull', { n: 500 })],
    ];
    for (const [file, marker, text, want] of refusals) {
      expect(go(file), `${file} no longer says "${marker}"`).toContain(marker);
      expect(errText(new ApiError(409, 'conflict', text)), text).toBe(want);
    }
  });

  it('a title or an option label that is not one line (a pasted text-direction mark) is explained without the server\'s English', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { errText } = await import('../src/desk/common');
    const { errorText } = await import('../src/chair/util');
    const { ApiError } = await import('../src/api');
    const go = (f: string) => readFileSync(join(__dirname, '../..', f), 'utf8');
    // The Go messages are split over two source lines ("…, "+ "…"): each part must still be there.
    const tail = 'line or paragraph separators, or text-direction controls';
    const refusals: [string, string, string, string][] = [
      // meeting.CleanTitle: a meeting's, an agenda item's or a poll's title.
      ['meeting/text.go', '%s must be a single line without control characters, ',
        `title must be a single line without control characters, ${tail}`, t('desk.err.titleLine')],
      // docs cleanTitle: a document's title (upload, rename).
      ['docs/add.go', 'title: a single line without control characters, ',
        `title: a single line without control characters, ${tail}`, t('desk.err.titleLine')],
      // vote cleanLabel: a poll's option, numbered from 1.
      ['vote/poll.go', 'option %d: the label must be a single line without control characters, ',
        `option 3: the label must be a single line without control characters, ${tail}`, t('chair.err.optionLine', { n: 3 })],
    ];
    for (const [file, marker, text, want] of refusals) {
      expect(go(file), `${file} no longer says "${marker}"`).toContain(marker);
      expect(go(file), `${file} no longer says "${tail}"`).toContain(tail);
      expect(errText(new ApiError(400, 'invalid', text)), text).toBe(want);
      expect(errorText(new ApiError(400, 'invalid', text)), text).toBe(want);
    }
    // Another field's refusal is not taken for a title's.
    expect(errText(new ApiError(400, 'invalid', `full_name must be a single line without control characters, ${tail}`))).not.toBe(t('desk.err.titleLine'));
  });

  it('a title that says "closed" (or the meeting\'s own words) is not taken for the meeting being closed', async () => {
    const { errText } = await import('../src/desk/common');
    const { ApiError } = await import('../src/api');
    const said = errText(new ApiError(409, 'conflict', 'someone has spoken on "Dự án đã closed: the meeting is closed"; it stays on the record'));
    expect(said).toBe(t('desk.err.itemSpoken', { title: 'Dự án đã closed: the meeting is closed' }));
    expect(errText(new ApiError(409, 'conflict', 'the item "Closed session" is something new'))).toBe(
      t('desk.err.server', { msg: 'the item "Closed session" is something new' }));
    // The meeting's own refusal, and another way of saying it, still are.
    expect(errText(new ApiError(409, 'conflict', 'the meeting is closed; nothing in it can change'))).toBe(t('desk.errClosed'));
    expect(errText(new ApiError(409, 'conflict', 'meeting closed'))).toBe(t('desk.errClosed'));
  });
});
