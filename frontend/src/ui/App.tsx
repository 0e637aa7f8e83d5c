// The app shell: who is signed in, which screen, which language. Every
// screen is its own chunk, loaded when first used, so a delegate's tablet
// never downloads the chair's or secretary's code, and a tablet opening a
// meeting's room does not wait for the list of meetings.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { api, setUnauthorizedHandler, signedIn, signedInUser } from '../api';
import { retrying } from '../chunks';
import { onLangChange } from '../i18n';
import { navigate, route, usePath, type Route } from '../router';
import type { User } from '../types';
import type { Login as LoginScreen } from './Login';

/** What every lazily loaded screen receives; id is the meeting's (null for a new meeting or a screen without one). */
export interface ScreenProps {
  id: string | null;
  me: User;
  onSignOut(): void;
}
type Screen = ComponentType<ScreenProps>;
type Lazy = Route['name'];

const loaders: Record<Lazy, () => Promise<Screen>> = {
  meetings: () => import('./Meetings').then((m) => m.Meetings as Screen),
  room: () => import('./Room').then((m) => m.Room as Screen),
  chair: () => import('../chair/Chair').then((m) => m.Chair),
  desk: () => import('../desk/Desk').then((m) => m.Desk),
  'new-meeting': () => import('../desk/Desk').then((m) => m.Desk),
  display: () => import('../display/Display').then((m) => m.Display),
  admin: () => import('../admin/Admin').then((m) => m.Admin),
  audit: () => import('../admin/Audit').then((m) => m.Audit),
  account: () => import('../admin/Account').then((m) => m.Account),
};
const loaded = new Map<Lazy, Screen>();
// Each screen's download, asked again until it comes (chunks.ts), once.
const loading = new Map<Lazy, Promise<Screen>>();
const loadScreen = (name: Lazy): Promise<Screen> => {
  let p = loading.get(name);
  if (!p) loading.set(name, (p = retrying(loaders[name]).then((c) => (loaded.set(name, c), c))));
  return p;
};

// The sign-in screen is a chunk too: a signed-in tablet never needs it.
// Without a session it is fetched at once, beside the dictionary.
let SignIn: typeof LoginScreen | null = null;
let signInLoad: Promise<unknown> | null = null;
const loadSignIn = () => (signInLoad ??= retrying(() => import('./Login')).then((m) => (SignIn = m.Login)));
if (!signedIn.get()) void loadSignIn();

// Opening a meeting's URL on a signed-in tablet: fetch the room and the
// viewer (pdf.js) right away, alongside the session check.
const first = route(location.pathname);
if (first.name === 'meetings' || signedIn.get()) {
  void loadScreen(first.name);
  if (first.name === 'room') {
    const viewer = import('../viewer/Viewer'); // (see prefetch.ts for why not import(…).catch())
    viewer.catch(() => {}); // Room.tsx asks again
  }
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
  // Another tab of this browser signed in or out: the session cookie is shared, so this tab may now
  // act for someone else, or nobody. Ask who; someone other than the user shown goes back to the
  // sign-in screen (never act for one person on another's screens); this tab at the sign-in screen
  // takes the new sign-in. An answer is taken only while nothing changed since it was asked: a /me
  // asked before a sign-in (here or elsewhere) may name whoever was signed in before it. That holds
  // for the first /me too, asked as the tab starts: the change's own /me (or this tab's sign-in)
  // then says who it is.
  const changes = useRef(0);
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    if (!signedIn.get()) return setMe(null);
    const asked = changes.current;
    const latest = () => asked === changes.current;
    api.me().then((u) => latest() && setMe(u), () => latest() && setMe(null));
  }, []);
  useEffect(() => signedIn.watch((on, elsewhere) => {
    const asked = ++changes.current;
    if (!elsewhere) return;
    if (!on) return setMe(null);
    const latest = () => asked === changes.current;
    api.me().then((u) => latest() && setMe((cur) => (cur && cur.id !== u.id ? null : cur ?? u)), () => latest() && setMe(null));
  }), []);

  const lazy = r.name;
  // Always ask, even when the screen looks loaded: the early download above
  // may finish between the render and this effect, and only this tick
  // renders the screen then (each download is asked for once: asking again is free).
  useEffect(() => {
    if (me === null) void loadSignIn().then(() => setTick((n) => n + 1)); // loaded already: a render all the same
  }, [me]);
  useEffect(() => {
    if (!me) return;
    let live = true;
    void loadScreen(lazy).then(() => live && setTick((n) => n + 1));
    return () => void (live = false);
  }, [lazy, me]);

  // Signed in here: the marks held for this user (a 401, a sign-out, another tab) go now, not
  // when a document is next opened (annot/backend.ts listens, once it is loaded).
  const signedInHere = (u: User) => {
    signedInUser.tell(u.id);
    setMe(u);
  };

  const signOut = () => {
    void api.logout().catch(() => {}).finally(() => {
      setMe(null);
      navigate('/', true);
    });
  };

  if (me === undefined) return <div class="splash" aria-busy="true" />;
  if (me === null) return SignIn ? <SignIn onIn={signedInHere} /> : <div class="splash" aria-busy="true" />;
  const C = loaded.get(lazy);
  const id = 'id' in r ? r.id : null;
  return C ? <C key={`${lazy}:${id ?? ''}`} id={id} me={me} onSignOut={signOut} /> : <div class="splash" aria-busy="true" />;
}
