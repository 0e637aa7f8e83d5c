// The speakers of the current item: who has the floor with a countdown, the
// queues of speeches and questions, and start / finish / cancel. The time
// limit given at start is the chair's default, remembered on this device.
// The chair may also put a participant on a list (someone who raised a hand
// in the room, or has no tablet). Who has the floor, their countdown and
// "end the turn" are in a bar of their own at the top of the cockpit
// (FloorBar), outside its scrolling columns: a chair never has to scroll to
// see someone running over time.
import { useState } from 'preact/hooks';
import { clock, t } from '../i18n';
import { findItem } from '../live/state';
import { useStore } from '../store';
import type { Speaker, SpeakerKind } from '../types';
import { useNow } from '../ui/hooks';
import { Icon } from '../ui/Icon';
import { chairApi } from './api';
import type { LiveRoom } from './live';
import { speakerCandidates, speakerClock } from './logic';
import { TimeNotice } from './TimeNotice';
import { act } from './util';

const LIMIT_KEY = 'curia.chair.speakerLimit';
const LIMITS = [0, 60, 120, 180, 300, 600];

function savedLimit(): number {
  try {
    const v = Number(localStorage.getItem(LIMIT_KEY));
    return LIMITS.includes(v) && localStorage.getItem(LIMIT_KEY) !== null ? v : 180;
  } catch {
    return 180;
  }
}

/** Runs a speaker action, then reads the current item's queues again; a refusal is a toast. */
async function speakerAction(room: LiveRoom, itemId: string | null, fn: () => Promise<unknown>, ok?: string): Promise<void> {
  await act(async () => {
    await fn();
    if (itemId) await room.loadSpeakers(itemId);
  }, ok, 'chair.err.speaker');
}

/** The bar under the cockpit's top bar while someone has the floor: who, their countdown, the end of their time, and "end the turn". */
export function FloorBar({ room }: { room: LiveRoom }) {
  const st = useStore(room.state);
  const [busy, setBusy] = useState(false);
  const itemId = st.agenda?.current_item_id ?? null;
  const active = (itemId ? st.speakers[itemId]?.active : null) ?? null;
  if (!active || !findItem(st.agenda?.items, itemId)) return null;
  const finish = async () => {
    setBusy(true);
    await speakerAction(room, itemId, () => chairApi.finishSpeaker(active.id));
    setBusy(false);
  };
  return (
    <div class="floorbar" role="region" aria-label={t('chair.speak.floor')}>
      <ActiveSpeaker s={active} busy={busy} onFinish={() => void finish()} />
    </div>
  );
}

/** The id of the line saying why "give the floor" is greyed out (one speakers panel a page). */
const WHY_ID = 'floor-why';

export function SpeakersPanel({ room }: { room: LiveRoom }) {
  const st = useStore(room.state);
  const [limit, setLimit] = useState(savedLimit);
  const [busy, setBusy] = useState(false);
  const itemId = st.agenda?.current_item_id ?? null;
  const item = findItem(st.agenda?.items, itemId);
  const q = itemId ? st.speakers[itemId] : undefined;
  const active = q?.active ?? null;
  // agenda.StartSpeaker gives the floor only while the meeting is in session; finish, cancel and add stay allowed.
  const live = st.meeting?.status === 'live';

  const chooseLimit = (v: number) => {
    setLimit(v);
    try {
      localStorage.setItem(LIMIT_KEY, String(v));
    } catch {
      /* no storage: for this session */
    }
  };

  const run = async (fn: () => Promise<unknown>, ok?: string) => {
    setBusy(true);
    await speakerAction(room, itemId, fn, ok);
    setBusy(false);
  };
  const waiting = (q?.speeches.length ?? 0) + (q?.questions.length ?? 0);
  // Why "give the floor" is greyed out, said once above the lists (and tied to each button).
  const why = !live ? null : active && waiting > 0 ? t('chair.speak.endFirst') : null;

  // A long name wraps between words over two lines at most (the whole of it in the tooltip and
  // in the × button's name); the buttons go under it when the column is narrow.
  const row = (s: Speaker, i: number) => (
    <li key={s.id} class="qrow" data-testid="queue-row">
      <span class="qn">{i + 1}</span>
      <span class="qname" title={s.full_name}>{s.full_name}</span>
      <span class="qacts">
        <button class="btn primary" disabled={busy || !!active || !live} title={!live ? t('chair.speak.notLive') : active ? t('chair.speak.busyFloor') : undefined} data-testid="start-speaker"
          aria-describedby={why ? WHY_ID : undefined}
          onClick={() => run(() => chairApi.startSpeaker(s.id, limit), t('chair.speak.started', { name: s.full_name }))}>
          <Icon name="mic" /> {t('chair.speak.start')}
        </button>
        <button class="btn icon" disabled={busy} title={t('chair.speak.cancel')} aria-label={t('chair.speak.cancelWho', { name: s.full_name })}
          onClick={() => run(() => chairApi.cancelSpeaker(s.id))}>
          <Icon name="close" />
        </button>
      </span>
    </li>
  );

  return (
    <section class="panel speakers" aria-labelledby="speak-h">
      <h2 id="speak-h" class="panel-h">{t('chair.speak.title')}</h2>
      {!item ? (
        <p class="muted">{t('speak.noItem')}</p>
      ) : (
        <>
          {active ? (
            <p class="floor-ref" data-testid="floor-ref">
              <Icon name="mic" />
              <span><strong class="floor-name">{active.full_name}</strong> {active.kind === 'question' ? t('speak.questioning') : t('speak.speaking')}</span>
            </p>
          ) : (
            <p class="muted floor-free">{t('speak.nobody')}</p>
          )}
          {why && <p class="hint-line floor-why" id={WHY_ID} data-testid="floor-why">{why}</p>}
          <label class="inline">
            <span>{t('chair.speak.limit')}</span>
            <select value={String(limit)} data-testid="speaker-limit" onChange={(e) => chooseLimit(Number((e.target as HTMLSelectElement).value))}>
              {LIMITS.map((v) => <option key={v} value={String(v)}>{v === 0 ? t('chair.speak.noLimit') : t('chair.speak.minutes', { n: v / 60 })}</option>)}
            </select>
          </label>
          <h3 class="sub-h">{t('chair.speak.speeches', { n: q?.speeches.length ?? 0 })}</h3>
          {q?.speeches.length ? <ol class="queue" data-testid="speech-queue">{q.speeches.map(row)}</ol> : <p class="muted small">{t('chair.speak.empty')}</p>}
          <h3 class="sub-h">{t('chair.speak.questions', { n: q?.questions.length ?? 0 })}</h3>
          {q?.questions.length ? <ol class="queue" data-testid="question-queue">{q.questions.map(row)}</ol> : <p class="muted small">{t('chair.speak.empty')}</p>}
          {!live && !!(q?.speeches.length || q?.questions.length) && (
            <p class="hint-line" data-testid="floor-not-live">{t('chair.speak.notLive')}</p>
          )}
          {itemId && <AddSpeaker room={room} itemId={itemId} busy={busy} run={run} />}
        </>
      )}
    </section>
  );
}

// AddSpeaker puts someone on the current item's list of speeches or
// questions, on the chair's behalf.
function AddSpeaker({ room, itemId, busy, run }: {
  room: LiveRoom;
  itemId: string;
  busy: boolean;
  run(fn: () => Promise<unknown>, ok?: string): Promise<void>;
}) {
  const st = useStore(room.state);
  const x = useStore(room.extra);
  const [kind, setKind] = useState<SpeakerKind>('speech');
  const [who, setWho] = useState('');
  const people = speakerCandidates(x.people, st.speakers[itemId], kind);
  const chosen = people.find((p) => p.user_id === who);
  const add = async () => {
    if (!chosen) return;
    const key = kind === 'question' ? 'chair.speak.addedQuestion' : 'chair.speak.addedSpeech';
    await run(() => chairApi.addSpeaker(itemId, chosen.user_id, kind), t(key, { name: chosen.full_name }));
    setWho('');
  };
  return (
    <form class="add-speaker" data-testid="add-speaker" onSubmit={(e) => { e.preventDefault(); void add(); }}>
      <h3 class="sub-h">{t('chair.speak.addTitle')}</h3>
      <div class="add-speaker-row">
        <select aria-label={t('chair.speak.addWho')} value={chosen ? who : ''} data-testid="add-speaker-who"
          onChange={(e) => setWho((e.target as HTMLSelectElement).value)}>
          <option value="">{people.length ? t('chair.speak.addChoose') : t('chair.speak.addNobody')}</option>
          {people.map((p) => <option key={p.user_id} value={p.user_id}>{p.full_name}</option>)}
        </select>
        <select aria-label={t('chair.speak.addKind')} value={kind} data-testid="add-speaker-kind"
          onChange={(e) => setKind((e.target as HTMLSelectElement).value as SpeakerKind)}>
          <option value="speech">{t('chair.speak.kindSpeech')}</option>
          <option value="question">{t('chair.speak.kindQuestion')}</option>
        </select>
        <button type="submit" class="btn" disabled={busy || !chosen} data-testid="add-speaker-submit">
          <Icon name="plus" /> {t('chair.speak.add')}
        </button>
      </div>
    </form>
  );
}

function ActiveSpeaker({ s, busy, onFinish }: { s: Speaker; busy: boolean; onFinish(): void }) {
  const now = useNow(!!s.started_at);
  const c = speakerClock(s.started_at, s.time_limit_sec, now);
  return (
    <div class={`floor floor-strip${c.over ? ' over' : c.warn ? ' warn' : ''}`} data-testid="chair-active-speaker">
      <div class="floor-who">
        <Icon name="mic" />
        <span class="floor-who-t">
          <strong class="floor-name" title={s.full_name}>{s.full_name}</strong>{' '}
          <span class="muted">{s.kind === 'question' ? t('speak.questioning') : t('speak.speaking')}</span>
        </span>
      </div>
      <div class="floor-time">
        <span class="clock-big" data-testid="chair-speaker-timer">{c.left !== null ? clock(c.left) : clock(c.used)}</span>
        <span class="floor-time-t">
          <span class="clock-of">{c.left !== null ? (c.over ? t('chair.speak.overLimit') : t('chair.speak.leftOf', { limit: clock(s.time_limit_sec) })) : t('chair.speak.noLimitUsed')}</span>
          <TimeNotice warn={c.warn} over={c.over} sayOver={false} />
        </span>
      </div>
      {c.left !== null && <span class="meter" aria-hidden="true"><span style={{ width: `${c.frac * 100}%` }} /></span>}
      <button class="btn big floor-end" disabled={busy} data-testid="finish-speaker" onClick={onFinish}>{t('chair.speak.finish')}</button>
    </div>
  );
}
