import type { AuthConfig } from './config.js';
import { codeChallengeFor, createCodeVerifier, createState } from './pkce.js';
import { safeNextPath } from './route-match.js';

// Sign-in through the Cognito hosted UI: OAuth 2.0 authorization code flow with PKCE (a public client, no secret).
// Everything here takes its storage and fetch as arguments so the flow can be tested without a browser.

export interface CognitoSettings {
  /** The hosted UI's base URL (`https://<prefix>.auth.<region>.amazoncognito.com`), without a trailing slash. */
  readonly domain: string;
  readonly clientId: string;
  /** Registered callback and sign-out URL of the app client: the dashboard's root. */
  readonly redirectUri: string;
}

/** The part of Storage the flow needs (sessionStorage in the browser). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** What a sign-in or a refresh yields. Only the ID token is kept: see sessionFromIdToken and auth.ts for why. */
export interface TokenSet {
  readonly idToken: string;
  readonly refreshToken?: string;
  readonly expiresInSeconds: number;
}

export const SCOPES = 'openid email profile';
const PENDING_KEY = 'stacklens.signin.pending';
/** Cognito's authorization codes live 5 minutes; a pending sign-in older than that cannot succeed anyway. */
const PENDING_MAX_AGE_MS = 10 * 60_000;
const TOKEN_TIMEOUT_MS = 15_000;

export type SignInErrorCode = 'PROVIDER_ERROR' | 'NO_PENDING_SIGN_IN' | 'STATE_MISMATCH' | 'TOKEN_REFUSED' | 'UNREACHABLE' | 'BAD_TOKEN';

/** Why a return from the hosted UI did not sign anyone in; `message` is written for the person at the screen. */
export class SignInError extends Error {
  constructor(
    readonly code: SignInErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

/** The token endpoint said no (`error` is its OAuth error code), or could not be reached (`status` 0). */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
  ) {
    super(status === 0 ? 'The sign-in service could not be reached' : `The sign-in service refused the request (${error})`);
    this.name = 'TokenRequestError';
  }

  /** Worth trying again later: no answer, or the service's own failure. A 4xx (invalid_grant: revoked, expired) is final. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or plain http on this machine only (a local identity provider in development and tests). */
function trustedOrigin(value: string): URL | undefined {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return url;
  } catch {
    // not a URL
  }
  return undefined;
}

/** The Cognito settings of config.json, or undefined when they are incomplete (then nobody can sign in, and the page says so). */
export function cognitoSettings(auth: AuthConfig): CognitoSettings | undefined {
  if (auth.mode !== 'cognito' || !auth.domain || !auth.clientId || !auth.redirectUri) return undefined;
  const domain = trustedOrigin(auth.domain);
  const redirect = trustedOrigin(auth.redirectUri);
  if (!domain || !redirect) return undefined;
  return { domain: domain.href.replace(/\/+$/, ''), clientId: auth.clientId, redirectUri: auth.redirectUri };
}

export function authorizeUrl(settings: CognitoSettings, state: string, codeChallenge: string): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    scope: SCOPES,
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  });
  return `${settings.domain}/oauth2/authorize?${params}`;
}

/** Ends the hosted UI's own session too, so the next sign-in asks for the password again (shared back-office PCs). */
export function logoutUrl(settings: CognitoSettings): string {
  return `${settings.domain}/logout?${new URLSearchParams({ client_id: settings.clientId, logout_uri: settings.redirectUri })}`;
}

interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  readonly next: string;
  readonly startedAt: number;
}

/**
 * Starts a sign-in: remembers `state`, the PKCE verifier and where to go afterwards in this tab's sessionStorage
 * (they must survive the round trip through the hosted UI, and no other tab or site may complete it), and returns the
 * hosted UI address to send the browser to. A second click replaces the first attempt.
 */
export async function beginSignIn(settings: CognitoSettings, next: string, storage: KeyValueStorage, now = Date.now()): Promise<string> {
  const verifier = createCodeVerifier();
  const state = createState();
  const pending: PendingSignIn = { state, verifier, next: safeNextPath(next), startedAt: now };
  storage.setItem(PENDING_KEY, JSON.stringify(pending));
  return authorizeUrl(settings, state, await codeChallengeFor(verifier));
}

export type Callback =
  | { readonly kind: 'code'; readonly code: string; readonly state: string }
  | { readonly kind: 'error'; readonly error: string; readonly description: string | undefined; readonly state: string | undefined };

/** The hosted UI's answer, when this address is one: the redirect URI's path with `code` and `state`, or `error`. */
export function readCallback(location: { readonly pathname: string; readonly search: string }, settings: CognitoSettings): Callback | undefined {
  let redirectPath: string;
  try {
    redirectPath = new URL(settings.redirectUri).pathname;
  } catch {
    return undefined;
  }
  if (location.pathname !== redirectPath) return undefined;
  const params = new URLSearchParams(location.search);
  const error = params.get('error');
  if (error !== null) return { kind: 'error', error, description: params.get('error_description') ?? undefined, state: params.get('state') ?? undefined };
  const code = params.get('code');
  if (code === null) return undefined;
  return { kind: 'code', code, state: params.get('state') ?? '' };
}

/** Reads and deletes the pending sign-in: each `state` can be answered once, whatever the answer is. */
function takePending(storage: KeyValueStorage, now: number): PendingSignIn | undefined {
  const raw = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<PendingSignIn>;
    if (typeof value.state !== 'string' || typeof value.verifier !== 'string' || typeof value.next !== 'string' || typeof value.startedAt !== 'number')
      return undefined;
    if (now - value.startedAt > PENDING_MAX_AGE_MS) return undefined;
    return value as PendingSignIn;
  } catch {
    return undefined;
  }
}

const PROVIDER_MESSAGES: Record<string, string> = {
  access_denied: 'Sign-in was cancelled or refused by the sign-in page.',
  invalid_request: 'The sign-in page did not accept the request from this dashboard.',
  unauthorized_client: 'This dashboard is not allowed to sign in with that provider; an administrator must check the app client.',
  invalid_scope: 'The sign-in page refused the permissions this dashboard asks for; an administrator must check the app client.',
  server_error: 'The sign-in service had a problem. Try again in a moment.',
  temporarily_unavailable: 'The sign-in service is busy. Try again in a moment.',
};

/**
 * Finishes a sign-in from the hosted UI's answer: the `state` must be the one this tab sent (anything else may be a
 * forged or replayed answer and is refused before any code is redeemed), then the code is exchanged with the PKCE
 * verifier. Resolves with the tokens and the page the user wanted; rejects with a SignInError.
 */
export async function completeSignIn(
  settings: CognitoSettings,
  callback: Callback,
  deps: { readonly storage: KeyValueStorage; readonly fetch: FetchLike; readonly now?: number },
): Promise<{ tokens: TokenSet; next: string }> {
  const pending = takePending(deps.storage, deps.now ?? Date.now());
  const stateMatches = pending !== undefined && callback.state !== undefined && callback.state === pending.state;
  if (callback.kind === 'error') {
    const known = PROVIDER_MESSAGES[callback.error] ?? 'The sign-in page reported a problem.';
    // The description is only shown for an answer to our own request: a crafted link must not put its text on this page.
    const detail = stateMatches && callback.description ? ` (${callback.description.slice(0, 200)})` : '';
    throw new SignInError('PROVIDER_ERROR', `${known}${detail} You can try again.`);
  }
  if (!pending) {
    throw new SignInError('NO_PENDING_SIGN_IN', 'This sign-in was not started in this tab, was already used, or took too long. Sign in again.');
  }
  if (!stateMatches) {
    throw new SignInError(
      'STATE_MISMATCH',
      'The answer from the sign-in page did not match the sign-in started here, so it was refused for your safety. Sign in again.',
    );
  }
  try {
    const tokens = await requestTokens(
      settings,
      {
        grant_type: 'authorization_code',
        client_id: settings.clientId,
        code: callback.code,
        redirect_uri: settings.redirectUri,
        code_verifier: pending.verifier,
      },
      deps.fetch,
    );
    return { tokens, next: safeNextPath(pending.next) };
  } catch (error) {
    if (error instanceof TokenRequestError && error.status === 0) {
      throw new SignInError('UNREACHABLE', 'The sign-in service could not be reached to finish signing in. Check the connection and sign in again.');
    }
    if (error instanceof TokenRequestError) {
      throw new SignInError('TOKEN_REFUSED', 'The sign-in service did not accept this sign-in (it may have expired or been used already). Sign in again.');
    }
    throw new SignInError('BAD_TOKEN', 'The sign-in service answered with something this dashboard cannot read. Sign in again, or ask an administrator.');
  }
}

/** A fresh ID token for a refresh token. Cognito does not rotate refresh tokens unless asked to, so the answer may lack one. */
export function refreshTokens(settings: CognitoSettings, refreshToken: string, fetchImpl: FetchLike): Promise<TokenSet> {
  return requestTokens(settings, { grant_type: 'refresh_token', client_id: settings.clientId, refresh_token: refreshToken }, fetchImpl);
}

/** Best effort on sign-out: a revoked refresh token is useless to whoever might have copied it. */
export function revokeRefreshToken(settings: CognitoSettings, refreshToken: string, fetchImpl: FetchLike): Promise<unknown> {
  return fetchImpl(`${settings.domain}/oauth2/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken, client_id: settings.clientId }).toString(),
    // The page is about to navigate to the hosted UI's logout; keepalive lets the request outlive it.
    keepalive: true,
  }).catch(() => undefined);
}

async function requestTokens(settings: CognitoSettings, form: Record<string, string>, fetchImpl: FetchLike): Promise<TokenSet> {
  let res: Response;
  try {
    // Form-encoded with no custom headers: a CORS "simple" request, so the hosted UI domain needs no preflight.
    res = await fetchImpl(`${settings.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch {
    throw new TokenRequestError(0, 'unreachable');
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (!res.ok) throw new TokenRequestError(res.status, typeof record.error === 'string' ? record.error : 'unknown_error');
  return parseTokenResponse(record);
}

/** Validates the token endpoint's JSON; the access token is dropped (see TokenSet). */
export function parseTokenResponse(body: Record<string, unknown>): TokenSet {
  const { id_token: idToken, refresh_token: refreshToken, expires_in: expiresIn, token_type: tokenType } = body;
  if (typeof idToken !== 'string' || idToken.split('.').length !== 3) throw new Error('The token answer has no ID token');
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') throw new Error(`Unexpected token type ${tokenType}`);
  const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' ? Number(expiresIn) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('The token answer has no lifetime');
  return { idToken, expiresInSeconds: seconds, ...(typeof refreshToken === 'string' && refreshToken !== '' ? { refreshToken } : {}) };
}
