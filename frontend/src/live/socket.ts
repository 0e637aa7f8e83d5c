// The connection to a meeting's live hub (realtime/doc.go): a snapshot
// first, then numbered events. It reconnects by itself with backoff and
// jitter, resumes with ?since=N&epoch=E, and tells the owner to refetch
// everything when the hub answers resync (or closes with 4001) or when a
// gap shows in the sequence. It also says whether the user follows the
// presenter.
import { backoff } from './backoff';
import type { LiveEvent } from '../types';

export interface LiveHandlers {
  /** A fresh snapshot: state is the server's live state (null when resumed). */
  snapshot(state: unknown, data: Record<string, unknown>): void;
  /** A sequenced event, in order, each once. */
  event(ev: LiveEvent): void;
  /** A `skip`, in order, once: an event this viewer was not sent (its seq is counted). */
  skipped?(seq: number): void;
  /** Cached state may be stale: drop it and refetch. */
  resync(): void;
  /** Presence, follow counts, errors: messages without a seq. */
  ephemeral?(msg: LiveEvent): void;
  /** Connected (snapshot received) or not. */
  status(online: boolean): void;
  /**
   * Reconnecting keeps failing, or the hub closed with 4003 (the user's
   * access or session changed, and the reconnection may be refused): the
   * owner may check the session.
   */
  failing?(attempts: number): void;
}

export interface SocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export interface LiveOptions {
  url: string; // ws(s)://host/api/v1/meetings/{id}/live
  makeSocket?: (url: string) => SocketLike;
  rand?: () => number;
  /** Our own ping: a connection silent for staleMs is taken as dead. */
  pingMs?: number;
  staleMs?: number;
}

const OPEN = 1;

export class LiveSocket {
  private ws: SocketLike | null = null;
  private seq: number | null = null; // last seq applied
  private epoch = '';
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private stopped = false;
  private following = true;
  private online = false;
  private readonly makeSocket: (url: string) => SocketLike;

  constructor(private readonly opt: LiveOptions, private readonly h: LiveHandlers) {
    this.makeSocket = opt.makeSocket ?? ((u) => new WebSocket(u) as unknown as SocketLike);
  }

  /** The last sequence number applied (for tests and diagnostics). */
  get lastSeq(): number | null {
    return this.seq;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      ws.close(1000);
    }
    this.setOnline(false);
  }

  /** Reconnect now (the network came back, the tablet woke up). */
  kick(): void {
    if (this.stopped) return;
    if (this.ws && this.ws.readyState === OPEN && Date.now() - this.lastHeard < (this.opt.staleMs ?? 45000)) return;
    this.attempt = 0;
    this.drop();
    clearTimeout(this.retryTimer);
    this.connect();
  }

  setFollowing(on: boolean): void {
    this.following = on;
    this.send({ type: 'follow', following: on });
  }

  /** Sends the presenter's pointer (api/live.md, pointer); false when offline (pointer messages are not queued). */
  sendPointer(data: unknown): boolean {
    if (!this.ws || this.ws.readyState !== OPEN || !this.online) return false;
    this.send({ type: 'pointer', data });
    return true;
  }

  private send(msg: unknown): void {
    if (this.ws && this.ws.readyState === OPEN) this.ws.send(JSON.stringify(msg));
  }

  private connect(): void {
    if (this.stopped) return;
    let url = this.opt.url;
    if (this.seq !== null) url += `?since=${this.seq}&epoch=${encodeURIComponent(this.epoch)}`;
    const ws = this.makeSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      if (!this.following) this.send({ type: 'follow', following: false });
    };
    ws.onmessage = (ev) => {
      this.lastHeard = Date.now();
      let msg: LiveEvent;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      this.receive(msg);
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => this.closed(ws, ev.code);
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.heartbeat(), this.opt.pingMs ?? 20000);
  }

  private heartbeat(): void {
    if (!this.ws) return;
    if (Date.now() - this.lastHeard > (this.opt.staleMs ?? 45000)) {
      this.drop(); // a half-open connection after Wi-Fi loss
      this.retry();
      return;
    }
    this.send({ type: 'ping' });
  }

  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    clearInterval(this.pingTimer);
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      try {
        ws.close(1000);
      } catch {
        /* already closed */
      }
    }
    this.setOnline(false);
  }

  private closed(ws: SocketLike, code: number): void {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.pingTimer);
    this.setOnline(false);
    if (code === 4001) this.forget(); // the server lost the stream: reconnect without since
    // Access changed or the session ended: ask now whether we are still
    // signed in, rather than after three refused reconnections.
    const refused = code === 4003;
    if (refused) this.h.failing?.(this.attempt);
    this.retry(refused);
  }

  /** Schedules the next connection; told (checked) when failing was just called for this close, so it is not called twice. */
  private retry(checked = false): void {
    if (this.stopped) return;
    const wait = backoff(this.attempt++, this.opt.rand);
    if (this.attempt >= 3 && !checked) this.h.failing?.(this.attempt);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  private forget(): void {
    this.seq = null;
    this.epoch = '';
    this.h.resync();
  }

  private receive(msg: LiveEvent): void {
    if (msg.type === 'snapshot') {
      const data = (msg.data ?? {}) as Record<string, unknown>;
      this.epoch = String(data.epoch ?? '');
      this.attempt = 0;
      if (!data.resumed) {
        this.seq = msg.seq ?? 0;
        this.h.snapshot(data.state ?? null, data);
      } else if (this.seq === null) {
        this.seq = msg.seq ?? 0;
      }
      this.setOnline(true);
      this.h.ephemeral?.(msg);
      return;
    }
    if (msg.type === 'resync') {
      this.forget();
      return;
    }
    if (typeof msg.seq !== 'number') {
      this.h.ephemeral?.(msg);
      return;
    }
    if (this.seq !== null && msg.seq <= this.seq) return; // already applied (snapshot raced it)
    if (this.seq !== null && msg.seq > this.seq + 1) {
      // A gap: never apply past it. Start over with a fresh snapshot.
      this.forget();
      this.drop();
      this.retry();
      return;
    }
    this.seq = msg.seq;
    if (msg.type !== 'skip') this.h.event(msg);
    else this.h.skipped?.(msg.seq);
  }

  private setOnline(on: boolean): void {
    if (on === this.online) return;
    this.online = on;
    this.h.status(on);
  }
}

/** The hub's URL for a meeting on this origin. */
export function liveURL(meetingId: string, loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/v1/meetings/${encodeURIComponent(meetingId)}/live`;
}
