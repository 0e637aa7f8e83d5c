// What a tablet opening (or reloading) the meeting room's URL starts at
// once, from the app's first script, before it knows who is signed in and
// before the room and pdf.js have loaded: the pdf.js worker, the presented
// page's state, and then the first bytes of the presented document (head.ts).
// The room picks them up when it gets there. Small: it is in the first chunk.
import { api, fileURL, signedIn } from '../api';
import { route } from '../router';
import type { Presentation } from '../types';
import { prefetchHead } from './head';
import { pdfWorker } from './worker';

let early: { id: string; at: number; presentation: Promise<Presentation> } | null = null;

/** How long an early answer stays good for the room to use. */
const FRESH_MS = 5000;

/** Starts the room's first page if path is a meeting room and the tablet is signed in. */
export function bootRoom(path: string = location.pathname): void {
  const r = route(path);
  if (r.name !== 'room' || !signedIn.get()) return;
  performance.mark('curia:boot');
  pdfWorker();
  const presentation = api.presentation(r.id);
  presentation.then(
    (p) => {
      if (p.document_id && !p.hidden) void prefetchHead(fileURL({ id: p.document_id, version: p.version ?? 0 })).catch(() => {});
    },
    () => {},
  );
  early = { id: r.id, at: performance.now(), presentation };
}

/** The presentation fetched at start for meeting id, once, while it is fresh; else null. */
export function takeEarlyPresentation(id: string): Promise<Presentation> | null {
  const e = early;
  early = null;
  return e && e.id === id && performance.now() - e.at < FRESH_MS ? e.presentation : null;
}
