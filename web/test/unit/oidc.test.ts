import { describe, expect, it } from '@jest/globals';
import {
  beginSignIn,
  cognitoSettings,
  completeSignIn,
  logoutUrl,
  readCallback,
  refreshTokens,
  SignInError,
  TokenRequestError,
  type CognitoSettings,
  type FetchLike,
  type KeyValueStorage,
} from '../../src/lib/oidc.js';
import { base64UrlEncode, codeChallengeFor, createCodeVerifier, createState } from '../../src/lib/pkce.js';
import { sessionFromIdToken } from '../../src/lib/session.js';

const SETTINGS: CognitoSettings = {
  domain: 'https://stacklens-prod.auth.eu-west-1.amazoncognito.com',
  clientId: 'client-123',
  redirectUri: 'https://dash.example.com/',
};
const NOW = Date.parse('2026-11-26T12:00:00.000Z');

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: Record<string, unknown>) => `${b64({ alg: 'RS256', kid: 'k' })}.${b64(payload)}.c2ln`;
const idToken = (extra: Record<string, unknown> = {}) =>
  jwt({ sub: 'u-1', aud: SETTINGS.clientId, token_use: 'id', email: 'ops@example.com', 'cognito:groups': ['admin'], exp: NOW / 1000 + 3600, ...extra });

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

interface RecordedCall {
  readonly url: string;
  readonly init: RequestInit;
  readonly form: URLSearchParams;
}

/** A token endpoint that answers `status`/`body` and records what it was sent. */
function tokenEndpoint(status: number, body: unknown): { fetch: FetchLike; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init, form: new URLSearchParams(String(init.body)) });
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    },
  };
}

/** Starts a sign-in the way the page does and returns the state the hosted UI would echo back. */
async function startedSignIn(storage: MemoryStorage, next = '/overview'): Promise<{ url: URL; state: string }> {
  const url = new URL(await beginSignIn(SETTINGS, next, storage, NOW));
  return { url, state: url.searchParams.get('state')! };
}

describe('PKCE helpers', () => {
  it('derives the RFC 7636 appendix B challenge from its verifier', async () => {
    // Prepare: the appendix's 32 random octets and the verifier they encode to.
    const octets = Uint8Array.from([
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ]);

    // Act
    const verifier = base64UrlEncode(octets);
    const challenge = await codeChallengeFor(verifier);

    // Assess
    expect(verifier).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes fresh 43-character unreserved verifiers and states on every call', () => {
    const verifiers = [createCodeVerifier(), createCodeVerifier()];
    for (const v of verifiers) expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifiers[0]).not.toBe(verifiers[1]);
    expect(createState()).not.toBe(createState());
  });

  it('refuses a verifier RFC 7636 does not allow', async () => {
    await expect(codeChallengeFor('too-short')).rejects.toThrow(/43 to 128/);
    await expect(codeChallengeFor(`${'a'.repeat(42)}+`)).rejects.toThrow(/43 to 128/);
  });
});

describe('Cognito settings from config.json', () => {
  it('takes a complete https configuration and drops a trailing slash from the domain', () => {
    expect(cognitoSettings({ mode: 'cognito', domain: `${SETTINGS.domain}/`, clientId: 'client-123', redirectUri: SETTINGS.redirectUri })).toEqual(SETTINGS);
  });

  it('refuses incomplete settings and plain http anywhere but this machine', () => {
    expect(cognitoSettings({ mode: 'cognito', domain: SETTINGS.domain, clientId: 'client-123' })).toBeUndefined();
    expect(cognitoSettings({ mode: 'cognito', domain: 'http://auth.example.com', clientId: 'c', redirectUri: SETTINGS.redirectUri })).toBeUndefined();
    expect(cognitoSettings({ mode: 'cognito', domain: 'javascript:alert(1)', clientId: 'c', redirectUri: SETTINGS.redirectUri })).toBeUndefined();
    expect(cognitoSettings({ mode: 'local' })).toBeUndefined();
    expect(cognitoSettings({ mode: 'cognito', domain: 'http://127.0.0.1:4000', clientId: 'c', redirectUri: 'http://127.0.0.1:3000/' })?.domain).toBe(
      'http://127.0.0.1:4000',
    );
  });

  it('signs out through the hosted UI back to the dashboard', () => {
    const url = new URL(logoutUrl(SETTINGS));
    expect(`${url.origin}${url.pathname}`).toBe(`${SETTINGS.domain}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'client-123', logout_uri: 'https://dash.example.com/' });
  });
});

describe('starting a sign-in', () => {
  it('sends the browser to the hosted UI with the code flow, the scopes, state and an S256 challenge of the stored verifier', async () => {
    // Prepare
    const storage = new MemoryStorage();

    // Act
    const { url, state } = await startedSignIn(storage);

    // Assess
    expect(`${url.origin}${url.pathname}`).toBe(`${SETTINGS.domain}/oauth2/authorize`);
    expect(url.search).toContain('scope=openid+email+profile');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client-123',
      redirect_uri: 'https://dash.example.com/',
      code_challenge_method: 'S256',
    });
    const pending = JSON.parse(storage.getItem('stacklens.signin.pending')!) as { state: string; verifier: string; next: string };
    expect(pending.state).toBe(state);
    expect(pending.next).toBe('/overview');
    expect(url.searchParams.get('code_challenge')).toBe(await codeChallengeFor(pending.verifier));
  });

  it('never remembers another site as the place to go after sign-in', async () => {
    const storage = new MemoryStorage();
    await startedSignIn(storage, '//evil.example/steal');
    expect(JSON.parse(storage.getItem('stacklens.signin.pending')!)).toMatchObject({ next: '/incidents' });
  });
});

describe('reading the hosted UI answer', () => {
  it('recognises code and state, or an error, on the redirect path only', () => {
    expect(readCallback({ pathname: '/', search: '?code=abc&state=xyz' }, SETTINGS)).toEqual({ kind: 'code', code: 'abc', state: 'xyz' });
    expect(readCallback({ pathname: '/', search: '?error=access_denied&error_description=Nope&state=xyz' }, SETTINGS)).toEqual({
      kind: 'error',
      error: 'access_denied',
      description: 'Nope',
      state: 'xyz',
    });
    expect(readCallback({ pathname: '/incidents', search: '?code=abc&state=xyz' }, SETTINGS)).toBeUndefined();
    expect(readCallback({ pathname: '/', search: '?next=/audit' }, SETTINGS)).toBeUndefined();
  });
});

describe('finishing a sign-in', () => {
  it('exchanges the code with the verifier, form-encoded, and hands back the tokens and the page asked for', async () => {
    // Prepare
    const storage = new MemoryStorage();
    const { state } = await startedSignIn(storage);
    const verifier = (JSON.parse(storage.getItem('stacklens.signin.pending')!) as { verifier: string }).verifier;
    const endpoint = tokenEndpoint(200, {
      id_token: idToken(),
      access_token: jwt({ token_use: 'access' }),
      refresh_token: 'r-1',
      expires_in: 3600,
      token_type: 'Bearer',
    });

    // Act
    const result = await completeSignIn(SETTINGS, { kind: 'code', code: 'the-code', state }, { storage, fetch: endpoint.fetch, now: NOW });

    // Assess
    expect(result).toEqual({ tokens: { idToken: idToken(), refreshToken: 'r-1', expiresInSeconds: 3600 }, next: '/overview' });
    expect(endpoint.calls).toHaveLength(1);
    const [call] = endpoint.calls;
    expect(call!.url).toBe(`${SETTINGS.domain}/oauth2/token`);
    expect(call!.init.method).toBe('POST');
    expect(call!.init.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(call!.form)).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client-123',
      code: 'the-code',
      redirect_uri: 'https://dash.example.com/',
      code_verifier: verifier,
    });
    expect(storage.getItem('stacklens.signin.pending')).toBeNull();
  });

  it('refuses an answer whose state was tampered with, without redeeming the code, and only once', async () => {
    // Prepare
    const storage = new MemoryStorage();
    const { state } = await startedSignIn(storage);
    const endpoint = tokenEndpoint(200, { id_token: idToken(), expires_in: 3600 });

    // Act
    const tampered = completeSignIn(SETTINGS, { kind: 'code', code: 'the-code', state: `${state}x` }, { storage, fetch: endpoint.fetch, now: NOW });
    // The genuine answer arriving afterwards finds its state already spent.
    const replay = () => completeSignIn(SETTINGS, { kind: 'code', code: 'the-code', state }, { storage, fetch: endpoint.fetch, now: NOW });

    // Assess
    await expect(tampered).rejects.toMatchObject({ code: 'STATE_MISMATCH', message: expect.stringMatching(/did not match the sign-in started here/) });
    await expect(replay()).rejects.toMatchObject({ code: 'NO_PENDING_SIGN_IN' });
    expect(endpoint.calls).toHaveLength(0);
  });

  it('refuses an answer when this tab started no sign-in, or started it too long ago', async () => {
    const endpoint = tokenEndpoint(200, { id_token: idToken(), expires_in: 3600 });
    await expect(
      completeSignIn(SETTINGS, { kind: 'code', code: 'c', state: 's' }, { storage: new MemoryStorage(), fetch: endpoint.fetch }),
    ).rejects.toMatchObject({
      code: 'NO_PENDING_SIGN_IN',
    });

    const storage = new MemoryStorage();
    const { state } = await startedSignIn(storage);
    await expect(
      completeSignIn(SETTINGS, { kind: 'code', code: 'c', state }, { storage, fetch: endpoint.fetch, now: NOW + 11 * 60_000 }),
    ).rejects.toMatchObject({
      code: 'NO_PENDING_SIGN_IN',
    });
    expect(endpoint.calls).toHaveLength(0);
  });

  it("shows the provider's error description only for an answer to this tab's own request", async () => {
    const storage = new MemoryStorage();
    const { state } = await startedSignIn(storage);
    const endpoint = tokenEndpoint(200, {});
    const ours = completeSignIn(
      SETTINGS,
      { kind: 'error', error: 'access_denied', description: 'User cancelled', state },
      { storage, fetch: endpoint.fetch, now: NOW },
    );
    await expect(ours).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
      message: 'Sign-in was cancelled or refused by the sign-in page. (User cancelled) You can try again.',
    });

    // A sign-in is in progress in this tab, but the link carries another state.
    await startedSignIn(storage);
    const crafted = completeSignIn(
      SETTINGS,
      { kind: 'error', error: 'access_denied', description: 'Call +1 555 0100 to unlock', state: 'other' },
      { storage, fetch: endpoint.fetch, now: NOW },
    );
    await expect(crafted).rejects.toMatchObject({ message: 'Sign-in was cancelled or refused by the sign-in page. You can try again.' });
  });

  it('explains a refused code, an unreachable service and an unreadable answer differently', async () => {
    const attempt = async (fetchImpl: FetchLike) => {
      const storage = new MemoryStorage();
      const { state } = await startedSignIn(storage);
      return completeSignIn(SETTINGS, { kind: 'code', code: 'c', state }, { storage, fetch: fetchImpl, now: NOW }).catch((error: unknown) => error);
    };
    const refused = await attempt(tokenEndpoint(400, { error: 'invalid_grant' }).fetch);
    const unreachable = await attempt(async () => {
      throw new TypeError('Failed to fetch');
    });
    const unreadable = await attempt(tokenEndpoint(200, '<html>').fetch);

    expect(refused).toBeInstanceOf(SignInError);
    expect([refused, unreachable, unreadable].map((e) => (e as SignInError).code)).toEqual(['TOKEN_REFUSED', 'UNREACHABLE', 'BAD_TOKEN']);
  });
});

describe('refreshing', () => {
  it('asks for new tokens with the refresh token and keeps going without a rotated one', async () => {
    const endpoint = tokenEndpoint(200, { id_token: idToken(), access_token: 'a', expires_in: 300, token_type: 'Bearer' });
    const tokens = await refreshTokens(SETTINGS, 'r-1', endpoint.fetch);
    expect(tokens).toEqual({ idToken: idToken(), expiresInSeconds: 300 });
    expect(Object.fromEntries(endpoint.calls[0]!.form)).toEqual({ grant_type: 'refresh_token', client_id: 'client-123', refresh_token: 'r-1' });
  });

  it('treats a refused refresh token as final and an unreachable or failing service as worth retrying', async () => {
    const failure = (status: number, body: unknown) =>
      refreshTokens(SETTINGS, 'r-1', tokenEndpoint(status, body).fetch).then(
        () => undefined,
        (error: unknown) => error as TokenRequestError,
      );
    const refused = await failure(400, { error: 'invalid_grant' });
    const down = await failure(503, {});
    expect(refused).toBeInstanceOf(TokenRequestError);
    expect([refused?.error, refused?.transient]).toEqual(['invalid_grant', false]);
    expect(down?.transient).toBe(true);
  });
});

describe('session from a Cognito ID token', () => {
  it('is an admin only as a member of the admin group, and otherwise a viewer', () => {
    expect(sessionFromIdToken(idToken(), 'client-123', NOW + 1000)).toEqual({
      token: idToken(),
      expiresAt: NOW + 1000,
      email: 'ops@example.com',
      role: 'admin',
    });
    expect(sessionFromIdToken(idToken({ 'cognito:groups': ['viewer'] }), 'client-123')?.role).toBe('viewer');
    expect(sessionFromIdToken(idToken({ 'cognito:groups': undefined }), 'client-123')?.role).toBe('viewer');
    expect(sessionFromIdToken(idToken({ 'cognito:groups': ['administrators'] }), 'client-123')?.role).toBe('viewer');
  });

  it('refuses access tokens and ID tokens issued to another app client', () => {
    expect(sessionFromIdToken(idToken({ token_use: 'access' }), 'client-123')).toBeUndefined();
    expect(sessionFromIdToken(idToken({ aud: 'someone-else' }), 'client-123')).toBeUndefined();
  });
});
