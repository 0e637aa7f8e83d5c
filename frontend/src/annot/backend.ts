// Where annotations are kept: on the server (POST/GET /documents/{id}/annotations,
// PATCH/DELETE /annotations/{id}; api/openapi.yaml). Changes go through a
// queue, in order: new annotations carry an id made here, are sent in
// batches, and are sent again after a dropped connection (the server treats
// a replay of the same id and content as done). A user's queue sends only
// while that user is the one signed in: on sign-out, a 401, or another user
// opening a document on this tablet, it waits, kept, until its author is back
// (backendFor, or their sign-in: resumeFor), so no mark ever goes out under
// someone else's session.
// LocalBackend (this tablet
// only) remains for tests and for a server without the routes.
import { ApiError, request, signedIn, signedInUser } from '../api';
import { upsert } from './events';
import type { Annotation, AnnotationData, NewAnnotation } from './types';

export interface Backend {
  /** true when annotations are stored on the server (and shared ones are seen by others). */
  readonly remote: boolean;
  /** Mine and the shared ones; partial: made without the server (see ApiBackend.list). */
  list(docId: string, version?: number): Promise<Listing>;
  create(a: NewAnnotation): Promise<Annotation>;
  update(a: Annotation, changes: { shared?: boolean; data?: AnnotationData }): Promise<Annotation>;
  remove(a: Annotation): Promise<void>;
}

/** A new annotation id: 1 to 64 of A–Z a–z 0–9 _ - (crypto.randomUUID needs a secure context). */
export function newId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return 't' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class LocalBackend implements Backend {
  readonly remote = false;
  constructor(private readonly me: string, private readonly storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage) {}

  private key(docId: string) {
    return `curia.annot.${this.me}.${docId}`;
  }

  private read(docId: string): Annotation[] {
    try {
      return JSON.parse(this.storage.getItem(this.key(docId)) ?? '[]');
    } catch {
      return [];
    }
  }

  private write(docId: string, list: Annotation[]): void {
    try {
      this.storage.setItem(this.key(docId), JSON.stringify(list));
    } catch {
      /* storage full or unavailable: kept in memory for this view */
    }
  }

  async list(docId: string): Promise<Annotation[]> {
    return this.read(docId);
  }

  async create(a: NewAnnotation): Promise<Annotation> {
    const out = { ...a, id: a.id || newId(), author_id: this.me };
    this.write(a.document_id, [...this.read(a.document_id), out]);
    return out;
  }

  async update(a: Annotation, changes: { shared?: boolean; data?: AnnotationData }): Promise<Annotation> {
    const out = { ...a, ...changes };
    this.write(a.document_id, this.read(a.document_id).map((x) => (x.id === a.id ? out : x)));
    return out;
  }

  async remove(a: Annotation): Promise<void> {
    this.write(a.document_id, this.read(a.document_id).filter((x) => x.id !== a.id));
  }
}

type Op =
  | {
      op: 'create';
      a: NewAnnotation;
      /** Its POST went out at least once: the server may have it, whatever the answer (or its loss) said. */
      sent?: boolean;
      done(a: Annotation): void;
      fail(e: unknown): void;
    }
  | { op: 'update'; id: string; changes: { shared?: boolean; data?: AnnotationData }; done(a: Annotation): void; fail(e: unknown): void }
  | { op: 'delete'; id: string; done(): void; fail(e: unknown): void };

type CreateOp = Extract<Op, { op: 'create' }>;

const cancelled = () => new ApiError(0, 'cancelled', 'removed before it was sent');

/** A listing: partial when the server could not be reached (this tablet's unsent marks only). */
export type Listing = Annotation[] & { partial?: boolean };

/** The session is gone (401): what waits goes once its author signs in again. */
const signedOut = (e: unknown) => e instanceof ApiError && e.status === 401;

/** The server's answer is final (a 4xx other than timeouts, rate limits and an ended session): sending again will not help. */
const final = (e: unknown) => e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429 && !signedOut(e);

export interface ApiOptions {
  /** Wait before sending, to batch a burst of strokes (ms). */
  batchDelay?: number;
  /** Retry delays after a dropped connection or a server error (ms). */
  retry?: (attempt: number) => number;
  send?: typeof request;
  /**
   * Whose marks these are (backendFor). After a 401 such a queue waits for
   * resume(), its author back, so nothing goes out under another sign-in
   * (hold() makes it wait too); a queue without one tries again later, as
   * after a dropped connection.
   */
  owner?: string;
}

export class ApiBackend implements Backend {
  readonly remote = true;
  private queue: Op[] = [];
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  /** Waiting for the owner to be the one signed in again (hold(), or a 401). */
  private held = false;
  /** Listings in flight, and what the server confirmed meanwhile (a copy, or null: deleted), numbered. */
  private listing = 0;
  private confirmed = new Map<string, { n: number; a: Annotation | null }>();
  private n = 0;
  private readonly send: typeof request;
  private readonly batchDelay: number;
  private readonly retry: (attempt: number) => number;
  private readonly owner?: string;
  private readonly online = () => this.kick(0);

  constructor(o: ApiOptions = {}) {
    this.send = o.send ?? request;
    this.owner = o.owner;
    this.batchDelay = o.batchDelay ?? 120;
    this.retry = o.retry ?? ((n) => Math.min(15000, 500 * 2 ** n));
    if (typeof window !== 'undefined') window.addEventListener('online', this.online);
  }

  /** Nothing waits or is being sent: the queue may be let go (see dispose). */
  get idle(): boolean {
    return !this.queue.length && !this.running;
  }

  /** Stops listening for the network; an idle queue no longer needed (backendFor). */
  dispose(): void {
    this.hold();
    if (typeof window !== 'undefined') window.removeEventListener('online', this.online);
  }

  /** Annotations not yet confirmed by the server. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Mine and the shared ones as they will be once this tablet's queue is
   * through: unsent marks added, marks erased here left out, unsent edits
   * applied. When the server cannot be reached (no network, server trouble)
   * the unsent marks alone, flagged partial: the caller keeps what it shows
   * and asks again later (a 401 too). A refusal (another 4xx) is thrown.
   * Marks the server confirmed while the GET was in flight are listed too.
   */
  async list(docId: string, version?: number): Promise<Listing> {
    const q = version ? `?version=${version}` : '';
    const ours = (a: Annotation) => a.document_id === docId && !(version && a.version && a.version !== version);
    this.listing++;
    const since = this.n;
    const got = await this.send<{ annotations: Annotation[] }>('GET', `/documents/${encodeURIComponent(docId)}/annotations${q}`).then(
      (r) => r.annotations ?? [],
      (e: unknown) => e,
    );
    // What the server confirmed while the GET was in flight: the server may
    // have read the list before, and it has left the queue since.
    const late = [...this.confirmed].filter(([, c]) => c.n > since);
    if (!--this.listing) this.confirmed.clear();
    if (!Array.isArray(got) && final(got)) throw got;
    const partial = !Array.isArray(got);
    let list: Annotation[] = partial ? [] : got;
    const erased = new Set<string>();
    for (const [id, c] of late) {
      if (!c.a) erased.add(id);
      else if (ours(c.a)) list = upsert(list, c.a);
    }
    const edits = new Map<string, { shared?: boolean; data?: AnnotationData }>();
    for (const o of this.queue) {
      if (o.op === 'delete') erased.add(o.id);
      else if (o.op === 'update') edits.set(o.id, { ...edits.get(o.id), ...o.changes });
    }
    // What this tablet has drawn and not yet sent stays on screen.
    const unsent = this.queue.flatMap((o) =>
      o.op === 'create' && ours(o.a) && !list.some((x) => x.id === o.a.id) ? [o.a as Annotation] : [],
    );
    const out: Listing = [...list, ...unsent].flatMap((a) => {
      if (erased.has(a.id)) return []; // its DELETE waits in the queue
      const ch = edits.get(a.id);
      return [ch ? { ...a, ...ch } : a];
    });
    if (partial) out.partial = true;
    return out;
  }

  create(a: NewAnnotation): Promise<Annotation> {
    const withId = { ...a, id: a.id || newId() };
    return new Promise((done, fail) => {
      this.queue.push({ op: 'create', a: withId, done, fail });
      this.kick(this.batchDelay);
    });
  }

  /** The queued create of this id, if any. */
  private queuedCreate(id: string): CreateOp | undefined {
    return this.queue.find((o): o is CreateOp => o.op === 'create' && o.a.id === id);
  }

  update(a: Annotation, changes: { shared?: boolean; data?: AnnotationData }): Promise<Annotation> {
    const c = this.queuedCreate(a.id);
    if (c && !c.sent) {
      // Never sent: it goes out as it is now.
      c.a = { ...c.a, ...changes };
      return Promise.resolve({ ...a, ...changes });
    }
    // Confirmed, or sent with no answer (the server may have it): the create
    // goes again as it was (a no-op if it landed), then the change as a PATCH.
    return new Promise((done, fail) => {
      this.queue.push({ op: 'update', id: a.id, changes, done, fail });
      this.kick(0);
    });
  }

  remove(a: Annotation): Promise<void> {
    const c = this.queuedCreate(a.id);
    if (c && !c.sent) {
      // Never sent: forget it here.
      this.queue.splice(this.queue.indexOf(c), 1);
      c.fail(cancelled());
      return Promise.resolve();
    }
    if (c) {
      // Sent with no answer yet: the server may have it (or get it late). The
      // create goes again, so it surely is there, then the DELETE removes it;
      // the user, who erased it, hears nothing of the create's own fate.
      const fail = c.fail;
      c.fail = () => fail(cancelled());
    }
    return new Promise((done, fail) => {
      this.queue.push({ op: 'delete', id: a.id, done, fail });
      this.kick(0);
    });
  }

  /**
   * Someone else may be signed in now (sign-out, a 401, another user): send
   * nothing until resume(). A request already on its way finishes (it went
   * out under the owner's session); the next one waits.
   */
  hold(): void {
    this.held = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The owner is signed in again: what waited for that goes now. */
  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.attempt = 0;
    this.kick(0);
  }

  /** A change the server confirmed, remembered while a listing is in flight. */
  private confirm(id: string, a: Annotation | null): void {
    if (this.listing) this.confirmed.set(id, { n: ++this.n, a });
  }

  private kick(delay: number): void {
    if (this.running || this.held) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  private async flush(): Promise<void> {
    if (this.running || this.held) return; // held: a timer set before the hold may still fire
    this.running = true;
    while (this.queue.length && !this.held) {
      try {
        await this.step();
        this.attempt = 0;
      } catch (e) {
        if (final(e)) continue; // step() dropped what was refused
        this.running = false;
        // Signed out: it all waits for the owner (resume()).
        if (signedOut(e) && this.owner) return this.hold();
        // Connection lost or server trouble: the same request again, later (unless held meanwhile).
        this.kick(this.retry(this.attempt++));
        return;
      }
    }
    this.running = false;
  }

  /** Sends the op at the head of the queue (a run of creates as one batch). */
  private async step(): Promise<void> {
    const head = this.queue[0];
    if (head.op === 'create') {
      let n = 0;
      while (n < this.queue.length && n < 500 && this.queue[n].op === 'create' && (this.queue[n] as typeof head).a.document_id === head.a.document_id) n++;
      const batch = this.queue.slice(0, n) as (typeof head)[];
      const body = { annotations: batch.map((o) => ({ id: o.a.id, version: o.a.version ?? 0, page: o.a.page, kind: o.a.kind, shared: o.a.shared, data: o.a.data })) };
      for (const o of batch) o.sent = true; // from now on the server may have them, whatever happens to the answer
      try {
        const r = await this.send<{ annotations: Annotation[] }>('POST', `/documents/${encodeURIComponent(head.a.document_id)}/annotations`, body);
        this.queue.splice(0, n);
        batch.forEach((o, i) => {
          this.confirm(o.a.id, r.annotations[i]);
          o.done(r.annotations[i]);
        });
      } catch (e) {
        if (final(e)) {
          // "annotations[i]: …" names the one refused; the others go again.
          const m = e instanceof ApiError ? /annotations\[(\d+)\]/.exec(e.message) : null;
          const bad = m && Number(m[1]) < n ? [Number(m[1])] : batch.map((_, i) => i);
          for (const i of [...bad].reverse()) {
            const [o] = this.queue.splice(i, 1);
            (o as typeof head).fail(e);
          }
        }
        throw e;
      }
      return;
    }
    try {
      if (head.op === 'update') {
        const r = await this.send<Annotation>('PATCH', `/annotations/${encodeURIComponent(head.id)}`, head.changes);
        this.queue.shift();
        this.confirm(head.id, r);
        head.done(r);
      } else {
        await this.send<void>('DELETE', `/annotations/${encodeURIComponent(head.id)}`).catch((e) => {
          if (!(e instanceof ApiError && e.status === 404)) throw e; // gone already: done
        });
        this.queue.shift();
        this.confirm(head.id, null);
        head.done();
      }
    } catch (e) {
      if (final(e)) {
        this.queue.shift();
        head.fail(e);
      }
      throw e;
    }
  }
}

/** false keeps annotations on this tablet only (a server without the annotation routes). */
export const SERVER_ANNOTATIONS = true;

const queues = new Map<string, ApiBackend>();

/** Every queue waits: nobody, or someone not known yet, is signed in (sign-out, a 401, another tab). */
export function holdAllQueues(): void {
  queues.forEach((b) => b.hold());
}

let watching = false;
/**
 * Who the server says is signed in: after another tab of this browser
 * signed in or out (the session cookie is shared: this tab may now hold
 * someone else's session), whom /me names, null for nobody or not known
 * yet; after a sign-in here, whom it signed in (resumeFor); undefined after
 * a sign-out here, or before anything happened (the app's me is the truth).
 * Only that user's queue may then send.
 */
let signedInAs: string | null | undefined;

/**
 * Counts the changes of who is signed in: a /me asked after another tab's
 * change counts only while it is the last one (a later change elsewhere, or
 * a sign-in or sign-out here, makes its answer stale).
 */
let changes = 0;

/** After another tab's sign-in or sign-out: hold every queue, then resume only the one of whoever /me says it is. */
function elsewhereChanged(on: boolean): void {
  holdAllQueues();
  signedInAs = null;
  const asked = ++changes;
  if (!on) return;
  void request<{ id: string }>('GET', '/me').then((u) => {
    if (asked !== changes) return; // who is signed in changed since it was asked
    resumeOnly(u.id);
  }, () => {});
}

/** who is the one signed in: their queue sends, every other one waits. */
function resumeOnly(who: string): void {
  signedInAs = who;
  queues.forEach((q, owner) => (owner === who ? q.resume() : q.hold()));
}

/**
 * This tab signed in as who (the sign-in's answer; api.ts signedInUser):
 * the marks held for who go now, without waiting for a document to be
 * opened; everyone else's keep waiting.
 */
function resumeFor(who: string): void {
  changes++;
  resumeOnly(who);
}

function watchSignIns(): void {
  if (watching) return;
  watching = true;
  signedIn.watch((on, elsewhere) => {
    if (elsewhere) return elsewhereChanged(on);
    changes++; // a /me asked before this tab's sign-in or sign-out may name someone else
    if (!on) holdAllQueues();
    signedInAs = undefined; // this tab signed in or out: the app's me is the truth again (resumeFor names whom it signed in)
  });
  signedInUser.watch(resumeFor);
}

/**
 * The server's store (one queue per user on this tablet, kept across pages,
 * documents and a sign-in again after the session ended), else this tablet's.
 * Only me's queue sends: the others wait for their authors, as do all of
 * them once this tablet signs out or its session ends. An idle queue of
 * another user is let go.
 */
export async function backendFor(_docId: string, me: string): Promise<Backend> {
  if (!SERVER_ANNOTATIONS) return new LocalBackend(me);
  watchSignIns();
  for (const [who, q] of queues) {
    if (who === me) continue;
    q.hold();
    if (q.idle) {
      q.dispose();
      queues.delete(who);
    }
  }
  let b = queues.get(me);
  if (!b) queues.set(me, (b = new ApiBackend({ owner: me })));
  // me is signed in (unless another tab changed who is since: then only if /me said so): marks held for them go now.
  // Else even a new queue waits: what me draws before /me answers must not go under whoever is signed in.
  if (signedInAs === undefined || signedInAs === me) b.resume();
  else b.hold();
  return b;
}

// Listening starts when this module loads (with the viewer, or at the
// room's start), not at the first document opened: a sign-in or sign-out in
// another tab before then still holds every queue. One heard by the app
// before this module was loaded (api.ts counts them) means the session may
// no longer be the one the app started with: whoever /me names is asked,
// and until it answers even a new queue waits.
if (SERVER_ANNOTATIONS) {
  watchSignIns();
  if (signedIn.changedElsewhere() > 0) elsewhereChanged(signedIn.get());
}
