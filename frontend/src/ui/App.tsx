// The app shell: who is signed in, which screen, which language. Every
// screen but the list of meetings is its own chunk, loaded when first used,
// so a delegate's tablet never downloads the chair's or secretary's code.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { api, setUnauthorizedHandler, signedIn } from '../api';
import { onLangChange } from '../i18n';
import { navigate, route, usePath, type Route } from '../router';
import type { User } from '../types';
import { Login } from './Login';
import { Meetings } from './Meetings';

/** What every lazily loaded screen receives; id is the meeting's (null for a new meeting or a screen without one). */
export interface ScreenProps {
  id: string | null;
  me: User;
  onSignOut(): void;
}
type Screen = ComponentType<ScreenProps>;
type Lazy = Exclude<Route['name'], 'meetings'>;

const loaders: Record<Lazy, () => Promise<Screen>> = {
  room: () => import('./Room').then((m) => m.Room as Screen),
  chair: () => import('../chair/Chair').then((m) => m.Chair),
  desk: () => import('../desk/Desk').then((m) => m.Desk),
  'new-meeting': () => import('../desk/Desk').then((m) => m.Desk),
  display: () => import('../display/Display').then((m) => m.Display),
  admin: () => import('../admin/Admin').then((m) => m.Admin),
  audit: () => import('../admin/Audit').then((m) => m.Audit),
};
const loaded = new Map<Lazy, Screen>();

// Opening a meeting's URL on a signed-in tablet: fetch the room and the
// viewer (pdf.js) right away, alongside the session check.
const first = route(location.pathname);
if (first.name !== 'meetings' && signedIn.get()) {
  void loaders[first.name]().then((c) => loaded.set(first.name as Lazy, c));
  if (first.name === 'room') void import('../viewer/Viewer');
}

export function App() {
  const [me, setMe] = useState<User | null | undefined>(undefined); // undefined: still asking
  const [, setLang] = useState(0);
  const [, setTick] = useState(0);
  const path = usePath();
  const r = route(path);

  // A counter, not the language: the strings of a later screen arrive in
  // the same language and must still re-render.
  useEffect(() => onLangChange(() => setLang((n) => n + 1)), []);
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    if (signedIn.get()) api.me().then(setMe, () => setMe(null));
    else setMe(null);
  }, []);

  const lazy = r.name === 'meetings' ? null : r.name;
  // Always ask, even when the screen looks loaded: the early download above
  // may finish between the render and this effect, and only this tick
  // renders the screen then (the module cache makes asking again free).
  useEffect(() => {
    if (!lazy || !me) return;
    let live = true;
    void loaders[lazy]().then((c) => {
      loaded.set(lazy, c);
      if (live) setTick((n) => n + 1);
    });
    return () => void (live = false);
  }, [lazy, me]);

  const signOut = () => {
    void api.logout().catch(() => {}).finally(() => {
      setMe(null);
      navigate('/', true);
    });
  };

  if (me === undefined) return <div class="splash" aria-busy="true" />;
  if (me === null) return <Login onIn={setMe} />;
  if (!lazy) return <Meetings me={me} onSignOut={signOut} />;
  const C = loaded.get(lazy);
  const id = 'id' in r ? r.id : null;
  return C ? <C key={`${lazy}:${id ?? ''}`} id={id} me={me} onSignOut={signOut} /> : <div class="splash" aria-busy="true" />;
}
