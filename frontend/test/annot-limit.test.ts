// A stroke refused because its author keeps too many annotations on the
// document (409, reason annotation_limit: the counts or the bytes of
// AnnotationLimits) says so and what to do, not only "not saved"; any other
// refusal still says it was not saved.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dispatch, event, find, installBrowser, notFound, settle, type Answer, type Call, type FElement } from './fake-browser';

let refusal: { status: number; body: unknown } = { status: 409, body: {} };
function server(c: Call): Answer | Promise<Answer> {
  if (c.method === 'GET' && /^\/documents\/\w+\/annotations/.test(c.path)) return { status: 200, body: { annotations: [] } };
  if (c.method === 'POST' && /^\/documents\/\w+\/annotations$/.test(c.path)) return refusal;
  if (c.path === '/me') return { status: 200, body: { id: 'u1', username: 'd', full_name: 'D', is_admin: false } };
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;

beforeAll(async () => {
  browser = await installBrowser('/meetings/m', server);
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  await settle(2);
});

/** Draws a line on a fresh layer of document docId and returns what the layer told the room. */
async function drawRefused(docId: string): Promise<{ told: string[]; left: number }> {
  const { default: Layer } = await import('../src/annot/Layer');
  const told: string[] = [];
  browser.preact.render(
    browser.h(Layer, { docId, page: 1, size: { w: 600, h: 800 }, tool: 'pen', me: 'u1', shared: false, onError: (m: string) => told.push(m) }),
    root as never,
  );
  await settle();
  const svg = find(root, (e) => e.getAttribute('data-testid') === 'annotations')[0];
  dispatch(svg, event('pointerdown', svg, { pointerId: 1, clientX: 10, clientY: 10 }));
  await settle(2);
  dispatch(svg, event('pointermove', svg, { pointerId: 1, clientX: 40, clientY: 50 }));
  await settle(2);
  dispatch(svg, event('pointerup', svg, { pointerId: 1, clientX: 40, clientY: 50 }));
  await settle(8, 200);
  const left = find(root, (e) => /\bink\b/.test(e.getAttribute('class') ?? '')).length;
  return { told, left };
}

describe('a stroke refused by the annotation limits', () => {
  it('says the delegate\'s annotations are too many or too large, and to delete some', async () => {
    refusal = {
      status: 409,
      body: { error: { code: 'conflict', reason: 'annotation_limit', message: 'your annotations on this document would take 16.1 MB, over the limit of 16 MB per document; delete some first' } },
    };
    const { told, left } = await drawRefused('lim1');
    expect(told).toEqual(['Không lưu được: ghi chú của bạn trên tài liệu này (hoặc trang này) đã quá nhiều hoặc quá lớn. Hãy xoá bớt rồi thử lại.']);
    expect(left, 'the refused stroke goes away').toBe(0);
  });

  it('says only "not saved" for another refusal', async () => {
    refusal = { status: 422, body: { error: { code: 'invalid', message: 'data: too many points' } } };
    const { told } = await drawRefused('lim2');
    expect(told).toEqual(['Không lưu được ghi chú.']);
  });
});
