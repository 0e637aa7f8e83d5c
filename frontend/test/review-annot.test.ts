// Review: the annotation queue (annot/backend.ts) and the page's listing.
// When the tablet comes back online the queue flushes (the window's
// online event) and the layer lists the page again (resync, or its own
// retry) at the same moment. A listing whose GET was read by the server
// before the queued POST committed, and answered after the POST's answer
// took the mark out of the queue, has the mark nowhere: not in the
// server's list, not among the unsent ones. The layer (Layer.tsx,
// setAll(fresh)) then drops it from the page.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { ApiBackend } from '../src/annot/backend';
import type { Annotation } from '../src/annot/types';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

const ink = (id: string): Annotation => ({
  id, document_id: 'd', version: 0, page: 1, kind: 'ink', shared: false,
  data: { colour: '#1d4ed8', width: 1.6, strokes: [[[1, 1], [20, 20]]] },
});

describe('review: listing while the queue flushes', () => {
  it('review: a mark confirmed while the listing was in flight is still listed', async () => {
    let releaseGet!: (v: { annotations: Annotation[] }) => void;
    const stored: Annotation[] = [];
    const send = (async (method: string, _path: string, body?: { annotations: Annotation[] }) => {
      if (method === 'GET') {
        const before = stored.slice(); // what the server read: the POST has not committed yet
        return new Promise((r) => (releaseGet = () => r({ annotations: before })));
      }
      if (method === 'POST') {
        const rows = body!.annotations.map((a) => ({ ...a, document_id: 'd', author_id: 'me', rev: 1 }));
        stored.push(...rows);
        return { annotations: rows };
      }
      throw new Error(`unexpected ${method}`);
    }) as never;
    const b = new ApiBackend({ send, batchDelay: 20 });

    // Drawn while offline: it waits in the queue.
    const made = b.create(ink('t1'));
    // Back online: the layer lists the page (the GET is read before the POST commits)…
    const listing = b.list('d');
    await tick(1);
    // …and the queue sends the mark, which the server confirms.
    await tick(40);
    await made;
    expect(b.pending).toBe(0);
    releaseGet({ annotations: [] });
    const list = await listing;
    expect(list.map((a) => a.id), 'the mark just saved is missing from the listing: the page drops it').toContain('t1');
  });

  it('review: marks waiting when the session ends are not thrown away (they go once signed in again)', async () => {
    // The app does not reload on a 401 (ui/App.tsx: setMe(null) shows the
    // login screen): the queue, a module singleton, is still there when the
    // delegate signs in again. But 401 counts as a final refusal, so the
    // marks are dropped and the layer takes them off the page.
    let signedIn = false;
    const stored: string[] = [];
    const send = (async (method: string, _path: string, body?: { annotations: Annotation[] }) => {
      if (method !== 'POST') throw new Error(`unexpected ${method}`);
      if (!signedIn) throw new ApiError(401, 'unauthenticated', 'sign in');
      stored.push(...body!.annotations.map((a) => a.id));
      return { annotations: body!.annotations.map((a) => ({ ...a, document_id: 'd', author_id: 'me', rev: 1 })) };
    }) as never;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 20 });
    const made = b.create(ink('t2')).then(() => 'saved', () => 'dropped');
    await tick(10); // the session had ended: 401
    signedIn = true; // the delegate signs in again
    await tick(100);
    expect({ outcome: await Promise.race([made, tick(50).then(() => 'waiting')]), stored }).toEqual({ outcome: 'saved', stored: ['t2'] });
  });
});
