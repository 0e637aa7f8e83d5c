// The presenter's pointer ("laser"): an ephemeral live message (api/live.md,
// "App broadcasts: pointer"). The presenter's tablet sends positions on the
// presented page, throttled under the hub's rate limit; followers show a dot
// there. Coordinates are PDF points from the top-left of the page, as for
// annotations.
import type { Store } from '../store';

export type PointerKind = 'laser' | 'stroke' | 'clear' | 'hide';

/** What the hub relays to the room. */
export interface PointerMove {
  document_id: string;
  version?: number;
  page: number;
  by: string;
  kind: PointerKind;
  x?: number;
  y?: number;
}

/** What the presenter's tablet sends. */
export interface PointerOut {
  document_id: string;
  page: number;
  kind: 'laser' | 'hide';
  x?: number;
  y?: number;
}

/** What a viewer needs to show the presenter's pointer and, if allowed, to point. */
export interface PointerLink {
  /** The last pointer message of the room (null: none yet). */
  moves: Store<PointerMove | null>;
  /** Whether this user may point now (the chair or the current item's presenter, on the presented page). */
  canPoint: boolean;
  send(m: PointerOut): void;
}

/** At most this often (ms) a position goes out: 15 a second, under the hub's 20 messages a second. */
export const POINTER_INTERVAL = 66;
/** A dot with no news for this long (ms) fades out. */
export const POINTER_FADE = 2000;

interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

/**
 * Throttles the presenter's positions: the first goes out at once, then at
 * most one per interval, and the last position of a burst always goes out.
 */
export class PointerSender {
  private last = -Infinity;
  private pending: { x: number; y: number } | null = null;
  private timer: unknown = null;
  private shown = false;

  constructor(
    private readonly send: (kind: 'laser' | 'hide', x?: number, y?: number) => void,
    private readonly interval = POINTER_INTERVAL,
    private readonly clock: Clock = realClock,
  ) {}

  move(x: number, y: number): void {
    const now = this.clock.now();
    if (now - this.last >= this.interval && this.timer === null) {
      this.out(x, y, now);
      return;
    }
    this.pending = { x, y };
    if (this.timer === null) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        const p = this.pending;
        this.pending = null;
        if (p) this.out(p.x, p.y, this.clock.now());
      }, Math.max(0, this.interval - (now - this.last)));
    }
  }

  /** The pointer leaves the page: drop what is pending and put the dot away. */
  hide(): void {
    this.cancel();
    if (this.shown) {
      this.shown = false;
      this.send('hide');
    }
  }

  /** Stops without a word (the page changed under the pointer). */
  cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private out(x: number, y: number, now: number): void {
    this.last = now;
    this.shown = true;
    this.send('laser', Math.round(x * 10) / 10, Math.round(y * 10) / 10);
  }
}

/** Where to draw a pointer on a page of size (points), in fractions of the page; null when it is not for this page. */
export function dotOn(m: PointerMove | null, docId: string, page: number, size: { w: number; h: number }): { fx: number; fy: number } | null {
  if (!m || m.kind !== 'laser' || m.document_id !== docId || m.page !== page || m.x === undefined || m.y === undefined) return null;
  if (size.w <= 0 || size.h <= 0) return null;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return { fx: clamp(m.x / size.w), fy: clamp(m.y / size.h) };
}
