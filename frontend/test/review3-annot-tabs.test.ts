// Review 3 (web app, annotations): a queue is held when signedIn hears a
// sign-out, this tab's or another tab's (the 'storage' event), and resumed
// only by backendFor(doc, me), me being whom this tab's App believes is
// signed in (ui/App.tsx asks /me once and never listens to 'storage').
//  - Another tab signs out and the same delegate signs in again there: this
//    tab, still on its document, never hears it (signedIn.watch's sign-in
//    is ignored); every mark drawn from then on waits in a held queue, shown
//    but never sent, until the document is opened again.
//  - Another tab signs out and someone else signs in there: this tab's App
//    still says An; An opens another document here, backendFor resumes An's
//    queue, and An's marks go out with Bình's session cookie (the server
//    takes the author from the session: An's private notes become Bình's).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Annotation } from '../src/annot/types';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY = 'curia.signedIn';

/** Whose session cookie the browser holds now (null: signed out). */
let session: string | null = 'an';
const posts: { session: string | null; ids: string[] }[] = [];
const store = new Map<string, string>([[KEY, '1']]);
const win = new EventTarget();

/** What another tab of this browser does to the shared flag: this tab hears a 'storage' event. */
function otherTab(on: boolean, who: string | null): void {
  session = who;
  if (on) store.set(KEY, '1');
  else store.delete(KEY);
  win.dispatchEvent(Object.assign(new Event('storage'), { key: KEY }));
}

beforeAll(() => {
  vi.stubGlobal('window', win);
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  });
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    if (!session) return json(401, { error: { code: 'unauthenticated', message: 'sign in' } });
    if (/\/me$/.test(url)) return json(200, { id: session, username: session, full_name: session, is_admin: false });
    if (init?.method === 'POST' && /\/annotations$/.test(url)) {
      const body = JSON.parse(String(init.body)) as { annotations: Annotation[] };
      posts.push({ session, ids: body.annotations.map((a) => a.id) });
      return json(201, { annotations: body.annotations.map((a) => ({ ...a, author_id: session, rev: 1 })) });
    }
    if (init?.method === 'GET' || !init?.method) return json(200, { annotations: [] });
    return json(404, { error: { code: 'not_found', message: 'no' } });
  });
});

afterAll(() => {
  vi.unstubAllGlobals();
});

const note = (id: string, doc = 'd1'): Annotation => ({
  id, document_id: doc, version: 0, page: 1, kind: 'note', shared: false,
  data: { x: 10, y: 10, text: 'Ghi chú riêng của An' } as never, author_id: 'an',
});

describe('review3: annotation queues and another tab of the same browser', () => {
  it('review3: marks drawn after the same author signed in again in another tab are sent (not held forever)', async () => {
    const { backendFor } = await import('../src/annot/backend');
    const an = await backendFor('d1', 'an');
    await an.list('d1');
    // In another tab An signs out, and signs in again.
    otherTab(false, null);
    otherTab(true, 'an');
    // Back in this tab, still on the document (nothing remounts): An draws a note.
    void an.create(note('an-after')).catch(() => {});
    await tick(600);
    expect(posts.flatMap((p) => p.ids), 'the note is shown but waits in a held queue until the document is opened again').toContain('an-after');
  });

  it("review3: An's held marks are not sent under Bình, who signed in in another tab", async () => {
    const { backendFor } = await import('../src/annot/backend');
    posts.length = 0;
    const an = await backendFor('d1', 'an');
    // Another tab: An signs out, Bình signs in. This tab still shows An's screens (App's me).
    otherTab(false, null);
    otherTab(true, 'binh');
    void an.create(note('an-private')).catch(() => {});
    await tick(300);
    // An (as this tab believes) opens another document here.
    await backendFor('d2', 'an');
    await tick(600);
    const underBinh = posts.filter((p) => p.session === 'binh').flatMap((p) => p.ids);
    expect(underBinh, "An's private note was stored under Bình's session").not.toContain('an-private');
  });
});
