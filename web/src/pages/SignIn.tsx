import { useState, type FormEvent } from 'react';
import { ApiError, api, errorMessage } from '../lib/api.js';
import { auth, type Notice } from '../lib/auth.js';
import type { AppConfig } from '../lib/config.js';
import { usePageTitle } from '../lib/hooks.js';
import { beginSignIn, cognitoSettings, type CognitoSettings } from '../lib/oidc.js';
import { useLocation } from '../lib/router.js';
import { sessionFromToken } from '../lib/session.js';

export function SignInPage({ config, notice }: { readonly config: AppConfig; readonly notice: Notice | undefined }) {
  usePageTitle('Sign in');
  const cognito = config.auth.mode === 'cognito' ? cognitoSettings(config.auth) : undefined;

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
          <p
            className={notice.kind === 'error' ? 'notice notice-error' : 'notice'}
            role={notice.kind === 'error' ? 'alert' : 'status'}
            data-testid="signin-notice"
          >
            {notice.message}
          </p>
        ) : null}
        {config.auth.mode === 'local' ? (
          <PasswordSignIn />
        ) : cognito ? (
          <HostedUiSignIn settings={cognito} />
        ) : (
          <p className="notice notice-error" role="alert">
            This deployment signs in through Amazon Cognito, but its config.json lacks a valid hosted UI domain, app client id or redirect URI. An administrator
            must redeploy the stack.
          </p>
        )}
      </div>
    </main>
  );
}

function PasswordSignIn() {
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
  );
}

/** One button: the password, MFA and recovery all happen on the hosted UI, which sends the browser back with a code. */
function HostedUiSignIn({ settings }: { readonly settings: CognitoSettings }) {
  const location = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const url = await beginSignIn(settings, new URLSearchParams(location.search).get('next') ?? '', window.sessionStorage);
      window.location.assign(url);
    } catch {
      // sessionStorage refused (storage blocked) or no Web Crypto (a page not served over https).
      setError('This browser blocked what signing in needs (storage for this tab, or secure crypto on an https page).');
      setBusy(false);
    }
  };

  return (
    <div>
      <p>You will sign in on your organisation's StackLens sign-in page and come straight back here.</p>
      {error ? (
        <p id="signin-error" className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        className="btn btn-primary btn-block"
        disabled={busy}
        aria-describedby={error ? 'signin-error' : undefined}
        onClick={() => void start()}
      >
        {busy ? 'Opening the sign-in page…' : 'Sign in'}
      </button>
    </div>
  );
}
