// The desk's documents: the fields of a confidential upload, the reader
// choice, the earlier versions, and the one XMLHttpRequest sender both
// uploads (new documents, new versions) go through.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { sendUpload, uploadDocument, uploadVersion } from '../src/desk/api';
import { chosenReaders, earlierVersions, readerIds, splitReaders, toggled, uploadErrorKey, uploadFields } from '../src/desk/logic';

describe('upload fields', () => {
  it('join the readers with commas, trimmed, without empty ids or repeats', () => {
    expect(readerIds(['u1', 'u2'])).toBe('u1,u2');
    expect(readerIds([' u1 ', '', 'u2', 'u1', '  '])).toBe('u1,u2');
    expect(readerIds(['a,b', 'c'])).toBe('c');
    expect(readerIds([])).toBe('');
  });

  it('send an open upload without confidential or readers', () => {
    expect(uploadFields({})).toEqual([]);
    expect(uploadFields({ item: '' })).toEqual([]);
    expect(uploadFields({ item: 'it1' })).toEqual([['agenda_item_id', 'it1']]);
    // readers left over from an earlier choice are not sent with an open file
    expect(uploadFields({ item: 'it1', confidential: false, readers: ['u1'] })).toEqual([['agenda_item_id', 'it1']]);
  });

  it('send a confidential upload as such, with its readers, or with none', () => {
    expect(uploadFields({ item: 'it1', confidential: true, readers: ['u2', 'u1', 'u2'] })).toEqual([
      ['agenda_item_id', 'it1'], ['confidential', 'true'], ['reader_ids', 'u2,u1'],
    ]);
    expect(uploadFields({ confidential: true, readers: [] })).toEqual([['confidential', 'true']]);
    expect(uploadFields({ confidential: true })).toEqual([['confidential', 'true']]);
  });
});

describe('reader choice', () => {
  const ps = [
    { user_id: 'c', role: 'chair' },
    { user_id: 's', role: 'secretary' },
    { user_id: 'd1', role: 'delegate' },
    { user_id: 'o', role: 'observer' },
    { user_id: 'd2', role: 'delegate' },
  ];

  it('names the chair and the secretaries apart from those who may be chosen', () => {
    const { always, others } = splitReaders(ps);
    expect(always.map((p) => p.user_id)).toEqual(['c', 's']);
    expect(others.map((p) => p.user_id)).toEqual(['d1', 'o', 'd2']);
  });

  it('keeps only chosen readers who still may be chosen, in the participants order', () => {
    expect(chosenReaders(new Set(['d2', 'd1']), ps)).toEqual(['d1', 'd2']);
    // gone from the meeting, or now the chair: not sent
    expect(chosenReaders(new Set(['gone', 'c', 'o']), ps)).toEqual(['o']);
    expect(chosenReaders(new Set(), ps)).toEqual([]);
  });

  it('toggles into a new set', () => {
    const a = new Set(['x']);
    const b = toggled(a, 'y', true);
    expect([...b].sort()).toEqual(['x', 'y']);
    expect([...a]).toEqual(['x']);
    expect([...toggled(b, 'x', false)]).toEqual(['y']);
    expect([...toggled(b, 'z', false)].sort()).toEqual(['x', 'y']);
  });
});

describe('earlier versions', () => {
  it('leaves out the current one, newest first', () => {
    const vs = [{ version: 1 }, { version: 3 }, { version: 2 }];
    expect(earlierVersions(3, vs).map((v) => v.version)).toEqual([2, 1]);
    expect(earlierVersions(1, [{ version: 1 }])).toEqual([]);
    expect(earlierVersions(2, undefined)).toEqual([]);
  });

  it('explains a refused version or reader list', () => {
    expect(uploadErrorKey(422, 'unprocessable', 'user_ids: "x" is not a participant of this meeting')).toBe('desk.upload.errReaders');
    expect(uploadErrorKey(404, 'not_found', 'no such document')).toBe('desk.errNotFound');
  });
});

// A stand-in XMLHttpRequest that records what is sent and answers as told.
class FakeXHR {
  static last: FakeXHR | null = null;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: FormData | null = null;
  withCredentials = false;
  status = 0;
  statusText = '';
  responseText = '';
  aborted = false;
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXHR.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  send(body: FormData) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = typeof body === 'string' ? body : JSON.stringify(body);
    this.onload?.();
  }
}

const parts = (f: FormData) => [...f.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : `file:${(v as File).name}`]);

describe('the upload sender', () => {
  const real = globalThis.XMLHttpRequest;
  beforeEach(() => {
    (globalThis as { XMLHttpRequest: unknown }).XMLHttpRequest = FakeXHR;
    FakeXHR.last = null;
  });
  afterEach(() => {
    (globalThis as { XMLHttpRequest: unknown }).XMLHttpRequest = real;
  });
  const pdf = () => new File([new Uint8Array([37, 80, 68, 70])], 'dự thảo.pdf', { type: 'application/pdf' });

  it('posts a confidential document with its readers before the file, and reports progress', async () => {
    const seen: number[] = [];
    const h = uploadDocument('m 1', pdf(), { item: 'it1', confidential: true, readers: ['u1', 'u2'] }, (f) => seen.push(f));
    const x = FakeXHR.last!;
    expect(x.method).toBe('POST');
    expect(x.url).toBe('/api/v1/meetings/m%201/documents');
    expect(x.withCredentials).toBe(true);
    expect(parts(x.body!)).toEqual([
      ['agenda_item_id', 'it1'], ['confidential', 'true'], ['reader_ids', 'u1,u2'], ['file', 'file:dự thảo.pdf'],
    ]);
    x.upload.onprogress!({ lengthComputable: true, loaded: 50, total: 200 });
    x.upload.onprogress!({ lengthComputable: false, loaded: 60, total: 0 });
    x.answer(201, { id: 'd1', title: 'dự thảo', confidential: true, readers: ['u1', 'u2'], version: 1 });
    const doc = await h.promise;
    expect(doc.confidential).toBe(true);
    expect(doc.readers).toEqual(['u1', 'u2']);
    expect(seen).toEqual([0.25, 1]);
  });

  it('posts a new version with the file alone', async () => {
    const h = uploadVersion('d/1', pdf(), () => {});
    const x = FakeXHR.last!;
    expect(x.url).toBe('/api/v1/documents/d%2F1/versions');
    expect(parts(x.body!)).toEqual([['file', 'file:dự thảo.pdf']]);
    x.answer(201, { id: 'd/1', version: 2 });
    expect((await h.promise).version).toBe(2);
  });

  it('turns a refusal into an ApiError with the server code, message and reason', async () => {
    const h = sendUpload('/x', pdf(), [], () => {});
    FakeXHR.last!.answer(422, { error: { code: 'unprocessable', message: 'the PDF is encrypted', reason: 'encrypted' } });
    const e = await h.promise.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect([(e as ApiError).status, (e as ApiError).code, (e as ApiError).message, (e as ApiError).reason])
      .toEqual([422, 'unprocessable', 'the PDF is encrypted', 'encrypted']);
  });

  it('tells a cancelled upload and a dropped connection apart', async () => {
    const h = sendUpload('/x', pdf(), [], () => {});
    h.abort();
    expect(FakeXHR.last!.aborted).toBe(true);
    expect(((await h.promise.catch((x: unknown) => x)) as ApiError).code).toBe('aborted');
    const h2 = sendUpload('/x', pdf(), [], () => {});
    FakeXHR.last!.onerror!();
    const e2 = (await h2.promise.catch((x: unknown) => x)) as ApiError;
    expect([e2.status, e2.code]).toEqual([0, 'network']);
  });

  it('refuses an answer that is not JSON, even with a 2xx status', async () => {
    const h = sendUpload('/x', pdf(), [], () => {});
    FakeXHR.last!.answer(201, '<html>');
    const e = (await h.promise.catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(201);
  });
});

// ---------------------------------------------------------------- the readers panel, rendered
//
// Ticking "confidential" on a document saves the change (PATCH) and opens
// the readers panel. The panel used to read the document at once, while
// the change was on its way: answered first, the read gave the document
// as it was (open, no access list), so the panel showed nobody chosen
// while the list kept from before already let those people read it. It
// now opens once the change is saved, with the access list of the answer.

describe('the readers panel of a document made confidential', () => {
  type Answer = import('./fake-browser').Answer;
  type Call = import('./fake-browser').Call;
  let fb: typeof import('./fake-browser');
  let browser: Awaited<ReturnType<typeof import('./fake-browser').installBrowser>>;
  let server: (c: Call) => Answer | Promise<Answer> = () => ({ status: 404, body: { error: { code: 'not_found', message: 'not found' } } });
  let root: import('./fake-browser').FElement;

  const open = {
    id: 'd1', meeting_id: 'm', agenda_item_id: null, title: 'Tờ trình', position: 0, confidential: false, version: 1,
    pages: 2, size: 2048, sha256: 'ab'.repeat(32), filename: 'to-trinh.pdf',
  };
  const person = (user_id: string, username: string, full_name: string, role: string) =>
    ({ user_id, username, full_name, role, can_vote: role !== 'observer', weight: 1 });
  const participants = [
    person('u-c', 'chutoa', 'Chủ toạ', 'chair'), person('u-s', 'thuky', 'Thư ký', 'secretary'),
    person('u-1', 'daibieu1', 'Đại biểu Một', 'delegate'), person('u-2', 'daibieu2', 'Đại biểu Hai', 'delegate'),
  ];

  beforeAll(async () => {
    fb = await import('./fake-browser');
    browser = await fb.installBrowser('/meetings/m/desk', (c) => server(c));
  });
  beforeEach(() => {
    browser.calls.length = 0;
    root = browser.doc.createElementNS(null, 'div');
    browser.doc.body.appendChild(root);
  });
  afterEach(async () => {
    browser.preact.render(null, root as never);
    root.remove();
    await fb.settle(2);
  });

  async function showDocs(doc: typeof open & { readers?: string[] }) {
    const { Documents } = await import('../src/desk/Documents');
    browser.preact.render(browser.h(Documents, {
      meetingId: 'm', docs: [doc], agenda: { meeting_id: 'm', items: [], current_item_id: null, planned_min: 0 },
      participants: participants as never, readOnly: false, confides: true, onChanged: () => {},
    }), root as never);
    await fb.settle();
  }
  const tick = (el: import('./fake-browser').FElement, on: boolean) => {
    el.checked = on;
    fb.dispatch(el, fb.event('change', el));
  };
  const box = (username: string) => fb.find(root, (e) => e.getAttribute('data-user') === username)[0];
  const reads = () => browser.calls.filter((c) => c.method === 'GET' && c.path === '/documents/d1');

  it('opens once the change is saved, with the access list of the answer, even when a read would still find the document open', async () => {
    // The server: the document is open, with u-1 on the access list kept
    // from before, until the PATCH is answered (which the test holds).
    let stored: typeof open & { readers?: string[] } = { ...open };
    let answer = () => {};
    server = (c) => {
      if (c.method === 'GET' && c.path === '/documents/d1') return { status: 200, body: stored };
      if (c.method === 'PATCH' && c.path === '/documents/d1') {
        return new Promise<Answer>((r) => {
          answer = () => {
            stored = { ...open, confidential: true, readers: ['u-1'] };
            r({ status: 200, body: stored });
          };
        });
      }
      return { status: 404, body: { error: { code: 'not_found', message: 'not found' } } };
    };
    await showDocs(open);
    tick(fb.byTestId(root, 'doc-confidential')[0], true);
    await fb.settle();
    expect(browser.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ confidential: true }]);
    // While the change is on its way: no panel, no read of the document, and no button to open the panel with.
    expect(fb.byTestId(root, 'readers')).toHaveLength(0);
    expect(reads()).toHaveLength(0);
    expect(fb.byTestId(root, 'doc-readers')[0]?.disabled).toBe(true);

    answer();
    await fb.settle(12);
    expect(fb.byTestId(root, 'readers'), 'the panel opens once the change is saved').toHaveLength(1);
    expect(box('daibieu1').checked, 'the reader on the kept access list is shown chosen').toBe(true);
    expect(box('daibieu2').checked).toBe(false);
    expect(reads(), 'the answer gave the list: nothing read again').toHaveLength(0);
  });

  it('stays closed, the box unticked, when the change is refused', async () => {
    server = (c) => (c.method === 'PATCH'
      ? { status: 403, body: { error: { code: 'forbidden', message: 'you cannot make a document confidential without being one of its readers' } } }
      : { status: 404, body: { error: { code: 'not_found', message: 'not found' } } });
    await showDocs(open);
    tick(fb.byTestId(root, 'doc-confidential')[0], true);
    await fb.settle(12);
    expect(fb.byTestId(root, 'readers')).toHaveLength(0);
    expect(fb.byTestId(root, 'doc-confidential')[0].checked).toBe(false);
    expect(reads()).toHaveLength(0);
  });

  it('opened with its button on a document already confidential, reads the access list', async () => {
    const secret = { ...open, confidential: true };
    server = (c) => (c.method === 'GET' && c.path === '/documents/d1'
      ? { status: 200, body: { ...secret, readers: ['u-2'] } }
      : { status: 404, body: { error: { code: 'not_found', message: 'not found' } } });
    await showDocs(secret);
    fb.click(fb.byTestId(root, 'doc-readers')[0]);
    await fb.settle(12);
    expect(reads()).toHaveLength(1);
    expect(box('daibieu2').checked).toBe(true);
    expect(box('daibieu1').checked).toBe(false);
  });
});
