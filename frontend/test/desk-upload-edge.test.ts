// The edges of the desk's uploads: a confidential upload with many readers,
// and an upload whose session has ended (from a review of the desk).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setUnauthorizedHandler } from '../src/api';
import { sendUpload, uploadDocument, uploadVersion } from '../src/desk/api';
import { readerIds, uploadErrorKey, uploadFields } from '../src/desk/logic';

// The server's ids: 26 lowercase base32 characters (internal/ids.New).
const id = (n: number) => `u${n.toString(32).padStart(25, '0')}`;

// docs/http.go readForm: reader_ids may hold up to 64 KB (the 1000 readers
// an access list may have, PUT /documents/{id}/access); every other small
// field up to 4096 bytes.
const READER_IDS_LIMIT = 64 << 10;
const FIELD_LIMIT = 4096;
const MAX_READERS = 1000;

describe('a confidential upload with many readers', () => {
  const readers = Array.from({ length: MAX_READERS }, (_, i) => id(i));

  it('sends all the readers in one reader_ids field the server takes', () => {
    expect(readers.every((r) => r.length === 26)).toBe(true);
    const fields = uploadFields({ item: id(5000), confidential: true, readers });
    // one field, comma-separated, every reader once, in order
    expect(fields.filter(([name]) => name === 'reader_ids')).toHaveLength(1);
    const ids = fields.find(([name]) => name === 'reader_ids')![1];
    expect(ids.split(',')).toEqual(readers);
    for (const [name, value] of fields) {
      const limit = name === 'reader_ids' ? READER_IDS_LIMIT : FIELD_LIMIT;
      expect(new TextEncoder().encode(value).length, `field ${name}`).toBeLessThanOrEqual(limit);
    }
  });

  it('puts the readers before the file, after saying it is confidential', () => {
    expect(uploadFields({ confidential: true, readers: readers.slice(0, 2) }).map(([n]) => n)).toEqual(['confidential', 'reader_ids']);
    expect(readerIds([' a ', 'a', '', 'b,c', 'b'])).toBe('a,b');
  });

  it('explains a refusal for too many readers rather than blaming the file', () => {
    // What the server answers should an upload name more than it takes.
    expect(uploadErrorKey(400, 'invalid', `the field reader_ids is too long (at most ${READER_IDS_LIMIT} bytes)`))
      .toBe('desk.upload.errTooManyReaders');
    expect(uploadErrorKey(400, 'invalid', 'user_ids: at most 1000 readers')).toBe('desk.upload.errTooManyReaders');
    // another field too long is not about the readers
    expect(uploadErrorKey(400, 'invalid', 'the field title is too long (at most 4096 bytes)')).toBe('desk.upload.errOther');
  });
});

// A stand-in XMLHttpRequest answering with what it is told, and keeping what was sent.
class FakeXHR {
  static last: FakeXHR | null = null;
  status = 0;
  statusText = '';
  responseText = '';
  withCredentials = false;
  sent: FormData | null = null;
  upload = { onprogress: null as unknown };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXHR.last = this;
  }
  open() {}
  setRequestHeader() {}
  send(body: FormData) {
    this.sent = body;
  }
  abort() {
    this.onabort?.();
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

describe('an upload whose session has ended', () => {
  const real = globalThis.XMLHttpRequest;
  beforeEach(() => {
    (globalThis as { XMLHttpRequest: unknown }).XMLHttpRequest = FakeXHR;
  });
  afterEach(() => {
    (globalThis as { XMLHttpRequest: unknown }).XMLHttpRequest = real;
    setUnauthorizedHandler(() => {});
  });
  const pdf = () => new File([new Uint8Array([37, 80, 68, 70])], 'v2.pdf', { type: 'application/pdf' });
  const gone = { error: { code: 'unauthenticated', message: 'sign in first' } };

  // Like every other desk call (request()), the upload sender sends the
  // person back to the login on a 401 rather than failing file after file.
  it('sends the person back to the login, like every other call', async () => {
    let signedOut = 0;
    setUnauthorizedHandler(() => signedOut++);
    const h = uploadVersion('d1', pdf(), () => {});
    FakeXHR.last!.answer(401, gone);
    await expect(h.promise).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(signedOut).toBe(1);
    const h2 = sendUpload('/api/v1/meetings/m/documents', pdf(), [['confidential', 'true']], () => {});
    FakeXHR.last!.answer(401, gone);
    await h2.promise.catch(() => {});
    expect(signedOut).toBe(2);
  });

  it('does not send anyone away for other refusals', async () => {
    let signedOut = 0;
    setUnauthorizedHandler(() => signedOut++);
    for (const status of [403, 400, 422]) {
      const h = uploadVersion('d1', pdf(), () => {});
      FakeXHR.last!.answer(status, { error: { code: 'x', message: 'no' } });
      await h.promise.catch(() => {});
    }
    expect(signedOut).toBe(0);
  });

  it('says the session ended, not that the file was refused', () => {
    expect(uploadErrorKey(401, 'unauthenticated', 'sign in first')).toBe('desk.upload.errSignedOut');
  });
});

describe('a confidential upload as chosen', () => {
  const real = globalThis.XMLHttpRequest;
  beforeEach(() => {
    (globalThis as { XMLHttpRequest: unknown }).XMLHttpRequest = FakeXHR;
  });
  afterEach(() => {
    (globalThis as { XMLHttpRequest: unknown }).XMLHttpRequest = real;
  });

  it('sends confidential with its readers, before the file', () => {
    const file = new File([new Uint8Array([37, 80, 68, 70])], 'm.pdf', { type: 'application/pdf' });
    uploadDocument('m', file, { confidential: true, readers: [id(1), id(2)] }, () => {}).promise.catch(() => {});
    const form = FakeXHR.last!.sent!;
    expect([...form.keys()]).toEqual(['confidential', 'reader_ids', 'file']);
    expect(form.get('confidential')).toBe('true');
    expect(form.get('reader_ids')).toBe(`${id(1)},${id(2)}`);
    // a refusal (403: an administrator who takes no part) is the desk's "not allowed", nothing stored
    expect(uploadErrorKey(403, 'forbidden', 'an administrator who does not take part in the meeting cannot make a document confidential'))
      .toBe('desk.errForbidden');
  });
});
