import { useEffect, useState } from 'preact/hooks';
import { serverNow } from '../api';

/** The server's time, refreshed every `ms` while `on`. */
export function useNow(on = true, ms = 1000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    if (!on) return;
    setNow(serverNow());
    const id = setInterval(() => setNow(serverNow()), ms);
    return () => clearInterval(id);
  }, [on, ms]);
  return now;
}
