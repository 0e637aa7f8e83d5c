import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { t } from '../i18n';
import type { User } from '../types';
import { LangSwitch } from './LangSwitch';
import { prefetchRoom } from './prefetch';

export function Login({ onIn }: { onIn(u: User): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // Most who sign in open a meeting next: fetch its code and start pdf.js while they type.
  useEffect(prefetchRoom, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = await api.login(username.trim(), password);
      onIn(r.user);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      // 503: every password check is busy (many signing in at once), not a network failure.
      setError(status === 401 ? t('login.wrong') : status === 429 ? t('login.tooMany') : status === 503 ? t('login.busy') : t('error.network'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <div class="login-top"><LangSwitch /></div>
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand" aria-hidden="true">Curia</div>
        <h1 id="login-title">{t('login.title')}</h1>
        <p class="muted">{t('login.subtitle')}</p>
        <label>
          {t('login.username')}
          <input name="username" autocomplete="username" autocapitalize="none" spellcheck={false} required value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button class="btn primary big" type="submit" disabled={busy}>{busy ? t('login.signingIn') : t('login.submit')}</button>
      </form>
    </main>
  );
}
