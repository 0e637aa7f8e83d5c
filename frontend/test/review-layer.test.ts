// Review: the annotation layer (annot/Layer.tsx) lists the page with
// GET /documents/{id}/annotations when it opens, after every resync and on
// its retries; the answer replaces the whole list (setAll(fresh)). A
// shared mark another delegate made while that GET was in flight arrives
// as `annotations.created` and is drawn, then the older answer wipes it:
// it stays off this tablet until the next listing (the room's rule, "a
// REST answer is dropped if an event changed its part of the state while
// it was in flight", is not kept here).
//
// Also: the layer has no backend until that first listing answers
// (setBackend after await b.list), and add() returns at once without one.
// On a Wi-Fi where the GET hangs (request() has no timeout), a stroke drawn
// meanwhile is drawn as a draft, then vanishes: never shown, never queued,
// no message.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dispatch, event, find, installBrowser, notFound, settle, type Answer, type Call, type FElement } from './fake-browser';
import { createStore } from '../src/store';
import type { LiveEvent } from '../src/types';
import type { Annotation } from '../src/annot/types';

let releaseList: ((a: Answer) => void) | null = null;
function server(c: Call): Answer | Promise<Answer> {
  if (c.method === 'GET' && /^\/documents\/\w+\/annotations/.test(c.path)) {
    return new Promise<Answer>((r) => (releaseList = r)); // held until the test says
  }
  if (c.method === 'POST' && /^\/documents\/\w+\/annotations$/.test(c.path)) {
    const rows = (c.body as { annotations: Annotation[] }).annotations.map((a) => ({ ...a, document_id: c.path.split('/')[2], author_id: 'u1', rev: 1 }));
    return { status: 200, body: { annotations: rows } };
  }
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

const theirs: Annotation = {
  id: 'o1', document_id: 'd', version: 0, page: 1, kind: 'highlight', shared: true, author_id: 'u2', rev: 1,
  data: { colour: '#4ade80', opacity: 0.4, rects: [{ x: 10, y: 10, w: 100, h: 12 }] },
};

describe('review: the layer listing and the live events', () => {
  it('review: a shared mark announced while the page was being listed stays on the page', async () => {
    const { default: Layer } = await import('../src/annot/Layer');
    const events = createStore<LiveEvent | null>(null);
    browser.preact.render(
      browser.h(Layer, { docId: 'd', page: 1, size: { w: 600, h: 800 }, tool: 'none', me: 'u1', shared: false, events }),
      root as never,
    );
    await settle();
    expect(releaseList, 'the layer lists the page').not.toBeNull();

    // Another delegate shares a highlight; the server read the list just before it committed.
    events.set({ seq: 12, type: 'annotations.created', data: { document_id: 'd', items: [theirs] } });
    await settle();
    expect(find(root, (e) => e.getAttribute('data-id') === 'o1')).toHaveLength(1);

    releaseList!({ status: 200, body: { annotations: [] } });
    await settle();
    expect(find(root, (e) => e.getAttribute('data-id') === 'o1'), "the older listing wiped the other delegate's shared mark").toHaveLength(1);
  });

  it('review: a stroke drawn while the first listing is still on its way is kept and saved', async () => {
    releaseList = null;
    const { default: Layer } = await import('../src/annot/Layer');
    browser.preact.render(
      browser.h(Layer, { docId: 'd2', page: 1, size: { w: 600, h: 800 }, tool: 'pen', me: 'u1', shared: false }),
      root as never,
    );
    await settle();
    const svg = find(root, (e) => e.getAttribute('data-testid') === 'annotations')[0];
    expect(svg).toBeDefined();
    // The listing has not answered yet: the delegate draws a line.
    dispatch(svg, event('pointerdown', svg, { pointerId: 1, clientX: 10, clientY: 10 }));
    await settle(2);
    dispatch(svg, event('pointermove', svg, { pointerId: 1, clientX: 40, clientY: 50 }));
    await settle(2);
    dispatch(svg, event('pointerup', svg, { pointerId: 1, clientX: 40, clientY: 50 }));
    await settle();
    const marks = () => find(root, (e) => /\bink\b/.test(e.getAttribute('class') ?? '') && !/\bdraft\b/.test(e.getAttribute('class') ?? ''));
    // The listing answers (nothing stored yet).
    (releaseList as ((a: Answer) => void) | null)?.({ status: 200, body: { annotations: [] } });
    await settle(8, 200);
    const posted = browser.calls.filter((c) => c.method === 'POST' && c.path === '/documents/d2/annotations');
    expect({ onPage: marks().length, posted: posted.length }, 'the stroke drawn before the listing answered was dropped without a word').toEqual({ onPage: 1, posted: 1 });
  });
});
