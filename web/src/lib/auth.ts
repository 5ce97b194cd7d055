import {
  completeSignIn,
  logoutUrl,
  readCallback,
  refreshTokens,
  revokeRefreshToken,
  SignInError,
  TokenRequestError,
  type CognitoSettings,
  type TokenSet,
} from './oidc.js';
import { isExpired, sessionFromIdToken, sessionFromToken, type Session } from './session.js';

// The one place the session lives; a 401 from anywhere ends it for every page at once.
//
// Local accounts: the token is kept in localStorage, so a reload or a second tab stays signed in until it expires.
//
// Cognito: the ID token, its expiry and the refresh token are kept in sessionStorage. Not localStorage, because a
// refresh token there would keep a shared back-office PC signed in for 12 hours after the tab is closed; sessionStorage
// belongs to this tab and is gone with it. Not memory only, because then every reload would bounce through the hosted
// UI. Script injected into the page could use the tokens either way, so that risk is met elsewhere (a strict CSP, text
// rendered only as React text). A new tab signs in again through the hosted UI, whose own session usually makes that
// a redirect without a password prompt.

const LOCAL_KEY = 'stacklens.session';
const COGNITO_KEY = 'stacklens.cognito';

export const EXPIRED_NOTICE = 'Your session expired. Sign in again to continue.';

export interface Notice {
  readonly message: string;
  /** `error`: a sign-in was refused; `info`: the session ended on its own. */
  readonly kind: 'info' | 'error';
}

export interface AuthState {
  readonly session: Session | undefined;
  /** Shown on the sign-in page after an involuntary sign-out or a refused sign-in. */
  readonly notice: Notice | undefined;
}

type Listener = () => void;

function storage(kind: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    return globalThis[kind];
  } catch {
    // Storage access can throw (blocked cookies and site data).
    return undefined;
  }
}

function read(kind: 'localStorage' | 'sessionStorage', key: string): string | null {
  try {
    return storage(kind)?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function write(kind: 'localStorage' | 'sessionStorage', key: string, value: string | undefined): void {
  try {
    if (value === undefined) storage(kind)?.removeItem(key);
    else storage(kind)?.setItem(key, value);
  } catch {
    // Private mode without storage: the session still lasts for this page.
  }
}

/** setTimeout overflows past ~24.8 days; tokens live hours, the cap only guards odd clocks. */
const MAX_TIMER_MS = 2 ** 31 - 1;

class AuthStore {
  private state: AuthState = { session: undefined, notice: undefined };
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cognito: CognitoSettings | undefined;
  private refreshToken: string | undefined;
  private renewal: Promise<boolean> | undefined;

  /** Local accounts: picks up the session the last sign-in in this browser saved. */
  restore(): void {
    const raw = read('localStorage', LOCAL_KEY);
    if (!raw) return;
    try {
      const parsed = JSON.parse(raw) as { token?: unknown; expiresAt?: unknown };
      const session = typeof parsed.token === 'string' ? sessionFromToken(parsed.token, new Date(Number(parsed.expiresAt)).toISOString()) : undefined;
      if (session && !isExpired(session, Date.now())) this.set({ session, notice: undefined });
      else if (session) this.expire();
      else this.forget();
    } catch {
      this.forget();
    }
  }

  /**
   * Cognito: finishes the sign-in the hosted UI has just redirected back with, or else restores this tab's session
   * (renewing it first if its token lapsed while the tab was away). When the address held the hosted UI's answer,
   * returns where it should point instead: the page the user wanted, or the sign-in page with the reason.
   */
  async startCognito(settings: CognitoSettings, location: { readonly pathname: string; readonly search: string }): Promise<string | undefined> {
    this.cognito = settings;
    const callback = readCallback(location, settings);
    if (!callback) {
      await this.restoreCognito();
      return undefined;
    }
    try {
      const session = storage('sessionStorage');
      if (!session) throw new SignInError('NO_PENDING_SIGN_IN', 'This browser does not let the dashboard keep data for this tab, which signing in needs.');
      const { tokens, next } = await completeSignIn(settings, callback, { storage: session, fetch: (input, init) => fetch(input, init) });
      if (!this.acceptTokens(tokens)) {
        throw new SignInError('BAD_TOKEN', 'The sign-in service issued a token for another application or without an e-mail address. Ask an administrator.');
      }
      return next;
    } catch (error) {
      this.set({ session: undefined, notice: { kind: 'error', message: error instanceof SignInError ? error.message : 'Signing in failed. Sign in again.' } });
      return '/signin';
    }
  }

  get snapshot(): AuthState {
    return this.state;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): AuthState => this.state;

  /** Local accounts: the answer of POST /auth/login. */
  signIn(session: Session): void {
    write('localStorage', LOCAL_KEY, JSON.stringify({ token: session.token, expiresAt: session.expiresAt }));
    this.set({ session, notice: undefined });
  }

  signOut(): void {
    const cognito = this.cognito;
    const refreshToken = this.refreshToken;
    this.forget();
    this.set({ session: undefined, notice: undefined });
    if (cognito) {
      if (refreshToken) void revokeRefreshToken(cognito, refreshToken, (input, init) => fetch(input, init));
      window.location.assign(logoutUrl(cognito));
    }
  }

  /** The token is no longer accepted (401, its expiry passed, or it could not be renewed). */
  expire(): void {
    if (!this.state.session && this.state.notice) return;
    this.forget();
    this.set({ session: undefined, notice: { kind: 'info', message: EXPIRED_NOTICE } });
  }

  /**
   * After a 401: true when a fresh token is now in place and the request is worth repeating. Local tokens cannot be
   * renewed; a Cognito session tries its refresh token once (shared by everyone asking at the same time).
   */
  renew(): Promise<boolean> {
    if (!this.cognito || !this.refreshToken) return Promise.resolve(false);
    this.renewal ??= this.refresh().finally(() => {
      this.renewal = undefined;
    });
    return this.renewal;
  }

  private async refresh(): Promise<boolean> {
    const cognito = this.cognito;
    const refreshToken = this.refreshToken;
    if (!cognito || !refreshToken) return false;
    try {
      const tokens = await refreshTokens(cognito, refreshToken, (input, init) => fetch(input, init));
      // Signed out (or in as someone else) while the request was out: its answer belongs to nobody now.
      if (this.refreshToken !== refreshToken) return false;
      if (this.acceptTokens({ ...tokens, refreshToken: tokens.refreshToken ?? refreshToken })) return true;
      this.expire();
      return false;
    } catch (error) {
      if (this.refreshToken !== refreshToken) return false;
      const session = this.state.session;
      const left = session ? session.expiresAt - Date.now() : 0;
      if (error instanceof TokenRequestError && error.transient && left > 1_000) {
        // The sign-in service did not answer: the current token still works for a while, so try again before it lapses.
        this.schedule(() => void this.renew(), Math.min(10_000, left / 2));
        return false;
      }
      this.expire();
      return false;
    }
  }

  private async restoreCognito(): Promise<void> {
    const raw = read('sessionStorage', COGNITO_KEY);
    if (!raw || !this.cognito) return;
    let saved: { idToken?: unknown; refreshToken?: unknown; expiresAt?: unknown };
    try {
      saved = JSON.parse(raw) as typeof saved;
    } catch {
      this.forget();
      return;
    }
    const session = typeof saved.idToken === 'string' ? sessionFromIdToken(saved.idToken, this.cognito.clientId, Number(saved.expiresAt)) : undefined;
    if (!session) {
      this.forget();
      return;
    }
    this.refreshToken = typeof saved.refreshToken === 'string' ? saved.refreshToken : undefined;
    if (!isExpired(session, Date.now())) this.set({ session, notice: undefined });
    else if (!(await this.renew())) this.expire();
  }

  /** Makes a Cognito token answer the session; false when the ID token is not one this dashboard can use. */
  private acceptTokens(tokens: TokenSet): boolean {
    if (!this.cognito) return false;
    const expiresAt = Date.now() + tokens.expiresInSeconds * 1000;
    const session = sessionFromIdToken(tokens.idToken, this.cognito.clientId, expiresAt);
    if (!session) return false;
    this.refreshToken = tokens.refreshToken;
    write('sessionStorage', COGNITO_KEY, JSON.stringify({ idToken: tokens.idToken, refreshToken: tokens.refreshToken, expiresAt }));
    this.set({ session, notice: undefined });
    return true;
  }

  private forget(): void {
    this.refreshToken = undefined;
    write('localStorage', LOCAL_KEY, undefined);
    write('sessionStorage', COGNITO_KEY, undefined);
  }

  private schedule(task: () => void, delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(task, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
  }

  private set(next: AuthState): void {
    this.state = next;
    clearTimeout(this.timer);
    const session = next.session;
    if (session) {
      const left = session.expiresAt - Date.now();
      // Renew ahead of expiry so no request or reconnect carries a lapsed token: a minute ahead for hour-long tokens,
      // a fifth of what is left for short ones. Without a refresh token the session simply ends on time.
      if (this.refreshToken) this.schedule(() => void this.renew(), left - Math.min(60_000, left / 5));
      else this.schedule(() => this.expire(), left);
    }
    for (const listener of this.listeners) listener();
  }
}

export const auth = new AuthStore();
