// Voting: when a poll opens, a clear ballot; a choice is confirmed before
// it is sent, and "your vote is recorded" once the server has it. When the
// chair closes the vote, the delegate is told, with their standing. When the
// results are published they are shown to everyone. The dialogs keep the
// keyboard inside them while they are shown.
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { num, t, type Key } from '../i18n';
import type { Room } from '../live/room';
import { openPoll } from '../live/state';
import { useStore } from '../store';
import type { OptionResult, Poll, PollOption } from '../types';
import { Icon } from './Icon';
import { toast } from './Toast';

const MOTION: Record<string, Key> = { agree: 'poll.agree', disagree: 'poll.disagree', abstain: 'poll.abstain' };

/** The label of an option: the standard motion answers in the user's language, others as written. */
export function optionLabel(p: Poll, o: PollOption | undefined, id?: string): string {
  const oid = o?.id ?? id ?? '';
  return p.kind === 'motion' && MOTION[oid] ? t(MOTION[oid]) : (o?.label ?? oid);
}

/**
 * What decided a result: its weight (vote/rules.go: every rule counts voting
 * weight; one per person unless the meeting gives weights), its head count
 * only when no weight came.
 */
export const decisive = (r: OptionResult) => (typeof r.weight === 'number' ? r.weight : r.votes);

/** Whether weights made a difference: some option's weight is not its head count (the heads are then worth showing too). */
export const weighted = (results: OptionResult[] | undefined) => !!results?.some((r) => decisive(r) !== r.votes);

const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog's keyboard: Tab and Shift+Tab go round its own controls
 * (never to the page behind it), Escape closes it. For the dialog's onKeyDown.
 */
export function dialogKeys(e: KeyboardEvent, onClose: () => void): void {
  if (e.key === 'Escape') {
    onClose();
    return;
  }
  if (e.key !== 'Tab') return;
  const root = e.currentTarget as HTMLElement;
  const list = Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE));
  const at = document.activeElement;
  if (list.length === 0) {
    e.preventDefault();
    root.focus();
    return;
  }
  const first = list[0];
  const last = list[list.length - 1];
  const inside = !!at && root.contains(at) && at !== root;
  if (e.shiftKey && (!inside || at === first)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (!inside || at === last)) {
    e.preventDefault();
    first.focus();
  }
}

/** While a modal dialog is shown, focus that lands outside it (a click behind, a script) comes back to it. */
function useFocusInside(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const back = (e: FocusEvent) => {
      const root = ref.current;
      if (!root || !(e.target instanceof Node) || root.contains(e.target)) return;
      (root.querySelector<HTMLElement>(FOCUSABLE) ?? root).focus();
    };
    document.addEventListener('focusin', back);
    return () => document.removeEventListener('focusin', back);
  }, [ref]);
}

/** A vote that ended while its ballot was on screen, and what we know of the delegate's standing in it. */
interface Ended {
  id: string;
  /** The delegate could vote in it (before it closed). */
  couldVote: boolean;
  /** The server was asked after the end: "no vote of yours" is then the truth, not a guess. */
  checked: boolean;
}

/**
 * onCheckIn: given while the delegate may check in and has not: checks them in (as the room's
 * "Điểm danh" button does) and resolves to '' when done, or to why not.
 */
export function PollLayer({ room, onCheckIn }: { room: Room; onCheckIn?: () => Promise<string> }) {
  const st = useStore(room.state);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [results, setResults] = useState<string | null>(null);
  const [ended, setEnded] = useState<Ended | null>(null);

  useEffect(
    () =>
      room.events.subscribe((ev) => {
        const p = ev?.data as Poll | undefined;
        if (ev?.type === 'poll.published' && p?.id) {
          setResults(p.id);
          setEnded(null); // the results say more
        }
        if (ev?.type === 'poll.opened' && p?.id) {
          setDismissed(null);
          setEnded(null);
        }
      }),
    [room],
  );

  const open = openPoll(st.polls);
  // The open poll as last shown: when it stops being open (the chair closed
  // or cancelled it, or a refused vote found it closed), say so rather than
  // let the ballot vanish without a word.
  const last = useRef<{ id: string; hidden: boolean; couldVote: boolean } | null>(null);
  useEffect(() => {
    const prev = last.current;
    last.current = open ? { id: open.id, hidden: dismissed === open.id || !!results, couldVote: !!open.me?.can_vote || (last.current?.id === open.id && last.current.couldVote) } : null;
    if (!prev || open?.id === prev.id) return;
    const p = st.polls[prev.id];
    if (!p || p.status === 'open' || p.status === 'draft') return;
    if (prev.hidden || p.me?.voted) {
      toast(p.me?.voted ? `${endedHead(p)} ${t('poll.recorded')}` : endedHead(p));
      return;
    }
    // The ballot was on screen, without a vote: it says in place that the
    // vote ended, and asks the server whether a vote of theirs counted (one
    // sent from elsewhere, or just before the end).
    setEnded({ id: p.id, couldVote: prev.couldVote, checked: false });
    if (prev.couldVote) {
      void room.checkPoll(p.id).then(
        () => setEnded((e) => (e?.id === p.id ? { ...e, checked: true } : e)),
        () => {},
      );
    }
  }, [open, dismissed, results, st.polls]);

  const shown = results ? st.polls[results] : null;
  const endedPoll = ended && !results && !open ? st.polls[ended.id] : null;
  return (
    <>
      {open && dismissed !== open.id && !results && (
        <Ballot key={open.id} poll={open} room={room} here={st.attendance === 'present' || st.attendance === 'remote'} onCheckIn={onCheckIn} onClose={() => setDismissed(open.id)} />
      )}
      {endedPoll && <EndedNotice poll={endedPoll} ended={ended!} onClose={() => setEnded(null)} />}
      {open && dismissed === open.id && (
        <button class="btn primary vote-pill" data-testid="reopen-ballot" onClick={() => setDismissed(null)}>
          {open.me?.voted ? t('poll.recordedShort') : t('poll.voteNow')}
        </button>
      )}
      {shown && shown.status === 'published' && <Results poll={shown} onClose={() => setResults(null)} />}
    </>
  );
}

/** "The vote has ended", or "The vote was cancelled". */
const endedHead = (p: Poll) => (p.status === 'cancelled' ? t('poll.cancelledNotice') : t('poll.ended'));

/** The ballot, in place, once its vote ended: what happened, and the delegate's standing when known. */
function EndedNotice({ poll, ended, onClose }: { poll: Poll; ended: Ended; onClose(): void }) {
  const box = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  useFocusInside(box);
  const standing = poll.me?.voted ? t('poll.recorded') : ended.couldVote && ended.checked ? t('poll.endedNoVote') : '';
  return (
    <div class="modal-back">
      <div ref={box} class="modal ballot" role="dialog" aria-modal="true" aria-labelledby="ballot-title" tabIndex={-1} data-testid="ballot" onKeyDown={(e) => dialogKeys(e, onClose)}>
        <p class="kicker">{t('poll.open')}{poll.secret ? ` · ${t('poll.secret')}` : ` · ${t('poll.named')}`}</p>
        <h2 id="ballot-title">{poll.title}</h2>
        <div data-testid="ballot-ended" role="alert">
          <p><strong>{endedHead(poll)}</strong></p>
          {standing && <p class="muted" data-testid="ended-standing">{standing}</p>}
        </div>
        <button ref={close} class="btn big" onClick={onClose}>{t('common.close')}</button>
      </div>
    </div>
  );
}

function Ballot({ poll, room, here, onCheckIn, onClose }: { poll: Poll; room: Room; here: boolean; onCheckIn?: () => Promise<string>; onClose(): void }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');
  // Checking in from the ballot, then asking the server for my standing in this vote.
  const [joining, setJoining] = useState(false);
  const [joinError, setJoinError] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const first = useRef<HTMLButtonElement>(null);
  const alive = useRef(true);
  const multi = poll.kind === 'choice' && poll.max_choices > 1;
  const voted = !!poll.me?.voted;
  const canVote = !!poll.me?.can_vote;

  useEffect(() => () => void (alive.current = false), []);
  useEffect(() => (first.current ?? box.current)?.focus(), [confirming, voted, !!poll.me, canVote, joining]);
  useFocusInside(box);

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
      let msg = e instanceof ApiError && e.status === 403 ? t('poll.cannotVote') : t('poll.notSent');
      if (e instanceof ApiError && e.status === 409) msg = await refusedVote();
      if (!alive.current) return;
      setError(msg);
      setConfirming(false);
    } finally {
      if (alive.current) setSending(false);
    }
  };

  /**
   * A 409 is "already voted", "the poll is not open" or "the meeting is not
   * in session": ask the server which. Its answer goes into the room's state:
   * a vote counted shows as recorded, a closed poll as ended (PollLayer).
   * Returns the message to show, or '' when the state says it all.
   */
  const refusedVote = async (): Promise<string> => {
    try {
      const p = await room.checkPoll(poll.id);
      if (p.me?.voted || p.status !== 'open') return '';
      return t('poll.notInSession');
    } catch {
      return t('poll.unconfirmed');
    }
  };

  /**
   * "Điểm danh và biểu quyết": the room's check-in, then this vote's standing asked at once (the
   * options show when the server says I may vote; the room asks again if this fails).
   */
  const checkInHere = async () => {
    if (!onCheckIn || joining) return;
    setJoining(true);
    setJoinError('');
    const why = await onCheckIn();
    if (!why) await room.checkPoll(poll.id).catch(() => {});
    if (!alive.current) return;
    setJoinError(why);
    setJoining(false);
  };

  const labels = chosen.map((id) => optionLabel(poll, poll.options.find((o) => o.id === id))).join(', ');

  return (
    <div class="modal-back">
      <div ref={box} class="modal ballot" role="dialog" aria-modal="true" aria-labelledby="ballot-title" tabIndex={-1} data-testid="ballot" onKeyDown={(e) => dialogKeys(e, onClose)}>
        <p class="kicker">{t('poll.open')}{poll.secret ? ` · ${t('poll.secret')}` : ` · ${t('poll.named')}`}</p>
        <h2 id="ballot-title">{poll.title}</h2>
        {voted ? (
          <div class="recorded" data-testid="vote-recorded">
            <Icon name="check" />
            <p><strong>{t('poll.recorded')}</strong></p>
            <p class="muted">{t('poll.progress', { voted: num(poll.voted), eligible: num(poll.eligible) })}</p>
            <button ref={first} class="btn big" onClick={onClose}>{t('common.close')}</button>
          </div>
        ) : !poll.me ? (
          <p class="muted">{t('common.loading')}</p>
        ) : !canVote && (joining || (!here && onCheckIn)) ? (
          <div data-testid="ballot-check-in-first">
            <p>{t('poll.checkInFirst')}</p>
            {joinError && <p class="error" role="alert">{joinError}</p>}
            <div class="row">
              <button class="btn big" onClick={onClose}>{t('common.close')}</button>
              <button ref={first} class="btn primary big" disabled={joining} aria-busy={joining || undefined} data-testid="ballot-check-in" onClick={checkInHere}>
                {joining ? t('poll.checkingIn') : t('poll.checkInAndVote')}
              </button>
            </div>
          </div>
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
  // Drawn by what decided the vote (the weight), with the head count beside it when they differ.
  const byWeight = weighted(results);
  const total = results.reduce((a, r) => a + decisive(r), 0) || 1;
  const box = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  useFocusInside(box);
  return (
    <div class="modal-back">
      <div ref={box} class="modal results" role="dialog" aria-modal="true" aria-labelledby="results-title" tabIndex={-1} data-testid="results" onKeyDown={(e) => dialogKeys(e, onClose)}>
        <p class="kicker">{t('poll.results')}</p>
        <h2 id="results-title">{poll.title}</h2>
        {poll.outcome && <p class={`outcome oc-${poll.outcome}`} data-testid="outcome">{t(`outcome.${poll.outcome}` as Key)}</p>}
        {byWeight && <p class="muted" data-testid="results-by-weight">{t('poll.byWeight')}</p>}
        <ul class="bars">
          {results.map((r) => (
            // Weights run to thousands: a wider column for the figures.
            <li key={r.option} style={byWeight ? { gridTemplateColumns: 'minmax(90px, 1fr) 2fr 5em' } : undefined}>
              <span class="bar-label">
                {optionLabel(poll, poll.options.find((o) => o.id === r.option), r.option)}
                {byWeight && <small class="muted" data-testid="bar-heads"> · {t('poll.heads', { n: num(r.votes) })}</small>}
              </span>
              <span class="bar"><span style={{ width: `${(100 * decisive(r)) / total}%` }} /></span>
              <span class="bar-n" data-testid="bar-n">{num(decisive(r))}</span>
            </li>
          ))}
        </ul>
        <p class="muted">{t('poll.turnout', { voted: num(poll.voted), eligible: num(poll.eligible) })}</p>
        <button ref={close} class="btn big" onClick={onClose}>{t('common.close')}</button>
      </div>
    </div>
  );
}
