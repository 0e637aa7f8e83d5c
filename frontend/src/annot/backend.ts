// Where annotations are kept: on the server (POST/GET /documents/{id}/annotations,
// PATCH/DELETE /annotations/{id}; api/openapi.yaml). Changes go through a
// queue, in order: new annotations carry an id made here, are sent in
// batches, and are sent again after a dropped connection (the server treats
// a replay of the same id and content as done). LocalBackend (this tablet
// only) remains for tests and for a server without the routes.
import { ApiError, request } from '../api';
import type { Annotation, AnnotationData, NewAnnotation } from './types';

export interface Backend {
  /** true when annotations are stored on the server (and shared ones are seen by others). */
  readonly remote: boolean;
  list(docId: string, version?: number): Promise<Annotation[]>;
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
  | { op: 'create'; a: NewAnnotation; done(a: Annotation): void; fail(e: unknown): void }
  | { op: 'update'; id: string; changes: { shared?: boolean; data?: AnnotationData }; done(a: Annotation): void; fail(e: unknown): void }
  | { op: 'delete'; id: string; done(): void; fail(e: unknown): void };

/** The server's answer is final (a 4xx other than timeouts and rate limits): sending again will not help. */
const final = (e: unknown) => e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;

export interface ApiOptions {
  /** Wait before sending, to batch a burst of strokes (ms). */
  batchDelay?: number;
  /** Retry delays after a dropped connection or a server error (ms). */
  retry?: (attempt: number) => number;
  send?: typeof request;
}

export class ApiBackend implements Backend {
  readonly remote = true;
  private queue: Op[] = [];
  private running = false;
  /** How many ops at the head of the queue are on their way to the server. */
  private inflight = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private readonly send: typeof request;
  private readonly batchDelay: number;
  private readonly retry: (attempt: number) => number;

  constructor(o: ApiOptions = {}) {
    this.send = o.send ?? request;
    this.batchDelay = o.batchDelay ?? 120;
    this.retry = o.retry ?? ((n) => Math.min(15000, 500 * 2 ** n));
    if (typeof window !== 'undefined') window.addEventListener('online', () => this.kick(0));
  }

  /** Annotations not yet confirmed by the server. */
  get pending(): number {
    return this.queue.length;
  }

  async list(docId: string, version?: number): Promise<Annotation[]> {
    const q = version ? `?version=${version}` : '';
    const r = await this.send<{ annotations: Annotation[] }>('GET', `/documents/${encodeURIComponent(docId)}/annotations${q}`);
    const list = r.annotations ?? [];
    // What this tablet has drawn and not yet sent stays on screen.
    const unsent = this.queue.flatMap((o) => (o.op === 'create' && o.a.document_id === docId && !list.some((x) => x.id === o.a.id) ? [o.a as Annotation] : []));
    return [...list, ...unsent];
  }

  create(a: NewAnnotation): Promise<Annotation> {
    const withId = { ...a, id: a.id || newId() };
    return new Promise((done, fail) => {
      this.queue.push({ op: 'create', a: withId, done, fail });
      this.kick(this.batchDelay);
    });
  }

  update(a: Annotation, changes: { shared?: boolean; data?: AnnotationData }): Promise<Annotation> {
    const i = this.queue.findIndex((o) => o.op === 'create' && o.a.id === a.id);
    const unsent = i >= this.inflight ? this.queue[i] : undefined;
    if (unsent?.op === 'create') {
      unsent.a = { ...unsent.a, ...changes };
      return Promise.resolve({ ...a, ...changes });
    }
    return new Promise((done, fail) => {
      this.queue.push({ op: 'update', id: a.id, changes, done, fail });
      this.kick(0);
    });
  }

  remove(a: Annotation): Promise<void> {
    // Never sent: forget it here.
    const i = this.queue.findIndex((o) => o.op === 'create' && o.a.id === a.id);
    if (i >= this.inflight) {
      const [o] = this.queue.splice(i, 1);
      (o as Extract<Op, { op: 'create' }>).fail(new ApiError(0, 'cancelled', 'removed before it was sent'));
      return Promise.resolve();
    }
    return new Promise((done, fail) => {
      this.queue.push({ op: 'delete', id: a.id, done, fail });
      this.kick(0);
    });
  }

  private kick(delay: number): void {
    if (this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  private async flush(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.queue.length) {
      try {
        await this.step();
        this.attempt = 0;
      } catch (e) {
        if (final(e)) continue; // step() dropped what was refused
        // Connection lost or server trouble: the same request again, later.
        this.running = false;
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
      this.inflight = n;
      try {
        const r = await this.send<{ annotations: Annotation[] }>('POST', `/documents/${encodeURIComponent(head.a.document_id)}/annotations`, body);
        this.queue.splice(0, n);
        batch.forEach((o, i) => o.done(r.annotations[i]));
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
      } finally {
        this.inflight = 0;
      }
      return;
    }
    this.inflight = 1;
    try {
      if (head.op === 'update') {
        const r = await this.send<Annotation>('PATCH', `/annotations/${encodeURIComponent(head.id)}`, head.changes);
        this.queue.shift();
        head.done(r);
      } else {
        await this.send<void>('DELETE', `/annotations/${encodeURIComponent(head.id)}`).catch((e) => {
          if (!(e instanceof ApiError && e.status === 404)) throw e; // gone already: done
        });
        this.queue.shift();
        head.done();
      }
    } catch (e) {
      if (final(e)) {
        this.queue.shift();
        head.fail(e);
      }
      throw e;
    } finally {
      this.inflight = 0;
    }
  }
}

/** false keeps annotations on this tablet only (a server without the annotation routes). */
export const SERVER_ANNOTATIONS = true;

let shared: ApiBackend | null = null;

/** The server's store (one queue per tablet, kept across pages and documents), else this tablet's. */
export async function backendFor(_docId: string, me: string): Promise<Backend> {
  if (!SERVER_ANNOTATIONS) return new LocalBackend(me);
  return (shared ??= new ApiBackend());
}
