// The chair's cockpit: the session at a glance and every control the chair
// (or the secretary) needs while the meeting runs — the agenda's current
// item and its timer, the meeting's status, what the room is shown, the
// speakers, the quorum and who is here, online and following, and the
// votes. Everything comes live from the hub; nothing needs a reload.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { cleanConclusion, conclusionLength, MAX_CONCLUSION } from '../conclusion';
import { clock, num, t, useAllStrings, type Key } from '../i18n';
import { navigate } from '../router';
import { useStore } from '../store';
import type { AgendaItem, Meeting, MeetingStatus, User } from '../types';
import type { ScreenProps } from '../ui/App';
import { useNow, useOfflineBanner } from '../ui/hooks';
import { Icon } from '../ui/Icon';
import { LangSwitch } from '../ui/LangSwitch';
import { Toasts } from '../ui/Toast';
import { chairApi } from './api';
import { clockStartAt, findItem, setCurrent } from '../live/state';
import { LiveRoom } from './live';
import { itemClock, neighbours, plannedMin } from './logic';
import { PeoplePanel } from './People';
import { PollsPanel } from './Polls';
import { PresentPanel } from './Present';
import { FloorBar, SpeakersPanel } from './Speakers';
import { act } from './util';
import './chair.css';

/**
 * Who may use the cockpit: the chair, the secretary, an administrator
 * (meeting.Access.CanRun: any administrator may run a meeting, to unstick
 * it, whatever part they have in it, a delegate's too).
 */
export const mayRun = (m: Meeting | null, me: User) => !!m && (m.my_role === 'chair' || m.my_role === 'secretary' || me.is_admin);

export function Chair({ id, me, onSignOut }: ScreenProps) {
  const [meeting, setMeeting] = useState<Meeting | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    api.meeting(id).then(setMeeting, (e) => setError(e instanceof ApiError && e.status === 404 ? 'not_found' : 'network'));
  }, [id]);
  // The cockpit's strings load after the room's (a tablet that opened a room first): wait for them, never show their keys.
  const strings = useAllStrings();

  if (!strings) return <div class="splash" aria-busy="true"><p class="muted pad">{t('common.loading')}</p></div>;
  if (!id || error || (meeting && !mayRun(meeting, me))) {
    const text = error === 'network' ? t('error.network') : error || !id ? t('chair.notFound') : t('chair.notAllowed');
    return <Denied id={id} text={text} offerRoom={!!meeting} />;
  }
  if (!meeting) return <p class="muted pad">{t('common.loading')}</p>;
  return <Cockpit id={id} me={me} onSignOut={onSignOut} />;
}

/** Why the cockpit is not shown (no such meeting, or not the chair's, the secretary's or an administrator's), and the ways out. */
function Denied({ id, text, offerRoom }: { id: string | null; text: string; offerRoom: boolean }) {
  return (
    <div class="page">
      <header class="topbar">
        <button class="btn icon" title={t('room.backToMeetings')} aria-label={t('room.backToMeetings')} onClick={() => navigate('/')}>
          <Icon name="back" />
        </button>
        <h1 class="title">{t('chair.title')}</h1>
        <span class="grow" />
        <LangSwitch />
      </header>
      <div class="empty">
        <p class="error" role="alert" data-testid="chair-denied">{text}</p>
        {offerRoom && id && <button class="btn" onClick={() => navigate(`/meetings/${id}`)}>{t('chair.openRoom')}</button>}
        <button class="btn" onClick={() => navigate('/')}>{t('room.backToMeetings')}</button>
      </div>
    </div>
  );
}

function Cockpit({ id, me, onSignOut }: { id: string; me: User; onSignOut(): void }) {
  const room = useMemo(() => new LiveRoom(id, me.id, true), [id, me.id]);
  const st = useStore(room.state);
  useEffect(() => {
    room.start();
    return () => room.stop();
  }, [room]);

  const offline = useOfflineBanner(st.online);
  // The role comes from the live state (the hub's 4003 after a role change
  // makes it read the meeting again): once it no longer lets this user run
  // the meeting, the controls go and the room stops listening.
  const allowed = !st.meeting || mayRun(st.meeting, me);
  useEffect(() => {
    if (!allowed) room.stop();
  }, [room, allowed]);

  const m = st.meeting;
  if (!allowed) return <Denied id={id} text={t('chair.notAllowed')} offerRoom />;
  return (
    <div class="page cockpit-page">
      <header class="topbar">
        <button class="btn icon" title={t('room.backToMeetings')} aria-label={t('room.backToMeetings')} onClick={() => navigate('/')}>
          <Icon name="back" />
        </button>
        <h1 class="title" title={m?.title}>
          <span class="kick">{t('chair.title')}</span> {m?.title ?? t('common.loading')}
        </h1>
        {m && <span class={`badge st-${m.status}`} data-testid="meeting-status">{t(`status.${m.status}` as Key)}</span>}
        <span class="grow" />
        {m && <StatusControls room={room} status={m.status} />}
        <span class={`conn ${st.online ? 'on' : 'off'}`} role="status" title={st.online ? t('conn.online') : t('conn.offline')}>
          <span class="dot" aria-hidden="true" />
          <span class="sr">{st.online ? t('conn.online') : t('conn.offline')}</span>
        </span>
        <a class="btn hide-narrow" href={`/meetings/${encodeURIComponent(id)}/display`} target="_blank" rel="noopener" data-testid="open-display">
          {t('chair.openDisplay')}
        </a>
        <LangSwitch />
        <button class="btn hide-narrow" onClick={onSignOut}>{t('common.signOut')}</button>
      </header>
      {offline && !st.online && <div class="banner" role="status" data-testid="offline">{t('conn.reconnecting')}</div>}
      {!st.error && <FloorBar room={room} />}
      {st.error ? (
        <p class="error pad" role="alert">{st.error === 'not_found' ? t('chair.notFound') : t('error.network')}</p>
      ) : (
        <main class="cockpit">
          <div class="col col-a">
            <SessionPanel room={room} />
            <SpeakersPanel room={room} />
          </div>
          <div class="col col-b">
            <PresentPanel room={room} me={me} />
          </div>
          <div class="col col-c">
            <PeoplePanel room={room} />
            <PollsPanel room={room} />
          </div>
        </main>
      )}
      <Toasts />
    </div>
  );
}

/** Start, adjourn, resume and close, as the lifecycle allows. */
function StatusControls({ room, status }: { room: LiveRoom; status: MeetingStatus }) {
  const [busy, setBusy] = useState(false);
  const [closing, setClosing] = useState(false);
  const go = async (to: MeetingStatus[], ok: Key) => {
    setBusy(true);
    await act(async () => {
      for (const s of to) {
        const m = await chairApi.setStatus(room.id, s);
        room.state.set((x) => ({ ...x, meeting: x.meeting ? { ...x.meeting, ...m, my_role: x.meeting.my_role } : m }));
      }
    }, t(ok), 'chair.err.status');
    setBusy(false);
    setClosing(false);
  };
  if (status === 'closed') return null;
  return (
    <span class="status-controls">
      {(status === 'draft' || status === 'scheduled') && (
        <button class="btn primary" disabled={busy} data-testid="status-start" onClick={() => go(status === 'draft' ? ['scheduled', 'live'] : ['live'], 'chair.status.started')}>
          {t('chair.status.start')}
        </button>
      )}
      {status === 'live' && (
        <button class="btn" disabled={busy} data-testid="status-adjourn" onClick={() => go(['adjourned'], 'chair.status.adjourned')}>{t('chair.status.adjourn')}</button>
      )}
      {status === 'adjourned' && (
        <button class="btn primary" disabled={busy} data-testid="status-resume" onClick={() => go(['live'], 'chair.status.resumed')}>{t('chair.status.resume')}</button>
      )}
      {(status === 'live' || status === 'adjourned') && (closing ? (
        <>
          <button class="btn danger-solid" disabled={busy} data-testid="status-close-confirm" onClick={() => go(['closed'], 'chair.status.closed')}>{t('chair.status.closeConfirm')}</button>
          <button class="btn" disabled={busy} onClick={() => setClosing(false)}>{t('common.cancel')}</button>
        </>
      ) : (
        <button class="btn" disabled={busy} data-testid="status-close" onClick={() => setClosing(true)}>{t('chair.status.close')}</button>
      ))}
    </span>
  );
}

/** An unsaved conclusion left behind when the current item changed: shown again when the item is current again. */
interface KeptDraft {
  draft: string;
  base: string;
  clash: boolean;
}

/** The current item with its timer, the ones before and after, and one tap to move on. */
function SessionPanel({ room }: { room: LiveRoom }) {
  const st = useStore(room.state);
  const [busy, setBusy] = useState(false);
  const { current, prev, next } = neighbours(st.agenda?.items, st.agenda?.current_item_id);
  const now = useNow(!!current?.became_current_at);
  const live = st.meeting?.status === 'live';
  const c = current ? itemClock(clockStartAt(current, now), plannedMin(current), now) : null; // earlier spells count (spent_sec); stands still while adjourned
  // The current item's conclusion has changes not saved yet; moving on then takes a second press.
  const [unsaved, setUnsaved] = useState(false);
  const [warned, setWarned] = useState(false);
  // Unsaved conclusions of items that are no longer current (moved on here or elsewhere), by item.
  const [kept, setKept] = useState<Record<string, KeptDraft>>({});
  useEffect(() => setWarned(false), [current?.id]);

  const setItem = async (itemId: string | null) => {
    if (unsaved && !warned) {
      setWarned(true);
      return;
    }
    setWarned(false);
    setBusy(true);
    await act(async () => {
      const r = await api.setCurrent(room.id, itemId);
      // the event follows; show the answer now so the tap shows at once
      room.state.set((s) => (s.agenda && r.item_id !== s.agenda.current_item_id ? { ...s, agenda: setCurrent(s.agenda, r) } : s));
      if (r.item_id) void room.loadSpeakers(r.item_id);
    }, undefined, 'chair.err.notLive');
    setBusy(false);
  };
  const leave = (itemId: string, d: KeptDraft | null) => setKept((k) => {
    if (!d && !(itemId in k)) return k;
    const out = { ...k };
    if (d) out[itemId] = d;
    else delete out[itemId];
    return out;
  });
  const keptElsewhere = Object.keys(kept).filter((x) => x !== current?.id).map((x) => findItem(st.agenda?.items, x)?.number ?? '').filter(Boolean);

  return (
    <section class="panel session" aria-labelledby="session-h">
      <h2 id="session-h" class="panel-h">{t('chair.session.title')}</h2>
      {!st.agenda ? (
        <p class="muted">{t('common.loading')}</p>
      ) : current ? (
        <div class="current" data-testid="chair-current">
          <p class="kicker">{t('chair.session.current')}</p>
          <p class="cur-title" title={`${current.number} ${current.title}`}><span class="num">{current.number}</span> {current.title}</p>
          {current.presenter_name && <p class="muted">{t('chair.session.presenter', { name: current.presenter_name })}</p>}
          {c && (
            <div class={`clock${c.over ? ' over' : ''}`} data-testid="chair-item-timer">
              <span class="clock-big">{clock(c.used)}</span>
              <span class="clock-of">
                {c.planned > 0 ? t('chair.session.ofPlanned', { planned: clock(c.planned) }) : t('chair.session.noPlan')}
              </span>
              {c.over && <span class="badge danger" data-testid="over-time">{t('chair.session.over', { time: clock(c.overBy) })}</span>}
              {c.planned > 0 && (
                <span class="meter" aria-hidden="true"><span style={{ width: `${c.frac * 100}%` }} /></span>
              )}
            </div>
          )}
        </div>
      ) : (
        <p class="muted" data-testid="chair-no-item">{t('chair.session.none')}</p>
      )}
      {current && (
        <Conclusion key={current.id} room={room} item={current} readOnly={st.meeting?.status === 'closed'}
          kept={kept[current.id]} onUnsaved={setUnsaved} onLeave={leave} />
      )}
      {keptElsewhere.length > 0 && (
        <p class="hint-line" role="status" data-testid="conclusion-kept">{t('chair.conclusion.kept', { items: keptElsewhere.join(', ') })}</p>
      )}
      <div class="prevnext">
        <div class="pn">
          <span class="muted small">{t('chair.session.prev')}</span>
          <span class="pn-title">{prev ? `${prev.number} ${prev.title}` : '—'}</span>
          {prev && (
            <button class="btn" disabled={busy || !live} data-testid="prev-item" onClick={() => setItem(prev.id)}>
              <Icon name="left" /> {t('chair.session.back')}
            </button>
          )}
        </div>
        <div class="pn">
          <span class="muted small">{t('chair.session.next')}</span>
          <span class="pn-title" data-testid="next-title">
            {/* nothing after the current item: the last one; nothing current and nothing next: the agenda has no items */}
            {next ? `${next.number} ${next.title}` : current ? t('chair.session.last') : st.agenda ? t('chair.session.noItems') : '—'}
          </span>
        </div>
      </div>
      {warned && unsaved && (
        <p class="error small" role="alert" data-testid="conclusion-leave">{t('chair.conclusion.leaveUnsaved')}</p>
      )}
      <div class="row">
        {next ? (
          <button class="btn primary big grow" disabled={busy || !live} data-testid="next-item" onClick={() => setItem(next.id)}>
            {current ? t('chair.session.goNext') : t('chair.session.begin')} <Icon name="right" />
          </button>
        ) : current ? (
          <button class="btn big grow" disabled={busy || !live} data-testid="end-item" onClick={() => setItem(null)}>
            {t('chair.session.end')}
          </button>
        ) : null}
      </div>
      {!live && st.meeting && <p class="hint-line">{t('chair.session.notLive')}</p>}
    </section>
  );
}

/**
 * The current item's conclusion ("Kết luận"), which the minutes show
 * under the item: the chair writes it as the discussion ends and saves
 * it; Save sends the conclusion alone. While nobody here is writing, the
 * box follows the conclusion as the hub brings it (the secretary may
 * write it at the desk); what is being written is never overwritten, and
 * a change made elsewhere meanwhile is pointed out. The box stays open
 * while a save is on its way: what is typed meanwhile stays, not saved
 * yet. When the item stops being current with changes not saved, they are
 * handed to onLeave, and come back (kept) when it is current again.
 */
function Conclusion({ room, item, readOnly, kept, onUnsaved, onLeave }: {
  room: LiveRoom;
  item: AgendaItem;
  readOnly: boolean;
  kept?: KeptDraft;
  onUnsaved(unsaved: boolean): void;
  onLeave(itemId: string, d: KeptDraft | null): void;
}) {
  const saved = item.conclusion ?? '';
  const [draft, setDraft] = useState(kept?.draft ?? saved);
  const [base, setBase] = useState(kept?.base ?? saved); // the server's text the draft started from
  const [clash, setClash] = useState(kept?.clash ?? false);
  const [busy, setBusy] = useState(false);
  // The text last sent: when the hub brings it back (agenda.changed may come before the answer), that is no clash.
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (saved === base) return;
    const own = sent.current !== null && cleanConclusion(saved) === cleanConclusion(sent.current);
    if (own) sent.current = null;
    if (cleanConclusion(draft) === cleanConclusion(base)) setDraft(saved);
    else if (!own && cleanConclusion(draft) !== cleanConclusion(saved)) setClash(true);
    setBase(saved);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved]);
  const changed = cleanConclusion(draft) !== cleanConclusion(saved);
  const tooLong = conclusionLength(draft) > MAX_CONCLUSION;

  // What the panel needs to know: whether moving on loses anything, and what to keep when it does.
  const latest = useRef<KeptDraft & { changed: boolean }>({ draft, base, clash, changed });
  latest.current = { draft, base, clash, changed };
  useEffect(() => onUnsaved(changed && !readOnly), [changed, readOnly]);
  useEffect(() => () => {
    const l = latest.current;
    onLeave(item.id, l.changed ? { draft: l.draft, base: l.base, clash: l.clash } : null);
    onUnsaved(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!changed || tooLong || busy) return;
    const text = draft;
    sent.current = text;
    setBusy(true);
    await act(async () => {
      const r = await room.saveConclusion(item.id, text);
      // Events touched the agenda meanwhile: they are the truth, and the box has followed them.
      if (!r.applied) return;
      const now = r.item.conclusion ?? '';
      setBase(now);
      // What was typed after Save stays (and shows as not saved yet).
      setDraft((d) => (cleanConclusion(d) === cleanConclusion(text) ? now : d));
      setClash(false);
    }, t('chair.conclusion.saved'));
    setBusy(false);
  };

  const id = `conclusion-${item.id}`;
  return (
    <form class="conclusion" data-testid="chair-conclusion" onSubmit={save} noValidate>
      <label class="kicker" for={id}>{t('chair.conclusion.title')}</label>
      <textarea id={id} name="conclusion" rows={3} value={draft} data-testid="chair-conclusion-text" disabled={readOnly} placeholder={t('chair.conclusion.placeholder')}
        aria-invalid={tooLong} aria-describedby={tooLong ? `${id}-err` : undefined}
        onInput={(e) => setDraft(e.currentTarget.value)} />
      {tooLong && <p id={`${id}-err`} class="error small" role="alert">{t('desk.err.conclusionLong', { n: num(MAX_CONCLUSION) })}</p>}
      {clash && <p class="hint-line" role="status" data-testid="conclusion-clash">{t('chair.conclusion.changedElsewhere')}</p>}
      {!readOnly && (
        <div class="conclusion-actions">
          {changed && <span class="muted small" data-testid="conclusion-unsaved">{t('chair.conclusion.unsaved')}</span>}
          <button type="submit" class="btn primary" disabled={busy || !changed || tooLong} data-testid="conclusion-save">
            {t('chair.conclusion.save')}
          </button>
        </div>
      )}
    </form>
  );
}
