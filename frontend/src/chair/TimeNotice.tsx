// A speaker's last seconds and the end of their time, said in words as well
// as in colour. The cockpit and the room display both show it.
import { t } from '../i18n';

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
        <><span aria-hidden="true">⏳ </span>{t('chair.speak.windUp')}</>
      ) : over ? (
        <span class={sayOver ? undefined : 'sr'}><span aria-hidden="true">⏰ </span>{t('chair.speak.timeUp')}</span>
      ) : null}
    </p>
  );
}
