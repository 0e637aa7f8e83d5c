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

/**
 * The screens of the app:
 *   /                          my meetings
 *   /meetings/{id}             the meeting room (delegate's tablet)
 *   /meetings/{id}/chair       the chair's cockpit
 *   /meetings/{id}/desk        the secretary's desk for a meeting
 *   /meetings/{id}/display     the room display (projector, read-only)
 *   /desk/new                  the secretary's desk: a new meeting
 *   /admin                     users (administrators)
 *   /admin/audit               the audit log (administrators)
 *   /account                   my account: who I am, changing my password
 */
export type Route =
  | { name: 'meetings' }
  | { name: 'room' | 'chair' | 'desk' | 'display'; id: string }
  | { name: 'new-meeting' }
  | { name: 'admin' }
  | { name: 'audit' }
  | { name: 'account' };

export function route(path: string): Route {
  const m = /^\/meetings\/([^/]+)(?:\/(chair|desk|display))?\/?$/.exec(path);
  if (m) return { name: (m[2] as 'chair' | 'desk' | 'display' | undefined) ?? 'room', id: decodeURIComponent(m[1]) };
  if (/^\/desk\/new\/?$/.test(path)) return { name: 'new-meeting' };
  if (/^\/admin\/?$/.test(path)) return { name: 'admin' };
  if (/^\/admin\/audit\/?$/.test(path)) return { name: 'audit' };
  if (/^\/account\/?$/.test(path)) return { name: 'account' };
  return { name: 'meetings' };
}

/** The path of a screen; the inverse of route. */
export function pathOf(r: Route): string {
  switch (r.name) {
    case 'meetings':
      return '/';
    case 'new-meeting':
      return '/desk/new';
    case 'admin':
      return '/admin';
    case 'audit':
      return '/admin/audit';
    case 'account':
      return '/account';
    case 'room':
      return `/meetings/${encodeURIComponent(r.id)}`;
    default:
      return `/meetings/${encodeURIComponent(r.id)}/${r.name}`;
  }
}

/** The meeting id of /meetings/{id} (the delegate's room), or null. */
export function meetingOf(path: string): string | null {
  const r = route(path);
  return r.name === 'room' ? r.id : null;
}

/** A link's click handler that navigates in the app (a modified click opens a tab as usual). */
export function go(path: string) {
  return (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(path);
  };
}
