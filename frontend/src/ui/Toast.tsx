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

export function Toasts() {
  const list = useStore(msgs);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((m) => (
        <div key={m.id} class={`toast${m.error ? ' error' : ''}`}>{m.text}</div>
      ))}
    </div>
  );
}
