// A speaker's last seconds and the end of their time, said in words as well
// as in colour. The cockpit and the room display both show it.
import { t } from '../i18n';

// Line icons drawn like ui/Icon.tsx's (24×24, currentColor): an emoji needs a colour emoji font,
// which a kiosk PC behind a projector often lacks (it showed a box).
const HOURGLASS = 'M7 3h10M7 21h10M8 3c0 4.5 4 5.5 4 9s-4 4.5-4 9M16 3c0 4.5-4 5.5-4 9s4 4.5 4 9';
const ALARM = 'M12 13m-7 0a7 7 0 1014 0 7 7 0 10-14 0M12 9.5V13l2.5 2M4 6l3-2.5M20 6l-3-2.5';

function NoticeIcon({ d }: { d: string }) {
  return (
    <svg class="ic tn-ic" viewBox="0 0 24 24" aria-hidden="true" focusable="false" data-testid="time-notice-icon">
      <path d={d} />
    </svg>
  );
}

/**
 * "Time is almost up" in the turn's last seconds (speakerClock's warn),
 * "time is up" past the limit, in a polite live region that is always
 * there (so that the change is announced) and empty otherwise. sayOver
 * false: the end is shown elsewhere already (the cockpit's "over the
 * limit"), and is only announced here.
 */
export function TimeNotice({ warn, over, sayOver = true, cls = 'time-notice' }: { warn: boolean; over: boolean; sayOver?: boolean; cls?: string }) {
  return (
    <p class={`${cls}${warn ? ' warn' : over ? ' over' : ''}`} role="status" aria-live="polite" data-testid="time-notice">
      {warn ? (
        <><NoticeIcon d={HOURGLASS} />{t('chair.speak.windUp')}</>
      ) : over ? (
        <span class={sayOver ? undefined : 'sr'}><NoticeIcon d={ALARM} />{t('chair.speak.timeUp')}</span>
      ) : null}
    </p>
  );
}
