// The fixes for review 5 (/work/notes/review5-web.md), beyond its own tests
// (review5-web.test.ts): every desk slice takes the latest read only, a
// retry after an upload that may have been stored looks for the file first
// (by its SHA-256) and sends it again only when it is not there, a weight
// committed by clicking the row's vote box no longer swallows that click,
// the toasts' regions are not atomic, and annot/backend.ts hears another
// tab's sign-in from the moment it is loaded (and one heard before).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byTestId, choose, click, disabledControl, dispatch, event, FakeSocket, find, installBrowser, lastSocket, notFound, settle, typeInto,
  type Answer, type Call, type FElement,
} from './fake-browser';

vi.mock('../src/ui/prefetch', () => ({ prefetchRoom: () => {} }));

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

const me = { id: 'u-sec', username: 'thuky', full_name: 'Nguyễn Thư Ký', is_admin: false };
const meetingOf = () => ({
  id: 'm', title: 'Kỳ họp thứ 5', description: '', location: 'Phòng A', starts_at: null, status: 'scheduled',
  quorum: { rule: 'majority', by_weight: true }, started_at: null, closed_at: null, my_role: 'secretary',
});
const person = (user_id: string, username: string, full_name: string, role: string, over: Record<string, unknown> = {}) =>
  ({ user_id, username, full_name, role, can_vote: role === 'chair' || role === 'delegate', weight: 1, ...over });

// The file the tests upload ("%PDF-") and its SHA-256, as the server would store it (docs/stage.go).
const BYTES = [37, 80, 68, 70, 45];
const SUM = '38523c087796e5d5dd1cf9bad1fb026781a838dd9dd2cf8af58b9f6502a46778';
const pdf = () => new File([new Uint8Array(BYTES)], 'to-trinh-12.pdf', { type: 'application/pdf' });
const docOf = (over: Record<string, unknown> = {}) => ({
  id: 'd1', meeting_id: 'm', agenda_item_id: null, title: 'to-trinh-12', position: 0, confidential: false, version: 1,
  pages: 1, size: 5, sha256: SUM, filename: 'to-trinh-12.pdf', ...over,
});

let meeting = meetingOf();
let participants = [person('u-sec', 'thuky', 'Nguyễn Thư Ký', 'secretary'), person('u-lan', 'lan', 'Trần Thị Lan', 'delegate')];
let documents: Record<string, unknown>[] = [];
let fullDoc: Record<string, unknown> | null = null;

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
  if (p === '/documents/d1' && c.method === 'GET' && fullDoc) return { status: 200, body: fullDoc };
  if (p === '/users') return { status: 200, body: { users: [] } };
  if (p === '/me') return { status: 200, body: me };
  return notFound;
}

/** A stand-in XMLHttpRequest for the uploads: keeps every request; the test plays the network. */
class FakeXHR {
  static all: FakeXHR[] = [];
  url = '';
  status = 0;
  statusText = '';
  responseText = '';
  withCredentials = false;
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXHR.all.push(this);
  }
  open(_m: string, url: string) {
    this.url = url;
  }
  setRequestHeader() {}
  send() {}
  abort() {
    this.onabort?.();
  }
  /** The whole file went up. */
  sentAll() {
    this.upload.onprogress!({ lengthComputable: true, loaded: 5, total: 5 });
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload!();
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
  fullDoc = null;
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

async function event_(hub: FakeSocket, seq: number, type: string, data: unknown = {}) {
  hub.msg({ seq, type, data });
  await settle(8, 200);
}

const byLabel = (label: string) => find(root, (e) => e.getAttribute('aria-label') === label)[0];
const titles = () => byTestId(root, 'doc-title').map((e) => e.textContent);
const line = () => byTestId(root, 'upload').find((l) => l.textContent.includes('to-trinh-12.pdf'))!;
const retryButton = () => byLabel(t('desk.upload.retryOf', { name: 'to-trinh-12.pdf' }));
const listReads = () => calls.filter((c) => c.method === 'GET' && c.path === '/meetings/m/documents').length;

/** Picks the test file in the upload form: its upload starts (FakeXHR.all[0]). */
async function pick() {
  const input = byTestId(root, 'file-input')[0] as FElement & { files?: File[] };
  input.files = [pdf()];
  dispatch(input, event('change', input));
  await settle();
  expect(FakeXHR.all).toHaveLength(1);
}

describe('desk: the latest read of each slice wins', () => {
  it('an older documents answer that arrives after a newer one does not take a new document off the list', async () => {
    const hub = await openDesk();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let gated = true;
    routes = async (c) => {
      if (c.method !== 'GET' || c.path !== '/meetings/m/documents' || !gated) return undefined;
      gated = false;
      await held;
      return { status: 200, body: { documents: [] } }; // read before the document came
    };
    await event_(hub, 11, 'document.updated');
    documents = [docOf()];
    await event_(hub, 12, 'document.added', documents[0]);
    expect(titles()).toEqual(['to-trinh-12']);
    release();
    await settle(12);
    expect(titles(), 'the older answer took the new document off the list').toEqual(['to-trinh-12']);
  });

  it('the quorum a live event carries is not replaced by an older read still in flight', async () => {
    const hub = await openDesk();
    const q = (reached: boolean) => ({ rule: { rule: 'majority', by_weight: true }, eligible: 1, present: reached ? 1 : 0, remote: 0, absent: 0,
      unknown: reached ? 0 : 1, attending: reached ? 1 : 0, required: 1, reached });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let gated = true;
    routes = async (c) => {
      if (c.path !== '/meetings/m/quorum' || !gated) return undefined;
      gated = false;
      await held;
      return { status: 200, body: q(false) }; // read before Lan checked in
    };
    await event_(hub, 11, 'attendance.changed');
    hub.msg({ seq: 12, type: 'quorum.changed', data: { quorum: q(true) } });
    await settle();
    const card = () => byTestId(root, 'quorum')[0];
    expect(card().getAttribute('class')).toContain('reached');
    release();
    await settle(12);
    expect(card().getAttribute('class'), 'the older read put "not reached" back').toContain('reached');
  });
});

describe('uploads: a retry looks for a file that may have been stored', () => {
  it('after a dropped connection once the whole file was sent, a retry finds it by its SHA-256 and does not send it again', async () => {
    const hub = await openDesk();
    await pick();
    FakeXHR.all[0].sentAll();
    await settle();
    expect(line().getAttribute('data-state')).toBe('checking');
    documents = [docOf()];
    await event_(hub, 11, 'document.added', documents[0]);
    FakeXHR.all[0].onerror!();
    await settle();
    expect(line().getAttribute('data-state')).toBe('failed');
    const before = listReads();
    click(retryButton());
    await settle(20);
    expect(listReads(), 'the retry read the documents first').toBeGreaterThan(before);
    expect(FakeXHR.all, 'the same file went up again').toHaveLength(1);
    expect(line().getAttribute('data-state')).toBe('done');
    expect(line().textContent).toContain(t('desk.upload.alreadyStored'));
    expect(retryButton()).toBeUndefined();
  });

  it('a 502 after the whole file was sent: a document of the same name and size but another content is not taken for it, the file goes again', async () => {
    await openDesk();
    await pick();
    FakeXHR.all[0].sentAll();
    documents = [docOf({ sha256: 'ab'.repeat(32) })];
    FakeXHR.all[0].answer(502, { error: { code: 'bad_gateway', message: 'bad gateway' } });
    await settle();
    click(retryButton());
    await settle(20);
    expect(FakeXHR.all, 'not found: sent again').toHaveLength(2);
    expect(line().getAttribute('data-state')).toBe('sending');
  });

  it('the same file already in the meeting before this upload is not taken for it', async () => {
    documents = [docOf({ id: 'd0', title: 'ban-cu' })];
    await openDesk();
    expect(titles()).toEqual(['ban-cu']);
    await pick();
    FakeXHR.all[0].sentAll();
    FakeXHR.all[0].onerror!();
    await settle();
    click(retryButton());
    await settle(20);
    expect(FakeXHR.all, 'the copy from before is not this upload: sent again').toHaveLength(2);
  });

  it('when the documents cannot be read, nothing is sent; a later retry looks again', async () => {
    await openDesk();
    await pick();
    FakeXHR.all[0].sentAll();
    FakeXHR.all[0].onerror!();
    await settle();
    routes = (c) => (c.method === 'GET' && c.path === '/meetings/m/documents' ? 'network' : undefined);
    click(retryButton());
    await settle(20);
    expect(FakeXHR.all, 'sent without knowing whether it was stored').toHaveLength(1);
    expect(line().getAttribute('data-state')).toBe('failed');
    expect(line().textContent).toContain(t('desk.upload.errNetwork'));
    // The network is back, and the first attempt had been stored.
    routes = () => undefined;
    documents = [docOf()];
    click(retryButton());
    await settle(20);
    expect(FakeXHR.all).toHaveLength(1);
    expect(line().getAttribute('data-state')).toBe('done');
  });

  it('cancelled while still going up, the retry sends at once without reading the documents', async () => {
    await openDesk();
    await pick();
    FakeXHR.all[0].upload.onprogress!({ lengthComputable: true, loaded: 2, total: 5 });
    await settle();
    click(byLabel(t('desk.upload.cancelOf', { name: 'to-trinh-12.pdf' })));
    await settle();
    expect(line().getAttribute('data-state')).toBe('failed');
    const before = listReads();
    click(retryButton());
    await settle(20);
    expect(listReads()).toBe(before);
    expect(FakeXHR.all).toHaveLength(2);
  });

  it('cancelled while the server was checking it: the retry looks first', async () => {
    await openDesk();
    await pick();
    FakeXHR.all[0].sentAll();
    await settle();
    click(byLabel(t('desk.upload.cancelOf', { name: 'to-trinh-12.pdf' })));
    await settle();
    documents = [docOf()];
    click(retryButton());
    await settle(20);
    expect(FakeXHR.all).toHaveLength(1);
    expect(line().getAttribute('data-state')).toBe('done');
  });

  it('a new version whose answer was lost (504) is found among the versions, not sent a second time', async () => {
    documents = [docOf()];
    await openDesk();
    const input = byTestId(root, 'doc-version-input')[0] as FElement & { files?: File[] };
    input.files = [pdf()];
    dispatch(input, event('change', input));
    await settle();
    expect(FakeXHR.all).toHaveLength(1);
    expect(FakeXHR.all[0].url).toContain('/documents/d1/versions');
    FakeXHR.all[0].sentAll();
    FakeXHR.all[0].answer(504, { error: { code: 'timeout', message: 'gateway timeout' } });
    await settle();
    const ver = () => byTestId(root, 'version-upload')[0];
    expect(ver().getAttribute('data-state')).toBe('failed');
    // The server had stored it as version 2.
    const v = (n: number, sha256: string) => ({ version: n, pages: 1, size: 5, sha256, filename: 'to-trinh-12.pdf', uploaded_by: 'u-sec', uploaded_at: '2025-01-01T00:00:00Z' });
    fullDoc = { ...docOf({ version: 2 }), versions: [v(2, SUM), v(1, SUM)] };
    documents = [docOf({ version: 2 })];
    click(find(ver(), (e) => e.getAttribute('data-testid') === 'upload-retry')[0]);
    await settle(20);
    expect(calls.some((c) => c.method === 'GET' && c.path === '/documents/d1')).toBe(true);
    expect(FakeXHR.all, 'the version went up a second time').toHaveLength(1);
    expect(ver().getAttribute('data-state')).toBe('done');
  });

  it('a new version not found among the versions after the one it had goes again (the same file as version 1 does not count)', async () => {
    documents = [docOf()];
    await openDesk();
    const input = byTestId(root, 'doc-version-input')[0] as FElement & { files?: File[] };
    input.files = [pdf()];
    dispatch(input, event('change', input));
    await settle();
    FakeXHR.all[0].sentAll();
    FakeXHR.all[0].onerror!();
    await settle();
    fullDoc = { ...docOf(), versions: [{ version: 1, pages: 1, size: 5, sha256: SUM, filename: 'to-trinh-12.pdf', uploaded_by: 'u-sec', uploaded_at: '2025-01-01T00:00:00Z' }] };
    const ver = () => byTestId(root, 'version-upload')[0];
    click(find(ver(), (e) => e.getAttribute('data-testid') === 'upload-retry')[0]);
    await settle(20);
    expect(FakeXHR.all).toHaveLength(2);
  });
});

describe('participants: the weight field left by clicking the vote box', () => {
  it('the click on the vote box is not swallowed, and the vote goes after the weight, on top of it', async () => {
    await openDesk();
    const w = byLabel(t('desk.people.weightOf', { name: 'Trần Thị Lan' }));
    const box = byLabel(t('desk.people.canVoteOf', { name: 'Trần Thị Lan' }));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    routes = async (c) => {
      if (c.method !== 'PUT' || (c.body as { weight?: number }).weight !== 3 || (c.body as { can_vote?: boolean }).can_vote !== true) return undefined;
      await held; // the weight's PUT is slow
      return undefined;
    };
    dispatch(w, event('focus', w));
    typeInto(w, '3');
    await settle();
    // Pressing the box: the field loses the focus first (its weight is committed), then the click lands.
    dispatch(w, event('blur', w));
    await settle();
    expect(disabledControl(box), 'the vote box was disabled before the click landed').toBe(false);
    box.checked = false;
    dispatch(box, event('change', box));
    await settle();
    release();
    await settle(20);
    const puts = calls.filter((c) => c.method === 'PUT').map((c) => c.body);
    expect(puts).toEqual([{ role: 'delegate', can_vote: true, weight: 3 }, { role: 'delegate', can_vote: false, weight: 3 }]);
  });

  it('a role change still sends the weight the table shows', async () => {
    await openDesk();
    choose(byLabel(t('desk.people.roleOf', { name: 'Trần Thị Lan' })), 'chair');
    await settle(12);
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ role: 'chair', can_vote: true, weight: 1 }]);
  });
});

describe('toasts', () => {
  it('both regions are not atomic: only the new toast is read', async () => {
    const { Toasts, toast } = await import('../src/ui/Toast');
    browser.preact.render(browser.h(Toasts, {}), root as never);
    toast('một');
    toast('hai', true);
    await settle();
    const lists = find(root, (e) => (e.getAttribute('class') ?? '').includes('toasts-list'));
    expect(lists).toHaveLength(2);
    expect(lists.map((e) => e.getAttribute('aria-atomic'))).toEqual(['false', 'false']);
  });
});

describe('annotations: sign-ins heard from the moment the module loads', () => {
  const KEY = 'curia.signedIn';
  let session = 'an';
  let posts: string[] = [];
  let meGate: Promise<void> | null = null;
  const store = new Map<string, string>([[KEY, '1']]);
  let win: EventTarget;
  const note = (id: string) => ({
    id, document_id: 'd1', version: 0, page: 1, kind: 'note', shared: false, data: { x: 1, y: 1, text: 'riêng' }, author_id: 'an',
  });
  const otherTabSignsIn = (who: string) => {
    session = who;
    win.dispatchEvent(Object.assign(new Event('storage'), { key: KEY }));
  };

  beforeEach(() => {
    vi.resetModules();
    session = 'an';
    posts = [];
    meGate = null;
    win = new EventTarget();
    vi.stubGlobal('window', win);
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    });
    routes = async (c) => {
      if (c.path === '/me') {
        const who = session;
        if (meGate) await meGate;
        return { status: 200, body: { id: who, username: who, full_name: who, is_admin: false } };
      }
      if (c.method === 'POST' && c.path === '/documents/d1/annotations') {
        const body = c.body as { annotations: { id: string }[] };
        posts.push(...body.annotations.map((a) => `${session}:${a.id}`));
        return { status: 201, body: { annotations: body.annotations.map((a) => ({ ...a, author_id: session, rev: 1 })) } };
      }
      if (c.method === 'GET' && c.path.includes('/annotations')) return { status: 200, body: { annotations: [] } };
      return undefined;
    };
  });

  it("another tab's sign-in after the module loaded, before any document was opened, holds the queue opened next until /me says who it is", async () => {
    const { backendFor } = await import('../src/annot/backend');
    let open!: () => void;
    meGate = new Promise<void>((r) => (open = r));
    otherTabSignsIn('binh');
    await settle();
    // An's screen is still shown (the app's /me is not answered yet); An opens a document and writes a note.
    const an = await backendFor('d1', 'an');
    await an.list('d1');
    void an.create(note('an-1') as never).catch(() => {});
    await settle(10, 300);
    expect(posts, "An's note went out under Bình's session").toEqual([]);
    open();
    await settle(10, 300);
    expect(posts).toEqual([]);
  });

  it('a sign-in elsewhere heard by the app before the module loaded: the module asks who it is before any queue sends', async () => {
    const api = await import('../src/api');
    api.signedIn.watch(() => {}); // the app listens from its start
    let open!: () => void;
    meGate = new Promise<void>((r) => (open = r));
    otherTabSignsIn('an'); // An again, in another tab
    expect(api.signedIn.changedElsewhere()).toBe(1);
    const { backendFor } = await import('../src/annot/backend');
    const an = await backendFor('d1', 'an');
    await an.list('d1');
    void an.create(note('an-2') as never).catch(() => {});
    await settle(10, 300);
    expect(posts, 'sent before /me said who is signed in').toEqual([]);
    open();
    await settle(10, 300);
    expect(posts, '/me named An: her note goes').toEqual(['an:an-2']);
  });
});
