import { describe, expect, it } from 'vitest';
import { Refetch, SliceVersions } from '../src/live/slices';

describe('slice versions', () => {
  it('give a REST answer when no event touched its slice', async () => {
    const v = new SliceVersions();
    v.bump('agenda'); // an earlier event does not matter
    expect(await v.fetch('agenda', async () => 7)).toEqual({ value: 7 });
  });

  it('drop an answer when an event touched its slice in flight, and only that slice', async () => {
    const v = new SliceVersions();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const agenda = v.fetch('agenda', async () => {
      await gate;
      return 'old agenda';
    });
    const polls = v.fetch('polls', async () => {
      await gate;
      return 'polls';
    });
    v.bump('agenda');
    release();
    expect(await agenda).toBeNull();
    expect(await polls).toEqual({ value: 'polls' });
  });
});

describe('refetch', () => {
  it('runs once at a time, and once more when asked during a run', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const r = new Refetch(() => {
      runs++;
      return new Promise<void>((res) => { release = res; });
    });
    const first = r.request();
    const second = r.request(); // during the run: the same promise, and one more run after
    r.request();
    expect(second).toBe(first);
    expect(runs).toBe(1);
    release();
    await first;
    await Promise.resolve();
    expect(runs).toBe(2);
    release();
    await Promise.resolve();
    await Promise.resolve();
    expect(runs).toBe(2); // nobody asked during the second run
  });
});
