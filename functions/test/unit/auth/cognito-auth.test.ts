import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { CognitoTokenVerifier } from '../../../src/auth/cognito-auth.js';
import { configFromEnv } from '../../../src/config.js';
import { UnauthorizedError } from '../../../src/domain/errors.js';
import { buildServices } from '../../../src/wiring.js';

const REGION = 'eu-west-1';
const POOL_ID = 'eu-west-1_AbCdEf123';
const CLIENT_ID = 'dashboardclient123';
const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`;
const NOW = new Date('2026-11-26T12:00:00.000Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

type SigningKey = Parameters<SignJWT['sign']>[0];

let poolKey: SigningKey;
let otherKey: SigningKey;
let verifier: CognitoTokenVerifier;

beforeAll(async () => {
  const pool = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  poolKey = pool.privateKey;
  otherKey = other.privateKey;
  const jwk = { ...(await exportJWK(pool.publicKey)), kid: 'pool-key', alg: 'RS256', use: 'sig' };
  verifier = new CognitoTokenVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, region: REGION, keys: createLocalJWKSet({ keys: [jwk] }), now: () => NOW });
});

/** A token shaped like Cognito's: RS256, the pool's kid, an hour of validity from NOW unless overridden. */
function token(claims: JWTPayload, options: { key?: SigningKey; issuer?: string; expiresAt?: number } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'pool-key' })
    .setIssuer(options.issuer ?? ISSUER)
    .setIssuedAt(nowSeconds - 60)
    .setExpirationTime(options.expiresAt ?? nowSeconds + 3600)
    .sign(options.key ?? poolKey);
}

const idClaims = (groups?: string[]): JWTPayload => ({
  sub: '7f3c1d2e-0000-4000-8000-000000000001',
  aud: CLIENT_ID,
  token_use: 'id',
  email: 'ops@example.com',
  ...(groups ? { 'cognito:groups': groups } : {}),
});

describe('Class: CognitoTokenVerifier', () => {
  it('accepts an ID token of a member of the admin group as an admin named by e-mail', async () => {
    // Act
    const principal = await verifier.verify(await token(idClaims(['admin'])));

    // Assess
    expect(principal).toEqual({ subject: 'ops@example.com', role: 'admin' });
  });

  it('treats members of the viewer group, and users in no group, as viewers', async () => {
    // Act
    const viewer = await verifier.verify(await token(idClaims(['viewer'])));
    const ungrouped = await verifier.verify(await token(idClaims()));

    // Assess
    expect(viewer.role).toBe('viewer');
    expect(ungrouped.role).toBe('viewer');
  });

  it('accepts an access token issued to the dashboard client and names its user', async () => {
    // Prepare
    const access = await token({ sub: 'abc', token_use: 'access', client_id: CLIENT_ID, username: 'abc', 'cognito:groups': ['admin'] });

    // Act
    const principal = await verifier.verify(access);

    // Assess
    expect(principal).toEqual({ subject: 'abc', role: 'admin' });
  });

  it('refuses tokens issued to another app client of the same pool', async () => {
    // Prepare
    const foreignId = await token({ ...idClaims(['admin']), aud: 'someotherclient' });
    const foreignAccess = await token({ sub: 'abc', token_use: 'access', client_id: 'someotherclient' });

    // Act + Assess
    await expect(verifier.verify(foreignId)).rejects.toThrow('Token was not issued to this application');
    await expect(verifier.verify(foreignAccess)).rejects.toThrow('Token was not issued to this application');
  });

  it('refuses a token from another pool, one signed with a key the pool does not publish, and a tampered one', async () => {
    // Prepare
    const otherPool = await token(idClaims(['admin']), { issuer: `https://cognito-idp.${REGION}.amazonaws.com/eu-west-1_Other999` });
    const wrongKey = await token(idClaims(['admin']), { key: otherKey });
    const [header, , signature] = (await token(idClaims(['viewer']))).split('.');
    const tampered = [
      header,
      Buffer.from(JSON.stringify({ ...idClaims(['admin']), iss: ISSUER, exp: nowSeconds + 3600 })).toString('base64url'),
      signature,
    ].join('.');

    // Act + Assess
    for (const bad of [otherPool, wrongKey, tampered]) {
      await expect(verifier.verify(bad)).rejects.toThrow(new UnauthorizedError('Token is not valid'));
    }
  });

  it('says an expired token has expired', async () => {
    // Prepare
    const expired = await token(idClaims(['admin']), { expiresAt: nowSeconds - 1 });

    // Act + Assess
    await expect(verifier.verify(expired)).rejects.toThrow('Token expired; sign in again');
  });

  it('refuses a token that is not an ID or access token', async () => {
    // Prepare
    const untyped = await token({ sub: 'abc', aud: CLIENT_ID, email: 'ops@example.com' });

    // Act + Assess
    await expect(verifier.verify(untyped)).rejects.toThrow(UnauthorizedError);
  });

  it('refuses an HS256 token even when it is signed with a published key id', async () => {
    // Prepare: the classic algorithm-confusion attempt
    const hs = await new SignJWT(idClaims(['admin']))
      .setProtectedHeader({ alg: 'HS256', kid: 'pool-key' })
      .setIssuer(ISSUER)
      .setExpirationTime(nowSeconds + 3600)
      .sign(new TextEncoder().encode('x'.repeat(32)));

    // Act + Assess
    await expect(verifier.verify(hs)).rejects.toThrow(UnauthorizedError);
  });
});

describe('Function: buildServices (token verifier selection)', () => {
  const tableEnv = {
    INCIDENTS_TABLE: 'i',
    OCCURRENCES_TABLE: 'o',
    TIMELINE_TABLE: 't',
    CONNECTIONS_TABLE: 'c',
    SETTINGS_TABLE: 's',
    AUDIT_TABLE: 'a',
  };

  it('verifies against the Cognito pool named by COGNITO_* and offers no password sign-in', () => {
    // Act
    const services = buildServices(configFromEnv({ ...tableEnv, AWS_REGION: REGION, COGNITO_USER_POOL_ID: POOL_ID, COGNITO_CLIENT_ID: CLIENT_ID }));

    // Assess
    expect(services.verifier).toBeInstanceOf(CognitoTokenVerifier);
    expect((services.verifier as CognitoTokenVerifier).issuer).toBe(ISSUER);
    expect(services.tokens).toBeUndefined();
  });

  it('takes the pool region from COGNITO_REGION when it differs from the function region', () => {
    // Act
    const config = configFromEnv({ ...tableEnv, AWS_REGION: 'us-east-1', COGNITO_REGION: REGION, COGNITO_USER_POOL_ID: POOL_ID, COGNITO_CLIENT_ID: CLIENT_ID });

    // Assess
    expect(config.cognito).toEqual({ userPoolId: POOL_ID, clientId: CLIENT_ID, region: REGION });
  });

  it('refuses to start with a pool id but no client id', () => {
    // Act + Assess
    expect(() => configFromEnv({ ...tableEnv, COGNITO_USER_POOL_ID: POOL_ID })).toThrow('COGNITO_CLIENT_ID');
  });

  it('has no verifier when neither a local key nor a pool is configured', () => {
    // Act
    const services = buildServices(configFromEnv(tableEnv));

    // Assess
    expect(services.verifier).toBeUndefined();
  });
});
