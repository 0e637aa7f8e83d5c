// The page on screen: renders one page at a time into a canvas swapped in
// only when ready (the old page stays until then, no blank flash), keeps the
// neighbours rendered ahead so a page turn is a swap, and turns swipes,
// pinches, ctrl+wheel and keys into navigation and zoom.
import type { Region } from '../types';
import { clampZoom, fitScale, pixelRatio, regionView, swipe, type Size } from './geometry';
import type { PdfDoc } from './pdf';

export interface StageEvents {
  /** The user asked for another page. */
  turn(page: number): void;
  /** The user zoomed (null: back to fit). */
  zoomed(zoom: number | null): void;
  /** A page is on screen: its number, CSS size and page size in points. */
  shown(page: number, css: Size, pageSize: Size): void;
}

interface Cached {
  key: string;
  canvas: Promise<HTMLCanvasElement>;
  cancel(): void;
}

const CACHE = 4;

declare global {
  interface Window {
    /** Pages shown and when (epoch ms), read by the browser tests to measure latency. */
    __curiaShown?: { page: number; doc: string; at: number }[];
  }
}

export class Stage {
  private pdf: PdfDoc | null = null;
  private docKey = '';
  private page = 1;
  private region: Region | null = null;
  private zoom: number | null = null; // null: fit page (or the region)
  private cache: Cached[] = [];
  private token = 0;
  private pointers = new Map<number, { x: number; y: number; t: number; x0: number; y0: number }>();
  private pinch: { d0: number; cx: number; cy: number } | null = null;
  private resizeObs: ResizeObserver;
  private current: HTMLCanvasElement | null = null;
  /** When set (a drawing tool is active), one-finger gestures belong to the annotation layer. */
  drawing = false;

  constructor(private readonly stage: HTMLElement, private readonly sheet: HTMLElement, private readonly ev: StageEvents) {
    stage.addEventListener('pointerdown', this.down);
    stage.addEventListener('pointermove', this.move);
    stage.addEventListener('pointerup', this.up);
    stage.addEventListener('pointercancel', this.cancel);
    stage.addEventListener('wheel', this.wheel, { passive: false });
    this.resizeObs = new ResizeObserver(() => void this.draw(false));
    this.resizeObs.observe(stage);
  }

  destroy(): void {
    this.resizeObs.disconnect();
    this.stage.removeEventListener('pointerdown', this.down);
    this.stage.removeEventListener('pointermove', this.move);
    this.stage.removeEventListener('pointerup', this.up);
    this.stage.removeEventListener('pointercancel', this.cancel);
    this.stage.removeEventListener('wheel', this.wheel);
    this.clearCache();
  }

  setDoc(pdf: PdfDoc, key: string): void {
    if (this.pdf === pdf) return;
    this.clearCache();
    this.pdf = pdf;
    this.docKey = key;
  }

  /** Shows page n: with the presenter's region if given, else the user's zoom. */
  show(n: number, region: Region | null, resetZoom: boolean): Promise<void> {
    const turned = n !== this.page;
    this.page = n;
    this.region = region;
    if (resetZoom) this.zoom = null;
    return this.draw(turned);
  }

  setZoom(z: number | null): void {
    this.zoom = z === null ? null : clampZoom(z);
    this.region = null;
    this.ev.zoomed(this.zoom);
    void this.draw(false);
  }

  get zoomLevel(): number {
    return this.zoom ?? 1;
  }

  private stageSize(): Size {
    return { w: this.stage.clientWidth, h: this.stage.clientHeight };
  }

  private async draw(turned: boolean): Promise<void> {
    const pdf = this.pdf;
    if (!pdf || this.stage.clientWidth === 0) return;
    const token = ++this.token;
    const n = this.page;
    performance.mark(`curia:draw-${n}`);
    const size = await pdf.size(n);
    if (token !== this.token) return;
    const st = this.stageSize();
    let scale: number;
    let scroll: { left: number; top: number } | null = null;
    if (this.region) {
      const v = regionView(st, size, this.region);
      scale = v.scale;
      scroll = { left: v.left, top: v.top };
    } else {
      scale = fitScale(st, size) * (this.zoom ?? 1);
      if (turned) scroll = { left: 0, top: 0 };
    }
    const css = { w: Math.floor(size.w * scale), h: Math.floor(size.h * scale) };
    const px = scale * pixelRatio(css.w, css.h, window.devicePixelRatio || 1);
    let canvas: HTMLCanvasElement;
    try {
      canvas = await this.rendered(n, px).canvas;
    } catch {
      return; // cancelled or failed: a newer draw is on its way, or the page stays as it was
    }
    if (token !== this.token) return;
    canvas.className = 'page-canvas';
    canvas.style.width = `${css.w}px`;
    canvas.style.height = `${css.h}px`;
    this.sheet.style.width = `${css.w}px`;
    this.sheet.style.height = `${css.h}px`;
    if (this.current !== canvas) {
      if (this.current) this.current.remove();
      this.sheet.prepend(canvas);
      this.current = canvas;
    }
    this.sheet.dataset.page = String(n);
    if (scroll) this.stage.scrollTo(scroll.left, scroll.top);
    this.stage.style.touchAction = this.stage.scrollWidth > this.stage.clientWidth + 2 ? 'pan-x pan-y' : 'pan-y';
    (window.__curiaShown ??= []).push({ page: n, doc: this.docKey, at: performance.timeOrigin + performance.now() });
    if (window.__curiaShown.length > 200) window.__curiaShown.splice(0, 100);
    this.ev.shown(n, css, size);
    this.prefetch(n, px);
  }

  /** A rendering of page n at px, from the cache or started now. */
  private rendered(n: number, px: number): Cached {
    const key = `${n}@${px.toFixed(4)}`;
    const i = this.cache.findIndex((c) => c.key === key);
    if (i >= 0) {
      const [c] = this.cache.splice(i, 1);
      this.cache.unshift(c);
      return c;
    }
    const r = this.pdf!.render(n, px);
    const c: Cached = { key, canvas: r.promise, cancel: r.cancel };
    c.canvas.catch(() => this.evict(c));
    this.cache.unshift(c);
    while (this.cache.length > CACHE) {
      const old = this.cache.pop()!;
      this.release(old);
    }
    return c;
  }

  private prefetch(n: number, px: number): void {
    const pdf = this.pdf;
    if (!pdf) return;
    const idle = (fn: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 500 }) : setTimeout(fn, 50));
    idle(() => {
      if (this.pdf !== pdf || this.page !== n) return;
      if (n < pdf.pages) this.rendered(n + 1, px);
      if (n > 1) this.rendered(n - 1, px);
      // keep the current page first in the cache
      const i = this.cache.findIndex((c) => c.key.startsWith(`${n}@`));
      if (i > 0) this.cache.unshift(...this.cache.splice(i, 1));
    });
  }

  private evict(c: Cached): void {
    const i = this.cache.indexOf(c);
    if (i >= 0) this.cache.splice(i, 1);
  }

  private release(c: Cached): void {
    c.cancel();
    c.canvas.then((cv) => {
      if (cv !== this.current) {
        cv.width = 0; // give the memory back now (iOS counts canvas memory)
        cv.height = 0;
      }
    }, () => {});
  }

  private clearCache(): void {
    this.cache.forEach((c) => this.release(c));
    this.cache = [];
    this.current?.remove();
    this.current = null;
  }

  // --- gestures ---

  private down = (e: PointerEvent) => {
    if (this.drawing && e.pointerType !== 'touch') return;
    this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, t: e.timeStamp, x0: e.clientX, y0: e.clientY });
    if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      this.pinch = { d0: Math.hypot(a.x - b.x, a.y - b.y) || 1, cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2 };
    }
  };

  private move = (e: PointerEvent) => {
    const p = this.pointers.get(e.pointerId);
    if (!p) return;
    p.x = e.clientX;
    p.y = e.clientY;
    if (this.pinch && this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      const ratio = Math.hypot(a.x - b.x, a.y - b.y) / this.pinch.d0;
      const r = this.sheet.getBoundingClientRect();
      this.sheet.style.transformOrigin = `${this.pinch.cx - r.left}px ${this.pinch.cy - r.top}px`;
      this.sheet.style.transform = `scale(${ratio})`;
    }
  };

  private up = (e: PointerEvent) => {
    const p = this.pointers.get(e.pointerId);
    if (!p) return;
    if (this.pinch) {
      if (this.pointers.size === 2) {
        const [a, b] = [...this.pointers.values()];
        const ratio = Math.hypot(a.x - b.x, a.y - b.y) / this.pinch.d0;
        this.sheet.style.transform = '';
        this.setZoom(this.zoomLevel * ratio);
      }
      this.pinch = null;
      this.pointers.clear();
      return;
    }
    this.pointers.delete(e.pointerId);
    if (this.drawing) return;
    const dir = swipe(p.x - p.x0, p.y - p.y0, e.timeStamp - p.t);
    if (dir !== 0 && this.stage.scrollWidth <= this.stage.clientWidth + 2) this.step(dir);
  };

  private cancel = (e: PointerEvent) => {
    this.pointers.delete(e.pointerId);
    if (this.pointers.size < 2 && this.pinch) {
      this.pinch = null;
      this.sheet.style.transform = '';
    }
  };

  private wheel = (e: WheelEvent) => {
    if (!e.ctrlKey) return; // trackpad pinch arrives as ctrl+wheel
    e.preventDefault();
    this.setZoom(this.zoomLevel * Math.exp(-e.deltaY / 200));
  };

  step(dir: number): void {
    const pdf = this.pdf;
    if (!pdf) return;
    const n = Math.min(pdf.pages, Math.max(1, this.page + dir));
    if (n !== this.page) this.ev.turn(n);
  }
}
