import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, t, type Key } from '../i18n';
import { go, navigate } from '../router';
import type { Meeting, User } from '../types';
import { Icon } from './Icon';
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
    <div class="page meetings-page">
      <header class="topbar">
        <h1 class="title">{t('meetings.title')}</h1>
        <span class="grow" />
        <BarMenu>
          {me.is_admin && <a class="btn" href="/admin" onClick={go('/admin')}>{t('meetings.admin')}</a>}
          <a class="btn" href="/desk/new" onClick={go('/desk/new')}>{t('meetings.new')}</a>
          <a class="btn" href="/account" onClick={go('/account')} data-testid="to-account">{t('meetings.account')}</a>
          <span class="who">{me.full_name}</span>
        </BarMenu>
        <LangSwitch />
        <button class="btn sign-out" onClick={onSignOut} data-testid="sign-out">{t('common.signOut')}</button>
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

/**
 * A top bar's secondary actions (new meeting, my account, administration)
 * and the name of who is signed in. On a wide screen they sit in the bar
 * as before. On a phone or a tablet held upright (styles.css, 900 px and
 * under) they go behind one "Thêm" (More) button, so that the bar never
 * scrolls sideways: the language switch and "Đăng xuất" (sign out) stay
 * outside it, always in sight. The items are rendered once, and CSS decides
 * where they show. The list closes on Escape (focus back on the button), on
 * a tap outside it and once one of its items is chosen.
 */
export function BarMenu({ children }: { children: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const key = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', key);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', key);
    };
  }, [open]);
  return (
    <div class={`bar-menu${open ? ' open' : ''}`} ref={box}>
      <button type="button" class="btn bar-menu-toggle" ref={toggle} aria-expanded={open} aria-controls="bar-menu-items"
        data-testid="bar-menu" onClick={() => setOpen(!open)}>
        <Icon name="menu" />
        <span class="bar-menu-label">{t('bar.more')}</span>
      </button>
      <div class="bar-menu-items" id="bar-menu-items" onClick={() => setOpen(false)}>{children}</div>
    </div>
  );
}

/**
 * Back to the list of meetings, for the administrator's screens: an arrow
 * and its name (label); on a phone the arrow alone, the name staying its
 * accessible name, so that the top bar fits (desk.css).
 */
export function BackLink({ label }: { label: string }) {
  return (
    <a class="btn back" href="/" onClick={go('/')} data-testid="back">
      <Icon name="back" />
      <span class="back-label">{label}</span>
    </a>
  );
}
