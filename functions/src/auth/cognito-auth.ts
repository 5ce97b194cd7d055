import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnauthorizedError } from '../domain/errors.js';
import type { Principal, TokenVerifier } from './local-auth.js';

export interface CognitoVerifierOptions {
  readonly userPoolId: string;
  /** The dashboard's app client: ID tokens carry it as `aud`, access tokens as `client_id`. */
  readonly clientId: string;
  readonly region: string;
  /** The pool's signing keys; by default fetched from its JWKS URL and cached for the life of the container. */
  readonly keys?: JWTVerifyGetKey;
  readonly now?: () => Date;
}

/**
 * Verifies Cognito user pool tokens the way the HTTP API's JWT authorizer does (issuer, signature, expiry, client),
 * for the one place API Gateway cannot: the WebSocket `$connect` authorizer, where the token arrives as `?token=`.
 * Group membership decides the role with the same rule as `caller()` in handlers/http.ts.
 */
export class CognitoTokenVerifier implements TokenVerifier {
  readonly issuer: string;
  private readonly keys: JWTVerifyGetKey;
  private readonly now: () => Date;

  constructor(private readonly options: CognitoVerifierOptions) {
    if (!/^[\w-]+_[0-9A-Za-z]+$/.test(options.userPoolId)) throw new Error(`"${options.userPoolId}" is not a Cognito user pool id`);
    if (options.clientId.trim() === '') throw new Error('The Cognito app client id is required');
    this.issuer = `https://cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`;
    // Keys rotate rarely; a cold container fetches them once, and an unknown `kid` triggers one refetch (after a cooldown).
    this.keys = options.keys ?? createRemoteJWKSet(new URL(`${this.issuer}/.well-known/jwks.json`), { timeoutDuration: 3000, cooldownDuration: 30_000 });
    this.now = options.now ?? (() => new Date());
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, { issuer: this.issuer, algorithms: ['RS256'], currentDate: this.now() }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('Token expired; sign in again');
      throw new UnauthorizedError('Token is not valid');
    }
    if (!this.issuedToOurClient(payload)) throw new UnauthorizedError('Token was not issued to this application');
    const subject = [payload.email, payload['cognito:username'], payload.username, payload.sub].find((v): v is string => typeof v === 'string' && v !== '');
    if (!subject) throw new UnauthorizedError('Token has no subject');
    const groups = Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'] : [];
    return { subject, role: groups.includes('admin') ? 'admin' : 'viewer' };
  }

  private issuedToOurClient(payload: JWTPayload): boolean {
    if (payload.token_use === 'id') {
      const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      return audience.includes(this.options.clientId);
    }
    if (payload.token_use === 'access') return payload.client_id === this.options.clientId;
    // Anything else (a refresh token, a token from another issuer type) is not a sign-in.
    return false;
  }
}
