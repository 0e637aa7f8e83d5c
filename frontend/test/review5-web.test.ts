// Review 5 of today's web-app changes (/work/notes/review5-web.md): each
// test here fails on the code as reviewed, because of the defect it names.
// The secretary's desk is rendered whole, with Preact, into the small DOM of
// fake-browser.ts, against a fake REST server (whose answers a test may hold
// back), a fake live hub and a stand-in XMLHttpRequest for the uploads.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byTestId, choose, click, dispatch, event, FakeSocket, find, installBrowser, lastSocket, notFound, settle,
  type Answer, type Call, type FElement,
} from './fake-browser';

vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

const me = { id: 'u-sec', username: 'thuky', full_name: 'Nguyễn Thư Ký', is_admin: false };
const meetingOf = (over: Record<string, unknown> = {}) => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: 'Phiên thường lệ', location: 'Phòng A', starts_at: null, status: 'scheduled',
  quorum: { rule: 'majority', by_weight: true }, started_at: null, closed_at: null, my_role: 'secretary', ...over,
});
const person = (user_id: string, username: string, full_name: string, role: string, over: Record<string, unknown> = {}) =>
  ({ user_id, username, full_name, role, can_vote: role === 'chair' || role === 'delegate', weight: 1, ...over });
const docOf = (over: Record<string, unknown> = {}) => ({
  id: 'd1', meeting_id: 'm', agenda_item_id: null, title: 'to-trinh-12', position: 0, confidential: false, version: 1,
  // The server's hash of the bytes it received: those of the file the test uploads ("%PDF-").
  pages: 1, size: 5, sha256: '38523c087796e5d5dd1cf9bad1fb026781a838dd9dd2cf8af58b9f6502a46778', filename: 'to-trinh-12.pdf', ...over,
});

// What the fake server holds; each test changes it as "another desk" would.
let meeting = meetingOf();
let participants = [person('u-sec', 'thuky', 'Nguyễn Thư Ký', 'secretary'), person('u-lan', 'lan', 'Trần Thị Lan', 'delegate')];
let documents: unknown[] = [];

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/meetings/m' && c.method === 'GET') return { status: 200, body: meeting };
  if (p === '/meetings/m/participants' && c.method === 'GET') return { status: 200, body: { participants } };
  if (p.startsWith('/meetings/m/participants/') && c.method === 'PUT') return { status: 200, body: { ...participants[1], ...(c.body as object) } };
  if (p === '/meetings/m/attendance' && c.method === 'GET') return { status: 200, body: { attendance: [] } };
  if (p === '/meetings/m/quorum') {
    return { status: 200, body: { rule: { rule: 'majority', by_weight: true }, eligible: 1, present: 0, remote: 0, absent: 0, unknown: 1, attending: 0, required: 1, reached: false } };
  }
  if (p === '/meetings/m/agenda' && c.method === 'GET') return { status: 200, body: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 } };
  if (p === '/meetings/m/documents' && c.method === 'GET') return { status: 200, body: { documents } };
  if (p === '/users') return { status: 200, body: { users: [] } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

// A stand-in XMLHttpRequest (the uploads' sender): keeps every request; the test plays the network.
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
  participants = [person('u-sec', 'thuky', 'Nguyễn Thư Ký', 'secretary'), person('u-lan', 'lan', 'Trần Thị Lan', 'delegate')];
  documents = [];
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
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

/** The hub tells of a change; the desk reads the slice again after its 120 ms batching. */
async function event_(hub: FakeSocket, seq: number, type: string, data: unknown = {}) {
  hub.msg({ seq, type, data });
  await settle(8, 200);
}

const byLabel = (label: string) => find(root, (e) => e.getAttribute('aria-label') === label)[0];

describe('participants: answers that cross a live change', () => {
  it('review5: an older participants answer that arrives after a newer one does not put the old weight back, nor does a role change then write it back', async () => {
    const hub = await openDesk();
    const weight = () => byLabel(t('desk.people.weightOf', { name: 'Trần Thị Lan' }));
    expect(weight().value).toBe('1');
    // A first change elsewhere (Lan's vote, say): the desk reads the list again, and that answer is slow
    // (it was read on the server before what follows).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let gated = true;
    routes = async (c) => {
      if (c.method !== 'GET' || c.path !== '/meetings/m/participants' || !gated) return undefined;
      gated = false;
      const then = JSON.parse(JSON.stringify(participants)) as typeof participants;
      await held;
      return { status: 200, body: { participants: then } };
    };
    await event_(hub, 11, 'participants.changed');
    // Then the chair gives Lan a weight of 3: this change's read is answered at once.
    participants = [participants[0], person('u-lan', 'lan', 'Trần Thị Lan', 'delegate', { weight: 3 })];
    await event_(hub, 12, 'participants.changed');
    expect(weight().value).toBe('3');
    // The first, older answer arrives last.
    release();
    await settle(12);
    expect.soft(weight().value, 'the older answer put the old weight back on the screen').toBe('3');
    // The secretary makes Lan chair: the route replaces role, vote and weight together.
    choose(byLabel(t('desk.people.roleOf', { name: 'Trần Thị Lan' })), 'chair');
    await settle(12);
    const put = calls.filter((c) => c.method === 'PUT').at(-1);
    expect(put?.body, "the role change wrote back the weight of before, undoing the chair's change").toMatchObject({ role: 'chair', weight: 3 });
  });
});

describe('uploads: a retry after the file was stored', () => {
  it('review5: after the connection dropped once the whole file was sent and the server stored it, "Thử lại" does not upload it a second time', async () => {
    await openDesk();
    const hub = lastSocket()!;
    const input = byTestId(root, 'file-input')[0] as FElement & { files?: File[] };
    input.files = [new File([new Uint8Array([37, 80, 68, 70, 45])], 'to-trinh-12.pdf', { type: 'application/pdf' })];
    dispatch(input, event('change', input));
    await settle();
    expect(FakeXHR.all).toHaveLength(1);
    // Every byte went up: the line says the server is checking the file.
    FakeXHR.all[0].upload.onprogress!({ lengthComputable: true, loaded: 5, total: 5 });
    await settle();
    const line = () => byTestId(root, 'upload').find((l) => l.textContent.includes('to-trinh-12.pdf'))!;
    expect(line().getAttribute('data-state')).toBe('checking');
    // The server stores it (the desk hears of it and lists it), but the tablet's connection drops before the answer.
    documents = [docOf()];
    await event_(hub, 11, 'document.added', documents[0]);
    expect(byTestId(root, 'doc-title').map((e) => e.textContent)).toEqual(['to-trinh-12']);
    FakeXHR.all[0].onerror!();
    await settle();
    expect(line().getAttribute('data-state')).toBe('failed');
    // The secretary presses "Thử lại" if offered: the document is already in the meeting.
    const retry = byLabel(t('desk.upload.retryOf', { name: 'to-trinh-12.pdf' }));
    if (retry) click(retry);
    await settle(12);
    expect(FakeXHR.all, 'the same file went up again: the meeting now has it twice').toHaveLength(1);
  });
});

describe('the app starting while another tab signs in', () => {
  it("review5: the first /me, asked at start and answered after another tab's sign-in, does not put its user on this tab's screens", async () => {
    const people: Record<string, { id: string; username: string; full_name: string; is_admin: boolean }> = {
      an: { id: 'an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false },
      binh: { id: 'binh', username: 'daibieu2', full_name: 'Trần Văn Bình', is_admin: false },
    };
    // The browser's shared state: the signed-in flag (localStorage, heard by other tabs as 'storage') and the session cookie.
    const KEY = 'curia.signedIn';
    const store = new Map<string, string>([[KEY, '1']]);
    const win = new EventTarget();
    vi.stubGlobal('window', win);
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    });
    vi.stubGlobal('location', { pathname: '/', protocol: 'http:', host: 'h', hash: '' });
    let session = 'an';
    // The /me this tab asks as it starts is slow; any later one is answered at once.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let first = true;
    routes = async (c) => {
      if (c.path === '/meetings') return { status: 200, body: { meetings: [] } };
      if (c.path !== '/me') return undefined;
      const who = session;
      if (first) {
        first = false;
        await held;
      }
      return { status: 200, body: people[who] };
    };
    const { App } = await import('../src/ui/App');
    browser.preact.render(browser.h(App, {}), root as never);
    await settle(12);
    // Before that /me is answered, Bình signs in in another tab: the cookie is Bình's now.
    session = 'binh';
    win.dispatchEvent(Object.assign(new Event('storage'), { key: KEY }));
    await settle(20, 5);
    expect(root.textContent).toContain('Trần Văn Bình');
    // The first /me (asked while the session was An's) answers last.
    release();
    await settle(20, 5);
    expect(root.textContent, "this tab now shows An's screens while everything it sends goes under Bình's session").not.toContain('Nguyễn Văn An');
  });
});
