// Taking the floor: the active speaker and their time left, asking to speak
// or to question on the current item, and my place in the queue.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { clock, t } from '../i18n';
import type { Room } from '../live/room';
import { findItem, queuePlace } from '../live/state';
import { useStore } from '../store';
import type { SpeakerKind, User } from '../types';
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
  const waiting = (q?.speeches.length ?? 0) + (q?.questions.length ?? 0);

  if (!item) return <div class="speakbar muted">{t('speak.noItem')}</div>;

  const ask = async (kind: SpeakerKind) => {
    setBusy(true);
    try {
      await api.askToSpeak(item.id, kind);
      void room.loadSpeakers(item.id);
      toast(kind === 'speech' ? t('speak.askedSpeech') : t('speak.askedQuestion'));
    } catch (e) {
      toast(e instanceof ApiError && e.status === 409 ? t('speak.already') : e instanceof ApiError && e.status === 403 ? t('speak.forbidden') : t('error.network'), true);
    } finally {
      setBusy(false);
    }
  };
  const withdraw = async (speakerId: string) => {
    setBusy(true);
    try {
      await api.cancelSpeaker(speakerId);
      void room.loadSpeakers(item.id);
    } catch {
      toast(t('error.network'), true);
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
        {active ? (
          <span data-testid="active-speaker">
            <strong>{active.full_name}</strong>{' '}
            <span class="muted">{active.kind === 'question' ? t('speak.questioning') : t('speak.speaking')}</span>{' '}
            {timer && <span class={`timer${over ? ' over' : ''}`}>{timer}</span>}
          </span>
        ) : (
          <span class="muted">{t('speak.nobody')}</span>
        )}
        {waiting > 0 && <span class="muted queue-count">· {t('speak.waiting', { n: waiting })}</span>}
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
        ) : canSpeak ? (
          <>
            <button class="btn primary" disabled={busy} data-testid="ask-speech" onClick={() => ask('speech')}>{t('speak.askSpeech')}</button>
            <button class="btn" disabled={busy} data-testid="ask-question" onClick={() => ask('question')}>{t('speak.askQuestion')}</button>
          </>
        ) : null}
      </div>
    </section>
  );
}
