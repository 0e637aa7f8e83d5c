// A first visit ever goes through the login screen and the list of
// meetings. While they are shown, and once the browser is idle, this
// starts what opening a meeting needs most: the pdf.js worker (its 1.3 MB
// downloaded, compiled and run in its own thread: pdf.ts later takes this
// very worker, so the room does not wait for it), then the room's and the
// viewer's modules (pdf.js included), loaded and evaluated, and last
// pdf.js run once on a tiny document (viewer/warm.ts), so that the tap on
// a meeting shows its first page about as fast as in the running app.
// Nothing here is loaded before the login screen shows: the worker's URL
// is already in the first chunk (viewer/worker.ts, for boot.ts), and the
// rest comes by import() after idle.
import { pdfWorker } from '../viewer/worker';

let started = false;

type Idle = (fn: () => void) => void;
const idle: Idle = (fn) => {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => fn(), { timeout: 1500 });
  else setTimeout(fn, 200);
};

/** Starts, once, the pdf.js worker and then the room's code, when the browser is idle. */
export function prefetchRoom(): void {
  if (started) return;
  started = true;
  idle(() => {
    pdfWorker();
    // The failures are handled on the promises themselves, not inside the import's .then(): the
    // build wraps `import(…).then(…)` whole in the loader of its stylesheets, whose own failure
    // would then be nobody's. The room asks for what did not come again (chunks.ts).
    idle(() => {
      const room = import('./Room');
      room.then(() => idle(() => {
        const warm = import('../viewer/warm');
        warm.then((m) => m.warmPdf(), () => {});
      }), () => {});
    });
  });
}
