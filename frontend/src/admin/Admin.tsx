// Users, for administrators: create, disable and enable, reset a password,
// grant or remove the administrator right.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { t, useAllStrings } from '../i18n';
import { refusalKey } from '../i18n/refusals';
import { go } from '../router';
import type { ScreenProps } from '../ui/App';
import { LangSwitch } from '../ui/LangSwitch';
import { BackLink, BarMenu } from '../ui/Meetings';
import { Toasts, toast } from '../ui/Toast';
import { admin, type AccountUser } from '../desk/api';
import { act, Confirm, errText, FieldError, fieldAria, useBusy, useLangTick } from '../desk/common';
import { passwordProblem, userProblem } from '../desk/logic';
import '../desk/desk.css';

export function Admin({ me, onSignOut }: ScreenProps) {
  useLangTick();
  // This screen's strings come after the room's: never show their keys.
  if (!useAllStrings()) return <div class="splash" aria-busy="true"><p class="muted pad">{t('common.loading')}</p></div>;
  return (
    <div class="page desk">
      <header class="topbar">
        <BackLink label={t('desk.back')} />
        <h1 class="title">{t('admin.title')}</h1>
        <span class="grow" />
        <BarMenu>
          {me.is_admin && <a class="btn" href="/admin/audit" onClick={go('/admin/audit')} data-testid="to-audit">{t('audit.title')}</a>}
          <a class="btn" href="/account" onClick={go('/account')} data-testid="to-account">{t('account.title')}</a>
          <span class="who">{me.full_name}</span>
        </BarMenu>
        <LangSwitch />
        <button class="btn sign-out" onClick={onSignOut} data-testid="sign-out">{t('common.signOut')}</button>
      </header>
      {me.is_admin ? <Users meId={me.id} /> : (
        <main class="desk-main">
          <p class="error card pad" role="alert" data-testid="not-allowed">{t('admin.notAllowed')}</p>
        </main>
      )}
      <Toasts />
    </div>
  );
}

function Users({ meId }: { meId: string }) {
  const [users, setUsers] = useState<AccountUser[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [filter, setFilter] = useState('');
  const reload = () => admin.users().then((u) => {
    setUsers(u);
    setFailed(false);
  }, (e) => {
    setFailed(true);
    toast(errText(e), true);
  });
  useEffect(() => void reload(), []);

  const f = filter.trim().toLowerCase();
  const shown = (users ?? []).filter((u) => !f || u.username.includes(f) || u.full_name.toLowerCase().includes(f));
  return (
    <main class="desk-main">
      <NewUser onCreated={reload} />
      <div class="card table-card">
        <div class="agenda-head">
          <strong>{t('admin.users', { n: users?.length ?? 0 })}</strong>
          <label class="inline-label">
            <span class="sr">{t('admin.search')}</span>
            <input type="search" value={filter} placeholder={t('admin.search')} onInput={(e) => setFilter(e.currentTarget.value)} />
          </label>
        </div>
        {failed && <p class="error pad" role="alert">{t('error.network')}</p>}
        {users === null && !failed && <p class="muted pad">{t('common.loading')}</p>}
        <table class="desk-table" data-testid="users">
          <caption class="sr">{t('admin.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.username')}</th>
              <th scope="col">{t('admin.fullName')}</th>
              <th scope="col">{t('admin.state')}</th>
              <th scope="col"><span class="sr">{t('desk.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {shown.map((u) => <UserRow key={u.id} u={u} isMe={u.id === meId} onChanged={reload} />)}
          </tbody>
        </table>
      </div>
    </main>
  );
}

function NewUser({ onCreated }: { onCreated(): Promise<void> | void }) {
  const empty = { username: '', full_name: '', password: '', is_admin: false };
  const [v, setV] = useState(empty);
  const [err, setErr] = useState<{ field: string; text: string } | null>(null);
  const [busy, run] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    const p = userProblem(v);
    if (p) {
      setErr({ field: p.startsWith('admin.err.password') ? 'password' : p === 'admin.err.username' ? 'username' : 'full_name', text: t(p) });
      return;
    }
    setErr(null);
    void run(async () => {
      const body = { ...v, username: v.username.trim().toLowerCase(), full_name: v.full_name.trim() };
      try {
        await admin.create(body);
      } catch (e) {
        // A taken username belongs under its field; anything else is a toast.
        if (refusalKey(e) === 'admin.err.taken') setErr({ field: 'username', text: t('admin.err.taken') });
        else toast(errText(e), true);
        return;
      }
      toast(t('admin.created', { name: body.username }));
      setV(empty);
      await onCreated();
    });
  };
  const fe = (f: string) => (err?.field === f ? err.text : null);
  return (
    <form class="card desk-form add-form" onSubmit={submit} noValidate data-testid="new-user">
      <h2>{t('admin.newUser')}</h2>
      <fieldset disabled={busy}>
        <div class="form-row">
          <label>
            {t('admin.username')}
            <input name="new_username" value={v.username} autoComplete="off" autoCapitalize="none" spellcheck={false}
              {...fieldAria('err-username', fe('username'))} onInput={(e) => setV({ ...v, username: e.currentTarget.value })} />
            <FieldError id="err-username" text={fe('username')} />
          </label>
          <label class="grow">
            {t('admin.fullName')}
            <input name="new_full_name" value={v.full_name} maxLength={200} {...fieldAria('err-fullname', fe('full_name'))}
              onInput={(e) => setV({ ...v, full_name: e.currentTarget.value })} />
            <FieldError id="err-fullname" text={fe('full_name')} />
          </label>
          <label>
            {t('admin.password')}
            <input name="new_password" type="password" autoComplete="new-password" value={v.password}
              {...fieldAria('err-password', fe('password'))} onInput={(e) => setV({ ...v, password: e.currentTarget.value })} />
            <FieldError id="err-password" text={fe('password')} />
          </label>
          <label class="check">
            <input type="checkbox" name="new_is_admin" checked={v.is_admin} onChange={(e) => setV({ ...v, is_admin: e.currentTarget.checked })} />
            {t('admin.isAdmin')}
          </label>
          <button type="submit" class="btn primary" data-testid="create-user">{t('admin.create')}</button>
        </div>
        <p class="muted small">{t('admin.rules')}</p>
      </fieldset>
    </form>
  );
}

/**
 * A change of a user that may leave no enabled administrator: the server
 * refuses it (409) when two administrators take each other's right away, or
 * disable each other, at the same time. Toasts the outcome; whether it worked.
 */
async function changeUser(u: AccountUser, fn: () => Promise<unknown>, ok: string): Promise<boolean> {
  try {
    await fn();
  } catch (e) {
    // account: "<username> is the last enabled administrator: make someone else an administrator first"
    const last = e instanceof ApiError && e.status === 409 && /is the last enabled administrator/i.test(e.message);
    toast(last ? t('admin.err.lastAdmin', { name: u.username }) : errText(e), true);
    return false;
  }
  toast(ok);
  return true;
}

function UserRow({ u, isMe, onChanged }: { u: AccountUser; isMe: boolean; onChanged(): Promise<void> | void }) {
  const [resetting, setResetting] = useState(false);
  const [pw, setPw] = useState('');
  const [pwErr, setPwErr] = useState<string | null>(null);
  const [disabling, setDisabling] = useState(false);
  const [granting, setGranting] = useState(false); // the dialog that grants or removes the administrator right
  const [busy, run] = useBusy();

  const setDisabled = (disabled: boolean) => {
    setDisabling(false);
    void run(async () => {
      await changeUser(u, () => admin.update(u.id, { disabled }), disabled ? t('admin.disabledOk', { name: u.username }) : t('admin.enabledOk', { name: u.username }));
      await onChanged();
    });
  };
  const setAdmin = (is_admin: boolean) => {
    setGranting(false);
    void run(async () => {
      await changeUser(u, () => admin.update(u.id, { is_admin }), is_admin ? t('admin.grantedOk', { name: u.username }) : t('admin.revokedOk', { name: u.username }));
      await onChanged();
    });
  };
  const reset = (e: Event) => {
    e.preventDefault();
    const p = passwordProblem(pw);
    if (p) return setPwErr(t(p));
    setPwErr(null);
    void run(async () => {
      const ok = await act(() => admin.update(u.id, { password: pw }), t('admin.resetOk', { name: u.username }));
      if (ok) {
        setResetting(false);
        setPw('');
      }
    });
  };
  return (
    <tr data-username={u.username} class={u.disabled ? 'disabled' : ''}>
      <td><strong>{u.username}</strong></td>
      <td>{u.full_name}</td>
      <td>
        <span class="badges">
          {u.is_admin && <span class="badge info">{t('admin.admin')}</span>}
          {u.disabled ? <span class="badge warn" data-testid="user-disabled">{t('admin.disabled')}</span> : <span class="badge ok">{t('admin.active')}</span>}
          {isMe && <span class="badge">{t('admin.you')}</span>}
        </span>
      </td>
      <td class="actions">
        {resetting ? (
          <form class="absent-form" onSubmit={reset} onKeyDown={(e) => { if (e.key === 'Escape') setResetting(false); }}>
            <input type="password" autoComplete="new-password" value={pw} autoFocus aria-label={t('admin.newPasswordOf', { name: u.username })}
              {...fieldAria(`err-pw-${u.id}`, pwErr)} placeholder={t('admin.newPassword')} name="reset_password"
              onInput={(e) => setPw(e.currentTarget.value)} />
            <button type="submit" class="btn primary" disabled={busy} data-testid="reset-save">{t('common.save')}</button>
            <button type="button" class="btn" onClick={() => { setResetting(false); setPwErr(null); }}>{t('common.cancel')}</button>
            <FieldError id={`err-pw-${u.id}`} text={pwErr} />
          </form>
        ) : (
          <span class="row-actions">
            <button type="button" class="btn" disabled={busy} onClick={() => setResetting(true)} data-testid="reset-password"
              aria-label={t('admin.resetOf', { name: u.username })}>{t('admin.reset')}</button>
            {!isMe && (
              <button type="button" class="btn" disabled={busy} onClick={() => setGranting(true)}
                data-testid={u.is_admin ? 'revoke-admin' : 'grant-admin'}
                aria-label={u.is_admin ? t('admin.revokeOf', { name: u.username }) : t('admin.grantOf', { name: u.username })}>
                {u.is_admin ? t('admin.revoke') : t('admin.grant')}
              </button>
            )}
            {u.disabled ? (
              <button type="button" class="btn" disabled={busy} onClick={() => setDisabled(false)} data-testid="enable-user"
                aria-label={t('admin.enableOf', { name: u.username })}>{t('admin.enable')}</button>
            ) : (
              <button type="button" class="btn danger" disabled={busy || isMe} onClick={() => setDisabling(true)} data-testid="disable-user"
                title={isMe ? t('admin.notYourself') : undefined}
                aria-label={t('admin.disableOf', { name: u.username })}>{t('admin.disable')}</button>
            )}
          </span>
        )}
        {disabling && (
          <Confirm title={t('admin.disableTitle', { name: u.username })} confirmLabel={t('admin.disable')} danger
            onConfirm={() => setDisabled(true)} onCancel={() => setDisabling(false)}>
            <p>{t('admin.disableText')}</p>
          </Confirm>
        )}
        {granting && (u.is_admin ? (
          <Confirm title={t('admin.revokeTitle', { name: u.username })} confirmLabel={t('admin.revoke')} danger
            onConfirm={() => setAdmin(false)} onCancel={() => setGranting(false)}>
            <p>{t('admin.revokeText')}</p>
          </Confirm>
        ) : (
          <Confirm title={t('admin.grantTitle', { name: u.username })} confirmLabel={t('admin.grant')}
            onConfirm={() => setAdmin(true)} onCancel={() => setGranting(false)}>
            <p>{t('admin.grantText')}</p>
          </Confirm>
        ))}
      </td>
    </tr>
  );
}
