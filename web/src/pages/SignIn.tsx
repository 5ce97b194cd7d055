import { useState, type FormEvent } from 'react';
import { ApiError, api, errorMessage } from '../lib/api.js';
import { auth } from '../lib/auth.js';
import type { AppConfig } from '../lib/config.js';
import { usePageTitle } from '../lib/hooks.js';
import { sessionFromToken } from '../lib/session.js';

export function SignInPage({ config, notice }: { readonly config: AppConfig; readonly notice: string | undefined }) {
  usePageTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.post<{ token: string; expiresAt: string }>('/auth/login', { email: email.trim(), password }, { anonymous: true });
      const session = sessionFromToken(answer.token, answer.expiresAt);
      if (!session) throw new Error('The server sent a token this dashboard cannot read');
      auth.signIn(session);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That e-mail and password do not match an account.' : errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <div className="signin-card">
        <h1 className="signin-brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          StackLens
        </h1>
        <p className="muted">Sign in to watch your fleet's incidents live.</p>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        {config.auth.mode === 'cognito' ? (
          <p className="notice notice-error" role="alert">
            This deployment signs in through Amazon Cognito, which this build of the dashboard does not support yet.
          </p>
        ) : (
          <form onSubmit={submit} noValidate={false} aria-describedby={error ? 'signin-error' : undefined}>
            <div className="field">
              <label htmlFor="signin-email">E-mail</label>
              <input id="signin-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="signin-password">Password</label>
              <input id="signin-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            </div>
            {error ? (
              <p id="signin-error" className="field-error" role="alert">
                {error}
              </p>
            ) : null}
            <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
