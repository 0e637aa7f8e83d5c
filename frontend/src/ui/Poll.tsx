// Voting: when a poll opens, a clear ballot; a choice is confirmed before
// it is sent, and "your vote is recorded" once the server has it. When the
// results are published they are shown to everyone.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { t, type Key } from '../i18n';
import type { Room } from '../live/room';
import { openPoll } from '../live/state';
import { useStore } from '../store';
import type { Poll, PollOption } from '../types';
import { Icon } from './Icon';

const MOTION: Record<string, Key> = { agree: 'poll.agree', disagree: 'poll.disagree', abstain: 'poll.abstain' };

/** The label of an option: the standard motion answers in the user's language, others as written. */
export function optionLabel(p: Poll, o: PollOption | undefined, id?: string): string {
  const oid = o?.id ?? id ?? '';
  return p.kind === 'motion' && MOTION[oid] ? t(MOTION[oid]) : (o?.label ?? oid);
}

export function PollLayer({ room }: { room: Room }) {
  const st = useStore(room.state);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [results, setResults] = useState<string | null>(null);

  useEffect(
    () =>
      room.events.subscribe((ev) => {
        const p = ev?.data as Poll | undefined;
        if (ev?.type === 'poll.published' && p?.id) setResults(p.id);
        if (ev?.type === 'poll.opened' && p?.id) setDismissed(null);
      }),
    [room],
  );

  const open = openPoll(st.polls);
  const shown = results ? st.polls[results] : null;
  return (
    <>
      {open && dismissed !== open.id && !results && (
        <Ballot key={open.id} poll={open} room={room} here={st.attendance === 'present' || st.attendance === 'remote'} onClose={() => setDismissed(open.id)} />
      )}
      {open && dismissed === open.id && (
        <button class="btn primary vote-pill" data-testid="reopen-ballot" onClick={() => setDismissed(null)}>
          {open.me?.voted ? t('poll.recordedShort') : t('poll.voteNow')}
        </button>
      )}
      {shown && shown.status === 'published' && <Results poll={shown} onClose={() => setResults(null)} />}
    </>
  );
}

function Ballot({ poll, room, here, onClose }: { poll: Poll; room: Room; here: boolean; onClose(): void }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');
  const first = useRef<HTMLButtonElement>(null);
  const multi = poll.kind === 'choice' && poll.max_choices > 1;
  const voted = !!poll.me?.voted;
  const canVote = !!poll.me?.can_vote;

  useEffect(() => first.current?.focus(), [confirming, voted]);

  const pick = (id: string) => {
    if (!multi) return setChosen([id]);
    setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : c.length < poll.max_choices ? [...c, id] : c));
  };

  const send = async () => {
    setSending(true);
    setError('');
    try {
      await (multi
        ? api.voteMany(poll.id, chosen)
        : api.vote(poll.id, chosen[0]));
      room.voted(poll.id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) room.voted(poll.id); // already counted
      else setError(e instanceof ApiError && e.status === 403 ? t('poll.cannotVote') : t('poll.notSent'));
      setConfirming(false);
    } finally {
      setSending(false);
    }
  };

  const labels = chosen.map((id) => optionLabel(poll, poll.options.find((o) => o.id === id))).join(', ');

  return (
    <div class="modal-back">
      <div class="modal ballot" role="dialog" aria-modal="true" aria-labelledby="ballot-title" data-testid="ballot" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <p class="kicker">{t('poll.open')}{poll.secret ? ` · ${t('poll.secret')}` : ` · ${t('poll.named')}`}</p>
        <h2 id="ballot-title">{poll.title}</h2>
        {voted ? (
          <div class="recorded" data-testid="vote-recorded">
            <Icon name="check" />
            <p><strong>{t('poll.recorded')}</strong></p>
            <p class="muted">{t('poll.progress', { voted: poll.voted, eligible: poll.eligible })}</p>
            <button ref={first} class="btn big" onClick={onClose}>{t('common.close')}</button>
          </div>
        ) : !poll.me ? (
          <p class="muted">{t('common.loading')}</p>
        ) : !canVote ? (
          <div>
            <p>{here ? t('poll.cannotVote') : t('poll.checkInFirst')}</p>
            <button ref={first} class="btn big" onClick={onClose}>{t('common.close')}</button>
          </div>
        ) : confirming ? (
          <div class="confirm">
            <p>{t('poll.confirmQ')}</p>
            <p class="choice" data-testid="confirm-choice"><strong>{labels}</strong></p>
            {error && <p class="error" role="alert">{error}</p>}
            <div class="row">
              <button class="btn big" disabled={sending} onClick={() => setConfirming(false)}>{t('poll.change')}</button>
              <button ref={first} class="btn primary big" disabled={sending} data-testid="confirm-vote" onClick={send}>
                {sending ? t('poll.sending') : t('poll.confirm')}
              </button>
            </div>
          </div>
        ) : (
          <div>
            <p class="muted">{multi ? t('poll.pickUpTo', { n: poll.max_choices }) : t('poll.pickOne')}</p>
            <div class="options" role={multi ? 'group' : 'radiogroup'} aria-labelledby="ballot-title">
              {poll.options.map((o, i) => (
                <button
                  key={o.id}
                  ref={i === 0 ? first : undefined}
                  class={`option opt-${o.id}${chosen.includes(o.id) ? ' on' : ''}`}
                  role={multi ? 'checkbox' : 'radio'}
                  aria-checked={chosen.includes(o.id)}
                  data-option={o.id}
                  onClick={() => pick(o.id)}
                >
                  {optionLabel(poll, o)}
                </button>
              ))}
            </div>
            {error && <p class="error" role="alert">{error}</p>}
            <div class="row">
              <button class="btn big" onClick={onClose}>{t('poll.later')}</button>
              <button class="btn primary big" disabled={chosen.length === 0} data-testid="cast-vote" onClick={() => setConfirming(true)}>{t('poll.next')}</button>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

function Results({ poll, onClose }: { poll: Poll; onClose(): void }) {
  const results = poll.results ?? [];
  const total = results.reduce((a, r) => a + r.votes, 0) || 1;
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div class="modal-back">
      <div class="modal results" role="dialog" aria-modal="true" aria-labelledby="results-title" data-testid="results" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <p class="kicker">{t('poll.results')}</p>
        <h2 id="results-title">{poll.title}</h2>
        {poll.outcome && <p class={`outcome oc-${poll.outcome}`} data-testid="outcome">{t(`outcome.${poll.outcome}` as Key)}</p>}
        <ul class="bars">
          {results.map((r) => (
            <li key={r.option}>
              <span class="bar-label">{optionLabel(poll, poll.options.find((o) => o.id === r.option), r.option)}</span>
              <span class="bar"><span style={{ width: `${(100 * r.votes) / total}%` }} /></span>
              <span class="bar-n">{r.votes}</span>
            </li>
          ))}
        </ul>
        <p class="muted">{t('poll.turnout', { voted: poll.voted, eligible: poll.eligible })}</p>
        <button ref={close} class="btn big" onClick={onClose}>{t('common.close')}</button>
      </div>
    </div>
  );
}
