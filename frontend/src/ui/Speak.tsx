// Taking the floor: the active speaker and their time left, asking to speak
// or to question on the current item, and my place in the queue.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { clock, t } from '../i18n';
import type { Room } from '../live/room';
import { findItem, queuePlace } from '../live/state';
import { useStore } from '../store';
import type { Queues, SpeakerKind, User } from '../types';
import { useNow } from './hooks';
import { Icon } from './Icon';
import { toast } from './Toast';

export function SpeakBar({ room, me }: { room: Room; me: User }) {
  const st = useStore(room.state);
  const [busy, setBusy] = useState(false);
  const itemId = st.agenda?.current_item_id ?? null;
  const item = findItem(st.agenda?.items, itemId);
  const q = itemId ? st.speakers[itemId] : undefined;
  const active = q?.active ?? null;
  const now = useNow(!!active?.started_at);
  const mine = queuePlace(q, me.id);
  const role = st.meeting?.my_role;
  const canSpeak = role === 'delegate' || role === 'chair' || role === 'secretary';
  // One asks to speak while the meeting is in session: the server refuses it once closed.
  const status = st.meeting?.status;
  const inSession = status === 'live';
  const waiting = (q?.speeches.length ?? 0) + (q?.questions.length ?? 0);

  if (!item) {
    // The close ends the item under discussion: say why there is none.
    if (status === 'closed') return <div class="speakbar muted" data-testid="speak-closed">{t('speak.meetingClosed')}</div>;
    return <div class="speakbar muted">{t('speak.noItem')}</div>;
  }

  const ask = async (kind: SpeakerKind) => {
    setBusy(true);
    try {
      await api.askToSpeak(item.id, kind);
      void room.loadSpeakers(item.id);
      toast(kind === 'speech' ? t('speak.askedSpeech') : t('speak.askedQuestion'));
    } catch (e) {
      toast(await refusal(room, item.id, me.id, e, { kind }), true);
    } finally {
      setBusy(false);
    }
  };
  const withdraw = async (speakerId: string) => {
    setBusy(true);
    try {
      await api.cancelSpeaker(speakerId);
      void room.loadSpeakers(item.id);
    } catch (e) {
      toast(await refusal(room, item.id, me.id, e, { withdrawing: speakerId }), true);
    } finally {
      setBusy(false);
    }
  };

  let timer = '';
  let over = false;
  if (active?.started_at) {
    const used = (now - Date.parse(active.started_at)) / 1000;
    if (active.time_limit_sec > 0) {
      const left = active.time_limit_sec - used;
      over = left < 0;
      timer = t('speak.left', { time: clock(left) });
    } else timer = clock(used);
  }

  return (
    <section class="speakbar" aria-label={t('speak.title')} data-testid="speakbar">
      <div class="speaker">
        <Icon name="mic" />
        {/* One text: the count of those waiting follows the speaker's line and wraps as a whole,
            rather than be squeezed into a column of its own beside a long name. */}
        <span class="speaker-text">
          {active ? (
            <span data-testid="active-speaker">
              <strong>{active.full_name}</strong>{' '}
              <span class="muted">{active.kind === 'question' ? t('speak.questioning') : t('speak.speaking')}</span>{' '}
              {timer && <span class={`timer${over ? ' over' : ''}`}>{timer}</span>}
            </span>
          ) : (
            <span class="muted">{t('speak.nobody')}</span>
          )}
          {waiting > 0 && <>{' '}<span class="muted queue-count" data-testid="queue-count">· {t('speak.waiting', { n: waiting })}</span></>}
        </span>
      </div>
      <div class="speak-actions">
        {mine ? (
          <>
            <span class="badge info" data-testid="my-place">
              {mine.kind === 'speech' ? t('speak.placeSpeech', { n: mine.place }) : t('speak.placeQuestion', { n: mine.place })}
            </span>
            <button class="btn" disabled={busy} onClick={() => withdraw(mine.id)}>{t('speak.withdraw')}</button>
          </>
        ) : active?.user_id === me.id ? (
          <span class="badge live">{t('speak.youHaveFloor')}</span>
        ) : canSpeak && inSession ? (
          <>
            <button class="btn primary" disabled={busy} data-testid="ask-speech" onClick={() => ask('speech')}>{t('speak.askSpeech')}</button>
            <button class="btn" disabled={busy} data-testid="ask-question" onClick={() => ask('question')}>{t('speak.askQuestion')}</button>
          </>
        ) : canSpeak && status ? (
          <span class="muted" data-testid="speak-closed">{status === 'closed' ? t('speak.meetingClosed') : t('speak.notInSession')}</span>
        ) : null}
      </div>
    </section>
  );
}

/**
 * What to say when asking to speak or withdrawing was refused. A 409 means
 * something changed that this tablet may not have heard of yet (the live
 * connection lags): the queue and the meeting are fetched again, the room
 * is refreshed, and the message says what actually happened.
 */
export async function refusal(
  room: Pick<Room, 'id' | 'refreshAll'>,
  itemId: string,
  me: string,
  e: unknown,
  what: { kind?: SpeakerKind; withdrawing?: string },
): Promise<string> {
  if (!(e instanceof ApiError)) return t('speak.failed');
  if (e.status === 0) return t('error.network');
  if (e.status === 403) return t('speak.forbidden');
  if (e.status !== 409 && e.status !== 404) return e.status === 429 || e.status >= 500 ? t('speak.failed') : t('speak.changed');
  const [meeting, queue] = await Promise.all([
    api.meeting(room.id).catch(() => null),
    api.speakers(itemId).catch(() => null),
  ]);
  void room.refreshAll(); // the bar shows what is true now
  return refusalText(e, me, meeting?.status ?? null, queue, what);
}

/** The message for a refused 409/404, from what the server said and what is true now (pure). */
export function refusalText(
  e: ApiError,
  me: string,
  status: string | null,
  queue: Queues | null,
  what: { kind?: SpeakerKind; withdrawing?: string },
): string {
  if (status === 'closed' || /the meeting is closed/i.test(e.message)) return t('speak.meetingClosed');
  if (what.withdrawing) {
    if (queue?.active?.user_id === me || /finish an active one \(this one is active\)/i.test(e.message)) return t('speak.withdrawTooLate');
    const waiting = queue ? [...queue.speeches, ...queue.questions].some((x) => x.id === what.withdrawing) : true;
    if (!waiting || e.status === 404) return t('speak.notWaiting');
    return t('speak.changed');
  }
  if (/no longer takes part/i.test(e.message)) return t('speak.forbidden');
  const list = queue ? (what.kind === 'question' ? queue.questions : queue.speeches) : null;
  if (list?.some((x) => x.user_id === me) || (!queue && /already waiting/i.test(e.message))) return t('speak.already');
  if (queue?.active?.user_id === me) return t('speak.youHaveFloor');
  return t('speak.changed');
}
