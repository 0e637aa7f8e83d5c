// What every live controller (the tablet's room, the cockpit and display,
// the desk) needs beside the socket: slice versions, so that a REST answer
// is dropped when an event touched its slice while it was in flight, and a
// wake-up for the socket when the network or the tab comes back.
import { ApiError } from '../api';
import type { LiveSocket } from './socket';

/** An answer that means the user does not (or no longer) take part in the meeting: 404 or 403. */
export const refused = (e: unknown): boolean => e instanceof ApiError && (e.status === 404 || e.status === 403);

export class SliceVersions {
  private readonly ver = new Map<string, number>();

  /** An event changed this slice: answers in flight for it are stale. */
  bump(slice: string): void {
    this.ver.set(slice, this.of(slice) + 1);
  }

  /** Runs fetch; its answer, or null when an event changed the slice meanwhile. */
  async fetch<T>(slice: string, fetch: () => Promise<T>): Promise<{ value: T } | null> {
    const v = this.of(slice);
    const value = await fetch();
    return this.of(slice) === v ? { value } : null;
  }

  private of(slice: string): number {
    return this.ver.get(slice) ?? 0;
  }
}

/** Kicks the socket when the browser is online again or the tab visible again; returns what stops watching. */
export function wakeOnReturn(socket: Pick<LiveSocket, 'kick'>): () => void {
  const kick = () => {
    if (document.visibilityState !== 'hidden') socket.kick();
  };
  addEventListener('online', kick);
  document.addEventListener('visibilitychange', kick);
  return () => {
    removeEventListener('online', kick);
    document.removeEventListener('visibilitychange', kick);
  };
}

/**
 * A full refetch that runs at most once at a time. Asked again while it
 * runs, it runs once more when that run ends (answers already in flight
 * may predate what was missed), however many times it was asked.
 */
export class Refetch {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly run: () => Promise<void>) {}

  request(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.request();
      }
    });
    return this.running;
  }
}
