// The room display, for the projector: read-only and live. The meeting's
// title, the current item with its timer, the presented page large (it
// follows every turn), the speaker with their countdown, the quorum, and a
// published vote's result as a chart, until the next change on the screen
// (result.ts). No controls but a discreet full-screen toggle and the
// language. It is made to fit the screen without scrolling (a projector has
// no scroll bar): long titles are cut to two lines and the speaker's name
// to three (two during a vote), the side column is at least 21.5 em wide (a
// quorum line on one line), the type scales with the screen's height too, and the quorum
// and the page number are never the part that is cut (display.css).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fileURL } from '../api';
import { retrying } from '../chunks';
import { clock, num, t, type Key } from '../i18n';
import { clockStartAt, findItem } from '../live/state';
import { useStore } from '../store';
import type { AgendaItem, Poll } from '../types';
import type { ScreenProps } from '../ui/App';
import { useNow, useOfflineBanner } from '../ui/hooks';
import { LangSwitch } from '../ui/LangSwitch';
import type { ComponentType } from 'preact';
import type { PointerLink } from '../live/pointer';
import type { Size } from '../viewer/geometry';
import type { PdfDoc } from '../viewer/pdf';
import type { PointerProps } from '../viewer/Pointer';
import type { Stage } from '../viewer/stage';
import { ResultChart } from '../chair/Chart';
import { LiveRoom } from '../chair/live';
import { itemClock, plannedMin, progress, speakerClock } from '../chair/logic';
import { QuorumGauge } from '../chair/People';
import { TimeNotice } from '../chair/TimeNotice';
import { standingResult } from './result';
import './display.css';
import '../chair/chair.css';

interface Mods {
  PdfDoc: typeof PdfDoc;
  Stage: typeof Stage;
}
let modsP: Promise<Mods> | null = null;
const loadMods = () =>
  (modsP ??= retrying(() => Promise.all([import('../viewer/pdf'), import('../viewer/stage')])).then(([p, s]) => ({ PdfDoc: p.PdfDoc, Stage: s.Stage })));
// The presenter's pointer is optional (chunks.ts: the page shows without it, so its failures never
// reload the page), and asked for once: a page turn while it has not come starts no other round of tries.
let pointerP: Promise<typeof import('../viewer/Pointer')> | null = null;

export function Display({ id, me }: ScreenProps) {
  const room = useMemo(() => new LiveRoom(id ?? '', me.id, false), [id, me.id]);
  const st = useStore(room.state);
  const x = useStore(room.extra);
  const [result, setResult] = useState<string | null>(null);
  const [full, setFull] = useState(!!document.fullscreenElement);

  useEffect(() => {
    if (!id) return;
    room.start();
    return () => room.stop();
  }, [room, id]);

  // A published result comes up at once and gives way to the next change. The state says so
  // too (standingResult, for a display opened later); the event covers a poll without its
  // publication time.
  useEffect(() => room.events.subscribe((ev) => {
    if (!ev) return;
    const d = ev.data as Poll | undefined;
    if (ev.type === 'poll.published' && d?.id) setResult(d.id);
    else if (ev.type === 'presentation.changed' || ev.type === 'agenda.current' || ev.type === 'poll.opened') setResult(null);
  }), [room]);

  const offline = useOfflineBanner(st.online);

  useEffect(() => {
    const on = () => setFull(!!document.fullscreenElement);
    document.addEventListener('fullscreenchange', on);
    return () => document.removeEventListener('fullscreenchange', on);
  }, []);

  const toggleFull = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
    else void document.documentElement.requestFullscreen?.().catch(() => {});
  };

  if (!id || st.error) {
    return (
      <div class="display">
        <p class="display-error" role="alert">{st.error === 'not_found' || !id ? t('room.notFound') : t('error.network')}</p>
      </div>
    );
  }

  const item = findItem(st.agenda?.items, st.agenda?.current_item_id);
  const pres = st.presentation;
  const live = pres?.document_id && !pres.hidden ? pres : null;
  const resultId = result ?? standingResult(st.polls, item, pres);
  const shownPoll = resultId ? st.polls[resultId] : null;
  const openPoll = Object.values(st.polls).find((p) => p.status === 'open') ?? null;
  const q = item ? st.speakers[item.id] : undefined;
  const active = q?.active ?? null;
  const waiting = q ? q.speeches.length + q.questions.length : 0;

  return (
    <div class="display" data-testid="display">
      <header class="d-top">
        <h1 class="d-title" data-testid="display-title" title={st.meeting?.title}>{st.meeting?.title ?? t('common.loading')}</h1>
        {st.meeting && st.meeting.status !== 'live' && <span class={`d-status st-${st.meeting.status}`}>{t(`status.${st.meeting.status}` as Key)}</span>}
        <span class="grow" />
        {offline && !st.online && <span class="d-offline" role="status">{t('display.offline')}</span>}
        <span class="d-tools">
          <LangSwitch />
          <button class="btn icon" title={full ? t('display.exitFullscreen') : t('display.fullscreen')} aria-label={full ? t('display.exitFullscreen') : t('display.fullscreen')}
            aria-pressed={full} data-testid="fullscreen" onClick={toggleFull}>
            <svg class="ic" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d={full ? 'M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5' : 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5'} />
            </svg>
          </button>
        </span>
      </header>
      <main class="d-main">
        <section class="d-stage-wrap" aria-label={t('display.presented')}>
          {live ? (
            <Page docId={live.document_id!} version={live.version ?? 0} page={live.page ?? 1} zoom={live.zoom} title={st.documents.find((d) => d.id === live.document_id)?.title ?? ''}
              me={me.id} pointer={{ moves: room.pointer, canPoint: false, live: `${live.document_id}:${live.page ?? 1}`, item: st.agenda?.current_item_id ?? null, send: () => {} }} />
          ) : (
            <div class="d-idle" data-testid="display-idle">
              {item ? (
                <>
                  <p class="d-kicker">{t('display.now')}</p>
                  <p class="d-idle-title"><span class="d-num">{item.number}</span> {item.title}</p>
                  {item.presenter_name && <p class="d-idle-sub">{t('chair.session.presenter', { name: item.presenter_name })}</p>}
                </>
              ) : (
                <p class="d-idle-title">{st.ready ? t('display.welcome') : t('common.loading')}</p>
              )}
              {pres?.hidden && <p class="d-idle-sub">{t('live.hidden')}</p>}
            </div>
          )}
          {shownPoll && shownPoll.results && (
            <div class="d-result" data-testid="display-result" role="status">
              <p class="d-kicker">{t('poll.results')}</p>
              <h2 class="d-result-title">{shownPoll.title}</h2>
              <ResultChart poll={shownPoll} big />
            </div>
          )}
        </section>
        <aside class="d-side">
          <section class="d-card d-shrink" data-testid="display-item" aria-label={t('display.now')}>
            <p class="d-kicker">{t('display.now')}</p>
            {item ? <ItemCard number={item.number} title={item.title} item={item} planned={plannedMin(item)} /> : <p class="d-muted">{t('display.noItem')}</p>}
          </section>
          <section class="d-card d-shrink" data-testid="display-speaker" aria-label={t('display.speaker')}>
            <p class="d-kicker d-kick-row">
              <span>{active?.kind === 'question' ? t('display.questioning') : t('display.speaker')}</span>
              {waiting > 0 && <span class="d-wait" data-testid="display-waiting">{t('speak.waiting', { n: num(waiting) })}</span>}
            </p>
            {active ? <SpeakerCard name={active.full_name} startedAt={active.started_at} limit={active.time_limit_sec} short={!!openPoll} /> : <p class="d-muted">{t('speak.nobody')}</p>}
          </section>
          {openPoll && (
            <section class="d-card d-voting" data-testid="display-voting">
              <p class="d-kicker">{t('display.voting')}</p>
              <p class="d-poll-title clamp2" title={openPoll.title}>{openPoll.title}</p>
              <span class="meter big" aria-hidden="true"><span style={{ width: `${progress(openPoll.voted, openPoll.eligible) * 100}%` }} /></span>
              <p class="d-muted">{t('chair.poll.progress', { voted: num(openPoll.voted), eligible: num(openPoll.eligible) })}</p>
            </section>
          )}
          <section class="d-card" aria-label={t('chair.quorum.title')}>
            <p class="d-kicker">{t('chair.quorum.title')}</p>
            <QuorumGauge q={x.quorum} big />
          </section>
        </aside>
      </main>
    </div>
  );
}

/** The item's clock counts its earlier spells, and stands still while the meeting is adjourned (clockStartAt). */
function ItemCard({ number, title, item, planned }: { number: string; title: string; item: AgendaItem; planned: number }) {
  const now = useNow(!!item.became_current_at);
  const c = itemClock(clockStartAt(item, now), planned, now);
  return (
    <>
      <p class="d-item clamp2" data-testid="display-item-title" title={`${number} ${title}`}><span class="d-num">{number}</span> {title}</p>
      <div class="d-clock-row">
        <p class={`d-clock d-clock-item${c.over ? ' over' : ''}`} data-testid="display-item-timer">
          {clock(c.used)}
          {c.planned > 0 && <span class="d-of"> / {clock(c.planned)}</span>}
        </p>
        {c.over && <p class="d-over">{t('chair.session.over', { time: clock(c.overBy) })}</p>}
      </div>
    </>
  );
}

/**
 * Who has the floor (the card's heading says whether they speak or ask a
 * question), their countdown, and the end of their time in words. The name
 * takes three lines at most, two (short) while a vote's card needs the room.
 */
function SpeakerCard({ name, startedAt, limit, short }: { name: string; startedAt: string | null; limit: number; short: boolean }) {
  const now = useNow(!!startedAt);
  const c = speakerClock(startedAt, limit, now);
  return (
    <>
      <p class={`d-speaker ${short ? 'clamp2' : 'clamp3'}`} data-testid="display-speaker-name" title={name}>{name}</p>
      <div class="d-clock-row">
        <p class={`d-clock${c.over ? ' over' : c.warn ? ' warn' : ''}`} data-testid="display-speaker-timer">
          {c.left !== null ? clock(c.left) : clock(c.used)}
        </p>
        <TimeNotice warn={c.warn} over={c.over} cls="d-notice" />
      </div>
      {c.left !== null && <span class={`meter big${c.over ? ' over' : ''}`} aria-hidden="true"><span style={{ width: `${c.frac * 100}%` }} /></span>}
    </>
  );
}

/** The presented page, as large as the screen allows, following the presenter (and their zoom region). */
function Page({ docId, version, page, zoom, title, me, pointer }: {
  docId: string; version: number; page: number; zoom: import('../types').Region | null; title: string; me: string; pointer: PointerLink;
}) {
  const stageEl = useRef<HTMLDivElement>(null);
  const sheetEl = useRef<HTMLDivElement>(null);
  const stage = useRef<Stage | null>(null);
  const [mods, setMods] = useState<Mods | null>(null);
  const [pdf, setPdf] = useState<PdfDoc | null>(null);
  const [failed, setFailed] = useState(false);
  // The page on screen and its size in points: the presenter's laser and temporary strokes sit on it.
  const [shown, setShown] = useState<{ page: number; size: Size } | null>(null);
  const [PointerLayer, setPointerLayer] = useState<ComponentType<PointerProps> | null>(null);

  useEffect(() => void loadMods().then(setMods), []); // asked again until it comes
  useEffect(() => {
    if (shown && !PointerLayer) void (pointerP ??= retrying(() => import('../viewer/Pointer'), { optional: true })).then((m) => setPointerLayer(() => m.default));
  }, [shown, PointerLayer]);
  useEffect(() => {
    if (!mods) return;
    const s = new mods.Stage(stageEl.current!, sheetEl.current!, { turn: () => {}, zoomed: () => {}, shown: (n, _css, size) => setShown({ page: n, size }) });
    stage.current = s;
    return () => s.destroy();
  }, [mods]);
  useEffect(() => {
    if (!mods) return;
    let alive = true;
    setFailed(false);
    setPdf(null);
    setShown(null);
    mods.PdfDoc.get(fileURL({ id: docId, version })).then((d) => {
      if (!alive) return;
      stage.current?.setDoc(d, docId);
      setPdf(d);
    }, () => alive && setFailed(true));
    return () => {
      alive = false;
    };
  }, [mods, docId, version]);
  useEffect(() => {
    if (pdf && stage.current) void stage.current.show(Math.min(Math.max(1, page), pdf.pages), zoom, true);
  }, [pdf, page, zoom]);

  return (
    <div class="d-page">
      <div class="stage d-stage" ref={stageEl} data-testid="display-stage">
        <div class="sheet" ref={sheetEl}>
          {PointerLayer && shown && <PointerLayer link={pointer} docId={docId} page={shown.page} size={shown.size} me={me} tool={null} />}
        </div>
        {!pdf && !failed && <div class="loading">{t('viewer.loading')}</div>}
        {failed && <div class="loading error">{t('viewer.failed')}</div>}
      </div>
      <p class="d-caption" data-testid="display-pageof">
        {title && <span class="d-doc" title={title}>{title}</span>}{title && ' '}
        <span class="d-pg">{t('viewer.pageOf', { page, pages: pdf?.pages ?? '…' })}</span>
      </p>
    </div>
  );
}
