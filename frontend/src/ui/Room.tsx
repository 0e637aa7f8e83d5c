// The meeting room: the agenda beside the document, following the
// presenter live, checking in, asking to speak, voting.
import type { ComponentType } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, fileURL } from '../api';
import { retrying } from '../chunks';
import { loadAll, t, type Key } from '../i18n';
import type { PointerLink } from '../live/pointer';
import { Room as RoomCtl } from '../live/room';
import { findItem } from '../live/state';
import { navigate } from '../router';
import { useStore } from '../store';
import type { Doc, User } from '../types';
import { prefetchHead } from '../viewer/head';
import type { ViewerProps } from '../viewer/Viewer';
import { AgendaPane, DocGone } from './Agenda';
import { useOfflineBanner } from './hooks';
import { Icon } from './Icon';
import { LangSwitch } from './LangSwitch';
import type { PollLayer as PollLayerC } from './Poll';
import { SpeakBar } from './Speak';
import { Toasts, toast } from './Toast';
import './room.css';

// Start loading pdf.js with the room, while the room's data loads (asked again until it comes).
const viewerModule = retrying(() => import('../viewer/Viewer')).then((m) => {
  m.warmUp();
  return m;
});

export function Room({ id, me, onSignOut }: { id: string; me: User; onSignOut(): void }) {
  const room = useMemo(() => new RoomCtl(id, me.id, undefined, () => void api.me().catch(() => {})), [id, me.id]);
  const st = useStore(room.state);
  const follow = useStore(room.follow);
  const [agendaOpen, setAgendaOpen] = useState(false);
  const agendaToggle = useRef<HTMLButtonElement>(null);
  const [Viewer, setViewer] = useState<ComponentType<ViewerProps> | null>(null);
  const offlineShown = useOfflineBanner(st.online);
  // The ballot's code comes after the first page (or at once when a poll is there): it is not needed to read.
  const [PollLayer, setPollLayer] = useState<typeof PollLayerC | null>(null);
  const [pageSeen, setPageSeen] = useState(false);

  useEffect(() => {
    room.start();
    void viewerModule.then((m) => setViewer(() => m.default));
    return () => room.stop();
  }, [room]);

  const wantPoll = pageSeen || Object.keys(st.polls).length > 0;
  useEffect(() => {
    if (wantPoll && !PollLayer) void retrying(() => import('./Poll')).then((m) => setPollLayer(() => m.PollLayer));
  }, [wantPoll, PollLayer]);
  // The chair's and the secretary's strings (main.tsx started the room without them), for the screens beyond.
  useEffect(() => {
    if (pageSeen) void loadAll();
  }, [pageSeen]);
  useEffect(() => {
    const timer = setTimeout(() => setPageSeen(true), 8000); // nothing to read, or a slow start
    return () => clearTimeout(timer);
  }, []);
  // The agenda as a drawer (narrow screens): Escape closes it, and the focus goes back to its button.
  // A dialog over it (the ballot, a note) takes its own Escape.
  const closeAgenda = () => {
    setAgendaOpen(false);
    agendaToggle.current?.focus();
  };
  useEffect(() => {
    if (!agendaOpen) return;
    const key = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('[aria-modal="true"]')) return;
      e.preventDefault();
      closeAgenda();
    };
    document.addEventListener('keydown', key);
    return () => document.removeEventListener('keydown', key);
  }, [agendaOpen]);

  if (st.error) {
    return (
      <div class="page">
        <p class="error pad" role="alert" data-testid="room-error">
          {st.removed ? t('room.removed') : st.error === 'not_found' ? t('room.notFound') : t('error.network')}
        </p>
        <button class="btn" onClick={() => navigate('/')}>{t('room.backToMeetings')}</button>
      </div>
    );
  }

  const pres = st.presentation;
  const live = pres?.document_id && !pres.hidden ? pres : null;
  const following = follow.following && !!live;
  // A closed meeting presents nothing any more: the page last presented stays open (as when a presentation
  // ends), but nothing says "live", and there is no live page to go back to (meeting.updated, or the snapshot).
  const closed = st.meeting?.status === 'closed';
  const onAir = following && !closed;
  const byId = (d: string | null) => st.documents.find((x) => x.id === d) ?? null;
  const current = st.agenda?.current_item_id ?? null;
  // Until we know whether something is presented, open nothing: opening a
  // default document first and then the presented one costs seconds.
  const defaultDoc = pres ? (st.documents.find((d) => d.agenda_item_id === current) ?? null) : null;
  let doc: Doc | null;
  let page: number;
  if (following) {
    const known = byId(live!.document_id);
    doc = { ...(known ?? placeholderDoc(live!.document_id!, id)), version: live!.version || known?.version || 0, pages: live!.pages ?? known?.pages ?? 0 };
    page = live!.page ?? 1;
  } else {
    doc = byId(follow.docId) ?? (follow.docId ? null : defaultDoc);
    page = follow.docId ? follow.page : 1;
  }
  // The document the reader had open is no longer in the list (deleted, or made confidential for others).
  const gone = st.ready && !following && !!follow.docId && doc === null;
  // Start on the document's bytes now, while pdf.js may still be on its way.
  if (doc) void prefetchHead(fileURL(doc)).catch(() => {});
  const liveKey = following ? `${live!.document_id}:${live!.page}:${live!.at}` : 'browse';

  /** Checks me in; '' when done, else why not (in words). The top bar's button and the ballot's both call it. */
  const checkInNow = async (): Promise<string> => {
    try {
      const r = await api.checkIn(id);
      room.setAttendance(r.attendance.state);
      toast(t('room.checkedIn'));
      return '';
    } catch (e) {
      return e instanceof ApiError && e.status === 409 ? t('room.checkInClosed') : e instanceof ApiError && e.status === 403 ? t('room.checkInForbidden') : t('error.network');
    }
  };
  const checkIn = async () => {
    const why = await checkInNow();
    if (why) toast(why, true);
  };
  const here = st.attendance === 'present' || st.attendance === 'remote';
  // The server takes one's own check-in only while the meeting is in session (live or adjourned: meeting/attendance.go).
  const checkInOpen = st.meeting?.status === 'live' || st.meeting?.status === 'adjourned';
  // Who may check themselves in here (the secretary keeps the attendance at the desk).
  const mayCheckIn = !!st.meeting?.my_role && st.meeting.my_role !== 'secretary' && checkInOpen;
  // Sharing a mark speaks to the room: the chair, the secretary and delegates, until the meeting closes (docs/annotation.go, mayShare).
  const role = st.meeting?.my_role;
  const canShare = (role === 'chair' || role === 'secretary' || role === 'delegate') && st.meeting?.status !== 'closed';
  // Who may point for everyone: the chair (or an administrator) and the current item's presenter, on the presented page.
  const presenter = st.meeting?.my_role === 'chair' || me.is_admin || (!!current && findItem(st.agenda?.items, current)?.presenter_id === me.id);
  const canPoint = presenter && following && st.online && st.meeting?.status !== 'closed'; // the hub refuses pointing once closed
  // The presented page: the presenter's temporary strokes belong to it, and go when it changes or ends.
  const livePage = live ? `${live.document_id}:${live.page ?? 1}` : null;
  const pointer: PointerLink = { moves: room.pointer, canPoint, live: livePage, item: current, send: (m) => room.point(m) };

  return (
    <div class={`page room-page${agendaOpen ? ' agenda-open' : ''}`}>
      <header class="topbar">
        <button class="btn icon" title={t('room.backToMeetings')} aria-label={t('room.backToMeetings')} onClick={() => navigate('/')}>
          <Icon name="back" />
        </button>
        <button ref={agendaToggle} class="btn icon agenda-toggle" aria-expanded={agendaOpen} aria-controls="agenda" title={t('room.agenda')} aria-label={t('room.agenda')} onClick={() => setAgendaOpen(!agendaOpen)}>
          <Icon name="menu" />
        </button>
        <h1 class="title" title={st.meeting?.title}>{st.meeting?.title ?? t('common.loading')}</h1>
        {st.meeting && <span class={`badge st-${st.meeting.status}`}>{t(`status.${st.meeting.status}` as Key)}</span>}
        <span class="grow" />
        <span class={`conn ${st.online ? 'on' : 'off'}`} role="status" title={st.online ? t('conn.online') : t('conn.offline')}>
          <span class="dot" aria-hidden="true" />
          <span class="sr">{st.online ? t('conn.online') : t('conn.offline')}</span>
        </span>
        {st.meeting?.my_role && st.meeting.my_role !== 'secretary' && (here || mayCheckIn) && (
          here ? (
            <span class="badge ok" data-testid="checked-in"><Icon name="check" /> {t('room.present')}</span>
          ) : (
            <button class="btn primary" data-testid="check-in" onClick={checkIn}>{t('room.checkIn')}</button>
          )
        )}
        <LangSwitch />
        <button class="btn hide-narrow" onClick={onSignOut}>{t('common.signOut')}</button>
      </header>
      {offlineShown && !st.online && (
        <div class="banner" role="status" data-testid="offline">{t('conn.reconnecting')}</div>
      )}
      <div class="room">
        <AgendaPane
          agenda={st.agenda}
          documents={st.documents}
          openDoc={doc?.id ?? null}
          liveDoc={closed ? null : (live?.document_id ?? null)}
          onOpen={(d) => {
            setAgendaOpen(false);
            room.browse(d.id, 1);
          }}
          onClose={agendaOpen ? closeAgenda : undefined}
        />
        {/* The dimmed page beside the open drawer: a tap on it closes the drawer. */}
        {agendaOpen && <div class="agenda-scrim" aria-hidden="true" data-testid="agenda-scrim" onClick={closeAgenda} />}
        <main class="doc-pane">
          <div class="docbar">
            <span class="doctitle" data-testid="doc-title">{doc?.title || ''}</span>
            <span class="grow" />
            {onAir && (
              <span class="badge live" data-testid="live-badge"><Icon name="live" /> {t('live.following', { page: live!.page ?? 1 })}</span>
            )}
            {pres?.hidden && !closed && <span class="badge warn">{t('live.hidden')}</span>}
          </div>
          <div class="doc-area">
            {doc && Viewer ? (
              <Viewer
                doc={doc}
                page={page}
                region={following ? live!.zoom : null}
                liveKey={liveKey}
                me={me.id}
                canShare={canShare}
                events={room.events}
                onPage={(n) => room.browse(doc!.id, n)}
                pointer={pointer}
                onShown={() => setPageSeen(true)}
                onAgenda={() => setAgendaOpen(true)}
              />
            ) : gone ? (
              <DocGone onAgenda={() => setAgendaOpen(true)} />
            ) : (
              <div class="empty">
                <Icon name="doc" />
                <p>{!st.ready ? t('common.loading') : live === null && !pres?.hidden && !closed ? t('live.nothing') : t('room.pickDoc')}</p>
              </div>
            )}
            {live && !following && !closed && (
              <button class="btn primary back-live" data-testid="back-to-live" onClick={() => room.backToLive()}>
                <Icon name="live" /> {t('live.back', { page: live.page ?? 1 })}
              </button>
            )}
          </div>
          <SpeakBar room={room} me={me} />
        </main>
      </div>
      {PollLayer && <PollLayer room={room} onCheckIn={!here && mayCheckIn ? checkInNow : undefined} />}
      <Toasts />
    </div>
  );
}

function placeholderDoc(docId: string, meetingId: string): Doc {
  return { id: docId, meeting_id: meetingId, agenda_item_id: null, title: '', position: 0, confidential: false, version: 0, pages: 0, size: 0, sha256: '' };
}
