import { describe, expect, it } from 'vitest';
import { clampRegion, clampZoom, fitScale, pixelRatio, regionView, swipe } from '../src/viewer/geometry';
import { distanceToInk, simplify } from '../src/annot/geometry';

const A4 = { w: 595, h: 842 };

describe('viewer geometry', () => {
  it('fits a page by its tighter side', () => {
    expect(fitScale({ w: 1000, h: 842 }, A4)).toBeCloseTo(1);
    expect(fitScale({ w: 595, h: 2000 }, A4)).toBeCloseTo(1);
    expect(fitScale({ w: 0, h: 100 }, A4)).toBe(1);
  });

  it('shows the presenter region filling the stage, centred', () => {
    const stage = { w: 800, h: 600 };
    const v = regionView(stage, A4, { x: 0.5, y: 0.5, w: 0.5, h: 0.25 });
    // the region is 297.5 × 210.5 points: width limits (800/297.5)
    expect(v.scale).toBeCloseTo(Math.min(800 / 297.5, 600 / 210.5));
    const cx = 0.75 * A4.w * v.scale;
    expect(v.left).toBeCloseTo(cx - 400);
  });

  it('keeps a region inside the page', () => {
    expect(clampRegion({ x: -1, y: 2, w: 5, h: 0 })).toEqual({ x: 0, y: 0.99, w: 1, h: 0.01 });
  });

  it('limits zoom', () => {
    expect(clampZoom(100)).toBe(6);
    expect(clampZoom(0.01)).toBe(0.5);
  });

  it('caps canvas pixels', () => {
    expect(pixelRatio(1000, 1000, 2)).toBe(2);
    const r = pixelRatio(4000, 4000, 2);
    expect(4000 * 4000 * r * r).toBeLessThanOrEqual(16_000_001);
  });

  it('reads swipes', () => {
    expect(swipe(-120, 10, 200)).toBe(1);
    expect(swipe(120, -10, 200)).toBe(-1);
    expect(swipe(30, 0, 200)).toBe(0); // too short
    expect(swipe(-120, 100, 200)).toBe(0); // mostly vertical: a scroll
    expect(swipe(-120, 0, 2000)).toBe(0); // too slow: a drag
  });
});

describe('annotation geometry', () => {
  it('measures the distance to a stroke in points', () => {
    const ink = { colour: '#000000', width: 2, strokes: [[[0, 0], [100, 0]]] };
    expect(distanceToInk(ink, 50, 10)).toBeCloseTo(10);
    expect(distanceToInk({ ...ink, strokes: [[[50, 50]]] }, 50, 60)).toBeCloseTo(10);
  });
  it('simplifies dense strokes but keeps their ends', () => {
    const pts = [[0, 0], [0.1, 0], [0.2, 0], [50, 50], [50.1, 50]];
    const out = simplify(pts);
    expect(out[0]).toEqual([0, 0]);
    expect(out[out.length - 1]).toEqual([50.1, 50]);
    expect(out.length).toBeLessThan(pts.length);
  });
});
