// The desk's remarks A3–A7 of review 4 (/work/notes/review4-desk.md):
// the "choose a user" error tied to its field, a failed upload retried
// from its line, files that are plainly not PDFs never sent, the user list
// read again when the add form's select is opened, and a role change that
// keeps the participant's vote. The whole desk is rendered in Vietnamese
// with Preact into the small DOM of fake-browser.ts, against a fake REST
// server, a fake live hub and a stand-in XMLHttpRequest for the uploads.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byName, byTestId, choose, click, dispatch, event, FakeSocket, find, installBrowser, lastSocket, notFound, settle, toasts,
  type Answer, type Call, type FElement,
} from './fake-browser';

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

const me = { id: 'u-sec', username: 'thuky', full_name: 'Nguyễn Thư Ký', is_admin: false };
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: 'Phiên thường lệ', location: 'Phòng A', starts_at: null, status: 'scheduled',
  quorum: { rule: 'majority', by_weight: false }, started_at: null, closed_at: null, my_role: 'secretary', ...over,
});
const person = (user_id: string, username: string, full_name: string, role: string, over: Record<string, unknown> = {}) =>
  ({ user_id, username, full_name, role, can_vote: role === 'chair' || role === 'delegate', weight: 1, ...over });
const account = (id: string, username: string, full_name: string) => ({ id, username, full_name, is_admin: false, disabled: false });
const itemOf = (over: Record<string, unknown> = {}) => ({
  id: 'i1', parent_id: null, number: '1', title: 'Báo cáo tình hình kinh tế - xã hội', duration_min: 10, total_min: 10,
  presenter_id: null, presenter_name: '', status: 'pending', became_current_at: null, done_at: null, conclusion: '', items: [], ...over,
});

// What the fake server holds; a test changes it as "another desk" would.
let meeting = meetingOf();
let participants: ReturnType<typeof person>[] = [];
let users: ReturnType<typeof account>[] = [];
let items: unknown[] = [];

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m' && c.method === 'GET') return { status: 200, body: meeting };
  if (p === '/meetings/m/participants' && c.method === 'GET') return { status: 200, body: { participants } };
  if (p === '/meetings/m/attendance') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/quorum') {
    return { status: 200, body: { rule: { rule: 'majority' }, eligible: 2, present: 0, remote: 0, absent: 0, unknown: 2, attending: 0, required: 2, reached: false } };
  }
  if (p === '/meetings/m/agenda' && c.method === 'GET') return { status: 200, body: { meeting_id: 'm', items, current_item_id: null, planned_min: 10 } };
  if (p === '/meetings/m/documents' && c.method === 'GET') return { status: 200, body: { documents: [] } };
  if (p === '/users' && c.method === 'GET') return { status: 200, body: { users } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

// A stand-in XMLHttpRequest (the uploads' sender): keeps every request, answers as the test says.
class FakeXHR {
  static all: FakeXHR[] = [];
  url = '';
  body: FormData | null = null;
  withCredentials = false;
  status = 0;
  statusText = '';
  responseText = '';
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXHR.all.push(this);
  }
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader() {}
  send(body: FormData) {
    this.body = body;
  }
  abort() {
    this.onabort?.();
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
  /** The parts sent, the file as "file:name". */
  get parts() {
    return [...this.body!.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : `file:${(v as File).name}`]);
  }
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
  FakeXHR.all = [];
  vi.stubGlobal('XMLHttpRequest', FakeXHR);
  meeting = meetingOf();
  participants = [person('u-sec', 'thuky', 'Nguyễn Thư Ký', 'secretary')];
  users = [account('u-sec', 'thuky', 'Nguyễn Thư Ký'), account('u-lan', 'lan', 'Trần Thị Lan')];
  items = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  vi.restoreAllMocks();
  await settle(2);
});

async function openDesk() {
  const { Desk } = await import('../src/desk/Desk');
  browser.preact.render(browser.h(Desk, { id: 'm', me, onSignOut: () => {} }), root as never);
  await settle(12);
  const hub = lastSocket()!;
  hub.open();
  hub.msg({ type: 'snapshot', seq: 10, data: { epoch: 'E', state: { meeting } } });
  await settle();
  return hub;
}

const byLabel = (label: string) => find(root, (e) => e.getAttribute('aria-label') === label)[0];
const byId = (id: string) => find(root, (e) => e.getAttribute('id') === id)[0];
const puts = () => calls.filter((c) => c.method === 'PUT');
/** The confirmations shown (not the failures), oldest first. */
const confirmations = () => find(root, (e) => e.getAttribute('class') === 'toast').map((e) => e.textContent);

const pdf = (name: string) => new File([new Uint8Array([37, 80, 68, 70, 45])], name, { type: 'application/pdf' });

/** The secretary picks files in the documents' file chooser. */
async function pick(...files: File[]) {
  const input = byTestId(root, 'file-input')[0] as FElement & { files?: File[] };
  input.files = files;
  dispatch(input, event('change', input));
  await settle();
}

/** The upload line of a file. */
const line = (name: string) => byTestId(root, 'upload').find((l) => l.textContent.includes(name))!;
const retryOf = (name: string) => byLabel(t('desk.upload.retryOf', { name }));

describe('A3: the "choose a user" error is tied to its field', () => {
  it('the user select points at its error while it is shown (aria-describedby), and no longer once a user is chosen', async () => {
    await openDesk();
    const form = byTestId(root, 'add-participant')[0];
    const select = () => byName(form, 'user');
    expect(select().getAttribute('aria-describedby'), 'no error yet, nothing to point at').toBeNull();
    click(byTestId(root, 'add-participant-submit')[0]);
    await settle();
    expect(select().getAttribute('aria-invalid')).toBe('true');
    const id = select().getAttribute('aria-describedby');
    expect(id, 'the error is not tied to the select').toBeTruthy();
    expect(byId(id!)?.textContent).toBe(t('desk.people.pickUser'));
    // Choosing a user clears the error, and the select no longer points at an element that is gone.
    choose(select(), 'u-lan');
    await settle();
    expect(select().getAttribute('aria-describedby')).toBeNull();
    expect(select().getAttribute('aria-invalid')).not.toBe('true');
    expect(find(form, (e) => e.textContent === t('desk.people.pickUser') && e.getAttribute('role') === 'alert')).toHaveLength(0);
  });
});

describe('A4: a failed upload is retried from its line', () => {
  it('after a dropped connection, "Thử lại" sends the same file again with the item chosen for it, without choosing it again', async () => {
    items = [itemOf()];
    await openDesk();
    choose(byTestId(root, 'upload-item')[0], 'i1');
    await settle();
    await pick(pdf('to-trinh-12.pdf'));
    expect(FakeXHR.all).toHaveLength(1);
    FakeXHR.all[0].onerror!();
    await settle();
    expect(line('to-trinh-12.pdf').getAttribute('data-state')).toBe('failed');
    expect(byTestId(line('to-trinh-12.pdf'), 'upload-error')[0].textContent).toBe(t('desk.upload.errNetwork'));
    // What is chosen now belongs to the next files, not to the one that failed.
    choose(byTestId(root, 'upload-item')[0], '');
    await settle();
    const retry = retryOf('to-trinh-12.pdf');
    expect(retry, 'the failed line offers no "Thử lại"').toBeTruthy();
    expect(retry.textContent).toBe(t('desk.upload.retry'));
    click(retry);
    await settle();
    expect(FakeXHR.all, 'the retry sent nothing').toHaveLength(2);
    expect(FakeXHR.all[1].parts).toEqual([['agenda_item_id', 'i1'], ['file', 'file:to-trinh-12.pdf']]);
    expect(line('to-trinh-12.pdf').getAttribute('data-state')).toBe('sending');
    expect(retryOf('to-trinh-12.pdf'), 'no retry while it goes up again').toBeUndefined();
    FakeXHR.all[1].answer(201, { id: 'd1', title: 'to-trinh-12', version: 1 });
    await settle();
    expect(line('to-trinh-12.pdf').getAttribute('data-state')).toBe('done');
    expect(toasts(root)).toContain(t('desk.upload.done', { title: 'to-trinh-12' }));
  });

  it('a server failure (5xx) or a busy server (429, 503) can be retried; a refusal that would come again (415, 422, 413) cannot', async () => {
    await openDesk();
    const answers: [string, number, unknown][] = [
      ['a-500.pdf', 500, { error: { code: 'internal', message: 'internal error' } }],
      ['b-503.pdf', 503, { error: { code: 'unavailable', message: 'try later' } }],
      ['c-429.pdf', 429, { error: { code: 'rate_limited', message: 'slow down' } }],
      ['d-415.pdf', 415, { error: { code: 'unsupported_media_type', message: 'not a PDF', reason: 'not_pdf' } }],
      ['e-422.pdf', 422, { error: { code: 'unprocessable', message: 'the PDF is encrypted', reason: 'encrypted' } }],
      ['f-413.pdf', 413, { error: { code: 'too_large', message: 'too large' } }],
    ];
    for (const [name, status, body] of answers) {
      await pick(pdf(name));
      FakeXHR.all.at(-1)!.answer(status, body);
      await settle();
      expect(line(name).getAttribute('data-state'), name).toBe('failed');
    }
    for (const name of ['a-500.pdf', 'b-503.pdf', 'c-429.pdf']) expect(retryOf(name), `${name}: no retry`).toBeTruthy();
    for (const name of ['d-415.pdf', 'e-422.pdf', 'f-413.pdf']) expect(retryOf(name), `${name}: a retry that would fail the same way`).toBeUndefined();
    expect(byTestId(line('f-413.pdf'), 'upload-error')[0].textContent).toBe(t('desk.upload.errTooLarge'));
    // A retry puts the job back in the queue: it goes up again.
    const before = FakeXHR.all.length;
    click(retryOf('b-503.pdf'));
    await settle();
    expect(FakeXHR.all).toHaveLength(before + 1);
    expect(FakeXHR.all.at(-1)!.parts).toEqual([['file', 'file:b-503.pdf']]);
  });
});

describe('A5: files that are plainly not PDFs are not uploaded', () => {
  it('a Word file and a text file are refused at once on their lines, and the PDF beside them goes up', async () => {
    await openDesk();
    const docx = new File([new Uint8Array([80, 75, 3, 4])], 'du-thao.docx', { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
    const txt = new File([new Uint8Array([104, 105])], 'ghi-chu.txt', { type: 'text/plain' });
    await pick(docx, pdf('bao-cao.pdf'), txt);
    expect(FakeXHR.all.map((x) => x.parts.at(-1)), 'a file that is plainly not a PDF was sent').toEqual([['file', 'file:bao-cao.pdf']]);
    for (const name of ['du-thao.docx', 'ghi-chu.txt']) {
      expect(line(name).getAttribute('data-state'), name).toBe('failed');
      expect(byTestId(line(name), 'upload-error')[0].textContent, name).toBe(t('desk.upload.errNotPdf'));
      expect(retryOf(name), `${name}: sending it again would not help`).toBeUndefined();
    }
    expect(line('bao-cao.pdf').getAttribute('data-state')).toBe('sending');
    FakeXHR.all[0].answer(201, { id: 'd1', title: 'bao-cao', version: 1 });
    await settle();
    expect(line('bao-cao.pdf').getAttribute('data-state')).toBe('done');
    // A PDF named without ".pdf" (its type says so) and a ".PDF" without a type still go up: the server judges those.
    await pick(new File([new Uint8Array([37, 80, 68, 70])], 'scan', { type: 'application/pdf' }), new File([new Uint8Array([37, 80, 68, 70])], 'QUYET-DINH.PDF'));
    expect(FakeXHR.all).toHaveLength(3);
  });

  it('a new version that is plainly not a PDF is not sent either', async () => {
    // A document to give a new version to.
    routes = (c) => (c.path === '/meetings/m/documents' && c.method === 'GET'
      ? { status: 200, body: { documents: [{ id: 'd1', meeting_id: 'm', agenda_item_id: null, title: 'Tờ trình', position: 0, confidential: false, version: 1, pages: 1, size: 10, sha256: 'ab'.repeat(32), filename: 'to-trinh.pdf' }] } }
      : undefined);
    await openDesk();
    const input = byTestId(root, 'doc-version-input')[0] as FElement & { files?: File[] };
    expect(input).toBeTruthy();
    input.files = [new File([new Uint8Array([104, 105])], 'ghi-chu.txt', { type: 'text/plain' })];
    dispatch(input, event('change', input));
    await settle();
    expect(FakeXHR.all).toHaveLength(0);
    const ver = byTestId(root, 'version-upload')[0];
    expect(ver.getAttribute('data-state')).toBe('failed');
    expect(byTestId(ver, 'upload-error')[0].textContent).toBe(t('desk.upload.errNotPdf'));
  });
});

describe('A6: the user list is read again when the add form is used', () => {
  it('an account created elsewhere shows in the select once it is focused, at most once every few seconds', async () => {
    await openDesk();
    const select = () => byName(byTestId(root, 'add-participant')[0], 'user');
    const userReads = () => calls.filter((c) => c.method === 'GET' && c.path === '/users').length;
    expect(userReads()).toBe(1);
    // An administrator creates an account in another tab.
    users = [...users, account('u-hung', 'hung', 'Phạm Văn Hùng')];
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 10_000);
    dispatch(select(), event('focus', select()));
    await settle();
    expect(userReads(), 'the list was not read again').toBe(2);
    expect(find(select(), (e) => e.localName === 'option' && e.textContent.includes('Phạm Văn Hùng')), 'the new account is not offered').toHaveLength(1);
    // Opening it again at once does not read it again.
    dispatch(select(), event('mousedown', select()));
    dispatch(select(), event('focus', select()));
    await settle();
    expect(userReads()).toBe(2);
    clock.mockReturnValue(now + 20_000);
    dispatch(select(), event('mousedown', select()));
    await settle();
    expect(userReads(), 'opened again a while later, the list is read again').toBe(3);
  });
});

describe('A7: a role change keeps the vote', () => {
  const roleOf = (name: string) => byLabel(t('desk.people.roleOf', { name }));

  it('a delegate deliberately without a vote, made chair, stays without a vote (can_vote sent as it was)', async () => {
    participants = [...participants, person('u-lan', 'lan', 'Trần Thị Lan', 'delegate', { can_vote: false, weight: 2 })];
    routes = (c) => (c.method === 'PUT' ? { status: 200, body: { ...(c.body as object) } } : undefined);
    await openDesk();
    choose(roleOf('Trần Thị Lan'), 'chair');
    await settle(12);
    expect(puts().map((c) => c.body)).toEqual([{ role: 'chair', can_vote: false, weight: 2 }]);
    expect(confirmations().at(-1)).toBe(t('desk.people.changedKeptNoVote', { name: 'Trần Thị Lan' }));
  });

  it('a delegate with a vote made secretary keeps it; made observer loses it, and the toast says so', async () => {
    participants = [...participants, person('u-lan', 'lan', 'Trần Thị Lan', 'delegate'), person('u-hung', 'hung', 'Phạm Văn Hùng', 'delegate')];
    routes = (c) => (c.method === 'PUT' ? { status: 200, body: { ...(c.body as object) } } : undefined);
    await openDesk();
    choose(roleOf('Trần Thị Lan'), 'secretary');
    await settle(12);
    expect(puts().map((c) => c.body)).toEqual([{ role: 'secretary', can_vote: true, weight: 1 }]);
    expect(confirmations().at(-1)).toBe(t('desk.people.changedKeptVote', { name: 'Trần Thị Lan' }));
    choose(roleOf('Phạm Văn Hùng'), 'observer');
    await settle(12);
    expect(puts().map((c) => c.body)[1]).toEqual({ role: 'observer', can_vote: false, weight: 1 });
    expect(confirmations().at(-1)).toBe(t('desk.people.changedNoVote', { name: 'Phạm Văn Hùng' }));
  });

  it('a role change that leaves the vote as the new role has it by default is a plain "updated"', async () => {
    participants = [...participants, person('u-lan', 'lan', 'Trần Thị Lan', 'delegate')];
    routes = (c) => (c.method === 'PUT' ? { status: 200, body: { ...(c.body as object) } } : undefined);
    await openDesk();
    choose(roleOf('Trần Thị Lan'), 'chair');
    await settle(12);
    expect(puts().map((c) => c.body)).toEqual([{ role: 'chair', can_vote: true, weight: 1 }]);
    expect(confirmations().at(-1)).toBe(t('desk.people.changed', { name: 'Trần Thị Lan' }));
  });
});
