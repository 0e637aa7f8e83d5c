// An agenda item's conclusion ("Kết luận"): written by the secretary in the
// desk's agenda editor and by the chair under the current item in the
// cockpit, each rendered with Preact into the small DOM of fake-browser.ts
// against a fake REST server and a fake live hub. Save sends the
// conclusion alone; refusals are said as each screen says them.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byName, byTestId, click, conflict, FakeSocket, find, installBrowser, lastSocket, notFound, settle, stubViewer, toasts, typeInto,
  type Answer, type Call, type FElement,
} from './fake-browser';

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

const T0 = '2026-11-25T09:00:00Z';
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id, meeting_id: 'm', parent_id: null, number: id, title: `Mục ${id}`, description: '', conclusion: '', duration_min: 10, total_min: 10,
  presenter_id: null, presenter_name: '', status: 'pending', became_current_at: null, done_at: null, items: [], ...over,
});
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live',
  quorum: { rule: 'majority', by_weight: false }, started_at: T0, closed_at: null, my_role: 'chair', ...over,
});
const quorum = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
const me = { id: 'u-chair', username: 'chutoa', full_name: 'Chủ tọa', is_admin: false };

let meeting = meetingOf();
let agendaItems: ReturnType<typeof item>[] = [];
const agendaBody = () => ({
  meeting_id: 'm', items: agendaItems, planned_min: 20,
  current_item_id: agendaItems.find((i) => i.status === 'current')?.id ?? null,
});

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m' && c.method === 'GET') return { status: 200, body: meeting };
  if (p === '/meetings/m/agenda') return { status: 200, body: agendaBody() };
  if (p === '/meetings/m/documents') return { status: 200, body: { documents: [] } };
  if (p === '/meetings/m/presentation') return { status: 200, body: { meeting_id: 'm', document_id: null, zoom: null, at: null } };
  if (p === '/meetings/m/quorum') return { status: 200, body: quorum };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/participants') return { status: 200, body: { participants: [] } };
  if (p === '/meetings/m/polls' && c.method === 'GET') return { status: 200, body: { polls: [] } };
  if (p === '/users') return { status: 200, body: { users: [] } };
  const sp = /^\/agenda-items\/(\w+)\/speakers$/.exec(p);
  if (sp && c.method === 'GET') return { status: 200, body: { agenda_item_id: sp[1], active: null, speeches: [], questions: [], history: [] } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

/** The server's PATCH as agenda/items.go does it: the conclusion trimmed, the item answered. */
function acceptConclusion(c: Call): Answer | undefined {
  const m = /^\/agenda-items\/(\w+)$/.exec(c.path);
  if (!m || c.method !== 'PATCH') return undefined;
  const text = String((c.body as { conclusion?: unknown }).conclusion ?? '').trim();
  agendaItems = agendaItems.map((i) => (i.id === m[1] ? { ...i, conclusion: text } : i));
  return { status: 200, body: agendaItems.find((i) => i.id === m[1]) };
}

const refusal = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

let browser: Awaited<ReturnType<typeof installBrowser>>;
let calls: Call[];
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);
const patches = () => calls.filter((c) => c.method === 'PATCH');

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m/chair', async (c) => (await routes(c)) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  calls = browser.calls;
  routes = () => undefined;
  FakeSocket.all.length = 0;
  meeting = meetingOf();
  agendaItems = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

describe('the counting and comparing both screens share', () => {
  it('counts characters as the server does (code points, after trimming), and compares what a textarea gives back', async () => {
    const { cleanConclusion, conclusionLength, MAX_CONCLUSION } = await import('../src/conclusion');
    expect(MAX_CONCLUSION).toBe(10000);
    expect(conclusionLength('  Thông qua.\n ')).toBe(10);
    expect(conclusionLength('𝐀𝐁')).toBe(2); // two characters, four UTF-16 units
    expect(conclusionLength('ư'.repeat(10000))).toBe(10000);
    expect(cleanConclusion(' Dòng 1\r\nDòng 2\rDòng 3 ')).toBe('Dòng 1\nDòng 2\nDòng 3');
  });

  it("the server's refusals of a conclusion are said in the user's language (meeting/text.go's messages)", async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { knownRefusal } = await import('../src/i18n/refusals');
    const { errText } = await import('../src/desk/common');
    const { errorText } = await import('../src/chair/util');
    const { ApiError } = await import('../src/api');
    const go = readFileSync(join(__dirname, '../../meeting/text.go'), 'utf8');
    expect(go).toContain('"%s must be at most %d characters"');
    expect(go).toContain('"%s must not contain control characters"');
    expect(readFileSync(join(__dirname, '../../agenda/items.go'), 'utf8')).toContain('meeting.CleanNote("conclusion"');
    const long = new ApiError(400, 'invalid', 'conclusion must be at most 10000 characters');
    const control = new ApiError(400, 'invalid', 'conclusion must not contain control characters');
    expect(knownRefusal(long)).toEqual({ key: 'desk.err.conclusionLong', params: { n: '10.000' } });
    expect(errText(long)).toBe(t('desk.err.conclusionLong', { n: '10.000' }));
    expect(errorText(long)).toBe(t('desk.err.conclusionLong', { n: '10.000' }));
    expect(errText(control)).toBe(t('desk.err.conclusionControl'));
    expect(errorText(control)).toBe(t('desk.err.conclusionControl'));
    // The description's own refusal is not taken for the conclusion's.
    expect(knownRefusal(new ApiError(400, 'invalid', 'description must be at most 10000 characters'))).toBeNull();
  });

  it('withConclusion replaces one item\'s conclusion, wherever it is in the tree', async () => {
    const { withConclusion } = await import('../src/chair/logic');
    const ag = { meeting_id: 'm', current_item_id: null, planned_min: 0, items: [item('1', { items: [item('11')] }), item('2')] } as never;
    const out = withConclusion(ag, '11', 'Ghi nhận.') as { items: ReturnType<typeof item>[] };
    expect((out.items[0].items[0] as { conclusion: string }).conclusion).toBe('Ghi nhận.');
    expect(out.items[0].conclusion).toBe('');
    expect(out.items[1]).toBe((ag as { items: unknown[] }).items[1]);
  });
});

describe("the secretary's desk: the agenda editor", () => {
  async function openDesk(role = 'secretary') {
    meeting = meetingOf({ my_role: role, status: meeting.status });
    const { Desk } = await import('../src/desk/Desk');
    browser.preact.render(browser.h(Desk, { id: 'm', me: { ...me, id: 'u-sec' }, onSignOut: () => {} }), root as never);
    await settle(12);
    const hub = lastSocket();
    if (hub) {
      hub.open();
      hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting } } });
      await settle();
    }
  }
  const openConclusion = async (i: number) => {
    click(byTestId(root, 'item-conclusion')[i]);
    await settle();
    return byName(root, 'conclusion');
  };

  it('writes a conclusion: Save sends the conclusion alone, says so, and the row shows it', async () => {
    agendaItems = [item('1', { title: 'Báo cáo kinh tế' }), item('2')];
    routes = acceptConclusion;
    await openDesk();
    expect(byTestId(root, 'agenda-conclusion'), 'no conclusion yet: none shown').toHaveLength(0);
    const box = await openConclusion(0);
    expect(box.value).toBe('');
    const written = 'Thống nhất thông qua.\nGiao Văn phòng hoàn thiện.';
    typeInto(box, written);
    await settle();
    expect(byTestId(root, 'conclusion-count')[0].textContent).toBe(t('desk.agenda.conclusionCount', { n: [...written].length, max: '10.000' }));
    const agendaReads = calls.filter((c) => c.path === '/meetings/m/agenda').length;
    click(byTestId(root, 'conclusion-save')[0]);
    await settle(12);
    expect(patches()).toEqual([{ method: 'PATCH', path: '/agenda-items/1', body: { conclusion: 'Thống nhất thông qua.\nGiao Văn phòng hoàn thiện.' } }]);
    expect(toasts(root)).toContain(t('desk.agenda.conclusionSaved', { title: 'Báo cáo kinh tế' }));
    expect(calls.filter((c) => c.path === '/meetings/m/agenda').length, 'the agenda is read again').toBe(agendaReads + 1);
    expect(byTestId(root, 'edit-conclusion'), 'the editor closes').toHaveLength(0);
    const shown = byTestId(root, 'agenda-conclusion');
    expect(shown).toHaveLength(1);
    expect(shown[0].textContent).toContain('Giao Văn phòng hoàn thiện.');
  });

  it('opens with the saved conclusion; clearing it sends ""; unchanged sends nothing', async () => {
    agendaItems = [item('1', { conclusion: 'Thông qua.' })];
    routes = acceptConclusion;
    await openDesk();
    let box = await openConclusion(0);
    expect(box.value).toBe('Thông qua.');
    typeInto(box, '  Thông qua.  ');
    await settle();
    click(byTestId(root, 'conclusion-save')[0]);
    await settle(12);
    expect(patches(), 'only spaces changed: nothing to send').toHaveLength(0);
    expect(toasts(root)).toContain(t('desk.agenda.conclusionUnchanged'));
    box = await openConclusion(0);
    typeInto(box, '');
    await settle();
    click(byTestId(root, 'conclusion-save')[0]);
    await settle(12);
    expect(patches().map((c) => c.body)).toEqual([{ conclusion: '' }]);
    expect(byTestId(root, 'agenda-conclusion')).toHaveLength(0);
  });

  it('a conclusion over 10,000 characters is stopped before it is sent, with the reason under the field', async () => {
    agendaItems = [item('1')];
    routes = acceptConclusion;
    await openDesk();
    const box = await openConclusion(0);
    expect(box.getAttribute('aria-describedby'), 'no error yet: nothing to point at').toBeNull();
    typeInto(box, 'ư'.repeat(10001));
    await settle();
    click(byTestId(root, 'conclusion-save')[0]);
    await settle(12);
    expect(patches()).toHaveLength(0);
    expect(box.getAttribute('aria-invalid')).toBe('true');
    const described = box.getAttribute('aria-describedby');
    expect(described, 'the field points at its error').toBeTruthy();
    expect(find(root, (e) => e.getAttribute('id') === described).map((e) => e.textContent)).toEqual([t('desk.err.conclusionLong', { n: '10.000' })]);
    expect(root.textContent).toContain(t('desk.err.conclusionLong', { n: '10.000' }));
    expect(byTestId(root, 'edit-conclusion'), 'what was typed stays').toHaveLength(1);
  });

  it('refusals are toasted as the desk says them, and what was typed is kept to try again', async () => {
    agendaItems = [item('1')];
    const answers: Answer[] = [
      conflict('the meeting is closed; nothing in it can change'),
      refusal(403, 'forbidden', 'only the meeting\'s secretary or chair can change the agenda'),
      refusal(400, 'invalid', 'conclusion must not contain control characters'),
      'network',
    ];
    const said = [t('desk.errClosed'), t('desk.errForbidden'), t('desk.err.conclusionControl'), t('error.network')];
    routes = (c) => (c.method === 'PATCH' ? answers[patches().length - 1] : undefined);
    await openDesk();
    const box = await openConclusion(0);
    typeInto(box, 'Kết luận của chủ tọa.');
    await settle();
    for (let i = 0; i < answers.length; i++) {
      click(byTestId(root, 'conclusion-save')[0]);
      await settle(12);
      expect(toasts(root)).toContain(said[i]);
      expect(byName(root, 'conclusion').value).toBe('Kết luận của chủ tọa.');
    }
    expect(patches()).toHaveLength(answers.length);
  });

  it('what is typed while a save is on its way stays in the editor, not saved yet, and a second Save sends it', async () => {
    agendaItems = [item('1', { title: 'Báo cáo kinh tế' })];
    const held: (() => void)[] = [];
    routes = (c) => {
      if (c.method !== 'PATCH') return undefined;
      if (patches().length > 1) return acceptConclusion(c);
      return new Promise<Answer>((r) => held.push(() => r(acceptConclusion(c)!)));
    };
    await openDesk();
    const box = await openConclusion(0);
    typeInto(box, 'Thống nhất thông qua.');
    await settle();
    click(byTestId(root, 'conclusion-save')[0]);
    await settle();
    expect(held, 'the save is on its way').toHaveLength(1);
    // The secretary goes on writing meanwhile.
    typeInto(byName(root, 'conclusion'), 'Thống nhất thông qua. Giao Văn phòng hoàn thiện.');
    await settle();
    held[0]();
    await settle(12);
    expect(toasts(root)).toContain(t('desk.agenda.conclusionSaved', { title: 'Báo cáo kinh tế' }));
    expect(byTestId(root, 'edit-conclusion'), 'the editor stays open with the rest').toHaveLength(1);
    expect(byName(root, 'conclusion').value).toBe('Thống nhất thông qua. Giao Văn phòng hoàn thiện.');
    expect(byTestId(root, 'conclusion-more')[0]?.textContent).toBe(t('desk.agenda.conclusionMore'));
    click(byTestId(root, 'conclusion-save')[0]);
    await settle(12);
    expect(patches().map((c) => c.body)).toEqual([
      { conclusion: 'Thống nhất thông qua.' },
      { conclusion: 'Thống nhất thông qua. Giao Văn phòng hoàn thiện.' },
    ]);
    expect(byTestId(root, 'edit-conclusion'), 'all saved: the editor closes').toHaveLength(0);
    expect(byTestId(root, 'agenda-conclusion')[0]?.textContent).toContain('Giao Văn phòng hoàn thiện.');
  });

  it('a closed meeting shows the conclusions, and offers no way to change them', async () => {
    meeting = meetingOf({ status: 'closed' });
    agendaItems = [item('1', { status: 'done', conclusion: 'Đã thông qua.' })];
    await openDesk();
    expect(byTestId(root, 'agenda-conclusion')[0]?.textContent).toContain('Đã thông qua.');
    expect(byTestId(root, 'item-conclusion')).toHaveLength(0);
  });
});

describe("the chair's cockpit: the current item's conclusion", () => {
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
  const box = () => byTestId(root, 'chair-conclusion')[0];
  const text = () => byName(box(), 'conclusion');
  const save = () => byTestId(root, 'conclusion-save')[0];

  it('shows the current item\'s conclusion; Save is off until it changes, then sends the conclusion alone', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: T0, conclusion: 'Dự kiến thông qua.' }), item('2')];
    routes = acceptConclusion;
    await openCockpit();
    expect(box().textContent).toContain(t('chair.conclusion.title'));
    expect(text().value).toBe('Dự kiến thông qua.');
    expect(save().disabled).toBe(true);
    typeInto(text(), 'Thống nhất thông qua.\nGiao Văn phòng hoàn thiện. ');
    await settle();
    expect(save().disabled).toBe(false);
    expect(byTestId(root, 'conclusion-unsaved')[0]?.textContent).toBe(t('chair.conclusion.unsaved'));
    click(save());
    await settle(12);
    expect(patches()).toEqual([{ method: 'PATCH', path: '/agenda-items/1', body: { conclusion: 'Thống nhất thông qua.\nGiao Văn phòng hoàn thiện. ' } }]);
    expect(toasts(root)).toContain(t('chair.conclusion.saved'));
    expect(text().value, 'the text as the server keeps it').toBe('Thống nhất thông qua.\nGiao Văn phòng hoàn thiện.');
    expect(save().disabled).toBe(true);
    expect(byTestId(root, 'conclusion-unsaved')).toHaveLength(0);
  });

  it('refusals are toasted as the cockpit says them, and the draft stays', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: T0 })];
    const answers: Answer[] = [
      refusal(403, 'forbidden', 'only the meeting\'s secretary or chair can change the agenda'),
      conflict('the meeting is closed; nothing in it can change'),
      refusal(400, 'invalid', 'conclusion must be at most 10000 characters'),
      refusal(404, 'not_found', 'agenda item not found'),
    ];
    const said = [t('chair.err.forbidden'), t('desk.errClosed'), t('desk.err.conclusionLong', { n: '10.000' }), t('chair.err.gone')];
    routes = (c) => (c.method === 'PATCH' ? answers[patches().length - 1] : undefined);
    await openCockpit();
    typeInto(text(), 'Giao Sở Tài chính chủ trì.');
    await settle();
    for (let i = 0; i < answers.length; i++) {
      click(save());
      await settle(12);
      expect(toasts(root)).toContain(said[i]);
      expect(text().value).toBe('Giao Sở Tài chính chủ trì.');
      expect(save().disabled, 'it can be tried again').toBe(false);
    }
  });

  it('over 10,000 characters: said under the box, and Save stays off', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: T0 })];
    await openCockpit();
    typeInto(text(), 'a'.repeat(10001));
    await settle();
    expect(text().getAttribute('aria-invalid')).toBe('true');
    expect(box().textContent, 'the limit written as a Vietnamese office writes it').toContain(t('desk.err.conclusionLong', { n: '10.000' }));
    expect(save().disabled).toBe(true);
    click(save());
    await settle(12);
    expect(patches()).toHaveLength(0);
  });

  it('follows a conclusion written elsewhere (agenda.changed) unless the chair is writing, and then says so', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: T0 })];
    const hub = await openCockpit();
    const fromDesk = (seq: number, conclusion: string) => {
      agendaItems = [item('1', { status: 'current', became_current_at: T0, conclusion })];
      hub.msg({ seq, type: 'agenda.changed', data: agendaBody() });
    };
    fromDesk(11, 'Thư ký ghi: thông qua.');
    await settle();
    expect(text().value).toBe('Thư ký ghi: thông qua.');
    expect(byTestId(root, 'conclusion-clash')).toHaveLength(0);
    typeInto(text(), 'Chủ tọa kết luận: thông qua, có bổ sung.');
    await settle();
    fromDesk(12, 'Thư ký sửa lại.');
    await settle();
    expect(text().value, 'what the chair is writing is not overwritten').toBe('Chủ tọa kết luận: thông qua, có bổ sung.');
    expect(byTestId(root, 'conclusion-clash')[0]?.textContent).toBe(t('chair.conclusion.changedElsewhere'));
    expect(save().disabled).toBe(false);
  });

  it('moves with the current item, and is not there without one', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: T0, conclusion: 'Kết luận mục 1.' }), item('2', { conclusion: 'Kết luận mục 2.' })];
    routes = (c) => (c.method === 'PUT' && c.path === '/meetings/m/agenda/current'
      ? { status: 200, body: { item_id: '2', became_current_at: '2026-11-25T09:20:00Z', previous_item_id: '1' } }
      : undefined);
    const hub = await openCockpit();
    click(byTestId(root, 'next-item')[0]);
    await settle(12);
    hub.msg({ seq: 11, type: 'agenda.current', data: { item_id: '2', became_current_at: '2026-11-25T09:20:00Z', previous_item_id: '1' } });
    await settle(12);
    expect(calls.filter((c) => c.method === 'PUT'), 'nothing unsaved: one press moves on').toHaveLength(1);
    expect(text().value).toBe('Kết luận mục 2.');
    expect(byTestId(root, 'conclusion-leave')).toHaveLength(0);
    browser.preact.render(null, root as never);
    await settle(2);
    agendaItems = [item('1'), item('2')];
    await openCockpit();
    expect(byTestId(root, 'chair-no-item')).toHaveLength(1);
    expect(byTestId(root, 'chair-conclusion')).toHaveLength(0);
  });

  it('moving on with an unsaved conclusion takes a second press, and what was written comes back with the item', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: T0, conclusion: 'Kết luận mục 1.' }), item('2', { conclusion: 'Kết luận mục 2.' })];
    const current = (id: string, previous: string) => ({ item_id: id, became_current_at: '2026-11-25T09:20:00Z', previous_item_id: previous });
    routes = (c) => {
      if (c.method !== 'PUT' || c.path !== '/meetings/m/agenda/current') return undefined;
      const id = (c.body as { item_id: string }).item_id;
      return { status: 200, body: current(id, id === '2' ? '1' : '2') };
    };
    const hub = await openCockpit();
    typeInto(text(), 'Kết luận mục 1, có bổ sung.');
    await settle();
    click(byTestId(root, 'next-item')[0]);
    await settle(12);
    expect(calls.filter((c) => c.method === 'PUT'), 'the first press only warns').toHaveLength(0);
    expect(byTestId(root, 'conclusion-leave')[0]?.textContent).toBe(t('chair.conclusion.leaveUnsaved'));
    expect(text().value).toBe('Kết luận mục 1, có bổ sung.');
    click(byTestId(root, 'next-item')[0]);
    await settle(12);
    hub.msg({ seq: 11, type: 'agenda.current', data: current('2', '1') });
    await settle(12);
    expect(calls.filter((c) => c.method === 'PUT'), 'the second press moves on').toHaveLength(1);
    expect(text().value).toBe('Kết luận mục 2.');
    expect(byTestId(root, 'conclusion-kept')[0]?.textContent).toBe(t('chair.conclusion.kept', { items: '1' }));
    // The session goes back to item 1 (here, from the desk): the draft is there again, still not saved.
    hub.msg({ seq: 12, type: 'agenda.current', data: current('1', '2') });
    await settle(12);
    expect(text().value).toBe('Kết luận mục 1, có bổ sung.');
    expect(byTestId(root, 'conclusion-unsaved')).toHaveLength(1);
    expect(byTestId(root, 'conclusion-kept')).toHaveLength(0);
  });

  it('what the chair types while a save is on its way is not thrown away when the answer comes', async () => {
    // The box stays open while saving; the answer must not replace what was typed meanwhile.
    agendaItems = [item('1', { status: 'current', became_current_at: T0 })];
    let release: (a: Answer) => void = () => {};
    routes = (c) => (c.method === 'PATCH' && c.path === '/agenda-items/1'
      ? new Promise<Answer>((r) => (release = r))
      : undefined);
    await openCockpit();
    typeInto(text(), 'Thống nhất thông qua.');
    await settle();
    click(save());
    await settle();
    expect(text().disabled, 'the box can still be typed in while saving').toBe(false);
    // The chair goes on writing while the PATCH is on its way…
    typeInto(text(), 'Thống nhất thông qua. Giao Văn phòng hoàn thiện hồ sơ.');
    await settle();
    // …and the server answers the first save.
    release({ status: 200, body: item('1', { status: 'current', became_current_at: T0, conclusion: 'Thống nhất thông qua.' }) });
    await settle(12);
    expect(toasts(root)).toContain(t('chair.conclusion.saved'));
    expect(text().value, 'the words typed after Save are still there').toBe('Thống nhất thông qua. Giao Văn phòng hoàn thiện hồ sơ.');
    expect(byTestId(root, 'conclusion-unsaved'), 'and they are shown as not saved yet').toHaveLength(1);
    expect(byTestId(root, 'conclusion-clash'), 'the chair\'s own save is no change from elsewhere').toHaveLength(0);
    expect(save().disabled).toBe(false);
  });

  it("a conclusion written at the desk after the chair's save is not replaced by the chair's late answer", async () => {
    // The server publishes after its commit: agenda.changed can come before the HTTP answer.
    agendaItems = [item('1', { status: 'current', became_current_at: T0 })];
    let release: (a: Answer) => void = () => {};
    routes = (c) => (c.method === 'PATCH' && c.path === '/agenda-items/1'
      ? new Promise<Answer>((r) => (release = r))
      : undefined);
    const hub = await openCockpit();
    typeInto(text(), 'Thông qua.');
    await settle();
    click(save());
    await settle();
    const published = (seq: number, conclusion: string) => {
      agendaItems = [item('1', { status: 'current', became_current_at: T0, conclusion })];
      hub.msg({ seq, type: 'agenda.changed', data: agendaBody() });
    };
    // The server commits the chair's text and publishes it: that is no change from elsewhere.
    published(11, 'Thông qua.');
    await settle();
    expect(byTestId(root, 'conclusion-clash'), 'the chair\'s own text coming back is no clash').toHaveLength(0);
    // The secretary then corrects it at the desk, and that is published too; only then does the chair's answer arrive.
    published(12, 'Thông qua, giao Văn phòng hoàn thiện.');
    await settle();
    release({ status: 200, body: item('1', { status: 'current', became_current_at: T0, conclusion: 'Thông qua.' }) });
    await settle(12);
    // The server (and so the minutes) has the secretary's text, and the box shows it, saved.
    expect(text().value).toBe('Thông qua, giao Văn phòng hoàn thiện.');
    expect(byTestId(root, 'conclusion-unsaved')).toHaveLength(0);
    expect(save().disabled).toBe(true);
    // A later change from the desk is followed as any other (the box's baseline is the desk's text).
    published(13, 'Thông qua, giao Văn phòng và Sở Tài chính.');
    await settle();
    expect(text().value).toBe('Thông qua, giao Văn phòng và Sở Tài chính.');
    expect(byTestId(root, 'conclusion-clash')).toHaveLength(0);
  });

  it('the secretary and an administrator running the cockpit may write it too (the server lets them)', async () => {
    agendaItems = [item('1', { status: 'current', became_current_at: T0 })];
    for (const [role, user] of [['secretary', { ...me, id: 'u-sec' }], ['', { ...me, id: 'u-admin', is_admin: true }]] as const) {
      meeting = meetingOf({ my_role: role });
      await openCockpit(user);
      expect(byTestId(root, 'chair-conclusion'), `${role || 'admin'} sees the box`).toHaveLength(1);
      expect(text().disabled).toBe(false);
      browser.preact.render(null, root as never);
      await settle(2);
    }
  });
});
