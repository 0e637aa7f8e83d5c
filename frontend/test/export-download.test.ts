// The reader's annotated copy (viewer/Viewer.tsx, GET /documents/{id}/annotated.pdf):
// the export links fetch the copy themselves instead of being followed, so a
// refusal (422 too many marks, a copy that cannot be made, 403/404, 429/503)
// is told in the room's toasts rather than as the browser's bare "failed
// download". The PDF is then handed over by a click on a link to an object
// URL (a download in the browser, and in Playwright), named as the server's
// Content-Disposition says; the links are busy while the copy is made, and a
// second tap meanwhile asks for nothing.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byTestId, dispatch, event, FElement, find, installBrowser, notFound, settle, stubViewer, toasts, type Answer,
} from './fake-browser';

const docA = { id: 'docA', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 1, confidential: false, version: 1, pages: 12, size: 1000, sha256: '' };
const PDF = '%PDF-1.7\n% the annotated copy\n';
const UTF8_NAME = 'Tờ trình – ghi chú.pdf';

/** What the server answers the next export: a Response, or 'network'. */
type ExportAnswer = Response | 'network';
let answer: () => ExportAnswer | Promise<ExportAnswer> = () => pdf();
/** Each GET of an annotated copy: its URL and the fetch options. */
const exports: { url: string; init?: RequestInit }[] = [];
/** Each click on a link made to hand a file over: where it led, the name it gave, whether it was in the page. */
const handed: { href: string; download: string; inPage: boolean }[] = [];
const created: Blob[] = [];
const revoked: string[] = [];

const pdf = (headers: Record<string, string> = {
  'Content-Disposition': `attachment; filename="T_ tr_nh _ ghi ch_.pdf"; filename*=UTF-8''${encodeURIComponent(UTF8_NAME)}`,
}) => new Response(PDF, { status: 200, headers: { 'Content-Type': 'application/pdf', ...headers } });
const refusal = (status: number, message: string, reason = '', code = 'unprocessable') =>
  new Response(JSON.stringify({ error: { code, message, ...(reason ? { reason } : {}) } }), { status, headers: { 'Content-Type': 'application/json' } });

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m', (c): Answer => {
    if (c.path.startsWith('/documents/docA/annotations')) return { status: 200, body: { annotations: [] } };
    return notFound;
  });
  const json = globalThis.fetch;
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    if (!String(url).includes('/annotated.pdf')) return json(url, init);
    exports.push({ url: String(url), init });
    const a = await answer();
    if (a === 'network') throw new TypeError('Failed to fetch');
    return a;
  });
  vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
    created.push(b as Blob);
    return `blob:http://h/${created.length}`;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation((u) => void revoked.push(u));
  const doc = browser.doc;
  (FElement.prototype as unknown as { click(): void }).click = function (this: FElement & { href?: string; download?: string }) {
    handed.push({ href: this.href ?? '', download: this.download ?? '', inPage: doc.body.contains(this) });
  };
});

afterAll(() => {
  delete (FElement.prototype as unknown as { click?: unknown }).click;
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

beforeEach(() => {
  answer = () => pdf();
  exports.length = handed.length = created.length = revoked.length = 0;
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  vi.useRealTimers();
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function openViewer(over: Record<string, unknown> = {}) {
  const { default: Viewer } = await import('../src/viewer/Viewer');
  const { Toasts } = await import('../src/ui/Toast');
  const props = { doc: docA, page: 1, region: null, liveKey: '', me: 'u1', onPage: () => {}, ...over };
  browser.preact.render(browser.h('div', null, browser.h(Viewer, props as never), browser.h(Toasts, null)), root as never);
  await settle(8);
}

/** Taps a link as a browser would; true when the page kept the browser from following it. */
function tap(testid: string): boolean {
  const el = byTestId(root, testid)[0];
  expect(el, testid).toBeDefined();
  const e = event('click', el);
  dispatch(el, e);
  return e.defaultPrevented;
}

describe('the annotated copy is fetched by the viewer, not followed as a link', () => {
  it('is handed over as a download named as the server says; busy while made; a second tap asks for nothing; its object URL is let go', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['setTimeout', 'clearTimeout'] });
    let send!: (r: Response) => void;
    answer = () => new Promise<Response>((r) => (send = r));
    await openViewer();
    const link = () => byTestId(root, 'annot-export')[0];
    // The link still leads where it did (the browser tests read it).
    expect(link().getAttribute('href')).toBe('/api/v1/documents/docA/annotated.pdf?shared=false&version=1');

    expect(tap('annot-export'), 'the browser does not follow the link itself').toBe(true);
    await settle(4);
    expect(exports.map((x) => x.url)).toEqual(['/api/v1/documents/docA/annotated.pdf?shared=false&version=1']);
    expect(exports[0].init?.credentials, 'the session cookie goes, as with every call of the app').toBe('same-origin');
    expect(exports[0].init?.method ?? 'GET').toBe('GET');
    expect(link().getAttribute('aria-busy')).toBe('true');
    expect(byTestId(root, 'annot-exporting')[0]?.textContent).toBe(t('annot.exporting'));

    // A second tap while the copy is made: nothing more is asked (each copy takes seconds, and is audited).
    expect(tap('annot-export')).toBe(true);
    await settle(4);
    expect(exports).toHaveLength(1);

    send(pdf());
    await settle(8);
    expect(handed).toEqual([{ href: 'blob:http://h/1', download: UTF8_NAME, inPage: true }]);
    expect(await created[0].text()).toBe(PDF);
    expect(created[0].type).toBe('application/pdf');
    expect(browser.doc.body.childNodes.filter((n) => n !== root), 'the helper link is taken out again').toEqual([]);
    expect(link().getAttribute('aria-busy')).toBeNull();
    expect(byTestId(root, 'annot-exporting')).toHaveLength(0);
    expect(toasts(root)).toEqual([]);

    // The object URL is let go once the browser has taken the file.
    expect(revoked).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(revoked).toEqual(['blob:http://h/1']);

    // Free again: another tap makes another copy.
    answer = () => pdf();
    tap('annot-export');
    await settle(8);
    expect(exports).toHaveLength(2);
    expect(handed).toHaveLength(2);
  });

  it("is named after the document's title when the server gives no name", async () => {
    answer = () => pdf({});
    await openViewer();
    tap('annot-export');
    await settle(8);
    expect(handed.map((h) => h.download)).toEqual(['Tờ trình.pdf']);
  });

  it('with the shared marks, from the link of its own (an observer, a closed meeting)', async () => {
    await openViewer({ canShare: false });
    tap('annot-export-shared');
    await settle(8);
    expect(exports.map((x) => x.url)).toEqual(['/api/v1/documents/docA/annotated.pdf?shared=true&version=1']);
    expect(handed).toHaveLength(1);
  });

  it('too many marks for one copy (422 too_many_marks): the reason is told, nothing is downloaded, the link is free again', async () => {
    answer = () => refusal(422, 'too many annotations to draw into one copy', 'too_many_marks');
    await openViewer();
    tap('annot-export');
    await settle(8);
    expect(toasts(root).at(-1)).toBe(t('annot.exportTooMany'));
    expect(find(root, (e) => e.getAttribute('class') === 'toast error').at(-1)?.textContent, 'shown as an error').toBe(t('annot.exportTooMany'));
    expect(handed).toEqual([]);
    expect(created).toEqual([]);
    expect(byTestId(root, 'annot-export')[0].getAttribute('aria-busy')).toBeNull();
    tap('annot-export');
    await settle(8);
    expect(exports, 'asked again on the next tap').toHaveLength(2);
  });

  it('too many marks with the shared ones: the advice is to download without them', async () => {
    answer = () => refusal(422, 'too many annotations to draw into one copy', 'too_many_marks');
    await openViewer({ canShare: false });
    tap('annot-export-shared');
    await settle(8);
    expect(toasts(root).at(-1)).toBe(t('annot.exportTooManyShared'));
  });

  it("says why for each of the server's other answers", async () => {
    const cases: [() => ExportAnswer, string][] = [
      [() => refusal(422, 'the annotated copy of this document could not be made: the PDF took too long to read', 'timeout'), t('annot.exportTooBig')],
      [() => refusal(422, 'your watermarked copy of this document could not be made: the PDF is too complex to read (it needs too much memory)', 'too_complex'), t('annot.exportNoCopy')],
      [() => refusal(422, "the annotations cannot be drawn into this document: the PDF's page list is damaged", 'unreadable'),
        t('annot.exportCannotDraw', { msg: "the annotations cannot be drawn into this document: the PDF's page list is damaged" })],
      [() => refusal(404, 'document not found', '', 'not_found'), t('annot.exportGone')],
      [() => refusal(403, 'forbidden', '', 'forbidden'), t('annot.exportGone')],
      [() => refusal(429, 'too many requests', '', 'rate_limited'), t('annot.exportBusy')],
      [() => refusal(503, 'busy', '', 'unavailable'), t('annot.exportBusy')],
      [() => refusal(500, 'internal error', '', 'internal'), t('annot.exportServer')],
      [() => refusal(400, 'shared must be true or false', '', 'invalid'), t('annot.exportRefused', { msg: 'shared must be true or false' })],
      [() => 'network', t('error.network')],
    ];
    await openViewer();
    for (const [a, text] of cases) {
      answer = a;
      tap('annot-export');
      await settle(8);
      expect(toasts(root).at(-1), text).toBe(text);
    }
    expect(handed).toEqual([]);
    expect(exports).toHaveLength(cases.length);
  });
});

describe('dispositionName', () => {
  it('takes the UTF-8 name, else the plain one, and never a path', async () => {
    const { dispositionName } = await import('../src/api');
    expect(dispositionName(`attachment; filename="T_ tr_nh.pdf"; filename*=UTF-8''${encodeURIComponent('Tờ trình.pdf')}`)).toBe('Tờ trình.pdf');
    expect(dispositionName('attachment; filename="Bao \\"cao\\".pdf"')).toBe('Bao "cao".pdf');
    expect(dispositionName('attachment; filename=plain.pdf')).toBe('plain.pdf');
    expect(dispositionName("attachment; filename*=UTF-8''%E0%A4; filename=\"fallback.pdf\"")).toBe('fallback.pdf');
    expect(dispositionName(`attachment; filename*=utf-8''${encodeURIComponent('../../x/y.pdf')}`)).toBe('.._.._x_y.pdf');
    expect(dispositionName('attachment')).toBe('');
    expect(dispositionName(null)).toBe('');
  });
});
