import type { Role } from './types.js';

export interface Session {
  /** What the API and the WebSocket are sent as the bearer token. */
  readonly token: string;
  readonly expiresAt: number;
  readonly email: string;
  readonly role: Role;
}

export interface TokenClaims {
  readonly sub?: string;
  readonly role?: string;
  readonly exp?: number;
  readonly email?: string;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly tokenUse?: string;
  readonly audience?: readonly string[];
}

/**
 * Reads a JWT's payload for display and for hiding what a viewer cannot do. It is NOT verified here: the API verifies
 * every request and answers 401/403, which is what actually protects anything.
 */
export function decodeTokenClaims(token: string): TokenClaims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const binary = atob(base64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const claims = parsed as Record<string, unknown>;
    const { sub, role, exp, email, token_use: tokenUse, aud } = claims;
    const username = claims['cognito:username'];
    const groups = claims['cognito:groups'];
    const strings = (value: unknown): string[] | undefined =>
      Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : undefined;
    const groupList = strings(groups);
    const audience = strings(aud);
    return {
      ...(typeof sub === 'string' ? { sub } : {}),
      ...(typeof role === 'string' ? { role } : {}),
      ...(typeof exp === 'number' ? { exp } : {}),
      ...(typeof email === 'string' ? { email } : {}),
      ...(typeof username === 'string' ? { username } : {}),
      ...(groupList ? { groups: groupList } : {}),
      ...(typeof tokenUse === 'string' ? { tokenUse } : {}),
      ...(audience ? { audience } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Builds a session from a login answer; an unreadable token is refused rather than half-trusted. */
export function sessionFromToken(token: string, expiresAt: string | undefined): Session | undefined {
  const claims = decodeTokenClaims(token);
  if (!claims?.sub) return undefined;
  const fromAnswer = expiresAt ? Date.parse(expiresAt) : NaN;
  const expires = Number.isFinite(fromAnswer) ? fromAnswer : claims.exp ? claims.exp * 1000 : NaN;
  if (!Number.isFinite(expires)) return undefined;
  // Unknown roles get the narrower view; the API decides what they may really do.
  const role: Role = claims.role === 'admin' ? 'admin' : 'viewer';
  return { token, expiresAt: expires, email: claims.sub, role };
}

/**
 * Builds a session from a Cognito ID token: the user's e-mail, and the role from `cognito:groups` by the API's own
 * rule (member of `admin` → admin, anyone else → viewer). A token issued to another app client is refused.
 * `expiresAt` comes from the token answer's `expires_in`, on this browser's clock, so a skewed clock cannot make a
 * fresh token look expired; `exp` is the fallback.
 */
export function sessionFromIdToken(idToken: string, clientId: string, expiresAt?: number): Session | undefined {
  const claims = decodeTokenClaims(idToken);
  if (!claims || claims.tokenUse !== 'id' || !claims.audience?.includes(clientId)) return undefined;
  const email = claims.email ?? claims.username ?? claims.sub;
  if (!email) return undefined;
  const expires = expiresAt !== undefined && Number.isFinite(expiresAt) ? expiresAt : claims.exp ? claims.exp * 1000 : NaN;
  if (!Number.isFinite(expires)) return undefined;
  return { token: idToken, expiresAt: expires, email, role: claims.groups?.includes('admin') ? 'admin' : 'viewer' };
}

export function isExpired(session: Session, now: number): boolean {
  return session.expiresAt <= now;
}
