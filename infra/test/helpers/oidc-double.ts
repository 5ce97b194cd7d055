import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface OidcUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly groups: readonly string[];
}

export interface OidcDoubleOptions {
  readonly clientId: string;
  readonly users: readonly OidcUser[];
  /** Tokens carry the issuer Cognito would: `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  readonly region?: string;
  readonly userPoolId?: string;
  /** Lifetime of ID and access tokens; short ones exercise refresh and expiry. @default 3600 */
  readonly tokenLifetimeSeconds?: number;
  /** Allowed callback and sign-out URLs (exact match, as Cognito's app client settings). More with allowCallback(). */
  readonly callbackUrls?: readonly string[];
}

export interface TokenRequestRecord {
  readonly grantType: string;
  readonly status: number;
  readonly error?: string;
  /** Username the tokens were issued to, when they were. */
  readonly username?: string;
}

export interface IssuedTokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
}

export interface OidcDouble {
  /** The "hosted UI domain": /oauth2/authorize, /oauth2/token, /oauth2/revoke, /login, /logout. */
  readonly url: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly clientId: string;
  readonly region: string;
  readonly userPoolId: string;
  /** Every /oauth2/token request, in order. */
  readonly tokenRequests: readonly TokenRequestRecord[];
  /** Authorization codes presented at /oauth2/token, valid or not. */
  readonly redeemedCodes: readonly string[];
  readonly logouts: number;
  allowCallback(url: string): void;
  setTokenLifetime(seconds: number): void;
  /** Every refresh token issued so far stops working (invalid_grant), as after an admin's global sign-out. */
  revokeRefreshTokens(): void;
  /** Tokens for `username` without the browser dance, for API-level checks. */
  issue(username: string): Promise<IssuedTokens>;
  close(): Promise<void>;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly username: string;
  readonly scope: string;
  readonly expiresAt: number;
}

interface RefreshGrant {
  readonly username: string;
  readonly clientId: string;
  readonly originJti: string;
  readonly authTime: number;
  revoked: boolean;
}

const CODE_TTL_MS = 5 * 60_000;
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A loopback stand-in for a Cognito user pool's hosted UI and OAuth 2.0 endpoints, close enough to exercise the
 * dashboard's authorization code flow with PKCE end to end: a login form, single-use codes bound to client, redirect
 * URI and S256 challenge, refresh tokens, and RS256 tokens with Cognito's claims (`token_use`, `cognito:groups`,
 * `aud` on ID tokens, `client_id` on access tokens) verifiable through its JWKS. Errors use Cognito's OAuth codes
 * (`invalid_grant`, `invalid_client`, `unsupported_grant_type`, `invalid_request`).
 */
export async function startOidcDouble(options: OidcDoubleOptions): Promise<OidcDouble> {
  const region = options.region ?? 'us-east-1';
  const userPoolId = options.userPoolId ?? `${region}_StackLensDouble`;
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const callbacks = new Set(options.callbackUrls ?? []);
  const users = new Map(options.users.map((u) => [u.username.toLowerCase(), { ...u, sub: randomUUID() }]));
  const codes = new Map<string, PendingCode>();
  const refreshGrants = new Map<string, RefreshGrant>();
  /** Hosted UI sessions (the `cognito` cookie): a second authorize in the same browser skips the form, as Cognito does. */
  const sessions = new Map<string, string>();
  const tokenRequests: TokenRequestRecord[] = [];
  const redeemedCodes: string[] = [];
  let lifetime = options.tokenLifetimeSeconds ?? 3600;
  let logouts = 0;
  let baseUrl = '';

  const sign = (claims: Record<string, unknown>, key: CryptoKey, now: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .setJti(randomUUID())
      .sign(key);

  const mint = async (username: string, grant: Omit<RefreshGrant, 'revoked'>, refreshToken: string): Promise<IssuedTokens> => {
    const user = users.get(username)!;
    const now = Math.floor(Date.now() / 1000);
    const shared = { sub: user.sub, 'cognito:groups': [...user.groups], origin_jti: grant.originJti, event_id: randomUUID(), auth_time: grant.authTime };
    const idToken = await sign(
      { ...shared, aud: options.clientId, token_use: 'id', email: user.email, email_verified: true, 'cognito:username': user.username },
      privateKey,
      now,
    );
    const accessToken = await sign(
      { ...shared, client_id: options.clientId, token_use: 'access', scope: 'openid email profile', username: user.username },
      privateKey,
      now,
    );
    return { idToken, accessToken, refreshToken, expiresIn: lifetime };
  };

  const newGrant = (username: string): { token: string; grant: RefreshGrant } => {
    const grant: RefreshGrant = { username, clientId: options.clientId, originJti: randomUUID(), authTime: Math.floor(Date.now() / 1000), revoked: false };
    const token = randomBytes(48).toString('base64url');
    refreshGrants.set(token, grant);
    return { token, grant };
  };

  const loginPage = (res: http.ServerResponse, query: URLSearchParams, error?: string) => {
    res.writeHead(error ? 400 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>Signin</title>` +
        `<main><h1>Sign in with your username and password</h1>` +
        (error ? `<p role="alert" id="loginErrorMessage">${escapeHtml(error)}</p>` : '') +
        `<form method="post" action="/login?${escapeHtml(query.toString())}">` +
        `<label for="signInFormUsername">Username</label><input id="signInFormUsername" name="username" autocomplete="username">` +
        `<label for="signInFormPassword">Password</label><input id="signInFormPassword" name="password" type="password" autocomplete="current-password">` +
        `<button type="submit" name="signInSubmitButton">Sign in</button></form></main></html>`,
    );
  };

  const errorPage = (res: http.ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><meta charset="utf-8"><title>Error</title><h1>An error was encountered with the requested page.</h1><p>${escapeHtml(message)}</p>`);
  };

  /** What Cognito checks before showing its form; `undefined` when the request may proceed. */
  const authorizeProblem = (query: URLSearchParams): string | undefined => {
    if (query.get('client_id') !== options.clientId) return 'invalid_client';
    if (!callbacks.has(query.get('redirect_uri') ?? '')) return 'redirect_mismatch';
    if (query.get('response_type') !== 'code') return 'unsupported_response_type';
    if (!(query.get('scope') ?? '').split(/\s+/).includes('openid')) return 'invalid_scope';
    // The dashboard is a public client: this double insists on PKCE with S256 (Cognito allows plain and none).
    if (query.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(query.get('code_challenge') ?? '')) return 'invalid_request';
    return undefined;
  };

  const redirectWithCode = (res: http.ServerResponse, query: URLSearchParams, username: string, extraHeaders: Record<string, string> = {}) => {
    const code = randomUUID();
    codes.set(code, {
      clientId: options.clientId,
      redirectUri: query.get('redirect_uri')!,
      challenge: query.get('code_challenge')!,
      username,
      scope: query.get('scope')!,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const target = new URL(query.get('redirect_uri')!);
    target.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store', ...extraHeaders });
    res.end();
  };

  const sessionUser = (req: http.IncomingMessage): string | undefined => {
    const cookie = /(?:^|;\s*)cognito=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return cookie ? sessions.get(cookie) : undefined;
  };

  const tokenEndpoint = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const form = new URLSearchParams(await readText(req));
    const grantType = form.get('grant_type') ?? '';
    const answer = (status: number, body: Record<string, unknown>, username?: string) => {
      tokenRequests.push({ grantType, status, ...(typeof body.error === 'string' ? { error: body.error } : {}), ...(username ? { username } : {}) });
      sendJson(res, status, body, req.headers.origin);
    };
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return answer(400, { error: 'invalid_request' });
    if (form.get('client_id') !== options.clientId) return answer(400, { error: 'invalid_client' });

    if (grantType === 'authorization_code') {
      const codeValue = form.get('code') ?? '';
      redeemedCodes.push(codeValue);
      const code = codes.get(codeValue);
      // Codes are single use, even when the attempt fails: a replayed or intercepted code is worthless.
      codes.delete(codeValue);
      const verifier = form.get('code_verifier') ?? '';
      if (!code || code.expiresAt < Date.now() || code.clientId !== form.get('client_id') || code.redirectUri !== form.get('redirect_uri')) {
        return answer(400, { error: 'invalid_grant' });
      }
      if (!VERIFIER.test(verifier) || createHash('sha256').update(verifier).digest('base64url') !== code.challenge)
        return answer(400, { error: 'invalid_grant' });
      const { token, grant } = newGrant(code.username);
      const tokens = await mint(code.username, grant, token);
      return answer(
        200,
        { id_token: tokens.idToken, access_token: tokens.accessToken, refresh_token: tokens.refreshToken, expires_in: tokens.expiresIn, token_type: 'Bearer' },
        code.username,
      );
    }
    if (grantType === 'refresh_token') {
      const grant = refreshGrants.get(form.get('refresh_token') ?? '');
      if (!grant || grant.revoked || grant.clientId !== form.get('client_id')) return answer(400, { error: 'invalid_grant' });
      const tokens = await mint(grant.username, grant, '');
      // Like Cognito without refresh token rotation: new ID and access tokens, no new refresh token.
      return answer(200, { id_token: tokens.idToken, access_token: tokens.accessToken, expires_in: tokens.expiresIn, token_type: 'Bearer' }, grant.username);
    }
    return answer(400, { error: 'unsupported_grant_type' });
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', baseUrl);
      const route = `${req.method} ${url.pathname}`;
      if (req.method === 'OPTIONS') {
        res.writeHead(204, corsHeaders(req.headers.origin, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' })).end();
        return;
      }
      switch (route) {
        case 'GET /.well-known/jwks.json':
          return sendJson(res, 200, { keys: [jwk] }, req.headers.origin);
        case 'GET /.well-known/openid-configuration':
          return sendJson(
            res,
            200,
            {
              issuer,
              authorization_endpoint: `${baseUrl}/oauth2/authorize`,
              token_endpoint: `${baseUrl}/oauth2/token`,
              revocation_endpoint: `${baseUrl}/oauth2/revoke`,
              end_session_endpoint: `${baseUrl}/logout`,
              jwks_uri: `${baseUrl}/.well-known/jwks.json`,
              response_types_supported: ['code'],
              grant_types_supported: ['authorization_code', 'refresh_token'],
              code_challenge_methods_supported: ['S256'],
              scopes_supported: ['openid', 'email', 'profile'],
              subject_types_supported: ['public'],
              id_token_signing_alg_values_supported: ['RS256'],
              token_endpoint_auth_methods_supported: ['none'],
            },
            req.headers.origin,
          );
        case 'GET /oauth2/authorize': {
          const problem = authorizeProblem(url.searchParams);
          if (problem) return errorPage(res, 400, problem);
          const remembered = sessionUser(req);
          if (remembered) return redirectWithCode(res, url.searchParams, remembered);
          return loginPage(res, url.searchParams);
        }
        case 'POST /login': {
          const problem = authorizeProblem(url.searchParams);
          if (problem) return errorPage(res, 400, problem);
          const form = new URLSearchParams(await readText(req));
          const user = users.get((form.get('username') ?? '').toLowerCase());
          if (!user || user.password !== form.get('password')) return loginPage(res, url.searchParams, 'Incorrect username or password.');
          const session = randomBytes(24).toString('base64url');
          sessions.set(session, user.username.toLowerCase());
          return redirectWithCode(res, url.searchParams, user.username.toLowerCase(), { 'set-cookie': `cognito=${session}; Path=/; HttpOnly; SameSite=Lax` });
        }
        case 'POST /oauth2/token':
          return tokenEndpoint(req, res);
        case 'POST /oauth2/revoke': {
          const form = new URLSearchParams(await readText(req));
          const grant = refreshGrants.get(form.get('token') ?? '');
          if (grant && grant.clientId === form.get('client_id')) grant.revoked = true;
          // RFC 7009: 200 whether or not the token was known.
          res.writeHead(200, corsHeaders(req.headers.origin)).end();
          return;
        }
        case 'GET /logout': {
          if (url.searchParams.get('client_id') !== options.clientId) return errorPage(res, 400, 'invalid_client');
          const target = url.searchParams.get('logout_uri') ?? '';
          if (!callbacks.has(target)) return errorPage(res, 400, 'Invalid logout_uri');
          const cookie = /(?:^|;\s*)cognito=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
          if (cookie) sessions.delete(cookie);
          logouts++;
          res.writeHead(302, { location: target, 'set-cookie': 'cognito=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax' }).end();
          return;
        }
        default:
          return errorPage(res, 404, 'Not found');
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: error instanceof Error ? error.message : String(error) }, undefined);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    issuer,
    jwksUrl: `${baseUrl}/.well-known/jwks.json`,
    clientId: options.clientId,
    region,
    userPoolId,
    tokenRequests,
    redeemedCodes,
    get logouts() {
      return logouts;
    },
    allowCallback: (url) => {
      callbacks.add(url);
    },
    setTokenLifetime: (seconds) => {
      lifetime = seconds;
    },
    revokeRefreshTokens: () => {
      for (const grant of refreshGrants.values()) grant.revoked = true;
    },
    issue: async (username) => {
      const key = username.toLowerCase();
      if (!users.has(key)) throw new Error(`The OIDC double has no user ${username}`);
      const { token, grant } = newGrant(key);
      return mint(key, grant, token);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function corsHeaders(origin: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return origin ? { 'access-control-allow-origin': origin, vary: 'origin', ...extra } : extra;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, origin: string | undefined): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
    ...corsHeaders(origin),
  });
  res.end(text);
}

async function readText(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
