import type { Role } from './types.js';

export interface Session {
  readonly token: string;
  readonly expiresAt: number;
  readonly email: string;
  readonly role: Role;
}

export interface TokenClaims {
  readonly sub?: string;
  readonly role?: string;
  readonly exp?: number;
}

/**
 * Reads a JWT's payload for display and for hiding what a viewer cannot do. It is NOT verified here: the API verifies
 * every request and answers 401/403, which is what actually protects anything.
 */
export function decodeTokenClaims(token: string): TokenClaims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const binary = atob(base64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { sub, role, exp } = parsed as Record<string, unknown>;
    return {
      ...(typeof sub === 'string' ? { sub } : {}),
      ...(typeof role === 'string' ? { role } : {}),
      ...(typeof exp === 'number' ? { exp } : {}),
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

export function isExpired(session: Session, now: number): boolean {
  return session.expiresAt <= now;
}
