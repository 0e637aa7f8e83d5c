import { describe, expect, it } from 'vitest';
import { SliceVersions } from '../src/live/slices';

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
