// The room: the quorum gauge, how many are checked in, online and following
// the presenter, and each participant's standing — all live.
import { useState } from 'preact/hooks';
import { num, t, type Key } from '../i18n';
import { useStore } from '../store';
import { chairApi, type AttendanceRow, type Quorum } from './api';
import { upsertPerson, type LiveRoom } from './live';
import { followCounts, follows, gauge } from './logic';
import { act } from './util';

export function QuorumGauge({ q, big = false }: { q: Quorum | null; big?: boolean }) {
  const g = gauge(q);
  if (!q) return <p class="muted">{t('common.loading')}</p>;
  const counts = t('chair.quorum.counts', { attending: num(q.attending), eligible: num(q.eligible) });
  return (
    <div class={`quorum${g.reached ? ' ok' : ' short'}${big ? ' big' : ''}`} data-testid="quorum">
      <p class="quorum-head">
        <strong>{g.reached ? t('chair.quorum.reached') : t('chair.quorum.notReached')}</strong>
        <span class="quorum-n">{counts}</span>
      </p>
      <span class="gauge" role="meter" aria-valuemin={0} aria-valuemax={q.eligible} aria-valuenow={q.attending}
        aria-valuetext={counts} aria-label={t('chair.quorum.title')}>
        <span class="gauge-fill" style={{ width: `${g.frac * 100}%` }} />
        <span class="gauge-mark" style={{ left: `${g.mark * 100}%` }} />
      </span>
      <p class="quorum-foot">
        {t('chair.quorum.required', { n: num(q.required) })}
        {!g.reached && g.missing > 0 && <> · <span class="short-n">{t('chair.quorum.missing', { n: num(g.missing) })}</span></>}
        {q.rule.by_weight && <> · {t('chair.quorum.byWeight')}</>}
      </p>
    </div>
  );
}

const STATE: Record<string, Key> = {
  present: 'chair.people.present', remote: 'chair.people.remote', absent: 'chair.people.absent', unknown: 'chair.people.unknown',
};

/** Whether one's attendance counts as being there (present in the room, or remote). */
const isIn = (p: AttendanceRow) => p.state === 'present' || p.state === 'remote';

/**
 * The one running the cockpit, when they take part and are not checked in
 * (a chair is usually a voting member: until checked in they do not count
 * for the quorum and may not vote), while the meeting is not closed: a line
 * that says so and checks them in. Recorded as one who manages the meeting
 * (user_id given), which the server takes before the session too.
 */
function SelfCheckIn({ room, self }: { room: LiveRoom; self: AttendanceRow }) {
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    await act(async () => {
      const r = await chairApi.recordAttendance(room.id, self.user_id, 'present');
      // The answer now; attendance.changed brings the same (and is the truth should it differ).
      room.extra.set((x) => ({ ...x, quorum: r.quorum ?? x.quorum, people: r.attendance ? upsertPerson(x.people, r.attendance) : x.people }));
    }, t('chair.people.checkedInSelf'));
    setBusy(false);
  };
  return (
    <div class="self-checkin" data-testid="self-checkin">
      <p>{t(self.can_vote ? 'chair.people.selfOut' : 'chair.people.selfOutNoVote')}</p>
      <button class="btn primary" disabled={busy} data-testid="self-checkin-btn" onClick={() => void go()}>{t('chair.people.checkInSelf')}</button>
    </div>
  );
}

export function PeoplePanel({ room }: { room: LiveRoom }) {
  const x = useStore(room.extra);
  const st = useStore(room.state);
  const self = x.people.find((p) => p.user_id === room.me);
  const offerCheckIn = !!self && !isIn(self) && !!st.meeting && st.meeting.status !== 'closed';
  const here = x.people.filter(isIn).length;
  const online = Object.keys(x.online).length;
  const f = followCounts(x.online, x.follow);
  return (
    <section class="panel people" aria-labelledby="people-h">
      <h2 id="people-h" class="panel-h">{t('chair.people.title')}</h2>
      <QuorumGauge q={x.quorum} />
      {offerCheckIn && <SelfCheckIn room={room} self={self!} />}
      <dl class="stats">
        {/* Everyone on the list, observers and non-voting members too: the quorum above counts the voting members. */}
        <div><dt>{t('chair.people.everyone')}</dt><dd data-testid="count-checked-in">{t('chair.people.checkedInOf', { n: num(here), m: num(x.people.length) })}</dd></div>
        <div><dt>{t('chair.people.online')}</dt><dd data-testid="count-online">{num(online)}</dd></div>
        <div><dt>{t('chair.people.followingTitle')}</dt><dd data-testid="count-following">{t('chair.people.following', { n: num(f.following), m: num(f.online) })}</dd></div>
      </dl>
      <ul class="plist" data-testid="people">
        {x.people.map((p) => {
          const on = !!x.online[p.user_id];
          const fl = follows(p.user_id, x.online, x.follow);
          return (
            <li key={p.user_id} class={`prow st-${p.state}`} data-testid="person" data-user={p.user_id} data-state={p.state}>
              <span class={`odot${on ? ' on' : ''}`} title={on ? t('chair.people.isOnline') : t('chair.people.isOffline')} aria-hidden="true" />
              <span class="pname">
                {p.full_name}
                <span class="sr">{on ? t('chair.people.isOnline') : t('chair.people.isOffline')}</span>
                <span class="prole">{t(`role.${p.role || 'observer'}` as Key)}{p.can_vote ? '' : ` · ${t('chair.people.noVote')}`}</span>
              </span>
              {on && fl === false && <span class="badge warn small" title={t('chair.people.notFollowingLong')}>{t('chair.people.notFollowing')}</span>}
              <span class={`badge pstate st-${p.state}`} data-testid="person-state">{t(STATE[p.state] ?? 'chair.people.unknown')}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
