// Client-side routes on the History API; the server answers index.html for
// any path outside /api, so a reload keeps the route.
import { useEffect, useState } from 'preact/hooks';

const subs = new Set<() => void>();

export function navigate(path: string, replace = false): void {
  if (path === location.pathname) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  subs.forEach((fn) => fn());
}

addEventListener('popstate', () => subs.forEach((fn) => fn()));

export function usePath(): string {
  const [p, setP] = useState(location.pathname);
  useEffect(() => {
    const fn = () => setP(location.pathname);
    subs.add(fn);
    return () => void subs.delete(fn);
  }, []);
  return p;
}

/** The meeting id of /meetings/{id}, or null. */
export function meetingOf(path: string): string | null {
  const m = /^\/meetings\/([^/]+)\/?$/.exec(path);
  return m ? decodeURIComponent(m[1]) : null;
}
