// Small helpers shared by the cockpit's panels: turning API errors into
// translated messages, and running an action with a busy flag and a toast.
import { ApiError } from '../api';
import { t, type Key } from '../i18n';
import { knownRefusal } from '../i18n/refusals';
import { toast } from '../ui/Toast';

/** A translated message for a failed action; `conflict` names what a 409 means for it. */
export function errorText(e: unknown, conflict?: Key): string {
  if (!(e instanceof ApiError)) return t('chair.err.generic');
  const known = knownRefusal(e); // the server said what stops it (e.g. a vote still open): say that
  if (known) return t(known.key, known.params);
  switch (e.status) {
    case 0: return t('error.network');
    case 403: return t('chair.err.forbidden');
    case 404: return t('chair.err.gone');
    case 409: return t(conflict ?? 'chair.err.conflict');
    case 400: case 422: return t('chair.err.invalid');
    case 429: case 503: return t('chair.err.busy');
    default: return t('chair.err.generic');
  }
}

/** Runs fn; on success toasts ok (if any), on failure toasts the error. Returns whether it worked. */
export async function act(fn: () => Promise<unknown>, ok?: string, conflict?: Key): Promise<boolean> {
  try {
    await fn();
    if (ok) toast(ok);
    return true;
  } catch (e) {
    toast(errorText(e, conflict), true);
    return false;
  }
}

/** Whether a key press belongs to a text field (and must not turn pages). */
export function typing(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  return !!el && (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable);
}
