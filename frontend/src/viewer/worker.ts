// The pdf.js worker as a plain module Worker, so that it can be started
// before pdf.js itself has loaded (boot.ts): fetching and compiling its
// 1.3 MB then overlaps with everything else the room does at start. pdf.ts
// hands it to pdf.js as the port of its PDFWorker.
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

export { workerUrl };

declare global {
  interface Window {
    /** Started by room.html's boot script (vite.config.ts, curia-room-page), before the app's modules. */
    __curiaPdfWorker?: Worker;
    __curiaPdfWorkerReady?: number;
    __curiaPdfWorkerFailed?: boolean;
  }
}

let worker: Worker | null = null;
let failed = false;

/** The worker room.html's boot script started, if it did and it has not failed. */
function fromBoot(): Worker | null {
  const w = window.__curiaPdfWorker;
  if (!w) return null;
  window.__curiaPdfWorker = undefined;
  if (window.__curiaPdfWorkerFailed) {
    w.terminate();
    return null;
  }
  const at = window.__curiaPdfWorkerReady;
  if (at !== undefined) performance.mark('curia:worker-ready', { startTime: at });
  else {
    const ready = () => {
      performance.mark('curia:worker-ready');
      w.removeEventListener('message', ready);
    };
    w.addEventListener('message', ready);
  }
  return w;
}

/** The tablet's one pdf.js worker, started now if not yet; null if it could not start (pdf.js then falls back). */
export function pdfWorker(): Worker | null {
  if (worker || failed) return worker;
  worker = fromBoot();
  if (worker) return worker;
  try {
    performance.mark('curia:worker-start');
    const w = new Worker(workerUrl, { type: 'module' });
    // pdf.js's worker says "ready" first: that is when it has loaded.
    const ready = () => {
      performance.mark('curia:worker-ready');
      w.removeEventListener('message', ready);
      w.removeEventListener('error', error);
    };
    const error = () => {
      w.removeEventListener('message', ready);
      w.removeEventListener('error', error);
      if (worker === w) worker = null;
      failed = true;
      w.terminate();
    };
    w.addEventListener('message', ready);
    w.addEventListener('error', error);
    worker = w;
  } catch {
    failed = true;
  }
  return worker;
}

/** Whether the worker failed to load (pdf.js must then start its own or fall back). */
export const workerFailed = () => failed;
