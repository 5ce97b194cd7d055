import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { UnauthorizedError } from '../domain/errors.js';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

// OWASP's scrypt floor (N=2^17, r=8, p=1) costs ~128 MB and ~0.3 s here; logins are rare, so pay it.
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, keylen: 32, maxmem: 256 * 1024 * 1024 };
const ISSUER = 'stacklens-local';
const AUDIENCE = 'stacklens-admin';
export const TOKEN_TTL_SECONDS = 12 * 3600;

export type Role = 'admin' | 'viewer';

export interface Principal {
  readonly subject: string;
  readonly role: Role;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keylen, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Verifies a bearer token and says who it belongs to; the AWS stack will plug a Cognito verifier in here. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export class LocalTokenService implements TokenVerifier {
  constructor(
    private readonly key: Uint8Array,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (key.byteLength < 32) throw new Error('The local token key must be at least 32 bytes');
  }

  async issue(principal: Principal): Promise<{ token: string; expiresAt: string }> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expires = issuedAt + TOKEN_TTL_SECONDS;
    const token = await new SignJWT({ role: principal.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(principal.subject)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expires)
      .sign(this.key);
    return { token, expiresAt: new Date(expires * 1000).toISOString() };
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: this.now() });
      if (typeof payload.sub !== 'string') throw new UnauthorizedError('Token has no subject');
      return { subject: payload.sub, role: payload.role === 'viewer' ? 'viewer' : 'admin' };
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('Token expired; sign in again');
      throw new UnauthorizedError('Token is not valid');
    }
  }
}
