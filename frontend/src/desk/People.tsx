// Participants: add from the user list with a role, a vote and a weight;
// change and remove them.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { toast } from '../ui/Toast';
import { saved } from '../chunks';
import { desk, type AccountUser, type Participant, type PartRole } from './api';
import { act, Confirm, FieldError, fieldAria, nthOrLast, useBusy, useFocusLater } from './common';

const ROLES: { value: PartRole; label: 'role.chair' | 'role.secretary' | 'role.delegate' | 'role.observer' }[] = [
  { value: 'chair', label: 'role.chair' },
  { value: 'secretary', label: 'role.secretary' },
  { value: 'delegate', label: 'role.delegate' },
  { value: 'observer', label: 'role.observer' },
];

export const votesByDefault = (r: PartRole) => r === 'chair' || r === 'delegate';

/**
 * What a role change does to the vote, for its toast. The vote is kept as
 * it was (a delegate deliberately without one stays without one when made
 * chair); only an observer has none, and losing it is said. A vote unlike
 * the new role's usual one is mentioned too, so it is not a surprise.
 */
function roleChangeNote(p: Participant, role: PartRole, vote: boolean): string {
  const name = p.full_name;
  if (role === 'observer') return p.can_vote ? t('desk.people.changedNoVote', { name }) : t('desk.people.changed', { name });
  if (vote === votesByDefault(role)) return t('desk.people.changed', { name });
  return vote ? t('desk.people.changedKeptVote', { name }) : t('desk.people.changedKeptNoVote', { name });
}

export function People({ meetingId, participants, users, readOnly, onChanged, onUsersWanted }: {
  meetingId: string;
  participants: Participant[];
  users: AccountUser[];
  readOnly: boolean;
  onChanged(): Promise<void> | void;
  /** The add form is being used: the desk reads the user list again (not more often than every few seconds). */
  onUsersWanted?(): void;
}) {
  const [filter, setFilter] = useState('');
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<PartRole>('delegate');
  const [canVote, setCanVote] = useState(true);
  const [weight, setWeight] = useState('1');
  // The add form's errors, each shown under its field and tied to it (aria-describedby).
  const [errs, setErrs] = useState<{ user?: string; weight?: string }>({});
  const [removing, setRemoving] = useState<Participant | null>(null);
  const [busy, run] = useBusy();
  // Where the focus goes once a removed participant's row is gone: the row now in its place, else the heading.
  const rowsRef = useRef<HTMLTableSectionElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusLater = useFocusLater();

  const taken = useMemo(() => new Set(participants.map((p) => p.user_id)), [participants]);
  const f = filter.trim().toLowerCase();
  const candidates = users.filter((u) => !u.disabled && !taken.has(u.id) &&
    (!f || u.full_name.toLowerCase().includes(f) || u.username.includes(f)));

  const add = (e: Event) => {
    e.preventDefault();
    const w = Number(weight);
    const problems = {
      user: !userId || !candidates.some((u) => u.id === userId) ? t('desk.people.pickUser') : undefined,
      weight: !Number.isInteger(w) || w < 1 || w > 1000 ? t('desk.people.badWeight') : undefined,
    };
    setErrs(problems);
    if (problems.user || problems.weight) return;
    const who = users.find((u) => u.id === userId)!;
    void run(async () => {
      const ok = await act(() => desk.putParticipant(meetingId, userId, { role, can_vote: role === 'observer' ? false : canVote, weight: w }),
        t('desk.people.added', { name: who.full_name }));
      if (ok) {
        setUserId('');
        await onChanged();
      }
    });
  };

  // The table as last shown, and each participant's change being saved: a change asked meanwhile goes once
  // that one is answered, on top of what it saved (never on the row as it was before it).
  const shown = useRef(participants);
  shown.current = participants;
  const saving = useRef(new Map<string, Promise<Participant | null>>());

  /**
   * Saves a change of a participant (the route replaces role, vote and
   * weight together: the others go as the table has them, or as the change
   * saved just before this one left them). The vote is always sent: an
   * omitted one would take the new role's default, so a role change would
   * change the vote unseen; only an observer has none. The changes of one
   * participant go one after another. Whether it was saved.
   */
  const save = (p: Participant, next: Partial<Pick<Participant, 'role' | 'can_vote' | 'weight'>>): Promise<boolean> => {
    const before = saving.current.get(p.user_id);
    const job = (async (): Promise<Participant | null> => {
      const saved = before ? await before : null;
      const cur = saved ?? shown.current.find((x) => x.user_id === p.user_id) ?? p;
      const r = next.role ?? cur.role;
      const body = {
        role: r,
        can_vote: r === 'observer' ? false : (next.can_vote ?? cur.can_vote),
        weight: next.weight ?? cur.weight,
      };
      const said = next.role && next.role !== cur.role ? roleChangeNote(cur, r, body.can_vote) : t('desk.people.changed', { name: cur.full_name });
      let answer: Participant | undefined;
      const ok = await act(async () => {
        answer = await desk.putParticipant(meetingId, p.user_id, body);
      }, said);
      await onChanged();
      return ok ? { ...cur, ...body, ...answer } : null;
    })();
    saving.current.set(p.user_id, job);
    void job.finally(() => {
      if (saving.current.get(p.user_id) === job) saving.current.delete(p.user_id);
    });
    return job.then((x) => x !== null);
  };

  /**
   * A change of role or vote: the table waits while it is saved. A weight
   * is saved without that (WeightInput): the weight field commits when it
   * is left, and leaving it by clicking the row's vote box must not disable
   * that box before the click lands; the vote then goes after the weight.
   */
  const change = async (p: Participant, next: Partial<Pick<Participant, 'role' | 'can_vote'>>): Promise<boolean> => {
    let ok = false;
    await run(async () => {
      ok = await save(p, next);
    });
    return ok;
  };

  const remove = (p: Participant) => {
    const at = participants.findIndex((x) => x.user_id === p.user_id);
    setRemoving(null);
    void run(async () => {
      await act(() => desk.removeParticipant(meetingId, p.user_id), t('desk.people.removed', { name: p.full_name }));
      // The row now in its place (the same one, if the removal was refused), else the heading.
      focusLater(() => nthOrLast(rowsRef.current, 'button[data-action=remove]', Math.max(0, at)), () => heading.current);
      await onChanged();
    });
  };

  return (
    <section class="desk-section" aria-labelledby="people-h">
      <h2 id="people-h" class="sr" tabIndex={-1} ref={heading}>{t('desk.tab.people')}</h2>
      {!readOnly && (
        <form class="card desk-form add-form" onSubmit={add} noValidate data-testid="add-participant">
          <h3>{t('desk.people.addTitle')}</h3>
          <div class="form-row">
            <label>
              {t('desk.people.search')}
              <input type="search" value={filter} placeholder={t('desk.people.searchHint')} onFocus={() => onUsersWanted?.()}
                onInput={(e) => setFilter(e.currentTarget.value)} />
            </label>
            <label class="grow">
              {t('desk.people.user')}
              {/* Opened or focused: the list is read again, so an account created meanwhile (another tab, another administrator) is there. */}
              <select name="user" value={userId} {...fieldAria('err-add-user', errs.user)}
                onFocus={() => onUsersWanted?.()} onMouseDown={() => onUsersWanted?.()}
                onChange={(e) => {
                  setUserId(e.currentTarget.value);
                  if (errs.user) setErrs({ ...errs, user: undefined });
                }}>
                <option value="">{t('desk.people.choose', { n: candidates.length })}</option>
                {candidates.map((u) => <option key={u.id} value={u.id}>{u.full_name} ({u.username})</option>)}
              </select>
              <FieldError id="err-add-user" text={errs.user ?? null} />
            </label>
            <label>
              {t('desk.people.role')}
              <select name="role" value={role} onChange={(e) => {
                const r = e.currentTarget.value as PartRole;
                setRole(r);
                setCanVote(votesByDefault(r));
              }}>
                {ROLES.map((r) => <option key={r.value} value={r.value}>{t(r.label)}</option>)}
              </select>
            </label>
            <label class="check">
              <input type="checkbox" name="can_vote" checked={role !== 'observer' && canVote} disabled={role === 'observer'}
                onChange={(e) => setCanVote(e.currentTarget.checked)} />
              {t('desk.people.canVote')}
            </label>
            <label class="narrow">
              {t('desk.people.weight')}
              <input type="number" name="weight" min={1} max={1000} value={weight} {...fieldAria('err-add-weight', errs.weight)}
                onInput={(e) => {
                  setWeight(e.currentTarget.value);
                  if (errs.weight) setErrs({ ...errs, weight: undefined });
                }} />
              <FieldError id="err-add-weight" text={errs.weight ?? null} />
            </label>
            <button type="submit" class="btn primary" disabled={busy} data-testid="add-participant-submit">{t('desk.people.add')}</button>
          </div>
        </form>
      )}
      <div class="card table-card">
        <table class="desk-table" data-testid="participants">
          <caption class="sr">{t('desk.tab.people')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('desk.people.name')}</th>
              <th scope="col">{t('desk.people.role')}</th>
              <th scope="col">{t('desk.people.canVote')}</th>
              <th scope="col">{t('desk.people.weight')}</th>
              <th scope="col"><span class="sr">{t('desk.actions')}</span></th>
            </tr>
          </thead>
          <tbody ref={rowsRef}>
            {participants.length === 0 && <tr><td colSpan={5} class="muted">{t('desk.people.none')}</td></tr>}
            {participants.map((p) => (
              <tr key={p.user_id} data-user={p.username}>
                <td><strong>{p.full_name}</strong> <span class="muted">{p.username}</span></td>
                <td>
                  <select aria-label={t('desk.people.roleOf', { name: p.full_name })} value={p.role} disabled={readOnly || busy}
                    onChange={(e) => void change(p, { role: e.currentTarget.value as PartRole })}>
                    {ROLES.map((r) => <option key={r.value} value={r.value}>{t(r.label)}</option>)}
                  </select>
                </td>
                <td>
                  <label class="check inline">
                    <input type="checkbox" checked={p.can_vote} disabled={readOnly || busy || p.role === 'observer'}
                      aria-label={t('desk.people.canVoteOf', { name: p.full_name })}
                      onChange={(e) => void change(p, { can_vote: e.currentTarget.checked })} />
                  </label>
                </td>
                <td>
                  <WeightInput p={p} disabled={readOnly || busy} onCommit={(w) => save(p, { weight: w })} />
                </td>
                <td class="actions">
                  <button type="button" class="btn danger" disabled={readOnly || busy} onClick={() => setRemoving(p)} data-action="remove"
                    aria-label={t('desk.people.removeOf', { name: p.full_name })}>{t('desk.remove')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {removing && (
        <Confirm title={t('desk.people.removeTitle', { name: removing.full_name })} confirmLabel={t('desk.remove')} danger
          onConfirm={() => remove(removing)} onCancel={() => setRemoving(null)}>
          <p>{t('desk.people.removeText')}</p>
        </Confirm>
      )}
    </section>
  );
}

/**
 * A participant's weight in the table. It shows the weight the meeting has
 * (a change made elsewhere shows at once) until the user types in it; only
 * a typed value is sent, so tabbing through the table never writes an old
 * weight back over another desk's change. A refused value goes back to the
 * meeting's weight.
 */
function WeightInput({ p, disabled, onCommit }: { p: Participant; disabled: boolean; onCommit(w: number): Promise<boolean> }) {
  const [v, setV] = useState(String(p.weight));
  // The user has typed since the field last showed the meeting's weight (a ref: an Enter and the blur after it commit once).
  const dirty = useRef(false);
  const field = useRef<HTMLInputElement>(null);
  const latest = useRef(p.weight);
  latest.current = p.weight;
  useEffect(() => {
    if (!dirty.current) setV(String(p.weight));
  }, [p.weight]);
  const commit = () => {
    if (!dirty.current) return;
    dirty.current = false;
    const w = Number(v);
    if (w === p.weight) return setV(String(p.weight));
    if (v.trim() === '' || !Number.isInteger(w) || w < 1 || w > 1000) {
      toast(t('desk.people.badWeight'), true);
      setV(String(p.weight));
      return;
    }
    // Refused or lost: the field shows the meeting's weight again (unless typed in meanwhile).
    // Saved: a reload would lose nothing of it (chunks.ts).
    void onCommit(w).then((ok) => {
      if (!ok && !dirty.current) setV(String(latest.current));
      if (ok && !dirty.current && field.current) saved(field.current);
    });
  };
  return (
    <input ref={field} class="num-input" type="number" min={1} max={1000} value={v} disabled={disabled}
      aria-label={t('desk.people.weightOf', { name: p.full_name })}
      onInput={(e) => { setV(e.currentTarget.value); dirty.current = true; }} onBlur={commit}
      onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); commit(); } }} />
  );
}
