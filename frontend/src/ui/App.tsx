// The app shell: who is signed in, which screen, which language.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { api, setUnauthorizedHandler, signedIn } from '../api';
import { currentLang, onLangChange } from '../i18n';
import { meetingOf, navigate, usePath } from '../router';
import type { User } from '../types';
import { Login } from './Login';
import { Meetings } from './Meetings';

type RoomView = ComponentType<{ id: string; me: User; onSignOut(): void }>;

// Opening a meeting's URL on a signed-in tablet: fetch the room and the
// viewer (pdf.js) right away, alongside the session check.
const loadRoom = () => import('./Room');
if (meetingOf(location.pathname) && signedIn.get()) {
  void loadRoom();
  void import('../viewer/Viewer');
}

export function App() {
  const [me, setMe] = useState<User | null | undefined>(undefined); // undefined: still asking
  const [, setLang] = useState(currentLang());
  const [RoomC, setRoomC] = useState<RoomView | null>(null);
  const path = usePath();

  useEffect(() => onLangChange(() => setLang(currentLang())), []);
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    if (signedIn.get()) api.me().then(setMe, () => setMe(null));
    else setMe(null);
  }, []);

  const room = meetingOf(path);
  useEffect(() => {
    if (room && me && !RoomC) void loadRoom().then((m) => setRoomC(() => m.Room));
  }, [room, me, RoomC]);

  const signOut = () => {
    void api.logout().catch(() => {}).finally(() => {
      setMe(null);
      navigate('/', true);
    });
  };

  if (me === undefined) return <div class="splash" aria-busy="true" />;
  if (me === null) return <Login onIn={setMe} />;
  if (room) return RoomC ? <RoomC key={room} id={room} me={me} onSignOut={signOut} /> : <div class="splash" aria-busy="true" />;
  return <Meetings me={me} onSignOut={signOut} />;
}
