// The annotation queue over a Wi-Fi that drops, and the page's listing while
// changes wait in it.
// A POST whose answer is lost may have been stored by the server: what the
// tablet does next (erase it, edit the note) must still reach the server.
//
// The fake server below keeps the server's rules (docs/annotation.go):
// a replay of an id with the same content is a no-op; the same id with
// other content is 409 "annotations[i]: annotation … exists with other
// content; change it with PATCH"; DELETE of a gone id is fine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { ApiBackend } from '../src/annot/backend';
import type { Annotation, NoteData } from '../src/annot/types';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function fakeServer() {
  const stored = new Map<string, Annotation>();
  const calls: string[] = [];
  /** The answer of the next POST is lost on the way back (the server did store it). */
  let loseNextAnswer = false;
  const send = (async (method: string, path: string, body?: any) => {
    calls.push(`${method} ${path}`);
    if (method === 'POST') {
      const out: Annotation[] = [];
      body.annotations.forEach((a: any, i: number) => {
        const old = stored.get(a.id);
        if (old && JSON.stringify(old.data) !== JSON.stringify(a.data)) {
          throw new ApiError(409, 'conflict', `annotations[${i}]: annotation ${a.id} exists with other content; change it with PATCH`);
        }
      });
      for (const a of body.annotations) {
        const row = stored.get(a.id) ?? { ...a, document_id: 'd', author_id: 'me', rev: 1 };
        stored.set(a.id, row);
        out.push(row);
      }
      if (loseNextAnswer) {
        loseNextAnswer = false;
        throw new ApiError(0, 'network', 'network'); // stored, but the tablet never hears back
      }
      return { annotations: out };
    }
    if (method === 'PATCH') {
      const id = decodeURIComponent(path.split('/').pop()!);
      const old = stored.get(id);
      if (!old) throw new ApiError(404, 'not_found', 'no such annotation');
      const row = { ...old, ...body, rev: (old.rev ?? 1) + 1 };
      stored.set(id, row);
      return row;
    }
    if (method === 'DELETE') {
      stored.delete(decodeURIComponent(path.split('/').pop()!));
      return undefined;
    }
    throw new Error(`unexpected ${method} ${path}`);
  }) as any;
  return { stored, calls, send, loseAnswer: () => (loseNextAnswer = true) };
}

const note = (id: string, text: string): Annotation => ({
  id, document_id: 'd', version: 0, page: 1, kind: 'note', shared: true, data: { x: 10, y: 10, text } satisfies NoteData,
});

describe('annotation queue after a lost answer', () => {
  it('an erased mark whose POST answer was lost is deleted on the server too', async () => {
    const srv = fakeServer();
    // retry after 50 ms: the user erases while the tablet waits to send again
    const b = new ApiBackend({ send: srv.send, batchDelay: 1, retry: () => 50 });
    srv.loseAnswer();
    const created = b.create(note('n1', 'shared with the room')).catch((e) => e);
    await tick(10); // the POST went out, the server stored it, the answer was lost
    expect(srv.stored.has('n1')).toBe(true);

    await b.remove(note('n1', 'shared with the room')); // the delegate erases it
    await created;
    for (let i = 0; i < 40 && b.pending > 0; i++) await tick(10);
    await tick(100);

    // What the user sees: the mark is gone from their tablet. What the server (and every
    // other tablet, for a shared mark) has: it must be gone too.
    expect(srv.calls, 'no DELETE was ever sent for a mark the server had stored').toContain('DELETE /annotations/n1');
    expect(srv.stored.has('n1')).toBe(false);
  });

  it("a note edited while its POST's answer was lost keeps the new text on the server", async () => {
    const srv = fakeServer();
    const b = new ApiBackend({ send: srv.send, batchDelay: 1, retry: () => 50 });
    srv.loseAnswer();
    const first = note('n2', 'draft');
    const created = b.create(first).catch((e) => e);
    await tick(10);
    expect(srv.stored.has('n2')).toBe(true);

    const edited = await b.update(first, { data: { x: 10, y: 10, text: 'final wording' } }).catch((e) => e);
    const result = await created;
    for (let i = 0; i < 40 && b.pending > 0; i++) await tick(10);

    expect(result instanceof ApiError ? `create refused: ${result.status} ${result.message}` : 'ok').toBe('ok');
    expect(edited instanceof ApiError ? 'update refused' : 'ok').toBe('ok');
    expect((srv.stored.get('n2')?.data as NoteData).text).toBe('final wording');
  });
});

describe('listing a page while changes wait in the queue', () => {
  it('keeps my unsent marks on screen when the list cannot be fetched (Wi-Fi down)', async () => {
    // annot/Layer.tsx: `b.list(docId, version).catch(() => [])`: a failed list shows nothing at all.
    const send = (async () => {
      throw new ApiError(0, 'network', 'network');
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 60_000 });
    void b.create(note('offline1', 'drawn without Wi-Fi')).catch(() => {});
    await tick(10);
    // The delegate goes to another document and comes back: the layer lists the page again.
    const list = await b.list('d').catch((e) => e);
    expect(list instanceof ApiError ? 'list failed: the unsent mark vanishes from the page' : (list as Annotation[]).map((a) => a.id)).toEqual(['offline1']);
  });

  it('does not bring back a mark I erased whose DELETE is still waiting to be sent', async () => {
    const srv = fakeServer();
    let deleteDown = true;
    const send = (async (method: string, path: string, body?: any) => {
      if (method === 'DELETE' && deleteDown) throw new ApiError(0, 'network', 'network');
      if (method === 'GET') return { annotations: [...srv.stored.values()] };
      return srv.send(method, path, body);
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 10_000 });
    const made = await b.create(note('e1', 'erase me'));
    void b.remove(made).catch(() => {}); // the DELETE fails once: sent again in 10 s
    await tick(20);
    expect(b.pending).toBe(1);
    // Meanwhile the delegate turns back to the page (a new layer: its "gone" set is empty).
    const list = await b.list('d');
    expect(list.map((a) => a.id), 'the erased mark is back on the page until the DELETE goes through').toEqual([]);
    deleteDown = false;
  });
});

describe('annotation queue: more after a lost answer', () => {
  it('a sent create erased sends the DELETE even when the replay is refused, and reports nothing to the user', async () => {
    const srv = fakeServer();
    let refuse = false;
    const send = (async (method: string, path: string, body?: any) => {
      if (method === 'POST' && refuse) throw new ApiError(403, 'forbidden', 'annotations[0]: you may not share here');
      return srv.send(method, path, body);
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 30 });
    srv.loseAnswer();
    const created = b.create(note('r1', 'shared')).then(() => 'created', (e) => e);
    await tick(10);
    refuse = true; // made observer meanwhile: the replay is refused
    await b.remove(note('r1', 'shared'));
    const outcome = await created;
    for (let i = 0; i < 40 && b.pending > 0; i++) await tick(10);
    expect(outcome instanceof ApiError ? outcome.code : outcome).toBe('cancelled'); // the layer shows no "not saved" for an erased mark
    expect(srv.calls).toContain('DELETE /annotations/r1');
    expect(srv.stored.has('r1')).toBe(false);
  });

  it('a create never sent is still edited and erased on the tablet alone', async () => {
    const srv = fakeServer();
    const b = new ApiBackend({ send: srv.send, batchDelay: 30, retry: () => 30 });
    const made = b.create(note('u1', 'draft'));
    await b.update(note('u1', 'draft'), { data: { x: 10, y: 10, text: 'final' } });
    expect((await made).data).toEqual({ x: 10, y: 10, text: 'final' });
    expect(srv.calls).toEqual(['POST /documents/d/annotations']); // one POST with the final text, no PATCH

    const gone = b.create(note('u2', 'never')).catch((e) => e);
    await b.remove(note('u2', 'never'));
    expect((await gone).code).toBe('cancelled');
    await tick(60);
    expect(srv.calls).toEqual(['POST /documents/d/annotations']);
  });

  it('a listing shows a note edited here with its new text while the PATCH waits', async () => {
    const srv = fakeServer();
    let patchDown = true;
    const send = (async (method: string, path: string, body?: any) => {
      if (method === 'PATCH' && patchDown) throw new ApiError(0, 'network', 'network');
      if (method === 'GET') return { annotations: [...srv.stored.values()] };
      return srv.send(method, path, body);
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 10_000 });
    const made = await b.create(note('p1', 'old'));
    void b.update(made, { data: { x: 10, y: 10, text: 'new' } }).catch(() => {});
    await tick(20);
    const list = await b.list('d');
    expect(list.map((a) => (a.data as NoteData).text)).toEqual(['new']);
    expect(list.partial).toBeUndefined();
    patchDown = false;
  });

  it('a refused listing (4xx) is an error, not an empty page', async () => {
    const send = (async () => {
      throw new ApiError(404, 'not_found', 'no such document');
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1 });
    await expect(b.list('d')).rejects.toBeInstanceOf(ApiError);
  });

  it('a listing without the server is flagged partial', async () => {
    const send = (async () => {
      throw new ApiError(503, 'unavailable', 'try again');
    }) as any;
    const b = new ApiBackend({ send, batchDelay: 1, retry: () => 60_000 });
    const list = await b.list('d');
    expect(list.partial).toBe(true);
  });
});

// Shared and private marks, mine and others', look different. A static check
// (the unit tests run without a DOM): the layer tags the marks, and the
// style sheet reads the tags.
describe('shared vs private marks on the page', () => {
  const css = readFileSync(join(__dirname, '../src/styles.css'), 'utf8');
  const layer = readFileSync(join(__dirname, '../src/annot/Layer.tsx'), 'utf8');

  it('the layer tags shared marks (data-shared) …', () => {
    expect(layer).toMatch(/data-shared=\{a\.shared \? '1' : undefined\}/);
  });

  it('… and some style shows them differently from private ones', () => {
    expect(css, 'no CSS rule reads data-shared (nor any other shared/private or mine/others mark)').toMatch(/\[data-shared/);
  });

  it("others' marks are tagged and drawn apart from mine", () => {
    expect(layer).toMatch(/data-mine=\{own\}/);
    expect(css).toMatch(/\[data-mine="0"\][^{]*\{[^}]*(opacity|stroke-dasharray)/);
  });
});
