// The presenter's pointer ("laser") and temporary strokes: ephemeral live
// messages (api/live.md, "App broadcasts: pointer"). The presenter's tablet
// sends positions, and the pieces of the strokes of its temporary pen, on
// the presented page, throttled under the hub's rate limit; followers show
// a dot there and draw the strokes as they come. Nothing is stored.
// Coordinates are PDF points from the top-left of the page, as for
// annotations.
import type { Store } from '../store';

export type PointerKind = 'laser' | 'stroke' | 'clear' | 'hide';

/** A point of a stroke: [x, y] in page points (the hub also allows [x, y, pressure]). */
export type StrokePoint = number[];

/** What the hub relays to the room. */
export interface PointerMove {
  document_id: string;
  version?: number;
  page: number;
  by: string;
  kind: PointerKind;
  x?: number;
  y?: number;
  /** kind stroke: the stroke's id (its pieces share it), its new points, colour and width (points). */
  stroke?: string;
  points?: StrokePoint[];
  colour?: string;
  width?: number;
}

/** What the presenter's tablet sends. */
export interface PointerOut {
  document_id: string;
  page: number;
  kind: PointerKind;
  x?: number;
  y?: number;
  stroke?: string;
  points?: StrokePoint[];
  colour?: string;
  width?: number;
}

/** What a viewer needs to show the presenter's pointer and strokes and, if allowed, to point and draw. */
export interface PointerLink {
  /** The last pointer message of the room (null: none yet). */
  moves: Store<PointerMove | null>;
  /** Whether this user may point now (the chair or the current item's presenter, on the presented page). */
  canPoint: boolean;
  /**
   * The presented page ("documentId:page"), null when nothing is presented: temporary strokes belong
   * to it and go when it changes (undefined: not known; strokes then go with the viewer's page).
   */
  live?: string | null;
  /** The current agenda item: when it changes, so may the presenter, and the strokes go. */
  item?: string | null;
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

// --- the temporary pen ---

/** The temporary pen's ink: a bright red, distinct from the usual pens, 3 points wide. */
export const TEMP_COLOUR = '#e8173c';
export const TEMP_WIDTH = 3;
/** Points per message at most (the hub takes 500 and 16 KiB: 200 points of [x, y] are under 4 KB). */
export const PIECE_POINTS = 200;
/** Bytes of a piece's points (as JSON) at most, well under the hub's 16 KiB for the whole message. */
export const PIECE_BYTES = 12 * 1024;
/** A point closer than this (page points) to the last one adds nothing visible and is dropped. */
export const MIN_STEP = 0.5;

export interface StrokePiece {
  stroke: string;
  points: StrokePoint[];
  colour: string;
  width: number;
}

let idSeq = 0;
/** A stroke id the hub accepts (1 to 64 of A-Z a-z 0-9 _ -), unique enough for a meeting's lifetime. */
export function newStrokeId(): string {
  idSeq = (idSeq + 1) % 1e6;
  return `t${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}${idSeq.toString(36)}`;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Sends a temporary stroke in pieces while it is drawn: the first point at
 * once, then what was drawn since at most once per interval (the laser and
 * the pen are never on together, so this is the tablet's only pointer
 * traffic), each piece within the hub's limits; the end of a stroke goes
 * out as soon as the interval allows. Points are rounded to a tenth of a
 * point, and those that do not move are dropped.
 */
export class StrokeSender {
  private id: string | null = null;
  /** Points drawn and not yet cut into pieces (they belong to id). */
  private pending: StrokePoint[] = [];
  /** Pieces waiting for their turn, in order. */
  private queue: StrokePiece[] = [];
  private last: StrokePoint | null = null;
  private lastSent = -Infinity;
  private timer: unknown = null;

  constructor(
    private readonly send: (p: StrokePiece) => void,
    private readonly opt: { interval?: number; colour?: string; width?: number; newId?: () => string; clock?: Clock } = {},
  ) {}

  private get clock(): Clock {
    return this.opt.clock ?? realClock;
  }

  /** The stroke being drawn (null between strokes). */
  get current(): string | null {
    return this.id;
  }

  /** Whether pieces are still to go out. */
  get busy(): boolean {
    return this.pending.length > 0 || this.queue.length > 0;
  }

  /** A new stroke starts at (x, y) (the previous one ends). Returns its id. */
  start(x: number, y: number): string {
    this.end();
    this.id = (this.opt.newId ?? newStrokeId)();
    this.add(x, y);
    return this.id;
  }

  /** The stroke goes on to (x, y). */
  add(x: number, y: number): void {
    if (!this.id) return;
    const p = [r1(x), r1(y)];
    const l = this.last;
    if (l && Math.hypot(p[0] - l[0], p[1] - l[1]) < MIN_STEP) return;
    this.last = p;
    this.pending.push(p);
    this.schedule();
  }

  /** The stroke ends: what is pending goes out as soon as the interval allows. */
  end(): void {
    this.cut();
    this.id = null;
    this.last = null;
  }

  /** Drops what has not gone out (the page changed under the pen, or the strokes were cleared). */
  cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.queue = [];
    this.id = null;
    this.last = null;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const now = this.clock.now();
    const wait = (this.opt.interval ?? POINTER_INTERVAL) - (now - this.lastSent);
    if (wait <= 0) {
      this.flush(now);
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.flush(this.clock.now());
    }, wait);
  }

  /** Cuts the pending points into pieces of the current stroke, each within the limits. */
  private cut(): void {
    const pts = this.pending;
    this.pending = [];
    if (!pts.length || !this.id) return;
    for (let i = 0; i < pts.length; ) {
      let n = Math.min(PIECE_POINTS, pts.length - i);
      while (n > 1 && JSON.stringify(pts.slice(i, i + n)).length > PIECE_BYTES) n = Math.ceil(n / 2);
      this.queue.push({ stroke: this.id, points: pts.slice(i, i + n), colour: this.opt.colour ?? TEMP_COLOUR, width: this.opt.width ?? TEMP_WIDTH });
      i += n;
    }
  }

  private flush(now: number): void {
    this.cut();
    const piece = this.queue.shift();
    if (piece) {
      this.lastSent = now;
      this.send(piece);
    }
    if (this.queue.length) this.schedule();
  }
}

/** A temporary stroke as a follower has it. */
export interface TempStroke {
  /** by + "/" + the stroke's id: two presenters' ids never mix. */
  key: string;
  by: string;
  colour: string;
  width: number;
  points: StrokePoint[];
}

/** At most this many strokes, and points in all, are kept (the oldest strokes go first). */
export const MAX_TEMP_STROKES = 300;
export const MAX_TEMP_POINTS = 60_000;

/**
 * Joins the pieces of the temporary strokes of one page (the presented
 * one): a piece of a stroke for another page or document starts over on
 * that page; clear removes them all. Pure: the viewer draws what it holds.
 */
/** How many taken-away strokes TempStrokes remembers, to drop their late pieces. */
const MAX_GONE = 500;

export class TempStrokes {
  private page: { docId: string; page: number } | null = null;
  private strokes = new Map<string, TempStroke>();
  private total = 0;
  /**
   * Strokes taken away (cleared, or gone with their page): a piece of one that arrives late (the presenter's
   * tablet sends pieces a little behind the pen) must not bring it back. Stroke ids are unique, so this only
   * ever drops pieces of old strokes; the most recent MAX_GONE are remembered.
   */
  private gone = new Set<string>();

  /** Where the strokes are ("documentId:page"), or null when there are none. */
  get where(): string | null {
    return this.page && this.strokes.size ? `${this.page.docId}:${this.page.page}` : null;
  }

  get size(): number {
    return this.strokes.size;
  }

  /** Applies a pointer message; true when the strokes changed. */
  apply(m: PointerMove): boolean {
    if (m.kind === 'clear') {
      if (!this.page || this.page.docId !== m.document_id || !this.strokes.size) return false;
      this.reset();
      return true;
    }
    if (m.kind !== 'stroke' || !m.stroke || !Array.isArray(m.points) || !m.points.length) return false;
    if (!this.page || this.page.docId !== m.document_id || this.page.page !== m.page) {
      this.reset();
      this.page = { docId: m.document_id, page: m.page };
    }
    const key = `${m.by}/${m.stroke}`;
    if (this.gone.has(key)) return false;
    let s = this.strokes.get(key);
    if (!s) {
      s = { key, by: m.by, colour: m.colour || TEMP_COLOUR, width: m.width || TEMP_WIDTH, points: [] };
      this.strokes.set(key, s);
    }
    const pts = m.points.filter((p) => Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]));
    // A new array: whoever drew the old one sees a change.
    s.points = s.points.concat(pts);
    this.total += pts.length;
    while ((this.strokes.size > MAX_TEMP_STROKES || this.total > MAX_TEMP_POINTS) && this.strokes.size > 1) {
      const oldest = this.strokes.keys().next().value!;
      this.total -= this.strokes.get(oldest)!.points.length;
      this.strokes.delete(oldest);
    }
    return true;
  }

  /** Removes every stroke. */
  reset(): void {
    for (const key of this.strokes.keys()) {
      this.gone.add(key);
      if (this.gone.size > MAX_GONE) this.gone.delete(this.gone.values().next().value!);
    }
    this.strokes.clear();
    this.total = 0;
    this.page = null;
  }

  /** The strokes to draw on a page (none when they belong to another). */
  on(docId: string, page: number): TempStroke[] {
    if (!this.page || this.page.docId !== docId || this.page.page !== page) return [];
    return [...this.strokes.values()];
  }
}
