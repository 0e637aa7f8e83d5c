import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, t, type Key } from '../i18n';
import { go, navigate } from '../router';
import type { Meeting, User } from '../types';
import { LangSwitch } from './LangSwitch';
import { prefetchRoom } from './prefetch';

export function Meetings({ me, onSignOut }: { me: User; onSignOut(): void }) {
  const [list, setList] = useState<Meeting[] | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    api.meetings().then(setList, () => setFailed(true));
  }, []);
  // The next tap opens a meeting: its code and pdf.js, ready by then (nothing if the login screen did it).
  useEffect(prefetchRoom, []);

  return (
    <div class="page">
      <header class="topbar">
        <h1 class="title">{t('meetings.title')}</h1>
        <span class="grow" />
        {me.is_admin && <a class="btn" href="/admin" onClick={go('/admin')}>{t('meetings.admin')}</a>}
        <a class="btn" href="/desk/new" onClick={go('/desk/new')}>{t('meetings.new')}</a>
        <a class="btn" href="/account" onClick={go('/account')} data-testid="to-account">{t('meetings.account')}</a>
        <span class="who">{me.full_name}</span>
        <LangSwitch />
        <button class="btn" onClick={onSignOut}>{t('common.signOut')}</button>
      </header>
      <main class="meetings">
        {failed && <p class="error" role="alert">{t('error.network')}</p>}
        {list === null && !failed && <p class="muted">{t('common.loading')}</p>}
        {list?.length === 0 && <p class="muted">{t('meetings.none')}</p>}
        <ul class="cards">
          {list?.map((m) => (
            <li key={m.id}>
              <a class="card meeting" href={`/meetings/${m.id}`} onClick={(e) => { e.preventDefault(); navigate(`/meetings/${m.id}`); }}>
                <span class={`badge st-${m.status}`}>{t(`status.${m.status}` as Key)}</span>
                <strong class="mtitle">{m.title}</strong>
                <span class="muted">{[dateTime(m.starts_at), m.location].filter(Boolean).join(' · ')}</span>
                {m.my_role && <span class="muted">{t('meetings.myRole', { role: t(`role.${m.my_role}` as Key) })}</span>}
              </a>
              <span class="screens">
                {/* An administrator may run and prepare any meeting (meeting.Access.CanRun, CanManage). */}
                {(m.my_role === 'chair' || m.my_role === 'secretary' || me.is_admin) && (
                  <a class="btn" href={`/meetings/${m.id}/chair`} onClick={go(`/meetings/${m.id}/chair`)}>{t('meetings.chair')}</a>
                )}
                {(m.my_role === 'secretary' || m.my_role === 'chair' || me.is_admin) && (
                  <a class="btn" href={`/meetings/${m.id}/desk`} onClick={go(`/meetings/${m.id}/desk`)}>{t('meetings.desk')}</a>
                )}
                {m.my_role !== '' && (
                  <a class="btn" href={`/meetings/${m.id}/display`} onClick={go(`/meetings/${m.id}/display`)}>{t('meetings.display')}</a>
                )}
              </span>
            </li>
          ))}
        </ul>
      </main>
    </div>
  );
}
