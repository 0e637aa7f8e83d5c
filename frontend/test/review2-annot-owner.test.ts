// Review 2 (web app, annotations): one queue per user on a tablet now, and a
// queue that meets a 401 waits for its author (backendFor → resume()). But a
// queue only stops for a 401 it saw itself. Marks that wait for a retry
// after a dropped connection or a server error (500 ms, then 1 s, 2 s … up
// to 15 s) are still sent when their timer fires, or on the window's online
// event, whoever is signed in by then: the delegate signs out (ui/App.tsx
// signOut: nothing tells the queues) and hands the tablet over, the next one
// signs in, and the first one's marks go out with the second one's session
// cookie. The server takes the author from the session: the first
// delegate's private notes are stored as the second one's, and shown to
// them.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Annotation } from '../src/annot/types';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whose session cookie the browser holds now (null: signed out). */
let session: string | null = 'an';
/** The network is down. */
let offline = false;
/** Each POST of annotations as the server got it: whose session, which marks. */
const posts: { session: string | null; ids: string[] }[] = [];

beforeAll(() => {
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    if (offline) throw new TypeError('Failed to fetch');
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    if (!session) return json(401, { error: { code: 'unauthenticated', message: 'sign in' } });
    if (init?.method === 'POST' && /\/annotations$/.test(url)) {
      const body = JSON.parse(String(init.body)) as { annotations: Annotation[] };
      posts.push({ session, ids: body.annotations.map((a) => a.id) });
      return json(201, { annotations: body.annotations.map((a) => ({ ...a, document_id: 'd1', author_id: session, rev: 1 })) });
    }
    if (init?.method === 'GET' || !init?.method) return json(200, { annotations: [] });
    return json(404, { error: { code: 'not_found', message: 'no' } });
  });
});

afterAll(() => {
  vi.unstubAllGlobals();
});

const note = (id: string): Annotation => ({
  id, document_id: 'd1', version: 0, page: 1, kind: 'note', shared: false,
  data: { x: 10, y: 10, text: 'Ghi chú riêng của An: phản đối điều 5' } as never, author_id: 'an',
});

describe('review2: marks queued on a shared tablet', () => {
  it('review2: marks waiting for a retry are not sent under the next user who signs in on the tablet', async () => {
    const { backendFor } = await import('../src/annot/backend');
    // An draws a private note while the Wi-Fi drops: the POST fails, a retry waits.
    offline = true;
    const an = await backendFor('d1', 'an');
    void an.create(note('an-note-1')).catch(() => {});
    await tick(200); // the batch delay (120 ms) and the failed POST
    expect(posts).toEqual([]);
    // An signs out and hands the tablet over; Bình signs in and opens a document.
    session = null;
    offline = false;
    session = 'binh';
    const binh = await backendFor('d2', 'binh');
    await binh.list('d2');
    // The retry of An's queue fires (500 ms after the failure).
    await tick(900);
    const underBinh = posts.filter((p) => p.session === 'binh').flatMap((p) => p.ids);
    expect(underBinh, "An's private note was stored with Bình's session: as Bình's, and shown to Bình").not.toContain('an-note-1');
  });
});

describe('review2 (fix): a queue sends only while its author is the one signed in', () => {
  it('review2: sign-out holds every queue, a retry timer set before does not send, and each author gets their own marks back', async () => {
    const { backendFor } = await import('../src/annot/backend');
    const { signedIn } = await import('../src/api');
    posts.length = 0;
    // Bình (signed in after the first test) draws while the Wi-Fi is down: a retry waits.
    offline = true;
    const binh = await backendFor('d2', 'binh');
    void binh.create({ ...note('binh-note-1'), document_id: 'd2', author_id: 'binh' }).catch(() => {});
    await tick(200);
    // Bình signs out (api.logout ends with signedIn.set(false)), and An signs in at once, before
    // the retry fires and before opening a document; the network is back.
    signedIn.set(false);
    session = 'an';
    signedIn.set(true);
    offline = false;
    await tick(700); // the retry's timer (500 ms) fired meanwhile
    expect(posts, "Bình's note went out with An's session").toEqual([]);
    // An opens a document: An's marks go, under An, and only An's.
    await backendFor('d1', 'an');
    await tick(300);
    expect(posts.flatMap((p) => p.ids.map((id) => `${p.session}:${id}`))).toEqual(['an:an-note-1']);
    // Bình is back: Bình's note goes, under Bình.
    session = 'binh';
    await backendFor('d2', 'binh');
    await tick(300);
    expect(posts.flatMap((p) => p.ids.map((id) => `${p.session}:${id}`))).toEqual(['an:an-note-1', 'binh:binh-note-1']);
  });
});
