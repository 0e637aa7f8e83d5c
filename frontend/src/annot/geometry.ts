// Geometry of annotations, in PDF points (the server's coordinates).
import type { HighlightData, InkData, Point, Rect } from './types';

/** Distance in points from (x, y) to the nearest segment of any stroke. */
export function distanceToInk(ink: InkData, x: number, y: number): number {
  let best = Infinity;
  for (const s of ink.strokes) {
    for (let i = 0; i < s.length; i++) {
      const a = s[i];
      const b = s[i + 1] ?? a;
      best = Math.min(best, segment(x, y, a[0], a[1], b[0], b[1]));
    }
  }
  return best;
}

/** Distance in points from (x, y) to the nearest rectangle of a highlight (0 inside). */
export function distanceToHighlight(hl: HighlightData, x: number, y: number): number {
  let best = Infinity;
  for (const r of hl.rects) {
    const dx = Math.max(r.x - x, 0, x - (r.x + r.w));
    const dy = Math.max(r.y - y, 0, y - (r.y + r.h));
    best = Math.min(best, Math.hypot(dx, dy));
  }
  return best;
}

function segment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Drops points closer than minDist (points) to the previous kept one; keeps the last. */
export function simplify(points: Point[], minDist = 1): Point[] {
  if (points.length <= 2) return points;
  const out = [points[0]];
  for (let i = 1; i < points.length; i++) {
    const l = out[out.length - 1];
    if (Math.hypot(points[i][0] - l[0], points[i][1] - l[1]) >= minDist || i === points.length - 1) out.push(points[i]);
  }
  return out;
}

/** Keeps at most max points, evenly spaced, first and last included. */
export function decimate(points: Point[], max: number): Point[] {
  if (points.length <= max) return points;
  const out: Point[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]);
  return out;
}

/** Clamps a point to the page and rounds it to 1/100 point, as the server stores it. */
export function clampPoint(x: number, y: number, page: { w: number; h: number }): Point {
  const r = (v: number) => Math.round(v * 100) / 100;
  return [r(Math.min(Math.max(x, 0), page.w)), r(Math.min(Math.max(y, 0), page.h))];
}

/**
 * A highlighter swipe as the server's highlight rectangles: one per
 * segment of the (simplified) path, as tall and wide as the marker, at
 * most max of them, inside the page.
 */
export function strokeToRects(points: Point[], width: number, page: { w: number; h: number }, max = 200): Rect[] {
  const pts = decimate(simplify(points, width / 2), max + 1);
  const half = width / 2;
  const r = (v: number) => Math.round(v * 100) / 100;
  const rects: Rect[] = [];
  const add = (x0: number, y0: number, x1: number, y1: number) => {
    const x = Math.max(0, Math.min(x0, x1) - half);
    const y = Math.max(0, Math.min(y0, y1) - half);
    const xe = Math.min(page.w, Math.max(x0, x1) + half);
    const ye = Math.min(page.h, Math.max(y0, y1) + half);
    if (xe - x > 0.01 && ye - y > 0.01) rects.push({ x: r(x), y: r(y), w: r(xe - x), h: r(ye - y) });
  };
  if (pts.length === 1) add(pts[0][0], pts[0][1], pts[0][0], pts[0][1]);
  for (let i = 0; i + 1 < pts.length; i++) add(pts[i][0], pts[i][1], pts[i + 1][0], pts[i + 1][1]);
  return rects.slice(0, max);
}
