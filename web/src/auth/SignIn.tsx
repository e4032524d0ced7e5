import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { fieldMessages, problemMessage } from '../api/messages';
import { session } from './session';
import { LanguageSwitch } from '../components/LanguageSwitch';

/**
 * Sign-in with the API's own login. As a dialog (`dialog`), it opens over a page whose session
 * expired: that page stays mounted underneath, so nothing typed there is lost.
 */
export function SignIn({ dialog = false }: { dialog?: boolean }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    if (dialog && box.current && !box.current.open) box.current.showModal();
    first.current?.focus();
  }, [dialog]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { accessToken } = ok(await api.POST('/api/v1/auth/login', { body: { email, password } }));
      session.signIn(accessToken);
      await queries.invalidateQueries({ queryKey: ['me'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const form = (
    <form className="card sign-in" onSubmit={submit} noValidate>
      <h1 id="sign-in-title">{t(dialog ? 'auth.expiredTitle' : 'auth.title')}</h1>
      {dialog && <p>{t('auth.expiredText')}</p>}
      <label>
        {t('auth.email')}
        <input ref={first} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)}
          aria-invalid={fieldMessages(t, error, 'email').length > 0} />
      </label>
      {fieldMessages(t, error, 'email').map((m) => <p key={m} className="field-error">{m}</p>)}
      <label>
        {t('auth.password')}
        <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {fieldMessages(t, error, 'password').map((m) => <p key={m} className="field-error">{m}</p>)}
      {error != null && !fieldMessages(t, error, 'email').length && !fieldMessages(t, error, 'password').length && (
        <p className="error" role="alert">{problemMessage(t, error)}</p>
      )}
      <button type="submit" className="primary" disabled={busy}>{t('auth.submit')}</button>
    </form>
  );

  if (dialog) {
    return (
      <dialog ref={box} className="dialog" aria-labelledby="sign-in-title" onCancel={(e) => e.preventDefault()}>
        {form}
      </dialog>
    );
  }
  return (
    <main id="main" className="sign-in-page">
      <div className="sign-in-head">
        <p className="brand">{t('app.name')}</p>
        <LanguageSwitch />
      </div>
      {form}
    </main>
  );
}
