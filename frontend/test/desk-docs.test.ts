// The desk's documents: the fields of a confidential upload, the reader
// choice, the earlier versions, and the one XMLHttpRequest sender both
// uploads (new documents, new versions) go through.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
