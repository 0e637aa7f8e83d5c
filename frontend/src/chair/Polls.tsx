// Votes: prepare one from the template (agree / disagree / abstain) or with
// options of one's own, named or secret; open it; watch the progress and
// who has not voted yet (never what anyone chose); close, publish, and see
// the result as a chart; vote again after a tie or a cancelled vote.
import { useRef, useState } from 'preact/hooks';
import { titleProblem } from '../desk/logic';
import { num, t, type Key } from '../i18n';
import { refusalKey } from '../i18n/refusals';
import { findItem, guessedEnded } from '../live/state';
import { useStore } from '../store';
import type { Poll } from '../types';
import { toast } from '../ui/Toast';
import { chairApi, type NewPoll, type Quorum } from './api';
import { ResultChart } from './Chart';
import type { LiveRoom } from './live';
import { gauge, parseOptions, progress, shownPolls } from './logic';
import { act, errorText } from './util';

const STATUS: Record<string, Key> = {
  draft: 'chair.poll.st.draft', open: 'chair.poll.st.open', closed: 'chair.poll.st.closed',
  published: 'chair.poll.st.published', cancelled: 'chair.poll.st.cancelled',
};

/**
 * Opens a poll (a draft, or one just created). The server opens a vote only
 * while the meeting is in session: the screen offers it only then, and says
 * so when the meeting's status changed meanwhile.
 */
async function openPoll(room: LiveRoom, id: string): Promise<boolean> {
  return act(async () => {
    const p = await chairApi.pollAction(id, 'open');
    room.putPoll(p);
    void room.loadVoters(p.id);
  }, t('chair.poll.openedToast'), 'chair.err.pollState');
}

/** Opens a poll once at a time: the polls being opened, and what opens one. */
type Opening = { ids: ReadonlySet<string>; open(id: string): Promise<boolean> };

/**
 * Whether opening a vote now asks the chair first: the quorum is known and
 * not reached (the server opens it all the same; the chair decides). An
 * unknown quorum (not loaded yet) asks nothing, as before.
 */
export const asksBeforeOpening = (q: Quorum | null): boolean => !!q && !q.reached;

/**
 * The question asked before a vote opens without a quorum: how many are
 * present of how many, how many are required and how many more are needed;
 * "open anyway" opens it, Cancel does not.
 */
function NoQuorumConfirm({ q, busy, onOpen, onCancel }: { q: Quorum; busy: boolean; onOpen(): void; onCancel(): void }) {
  const g = gauge(q);
  return (
    <div class="no-quorum-confirm" data-testid="poll-no-quorum">
      <p class="warn-line" role="alert" data-testid="poll-no-quorum-text">
        {t('chair.poll.noQuorumOpen', { attending: num(q.attending), eligible: num(q.eligible), required: num(q.required), missing: num(g.missing) })}
        {q.rule.by_weight && <> ({t('chair.quorum.byWeight')})</>}
      </p>
      <div class="row">
        <button type="button" class="btn primary" disabled={busy} data-testid="poll-open-confirm" onClick={onOpen}>{t('chair.poll.openAnyway')}</button>
        <button type="button" class="btn" disabled={busy} data-testid="poll-open-cancel" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </div>
  );
}

export function PollsPanel({ room }: { room: LiveRoom }) {
  const st = useStore(room.state);
  const [creating, setCreating] = useState(false);
  // Polls being opened (from their card, or by "create and open" after the form has closed):
  // their card offers no second "open" meanwhile.
  const [openingIds, setOpeningIds] = useState<ReadonlySet<string>>(new Set());
  const inFlight = useRef(new Set<string>());
  const opening: Opening = {
    ids: openingIds,
    open: async (id) => {
      if (inFlight.current.has(id)) return false;
      inFlight.current.add(id);
      setOpeningIds(new Set(inFlight.current));
      try {
        return await openPoll(room, id);
      } finally {
        inFlight.current.delete(id);
        setOpeningIds(new Set(inFlight.current));
      }
    },
  };
  const live = st.meeting?.status === 'live';
  // A closed meeting refuses every poll action (meeting.LockOpen): none is offered.
  const closed = st.meeting?.status === 'closed';
  // The open vote, a counted one not yet published and the current item's drafts always; then the newest others.
  const shown = shownPolls(Object.values(st.polls), st.agenda?.current_item_id);
  return (
    <section class="panel polls" aria-labelledby="polls-h">
      <h2 id="polls-h" class="panel-h">
        {t('chair.poll.title')}
        <span class="grow" />
        {!creating && !closed && <button class="btn primary" data-testid="new-poll" onClick={() => setCreating(true)}>{t('chair.poll.new')}</button>}
      </h2>
      {creating && !closed && (
        <NewPollForm room={room} live={live} opening={opening} defaultTitle={findItem(st.agenda?.items, st.agenda?.current_item_id)?.title ?? ''}
          onDone={() => setCreating(false)} />
      )}
      {!live && st.meeting && !closed && (creating || shown.some((p) => p.status === 'draft')) && (
        <p class="hint-line" data-testid="poll-not-live">{t('chair.poll.notLive')}</p>
      )}
      {shown.length === 0 && (!creating || closed) && <p class="muted">{t('chair.poll.none')}</p>}
      <ul class="poll-list">
        {shown.map((p) => <PollCard key={p.id} room={room} poll={p} live={live} closed={closed} opening={opening} />)}
      </ul>
    </section>
  );
}

function NewPollForm({ room, live, opening, defaultTitle, onDone }: {
  room: LiveRoom;
  live: boolean;
  opening: Opening;
  defaultTitle: string;
  onDone(): void;
}) {
  const [title, setTitle] = useState(defaultTitle);
  const [custom, setCustom] = useState(false);
  const [text, setText] = useState('');
  const [secret, setSecret] = useState(false);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  // "Create and open" pressed without a quorum: the form asks first (NoQuorumConfirm).
  const [asking, setAsking] = useState(false);
  const quorum = useStore(room.extra).quorum;
  const options = parseOptions(text);

  /** open: create and open; confirmed: the chair said to open without a quorum. */
  const submit = async (open: boolean, confirmed = false) => {
    setAsking(false);
    setErr('');
    if (!title.trim()) return setErr(t('chair.poll.needTitle'));
    // The server's one-line rule (meeting.NotInALine), for the question and each option.
    if (titleProblem(title) === 'desk.err.titleLine') return setErr(t('chair.err.pollTitleLine'));
    if (custom && options.length < 2) return setErr(t('chair.poll.needOptions'));
    if (custom && options.length > 50) return setErr(t('chair.poll.tooManyOptions'));
    const badOption = custom ? options.findIndex((o) => titleProblem(o) === 'desk.err.titleLine') : -1;
    if (badOption >= 0) return setErr(t('chair.err.optionLine', { n: badOption + 1 }));
    if (open && !confirmed && asksBeforeOpening(room.extra.get().quorum)) return setAsking(true);
    const body: NewPoll = { title: title.trim(), secret, agenda_item_id: room.state.get().agenda?.current_item_id ?? null };
    if (custom) body.options = options.map((label) => ({ label }));
    setBusy(true);
    // Two steps: once the draft exists the form is done with (its card
    // offers "open" again should the open be refused), so that trying
    // again never prepares the same vote twice.
    let made: Poll;
    try {
      made = await chairApi.createPoll(room.id, body);
    } catch (e) {
      setBusy(false);
      // A poll's title is "the question" here (the refusal's key speaks of a title).
      toast(refusalKey(e) === 'desk.err.titleLine' ? t('chair.err.pollTitleLine') : errorText(e, 'chair.err.pollState'), true);
      return;
    }
    room.putPoll(made);
    onDone();
    if (open) await opening.open(made.id);
    else toast(t('chair.poll.created'));
  };

  return (
    <form class="poll-form" data-testid="poll-form" onSubmit={(e) => { e.preventDefault(); void submit(false); }}>
      <label>
        {t('chair.poll.question')}
        <input name="title" value={title} maxLength={300} required onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      </label>
      <fieldset class="seg">
        <legend>{t('chair.poll.kind')}</legend>
        <label class="radio"><input type="radio" name="kind" checked={!custom} data-testid="kind-motion" onChange={() => setCustom(false)} /> {t('chair.poll.template')}</label>
        <label class="radio"><input type="radio" name="kind" checked={custom} data-testid="kind-custom" onChange={() => setCustom(true)} /> {t('chair.poll.custom')}</label>
      </fieldset>
      {custom && (
        <label>
          {t('chair.poll.optionsLabel')}
          <textarea name="options" rows={4} value={text} placeholder={t('chair.poll.optionsHint')} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          <span class="muted small">{t('chair.poll.optionsCount', { n: options.length })}</span>
        </label>
      )}
      <fieldset class="seg">
        <legend>{t('chair.poll.ballot')}</legend>
        <label class="radio"><input type="radio" name="secret" checked={!secret} onChange={() => setSecret(false)} /> {t('chair.poll.namedLong')}</label>
        <label class="radio"><input type="radio" name="secret" checked={secret} data-testid="secret" onChange={() => setSecret(true)} /> {t('chair.poll.secretLong')}</label>
      </fieldset>
      {err && <p class="error" role="alert">{err}</p>}
      {asking && live && quorum && asksBeforeOpening(quorum) && (
        <NoQuorumConfirm q={quorum} busy={busy} onOpen={() => void submit(true, true)} onCancel={() => setAsking(false)} />
      )}
      <div class="row">
        <button type="button" class="btn" disabled={busy} onClick={onDone}>{t('common.cancel')}</button>
        <span class="grow" />
        <button type="submit" class="btn" disabled={busy} data-testid="create-poll">{t('chair.poll.create')}</button>
        <button type="button" class="btn primary" disabled={busy || !live} title={live ? undefined : t('chair.poll.notLive')} data-testid="create-open-poll"
          onClick={() => void submit(true)}>{t('chair.poll.createOpen')}</button>
      </div>
    </form>
  );
}

function PollCard({ room, poll, live, closed, opening }: { room: LiveRoom; poll: Poll; live: boolean; closed: boolean; opening: Opening }) {
  const x = useStore(room.extra);
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  // "Open" pressed without a quorum: the card asks first (NoQuorumConfirm).
  const [asking, setAsking] = useState(false);
  const run = async (action: 'open' | 'close' | 'publish' | 'cancel' | 'again', ok: Key) => {
    setBusy(true);
    if (action === 'open') await opening.open(poll.id);
    else await act(async () => room.putPoll(await chairApi.pollAction(poll.id, action)), t(ok), 'chair.err.pollState');
    setBusy(false);
    setCancelling(false);
    setAsking(false);
  };
  const askOrOpen = () => (asksBeforeOpening(x.quorum) ? setAsking(true) : void run('open', 'chair.poll.openedToast'));
  const openable = !closed && !guessedEnded(poll) && poll.status === 'draft' && live;
  const confirming = asking && openable && asksBeforeOpening(x.quorum);
  const notVoted = x.notVoted[poll.id];
  const frac = progress(poll.voted, poll.eligible);
  return (
    <li class={`pollcard st-${poll.status}`} data-testid="poll-card" data-status={poll.status}>
      <div class="poll-head">
        <strong class="poll-title">{poll.title}</strong>
        <span class={`badge pst-${poll.status}`} data-testid="poll-status">{t(STATUS[poll.status] ?? 'chair.poll.st.draft')}</span>
        <span class="muted small">{poll.secret ? t('poll.secret') : t('poll.named')}</span>
      </div>
      {poll.status === 'draft' && (
        <p class="muted small">{poll.kind === 'motion' ? t('chair.poll.motionOptions') : poll.options.map((o) => o.label).join(' · ')}</p>
      )}
      {poll.status === 'open' && (
        <>
          <div class="progress" data-testid="poll-progress">
            <span class="meter big" role="progressbar" aria-valuemin={0} aria-valuemax={poll.eligible} aria-valuenow={poll.voted} aria-label={t('chair.poll.progressLabel')}>
              <span style={{ width: `${frac * 100}%` }} />
            </span>
            <span class="progress-n" data-testid="poll-progress-n">{t('chair.poll.progress', { voted: num(poll.voted), eligible: num(poll.eligible) })}</span>
          </div>
          <div class="notvoted">
            <p class="sub-h">{t('chair.poll.notVoted', { n: num(notVoted?.length ?? Math.max(0, poll.eligible - poll.voted)) })}</p>
            {notVoted === undefined ? (
              <p class="muted small">{t('common.loading')}</p>
            ) : notVoted.length === 0 ? (
              <p class="ok-line" data-testid="all-voted">{t('chair.poll.allVoted')}</p>
            ) : (
              <ul class="names" data-testid="not-voted">
                {notVoted.map((v) => <li key={v.user_id}>{v.full_name}</li>)}
              </ul>
            )}
          </div>
        </>
      )}
      {(poll.status === 'closed' || poll.status === 'published') && poll.results && <ResultChart poll={poll} />}
      {/* Only guessed closed (the snapshot no longer lists it as open): closed or cancelled, the GET that follows says; nothing to offer meanwhile. */}
      {confirming && x.quorum && (
        <NoQuorumConfirm q={x.quorum} busy={busy || opening.ids.has(poll.id)} onOpen={() => void run('open', 'chair.poll.openedToast')} onCancel={() => setAsking(false)} />
      )}
      {!closed && !guessedEnded(poll) && <div class="row">
        {poll.status === 'draft' && !confirming && (
          <button class="btn primary" disabled={busy || !live || opening.ids.has(poll.id)} title={live ? undefined : t('chair.poll.notLive')} data-testid="poll-open"
            onClick={askOrOpen}>{t('chair.poll.open')}</button>
        )}
        {poll.status === 'open' && (
          <button class="btn primary" disabled={busy} data-testid="poll-close" onClick={() => run('close', 'chair.poll.closedToast')}>{t('chair.poll.close')}</button>
        )}
        {poll.status === 'closed' && (
          <button class="btn primary" disabled={busy} data-testid="poll-publish" onClick={() => run('publish', 'chair.poll.publishedToast')}>{t('chair.poll.publish')}</button>
        )}
        {(poll.status === 'closed' || poll.status === 'published' || poll.status === 'cancelled') && (
          <button class="btn" disabled={busy} data-testid="poll-again" onClick={() => run('again', 'chair.poll.againToast')}>{t('chair.poll.again')}</button>
        )}
        {(poll.status === 'draft' || poll.status === 'open' || poll.status === 'closed') && (cancelling ? (
          <>
            <button class="btn danger-solid" disabled={busy} data-testid="poll-cancel-confirm" onClick={() => run('cancel', 'chair.poll.cancelledToast')}>{t('chair.poll.cancelConfirm')}</button>
            <button class="btn" disabled={busy} onClick={() => setCancelling(false)}>{t('common.cancel')}</button>
          </>
        ) : (
          <button class="btn danger" disabled={busy} onClick={() => setCancelling(true)}>{t('chair.poll.cancel')}</button>
        ))}
      </div>}
    </li>
  );
}
