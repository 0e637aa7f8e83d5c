// Short messages that confirm or explain, read out by screen readers.
import { createStore, useStore } from '../store';

interface Msg {
  id: number;
  text: string;
  error: boolean;
}

const msgs = createStore<Msg[]>([]);
let n = 0;

export function toast(text: string, error = false): void {
  const id = ++n;
  msgs.set((l) => [...l.slice(-2), { id, text, error }]);
  setTimeout(() => msgs.set((l) => l.filter((m) => m.id !== id)), error ? 6000 : 3500);
}

/**
 * Confirmations are read out when the reader is idle (a polite status
 * region); failures at once (an alert region): someone whose vote or save
 * did not go through must hear it before they move on.
 */
export function Toasts() {
  const list = useStore(msgs);
  const shown = (error: boolean) =>
    list.filter((m) => m.error === error).map((m) => (
      <div key={m.id} class={`toast${m.error ? ' error' : ''}`}>{m.text}</div>
    ));
  return (
    <div class="toasts">
      {/* Not atomic (as the roles imply): only the toast that came is read, not every one still shown. */}
      <div class="toasts-list" role="status" aria-live="polite" aria-atomic="false">{shown(false)}</div>
      <div class="toasts-list" role="alert" aria-atomic="false">{shown(true)}</div>
    </div>
  );
}
