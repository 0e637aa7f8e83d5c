// My account, for everyone signed in: who I am (username, full name,
// administrator or not) and changing my own password. The form is checked
// before anything is sent; the server's refusals are told in the person's
// language, under the field they are about where there is one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { t, useAllStrings, type Key } from '../i18n';
import type { User } from '../types';
import type { ScreenProps } from '../ui/App';
import { LangSwitch } from '../ui/LangSwitch';
import { BackLink } from '../ui/Meetings';
import { Toasts, toast } from '../ui/Toast';
import { account } from '../desk/api';
import { errText, FieldError, fieldAria, useBusy, useLangTick } from '../desk/common';
import { passwordProblem } from '../desk/logic';
import '../desk/desk.css';

/** The cards of this screen are narrower than the desk's tables. */
const NARROW = { maxWidth: '640px' };

export function Account({ me, onSignOut }: ScreenProps) {
  useLangTick();
  // Ask again: an administrator may have changed my name or my rights since I signed in.
  const [who, setWho] = useState<User>(me);
  useEffect(() => {
    let live = true;
    account.me().then((u) => live && setWho(u), () => {}); // a 401 goes back to the login by itself
    return () => void (live = false);
  }, []);
  // This screen's strings come after the room's: never show their keys.
  if (!useAllStrings()) return <div class="splash" aria-busy="true"><p class="muted pad">{t('common.loading')}</p></div>;
  return (
    <div class="page desk">
      <header class="topbar">
        <BackLink label={t('desk.back')} />
        <h1 class="title">{t('account.title')}</h1>
        <span class="grow" />
        <span class="who">{who.full_name}</span>
        <LangSwitch />
        <button class="btn sign-out" onClick={onSignOut} data-testid="sign-out">{t('common.signOut')}</button>
      </header>
      <main class="desk-main">
        <section class="card desk-form" style={NARROW} aria-labelledby="account-who" data-testid="account-who">
          <h2 id="account-who">{t('account.who')}</h2>
          <table class="desk-table">
            <tbody>
              <tr>
                <th scope="row">{t('admin.username')}</th>
                <td data-testid="account-username"><strong>{who.username}</strong></td>
              </tr>
              <tr>
                <th scope="row">{t('admin.fullName')}</th>
                <td data-testid="account-fullname">{who.full_name}</td>
              </tr>
              <tr>
                <th scope="row">{t('account.type')}</th>
                <td data-testid="account-type">
                  {who.is_admin ? <span class="badge info">{t('account.typeAdmin')}</span> : t('account.typeUser')}
                </td>
              </tr>
            </tbody>
          </table>
        </section>
        <ChangePassword username={who.username} />
      </main>
      <Toasts />
    </div>
  );
}

type Field = 'current' | 'next' | 'repeat';
/** A message, translated when shown (so a language switch translates it too). */
type Say = () => string;
type Problems = Partial<Record<Field | 'form', Say>>;

const EMPTY: Record<Field, string> = { current: '', next: '', repeat: '' };
const FIELDS: Field[] = ['current', 'next', 'repeat'];

/** A control character (a tab, a line break, NUL …): the server refuses passwords with one. */
const CONTROL = /\p{Cc}/u;

/**
 * What is wrong with the form before it is sent, a key per field; empty
 * when it may be sent. The new password follows the rules of every
 * password (passwordProblem, and no control characters), is repeated the
 * same, and is not the current one.
 */
export function passwordChangeProblems(v: Record<Field, string>): Partial<Record<Field, Key>> {
  const out: Partial<Record<Field, Key>> = {};
  if (!v.current) out.current = 'account.err.currentRequired';
  const rule = passwordProblem(v.next) ?? (CONTROL.test(v.next) ? 'account.err.control' : null);
  if (rule) out.next = rule;
  else if (v.next === v.current) out.next = 'account.err.same';
  if (v.repeat !== v.next) out.repeat = 'account.err.mismatch';
  return out;
}

/** A wait of sec seconds, in words: seconds, or whole minutes from two minutes on. */
function waitText(sec: number): string {
  return sec >= 120 ? t('account.wait.min', { n: Math.ceil(sec / 60) }) : t('account.wait.sec', { n: Math.ceil(sec) });
}

/**
 * The server's 400 about the new password (account.validatePassword and
 * ChangePassword write these messages; they carry no reason word), as our
 * key; null for one we do not know.
 */
function badNewPassword(e: ApiError): Key | null {
  const m = e.message;
  if (/same as the current password/i.test(m)) return 'account.err.same';
  if (/at least 8 characters and at most 256 bytes/i.test(m)) return 'account.err.length';
  if (/control characters|use text only/i.test(m)) return 'account.err.control';
  return null;
}

/** Where and how to tell a refused change. */
function refusal(e: unknown): Problems {
  if (!(e instanceof ApiError)) return { form: () => errText(e) };
  switch (e.status) {
    case 401:
      return {}; // the session is gone: the app is back at the login already
    case 403:
      return { current: () => t('account.err.wrongCurrent') };
    case 409:
      return { current: () => t('account.err.changedMeanwhile') };
    case 400: {
      const key = badNewPassword(e);
      return key ? { next: () => t(key) } : { form: () => errText(e) };
    }
    case 429:
      return { form: () => (e.retryAfter > 0 ? t('account.err.tooMany', { wait: waitText(e.retryAfter) }) : t('account.err.tooManySoon')) };
    case 503:
      return { form: () => (e.retryAfter > 0 ? t('account.err.busy', { wait: waitText(e.retryAfter) }) : t('login.busy')) };
    default:
      return { form: () => errText(e) };
  }
}

function ChangePassword({ username }: { username: string }) {
  const [v, setV] = useState(EMPTY);
  const [errs, setErrs] = useState<Problems>({});
  const [busy, run] = useBusy();
  const refs = { current: useRef<HTMLInputElement>(null), next: useRef<HTMLInputElement>(null), repeat: useRef<HTMLInputElement>(null) };
  const submitRef = useRef<HTMLButtonElement>(null);
  // Where the focus goes next, once the form is enabled again: a browser
  // does not focus a control inside a disabled fieldset (busy). A new
  // object each time, so the same field is focused again on a second try.
  const [focusTo, setFocusTo] = useState<{ to: Field | 'submit' } | null>(null);
  useEffect(() => {
    if (busy || !focusTo) return;
    (focusTo.to === 'submit' ? submitRef : refs[focusTo.to]).current?.focus();
    setFocusTo(null);
  }, [busy, focusTo]);

  /** The problems, and the focus to the first field they are about (else to the button, to try again). */
  const show = (p: Problems) => {
    setErrs(p);
    const to = FIELDS.find((f) => p[f]) ?? (p.form ? 'submit' : null);
    if (to) setFocusTo({ to });
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found = passwordChangeProblems(v);
    if (Object.keys(found).length) {
      const p: Problems = {};
      for (const f of FIELDS) {
        const key = found[f];
        if (key) p[f] = () => t(key);
      }
      return show(p);
    }
    setErrs({});
    void run(async () => {
      try {
        await account.changePassword(v.current, v.next);
      } catch (err) {
        show(refusal(err));
        return;
      }
      setV(EMPTY);
      setFocusTo({ to: 'current' }); // the button had the focus, and was disabled meanwhile
      toast(t('account.changed'));
    });
  };
  const set = (f: Field) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value;
    setV((old) => ({ ...old, [f]: value }));
  };
  const say = (k: Field | 'form') => errs[k]?.() ?? null;
  const input = (f: Field, name: string, label: Key, autocomplete: string) => (
    <label>
      {t(label)}
      <input ref={refs[f]} name={name} type="password" autocomplete={autocomplete} value={v[f]} required
        {...fieldAria(`err-${name}`, say(f))} onInput={set(f)} />
      <FieldError id={`err-${name}`} text={say(f)} />
    </label>
  );
  return (
    <form class="card desk-form" style={NARROW} onSubmit={submit} noValidate aria-labelledby="account-password" data-testid="change-password-form">
      <h2 id="account-password">{t('account.change')}</h2>
      <fieldset disabled={busy}>
        {/* For password managers: whose password this is. */}
        <input type="text" name="username" autocomplete="username" value={username} readOnly hidden />
        {input('current', 'current_password', 'account.current', 'current-password')}
        {input('next', 'new_password', 'account.new', 'new-password')}
        {input('repeat', 'repeat_password', 'account.repeat', 'new-password')}
        <p class="muted small">{t('account.rules')}</p>
        {errs.form && <p class="error" role="alert" data-testid="account-error">{say('form')}</p>}
        <div class="row end">
          <button ref={submitRef} type="submit" class="btn primary" data-testid="change-password">{t('account.submit')}</button>
        </div>
      </fieldset>
    </form>
  );
}
