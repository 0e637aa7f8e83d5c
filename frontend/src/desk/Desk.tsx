// The secretary's desk: prepare a meeting (details, participants, agenda,
// documents), keep the attendance sheet and move the meeting through its
// lifecycle. Changes by others arrive through the live hub.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, BASE } from '../api';
import { quorumOfEvent } from '../chair/logic';
import { currentLang, dateTime, t, type Key } from '../i18n';
import { SliceVersions } from '../live/slices';
import { go, navigate } from '../router';
import type { Agenda, LiveEvent } from '../types';
import type { ScreenProps } from '../ui/App';
import { LangSwitch } from '../ui/LangSwitch';
import { Toasts, toast } from '../ui/Toast';
import { desk, type AccountUser, type AttendanceRow, type DeskDoc, type FullMeeting, type Participant, type Quorum } from './api';
import { AgendaEditor } from './AgendaEditor';
import { Attendance } from './Attendance';
import { Confirm, errText, useBusy, useLangTick } from './common';
import { Details } from './Details';
import { Documents } from './Documents';
import { useDeskLive, type Slice } from './live';
import { statusActions, type StatusAction } from './logic';
import { People } from './People';
import './desk.css';

/** The user list is read again when the add form is used, but not more often than this (ms). */
const USERS_FRESH_MS = 5000;

type Tab = 'details' | 'people' | 'agenda' | 'documents' | 'attendance';
const TABS: { id: Tab; label: Key }[] = [
  { id: 'details', label: 'desk.tab.details' },
  { id: 'people', label: 'desk.tab.people' },
  { id: 'agenda', label: 'desk.tab.agenda' },
  { id: 'documents', label: 'desk.tab.documents' },
  { id: 'attendance', label: 'desk.tab.attendance' },
];

export function Desk(props: ScreenProps) {
  useLangTick();
  return props.id ? <MeetingDesk {...props} id={props.id} /> : <NewMeeting {...props} />;
}

function Shell({ title, me, onSignOut, online, children }: {
  title: string;
  me: ScreenProps['me'];
  onSignOut(): void;
  online?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class="page desk">
      <header class="topbar">
        <a class="btn" href="/" onClick={go('/')} data-testid="back">{t('desk.back')}</a>
        <h1 class="title">{title}</h1>
        <span class="grow" />
        {online !== undefined && (
          <span class={`conn${online ? '' : ' off'}`} title={online ? t('desk.online') : t('desk.offline')}>
            <span class="dot" /><span class="sr">{online ? t('desk.online') : t('desk.offline')}</span>
          </span>
        )}
        <span class="who">{me.full_name}</span>
        <LangSwitch />
        <button class="btn" onClick={onSignOut}>{t('common.signOut')}</button>
      </header>
      {children}
      <Toasts />
    </div>
  );
}

function NewMeeting({ me, onSignOut }: ScreenProps) {
  return (
    <Shell title={t('desk.newMeeting')} me={me} onSignOut={onSignOut}>
      <main class="desk-main">
        <Details meeting={null} readOnly={false} onSaved={(m) => navigate(`/meetings/${encodeURIComponent(m.id)}/desk#people`, true)} />
      </main>
    </Shell>
  );
}

function tabFromHash(): Tab {
  const h = location.hash.slice(1);
  return TABS.some((x) => x.id === h) ? (h as Tab) : 'details';
}

/** The browser's time zone (IANA name), for the minutes' times; UTC when it cannot tell. */
function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function MeetingDesk({ id, me, onSignOut }: ScreenProps & { id: string }) {
  const [meeting, setMeeting] = useState<FullMeeting | null>(null);
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [attendance, setAttendance] = useState<AttendanceRow[]>([]);
  const [quorum, setQuorum] = useState<Quorum | null>(null);
  const [agenda, setAgenda] = useState<Agenda | null>(null);
  const [docs, setDocs] = useState<DeskDoc[]>([]);
  const [users, setUsers] = useState<AccountUser[]>([]);
  const [failure, setFailure] = useState<'not_found' | 'network' | null>(null);
  const [tab, setTab] = useState<Tab>(tabFromHash);
  const [confirm, setConfirm] = useState<StatusAction | null>(null);
  const [busy, run] = useBusy();
  // Which read of each slice is the latest: every read bumps its slice, and an answer is put on screen only if no
  // newer read (nor a newer value: an action's answer, the quorum a live event carries) came since it was asked.
  // A slow older answer that arrives last is dropped, so the table never goes back to what it was (and a change
  // built on it, such as a role change that sends the weight as shown, never writes that old value back).
  const versions = useRef(new SliceVersions());
  // When the user list was last asked for, and which read is the newest (an older answer is not put back over it).
  const usersAsked = useRef({ at: 0, n: 0 });

  /**
   * Reads the user list. No live event tells of a new account, so the add
   * form asks again when it is used (quiet: a failure then keeps the list
   * it has, without a toast), at most once every few seconds.
   */
  const readUsers = useCallback((quiet: boolean) => {
    const n = ++usersAsked.current.n;
    usersAsked.current.at = Date.now();
    desk.users().then((u) => {
      if (n === usersAsked.current.n) setUsers(u);
    }, (e) => {
      if (!quiet) toast(errText(e), true);
    });
  }, []);
  const usersWanted = useCallback(() => {
    if (Date.now() - usersAsked.current.at >= USERS_FRESH_MS) readUsers(true);
  }, [readUsers]);

  /** A value newer than any read in flight (an action's answer): it is shown, and those reads' answers are dropped. */
  const fresh = useCallback(<T,>(slice: string, put: (v: T) => void) => (v: T) => {
    versions.current.bump(slice);
    put(v);
  }, []);

  const load = useCallback(async (slices: Slice[]) => {
    const jobs: Promise<unknown>[] = [];
    const has = (s: Slice) => slices.includes(s);
    // This read is now the latest of its slice; its answer is shown unless a newer one was started meanwhile.
    const read = <T,>(slice: string, get: () => Promise<T>, put: (v: T) => void) => {
      versions.current.bump(slice);
      jobs.push(versions.current.fetch(slice, get).then((r) => r && put(r.value)));
    };
    if (has('meeting')) read('meeting', () => desk.meeting(id), setMeeting);
    if (has('participants')) read('participants', () => desk.participants(id), setParticipants);
    if (has('attendance')) {
      read('attendance', () => desk.attendance(id), setAttendance);
      read('quorum', () => desk.quorum(id), setQuorum);
    }
    if (has('agenda')) read('agenda', () => desk.agenda(id), setAgenda);
    if (has('documents')) read('documents', () => desk.documents(id), setDocs);
    try {
      await Promise.all(jobs);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setFailure('not_found');
      else if (!meeting) setFailure('network');
      else toast(errText(e), true);
    }
  }, [id, meeting]);

  useEffect(() => {
    void load(['meeting', 'participants', 'attendance', 'agenda', 'documents']);
    readUsers(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  const online = useDeskLive(failure ? null : id, (s) => void load(s), (ev: LiveEvent) => {
    // The roll or the quorum rule changed: the event carries the new quorum.
    const q = quorumOfEvent(ev);
    if (q) fresh('quorum', setQuorum)(q);
  });

  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const pick = (x: Tab) => {
    setTab(x);
    history.replaceState(null, '', `${location.pathname}#${x}`);
  };

  if (failure) {
    return (
      <Shell title={t('desk.title')} me={me} onSignOut={onSignOut}>
        <main class="desk-main">
          <p class="error card pad" role="alert">{failure === 'not_found' ? t('desk.notFound') : t('error.network')}</p>
          <div class="row">
            {failure === 'network' && <button class="btn primary" onClick={() => { setFailure(null); void load(['meeting', 'participants', 'attendance', 'agenda', 'documents']); }}>{t('desk.retry')}</button>}
            <a class="btn" href="/" onClick={go('/')}>{t('desk.back')}</a>
          </div>
        </main>
      </Shell>
    );
  }
  if (!meeting || !agenda) {
    return (
      <Shell title={t('desk.title')} me={me} onSignOut={onSignOut}>
        <p class="muted pad" aria-busy="true">{t('common.loading')}</p>
      </Shell>
    );
  }

  const manages = me.is_admin || meeting.my_role === 'secretary' || meeting.my_role === 'chair';
  const closed = meeting.status === 'closed';
  const readOnly = closed || !manages;

  const setStatus = (a: StatusAction) => {
    setConfirm(null);
    void run(async () => {
      try {
        const m = await desk.setStatus(id, a.to);
        fresh('meeting', setMeeting)(m);
        toast(t('desk.status.now', { status: t(`status.${m.status}` as Key) }));
      } catch (e) {
        toast(errText(e), true);
        await load(['meeting']);
      }
    });
  };

  const counts: Partial<Record<Tab, number>> = {
    people: participants.length,
    agenda: countItems(agenda.items),
    documents: docs.length,
  };
  const present = attendance.filter((a) => a.state === 'present' || a.state === 'remote').length;

  return (
    <Shell title={meeting.title} me={me} onSignOut={onSignOut} online={online}>
      <div class="statusbar">
        <span class={`badge st-${meeting.status}`} data-testid="meeting-status" data-status={meeting.status}>
          {t(`status.${meeting.status}` as Key)}
        </span>
        <span class="muted when">{[dateTime(meeting.starts_at), meeting.location].filter(Boolean).join(' · ')}</span>
        <span class="grow" />
        {manages && statusActions(meeting.status).map((a) => (
          <button key={a.to} type="button" class={`btn${a.primary ? ' primary' : ''}${a.confirm ? ' danger' : ''}`} disabled={busy}
            data-testid={`status-${a.to}`} onClick={() => (a.confirm ? setConfirm(a) : setStatus(a))}>{t(a.label)}</button>
        ))}
        {(meeting.my_role === 'chair' || meeting.my_role === 'secretary') && (
          <a class="btn" href={`/meetings/${id}/chair`} onClick={go(`/meetings/${id}/chair`)}>{t('meetings.chair')}</a>
        )}
        {manages && (
          <a class="btn" href={`${BASE}/meetings/${encodeURIComponent(id)}/minutes?format=html&lang=${currentLang()}&tz=${encodeURIComponent(browserZone())}`} download
            title={t(closed ? 'desk.minutesHint' : 'desk.minutesDraftHint')} data-testid="minutes">{t('desk.minutes')}</a>
        )}
      </div>
      {closed && <p class="banner" role="status">{t('desk.closedNote')}</p>}
      {!closed && !manages && <p class="banner" role="status">{t('desk.readOnlyNote')}</p>}
      <nav class="tabs" role="tablist" aria-label={t('desk.title')}>
        {TABS.map((x) => (
          <button key={x.id} type="button" role="tab" id={`tab-${x.id}`} aria-selected={tab === x.id} aria-controls={`panel-${x.id}`}
            class={`tab${tab === x.id ? ' on' : ''}`} data-testid={`tab-${x.id}`} tabIndex={tab === x.id ? 0 : -1}
            onClick={() => pick(x.id)}
            onKeyDown={(e) => {
              const i = TABS.findIndex((y) => y.id === x.id);
              const j = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : -1;
              if (j < 0) return;
              e.preventDefault();
              pick(TABS[j].id);
              document.getElementById(`tab-${TABS[j].id}`)?.focus();
            }}>
            {t(x.label)}
            {counts[x.id] !== undefined && <span class="count">{counts[x.id]}</span>}
            {x.id === 'attendance' && <span class="count">{`${present}/${attendance.length}`}</span>}
          </button>
        ))}
      </nav>
      {/* Every panel stays mounted (hidden when not chosen): uploads and half-filled forms go on while another tab is open. */}
      <div class="desk-main">
        <div id="panel-details" role="tabpanel" aria-labelledby="tab-details" hidden={tab !== 'details'}>
          <Details key={meeting.id} meeting={meeting} readOnly={readOnly} onSaved={fresh('meeting', setMeeting)} />
        </div>
        <div id="panel-people" role="tabpanel" aria-labelledby="tab-people" hidden={tab !== 'people'}>
          <People meetingId={id} participants={participants} users={users} readOnly={readOnly}
            onChanged={() => load(['participants', 'attendance'])} onUsersWanted={usersWanted} />
        </div>
        <div id="panel-agenda" role="tabpanel" aria-labelledby="tab-agenda" hidden={tab !== 'agenda'}>
          <AgendaEditor meetingId={id} agenda={agenda} participants={participants} readOnly={readOnly}
            onAgenda={fresh('agenda', setAgenda)} onChanged={() => load(['agenda'])} />
        </div>
        <div id="panel-documents" role="tabpanel" aria-labelledby="tab-documents" hidden={tab !== 'documents'}>
          <Documents meetingId={id} docs={docs} agenda={agenda} participants={participants} readOnly={readOnly}
            confides={meeting.my_role === 'chair' || meeting.my_role === 'secretary'} onChanged={() => load(['documents'])} />
        </div>
        <div id="panel-attendance" role="tabpanel" aria-labelledby="tab-attendance" hidden={tab !== 'attendance'}>
          <Attendance meetingId={id} rows={attendance} quorum={quorum} readOnly={readOnly}
            onChanged={() => load(['attendance'])} />
        </div>
      </div>
      {confirm && (
        <Confirm title={t('desk.status.closeTitle')} confirmLabel={t('desk.status.closeConfirm')} danger
          onConfirm={() => setStatus(confirm)} onCancel={() => setConfirm(null)}>
          <p>{t('desk.status.closeText')}</p>
        </Confirm>
      )}
    </Shell>
  );
}

function countItems(items: Agenda['items']): number {
  return items.reduce((n, i) => n + 1 + countItems(i.items), 0);
}
