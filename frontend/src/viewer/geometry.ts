// Page geometry for the viewer: fitting, the presenter's zoom region,
// zoom limits, the canvas size a device can take, and what a swipe means.
import type { Region } from '../types';

export interface Size {
  w: number;
  h: number;
}

export const MIN_ZOOM = 0.5;
export const MAX_ZOOM = 6;

/** The CSS scale that shows the whole page in the stage. */
export function fitScale(stage: Size, page: Size): number {
  if (page.w <= 0 || page.h <= 0 || stage.w <= 0 || stage.h <= 0) return 1;
  return Math.min(stage.w / page.w, stage.h / page.h);
}

export function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
}

/** A region given in fractions of the page, kept inside it and not empty. */
export function clampRegion(r: Region): Region {
  const x = Math.min(Math.max(r.x, 0), 0.99);
  const y = Math.min(Math.max(r.y, 0), 0.99);
  return { x, y, w: Math.min(Math.max(r.w, 0.01), 1 - x), h: Math.min(Math.max(r.h, 0.01), 1 - y) };
}

/**
 * How to show a region: the CSS scale that fits it in the stage, and the
 * scroll offsets that centre it.
 */
export function regionView(stage: Size, page: Size, region: Region): { scale: number; left: number; top: number } {
  const r = clampRegion(region);
  const scale = Math.min(stage.w / (r.w * page.w), stage.h / (r.h * page.h));
  const cx = (r.x + r.w / 2) * page.w * scale;
  const cy = (r.y + r.h / 2) * page.h * scale;
  return { scale, left: Math.max(0, cx - stage.w / 2), top: Math.max(0, cy - stage.h / 2) };
}

/** Canvas pixels per CSS pixel, so a canvas stays within maxPixels (iOS refuses bigger ones). */
export function pixelRatio(cssW: number, cssH: number, dpr: number, maxPixels = 16_000_000): number {
  const area = cssW * cssH * dpr * dpr;
  return area <= maxPixels ? dpr : Math.sqrt(maxPixels / (cssW * cssH));
}

/** +1 for "next page" (a swipe to the left), -1 for "previous", 0 for no swipe. */
export function swipe(dx: number, dy: number, ms: number): -1 | 0 | 1 {
  if (ms > 800 || Math.abs(dx) < 50 || Math.abs(dx) < 2 * Math.abs(dy)) return 0;
  return dx < 0 ? 1 : -1;
}
