// The attendance sheet: everyone's state, set present, remote or absent
// (with a reason), and the quorum it makes.
import { useRef, useState } from 'preact/hooks';
import { num, t } from '../i18n';
import type { AttendanceState } from '../types';
import { desk, type AttendanceRow, type Quorum } from './api';
import { act, FieldError, fieldAria, useBusy, useFocusLater } from './common';
import { hasNoteControl } from './logic';

const STATES: { value: 'present' | 'remote' | 'absent'; label: 'desk.att.present' | 'desk.att.remote' | 'desk.att.absent' }[] = [
  { value: 'present', label: 'desk.att.present' },
  { value: 'remote', label: 'desk.att.remote' },
  { value: 'absent', label: 'desk.att.absent' },
];

const stateLabel: Record<AttendanceState, { label: 'desk.att.present' | 'desk.att.remote' | 'desk.att.absent' | 'desk.att.unknown'; cls: string }> = {
  present: { label: 'desk.att.present', cls: 'ok' },
  remote: { label: 'desk.att.remote', cls: 'info' },
  absent: { label: 'desk.att.absent', cls: 'warn' },
  unknown: { label: 'desk.att.unknown', cls: '' },
};

export function Attendance({ meetingId, rows, quorum, readOnly, onChanged }: {
  meetingId: string;
  rows: AttendanceRow[];
  quorum: Quorum | null;
  readOnly: boolean;
  onChanged(): Promise<void> | void;
}) {
  const [absentFor, setAbsentFor] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [reasonErr, setReasonErr] = useState<string | null>(null);
  const [busy, run] = useBusy();
  // Each row's "Vắng" button: it takes the focus back once the row's absence
  // form is gone (recorded or cancelled), as the form held it.
  const absentButtons = useRef(new Map<string, HTMLButtonElement>());
  const focusLater = useFocusLater();
  const closeAbsent = (userId: string) => {
    focusLater(() => absentButtons.current.get(userId));
    setAbsentFor(null);
  };

  const record = (r: AttendanceRow, state: 'present' | 'remote' | 'absent', why = '') => run(async () => {
    const label = t(STATES.find((s) => s.value === state)!.label);
    const ok = await act(() => desk.record(meetingId, r.user_id, state, why), t('desk.att.recorded', { name: r.full_name, state: label }));
    // A failure keeps the absence form open with the reason typed, to send again.
    if (ok && state === 'absent') closeAbsent(r.user_id);
    await onChanged();
  });

  const byWeight = !!quorum?.rule.by_weight;

  return (
    <section class="desk-section" aria-labelledby="att-h">
      <h2 id="att-h" class="sr">{t('desk.tab.attendance')}</h2>
      {quorum && (
        <div class={`card quorum-card ${quorum.reached ? 'reached' : ''}`} data-testid="quorum" aria-live="polite">
          <span class={`badge ${quorum.reached ? 'ok' : 'warn'}`}>{quorum.reached ? t('desk.att.quorumReached') : t('desk.att.quorumNot')}</span>
          {/* By weight, every count is a sum of voting weights, not a number of people. */}
          <span>{t(byWeight ? 'desk.att.quorumCountWeight' : 'desk.att.quorumCount',
            { attending: num(quorum.attending), required: num(quorum.required), eligible: num(quorum.eligible) })}</span>
          <span class="muted">{t(byWeight ? 'desk.att.countsWeight' : 'desk.att.counts',
            { present: num(quorum.present), remote: num(quorum.remote), absent: num(quorum.absent), unknown: num(quorum.unknown) })}</span>
        </div>
      )}
      <div class="card table-card">
        <table class="desk-table" data-testid="attendance">
          <caption class="sr">{t('desk.tab.attendance')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('desk.people.name')}</th>
              <th scope="col">{t('desk.people.role')}</th>
              <th scope="col">{t('desk.att.state')}</th>
              <th scope="col">{t('desk.att.record')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={4} class="muted">{t('desk.people.none')}</td></tr>}
            {rows.map((r) => (
              <tr key={r.user_id} data-user-id={r.user_id}>
                <td>
                  <strong>{r.full_name}</strong>
                  {r.can_vote && <span class="muted small"> · {t('desk.att.votes')}</span>}
                </td>
                <td>{t(`role.${r.role}` as 'role.chair')}</td>
                <td>
                  <span class={`badge ${stateLabel[r.state].cls}`} data-testid="att-state" data-state={r.state}>{t(stateLabel[r.state].label)}</span>
                  {r.reason && <span class="muted small reason"> {r.reason}</span>}
                </td>
                <td>
                  {absentFor === r.user_id ? (
                    <form class="absent-form" noValidate onSubmit={(e) => {
                      e.preventDefault();
                      // The server refuses a reason with a control character (pasted along): say so here, in our words.
                      if (hasNoteControl(reason)) return setReasonErr(t('desk.err.noteControl', { field: t('desk.att.reason') }));
                      void record(r, 'absent', reason.trim());
                    }}
                      onKeyDown={(e) => { if (e.key === 'Escape') closeAbsent(r.user_id); }}>
                      <input value={reason} maxLength={500} autoFocus placeholder={t('desk.att.reasonHint')}
                        aria-label={t('desk.att.reasonOf', { name: r.full_name })} {...fieldAria(`err-reason-${r.user_id}`, reasonErr)}
                        onInput={(e) => { setReason(e.currentTarget.value); setReasonErr(null); }} />
                      <button type="submit" class="btn primary" disabled={busy}>{t('desk.att.recordAbsent')}</button>
                      <button type="button" class="btn" onClick={() => closeAbsent(r.user_id)}>{t('common.cancel')}</button>
                      <FieldError id={`err-reason-${r.user_id}`} text={reasonErr} />
                    </form>
                  ) : (
                    <span class="seg" role="group" aria-label={t('desk.att.recordOf', { name: r.full_name })}>
                      {STATES.map((s) => (
                        <button key={s.value} type="button" class={`btn${r.state === s.value ? ' on' : ''}`} aria-pressed={r.state === s.value}
                          disabled={readOnly || busy} data-state={s.value}
                          ref={s.value === 'absent' ? (b: HTMLButtonElement | null) => {
                            if (b) absentButtons.current.set(r.user_id, b);
                            else absentButtons.current.delete(r.user_id);
                          } : undefined}
                          onClick={() => {
                            if (s.value === 'absent') {
                              setReason(r.state === 'absent' ? r.reason : '');
                              setReasonErr(null);
                              setAbsentFor(r.user_id);
                            } else void record(r, s.value);
                          }}>{t(s.label)}</button>
                      ))}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
