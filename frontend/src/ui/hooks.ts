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

/**
 * Whether to show the offline banner: only once the connection has been
 * down for a moment, so a quick reconnect does not flash it.
 */
export function useOfflineBanner(online: boolean, ms = 1500): boolean {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (online) return setShown(false);
    const timer = setTimeout(() => setShown(true), ms);
    return () => clearTimeout(timer);
  }, [online, ms]);
  return shown;
}
