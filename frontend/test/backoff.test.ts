import { describe, expect, it } from 'vitest';
import { backoff } from '../src/live/backoff';

describe('backoff', () => {
  it('grows exponentially up to the cap', () => {
    const mid = () => 0.5;
    const waits = [0, 1, 2, 3, 4, 5, 6, 10, 40].map((n) => backoff(n, mid));
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    expect(waits.at(-1)).toBeLessThanOrEqual(15000);
  });
  it('jitters between half and all of the step', () => {
    expect(backoff(3, () => 0)).toBe(2000);
    expect(backoff(3, () => 0.999999)).toBe(4000);
    expect(backoff(0, () => 0)).toBe(250);
  });
  it('spreads a room of tablets', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const waits = new Set(Array.from({ length: 100 }, () => backoff(4, rand)));
    expect(waits.size).toBeGreaterThan(80);
  });
});
