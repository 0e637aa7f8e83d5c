// The reader chose a document in the agenda: a tap, even on the document
// already open. The viewer listens: one that failed to open it tries again
// (the room's own state does not change when the same document is chosen
// twice). Small and outside the viewer's chunk: the agenda imports it.
import { createStore } from '../store';

export interface Choice {
  docId: string;
  /** Counts the taps, so the same document chosen again is a change. */
  n: number;
}

export const chosen = createStore<Choice | null>(null);

export function choose(docId: string): void {
  chosen.set((c) => ({ docId, n: (c?.n ?? 0) + 1 }));
}
