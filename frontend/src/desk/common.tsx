// Small pieces shared by the desk and admin screens: the error text of a
// refused request, a confirmation dialog, and an action runner that shows
// a toast either way.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';
import { onLangChange, t } from '../i18n';
import { knownRefusal, withoutQuotes } from '../i18n/refusals';
import { toast } from '../ui/Toast';

/**
 * What to tell a person when a request failed, in their language. A refusal
 * the server is known to give has its own message (i18n/refusals.ts). Only
 * a refusal we do not know (a 400/409/422 from a newer server, a rule
 * without a message of ours) shows the server's own text, after ours: it is
 * in English, but it names the field or the rule, which a generic "refused"
 * would not; these screens are the staff's (secretary, administrator).
 */
export function errText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'network' || e.status === 0) return t('error.network');
    const known = knownRefusal(e);
    if (known) return t(known.key, known.params);
    // Another way of saying the meeting is closed; not a title that says "closed".
    if (e.status === 409 && /\bclosed\b/i.test(withoutQuotes(e.message))) return t('desk.errClosed');
    if (e.status === 403) return t('desk.errForbidden');
    if (e.status === 404) return t('desk.errNotFound');
    if (e.status === 429) return t('desk.errRateLimited');
    if (e.status >= 500) return t('desk.errServer');
    return t('desk.err.server', { msg: e.message });
  }
  return t('desk.errServer');
}

/** Runs an action, toasts its success (when given a message) or its error; returns whether it worked. */
export async function act(fn: () => Promise<unknown>, ok?: string): Promise<boolean> {
  try {
    await fn();
    if (ok) toast(ok);
    return true;
  } catch (e) {
    toast(errText(e), true);
    return false;
  }
}

/** Busy state for one button or form at a time. */
export function useBusy(): [boolean, (fn: () => Promise<unknown>) => Promise<void>] {
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    if (busy) return;
    setBusy(true);
    try {
      await fn();
    } finally {
      setBusy(false);
    }
  };
  return [busy, run];
}

/**
 * Moves the focus once the screen has caught up with an action that took
 * the focused control away (a deleted row, a closed form): the returned
 * function takes what to focus, looked up after each render until it is
 * there and enabled (buttons stay disabled while the action runs), for a
 * few seconds at most. The first choice that exists wins.
 */
export function useFocusLater(): (...choices: (() => HTMLElement | null | undefined)[]) => void {
  const pending = useRef<{ choices: (() => HTMLElement | null | undefined)[]; until: number } | null>(null);
  useEffect(() => {
    const p = pending.current;
    if (!p) return;
    if (Date.now() > p.until) {
      pending.current = null;
      return;
    }
    for (const choose of p.choices) {
      const el = choose();
      if (!el) continue;
      if ((el as HTMLButtonElement).disabled) return; // not yet: after the next render
      pending.current = null;
      el.focus();
      return;
    }
  });
  return (...choices) => {
    pending.current = { choices, until: Date.now() + 5000 };
  };
}

/** The element of a list at index (or the last one, when the list got shorter), else null. */
export function nthOrLast(list: HTMLElement | null | undefined, selector: string, index: number): HTMLElement | null {
  const all = list?.querySelectorAll?.<HTMLElement>(selector);
  if (!all || all.length === 0) return null;
  return all[Math.min(index, all.length - 1)] ?? null;
}

/**
 * Re-renders on a language change, and when the desk's strings arrive after
 * the base dictionary (i18n loads them in the background on a cold start).
 */
export function useLangTick(): void {
  const [, set] = useState(0);
  useEffect(() => onLangChange(() => set((n) => n + 1)), []);
}

/** A modal confirmation (native <dialog>: focus stays inside, Escape cancels). */
export function Confirm({ title, children, confirmLabel, danger, onConfirm, onCancel }: {
  title: string;
  children?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} class="desk-dialog card" aria-labelledby="confirm-title" data-testid="confirm"
      onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="confirm-title">{title}</h2>
      {children && <div class="dialog-body">{children}</div>}
      <div class="row end">
        <button type="button" class="btn" onClick={onCancel} autofocus>{t('common.cancel')}</button>
        <button type="button" class={`btn ${danger ? 'danger-fill' : 'primary'}`} data-testid="confirm-ok" onClick={onConfirm}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}

/**
 * The ARIA attributes of a field whose error FieldError shows: the field
 * points at the error only while there is one (FieldError renders nothing
 * otherwise, and a reference to a missing id is an error of its own).
 */
export function fieldAria(id: string, error: string | null | undefined) {
  return { 'aria-invalid': !!error, 'aria-describedby': error ? id : undefined };
}

/** A field's error under it, announced. */
export function FieldError({ id, text }: { id: string; text: string | null }) {
  return text ? <span id={id} class="field-error" role="alert">{text}</span> : null;
}
