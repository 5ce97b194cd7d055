// Property-based tests of the local Secrets Manager's validators and parsers: request shapes on arbitrary input (with
// the rule that no error ever quotes a secret value), value round trips at the size limit, the cipher under tampering,
// and the store file read back after random damage.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { AwsServiceError } from '../../../src/local/aws-error.js';
import { outcome } from './outcome.js';
import { DecryptError, SecretCipher, SecretStoreError } from '../../../src/local/secretsmanager/crypto.js';
import { MAX_SECRET_BYTES } from '../../../src/local/secretsmanager/schemas.js';
import type { LocalSecretsManager } from '../../../src/local/secretsmanager/service.js';
import { SecretStoreFile } from '../../../src/local/secretsmanager/store.js';
import { newService, type Paths } from '../secretsmanager/helpers.js';
import { secretsPaths } from './temp.js';

/** A value no schema, name or constant of the service contains: if it shows up in an error, the error quoted a secret. */
const secretMarkerArb = fc.stringMatching(/^[0-9a-f]{24}$/).map((hex) => `sv-${hex}`);

describe('Property: Secrets Manager operations on arbitrary input', () => {
  let paths: Paths;
  let svc: LocalSecretsManager;

  beforeAll(async () => {
    paths = secretsPaths();
    svc = newService(paths);
    await svc.handle('CreateSecret', { Name: 'jira/token', SecretString: 'initial value' });
  });
  afterAll(() => paths.remove());

  const valueArb = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(
      '',
      'jira/token',
      'bad name!',
      'x'.repeat(600),
      'arn:aws:secretsmanager:us-east-1:000000000000:secret:jira/token',
      'AAAA',
      'A',
      '====',
      -1,
      0,
      7,
      31,
      1.5,
      true,
      null,
      [],
      {},
    ),
    fc.constantFrom('AWSCURRENT', 'AWSPREVIOUS', 'asc', 'desc', 'name', 'all'),
    fc.string({ minLength: 32, maxLength: 64 }),
    fc.nat().map((n) => Buffer.from(`o${n}`).toString('base64url')),
  );
  const operationArb = fc.constantFrom(
    'CreateSecret',
    'PutSecretValue',
    'GetSecretValue',
    'DescribeSecret',
    'ListSecrets',
    'DeleteSecret',
    'RestoreSecret',
    'RotateSecret',
    '',
  );
  const memberArb = fc.constantFrom(
    'Name',
    'SecretId',
    'ClientRequestToken',
    'Description',
    'KmsKeyId',
    'Tags',
    'VersionStages',
    'VersionId',
    'VersionStage',
    'MaxResults',
    'NextToken',
    'Filters',
    'SortOrder',
    'RecoveryWindowInDays',
    'ForceDeleteWithoutRecovery',
    'IncludePlannedDeletion',
  );

  it('answers with a result or a typed error, and no error message ever quotes the secret value sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        operationArb,
        fc.dictionary(memberArb, valueArb, { maxKeys: 5 }),
        secretMarkerArb,
        fc.constantFrom('SecretString', 'SecretBinary', 'none'),
        fc.constantFrom('plain', 'in-array', 'oversized'),
        async (operation, members, marker, where, shape) => {
          const secret = shape === 'in-array' ? [marker] : shape === 'oversized' ? marker.repeat(Math.ceil((MAX_SECRET_BYTES + 1) / marker.length)) : marker;
          const request = where === 'none' ? members : { ...members, [where]: secret };
          const result = await outcome(svc.handle(operation, request));
          if (!result.ok) expect(result.error.message).not.toContain(marker);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('stores any string value of 1 to 65,536 UTF-8 bytes and gives it back unchanged; refuses longer ones in bytes, not characters', async () => {
    const wellFormedArb = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
      fc
        .tuple(fc.constantFrom('x', 'é', '€', '😀'), fc.integer({ min: MAX_SECRET_BYTES / 4 - 2, max: MAX_SECRET_BYTES + 2 }))
        .map(([char, bytes]) => char.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(char))))),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(wellFormedArb, async (value) => {
        const name = `string/${(run += 1)}`;
        const bytes = Buffer.byteLength(value, 'utf8');
        const created = await outcome(svc.handle('CreateSecret', { Name: name, SecretString: value }));
        expect(created.ok).toBe(bytes <= MAX_SECRET_BYTES);
        if (!created.ok) return;
        const read = (await svc.handle('GetSecretValue', { SecretId: name })) as { SecretString?: string };
        expect(read.SecretString === value).toBe(true);
        // Keeps the store small: every write rewrites all of it.
        await svc.handle('DeleteSecret', { SecretId: name, ForceDeleteWithoutRecovery: true });
      }),
      { numRuns: 120 },
    );
  });

  it('stores any binary value of 1 to 65,536 bytes and gives back the same bytes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 300 }),
          fc.integer({ min: MAX_SECRET_BYTES - 2, max: MAX_SECRET_BYTES + 2 }).map((n) => new Uint8Array(randomBytes(n))),
        ),
        async (bytes) => {
          const name = `binary/${(run += 1)}`;
          const created = await outcome(svc.handle('CreateSecret', { Name: name, SecretBinary: Buffer.from(bytes).toString('base64') }));
          expect(created.ok).toBe(bytes.length <= MAX_SECRET_BYTES);
          if (!created.ok) return;
          const read = (await svc.handle('GetSecretValue', { SecretId: name })) as { SecretBinary?: string };
          expect(Buffer.from(read.SecretBinary ?? '', 'base64').equals(Buffer.from(bytes))).toBe(true);
          await svc.handle('DeleteSecret', { SecretId: name, ForceDeleteWithoutRecovery: true });
        },
      ),
      { numRuns: 120 },
    );
  });
});

// ── The cipher ─────────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: SecretCipher', () => {
  const cipher = new SecretCipher(randomBytes(32));
  const other = new SecretCipher(randomBytes(32));

  it('opens what it sealed with the same additional data, and refuses with DecryptError any changed byte, other data or other key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('iv', 'tag', 'data'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (plaintext, aad, otherAad, part, at, bit) => {
          const sealed = cipher.seal(plaintext, aad);
          expect(cipher.open(sealed, aad).equals(Buffer.from(plaintext))).toBe(true);

          const bytes = Buffer.from(sealed[part], 'base64');
          const refusals: Array<() => Buffer> = [() => other.open(sealed, aad)];
          if (otherAad !== aad) refusals.push(() => cipher.open(sealed, otherAad));
          if (bytes.length > 0) {
            bytes[at % bytes.length] = bytes[at % bytes.length]! ^ (1 << bit);
            refusals.push(() => cipher.open({ ...sealed, [part]: bytes.toString('base64') }, aad));
          }
          for (const refusal of refusals) expect(refusal).toThrow(DecryptError);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('never throws anything but DecryptError on arbitrary sealed-value text, and verifyMac never throws', () => {
    fc.assert(
      fc.property(
        fc.record({ iv: fc.string({ maxLength: 30 }), tag: fc.string({ maxLength: 30 }), data: fc.string({ maxLength: 60 }) }),
        fc.string(),
        fc.string({ maxLength: 60 }),
        (sealed, text, mac) => {
          try {
            cipher.open(sealed, 'aad');
          } catch (err) {
            expect(err).toBeInstanceOf(DecryptError);
          }
          expect(typeof cipher.verifyMac(text, mac)).toBe('boolean');
          expect(cipher.verifyMac(text, cipher.mac(text))).toBe(true);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

// ── The store file ─────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: SecretStoreFile.load on a damaged store', () => {
  let paths: Paths;
  let pristine: Buffer;
  let secrets: unknown;

  beforeAll(async () => {
    paths = secretsPaths();
    const svc = newService(paths);
    await svc.handle('CreateSecret', {
      Name: 'jira/token',
      SecretString: 'not a real token',
      Description: 'Jira API token',
      Tags: [{ Key: 'team', Value: 'ops' }],
    });
    await svc.handle('PutSecretValue', { SecretId: 'jira/token', SecretString: 'rotated value' });
    await svc.handle('CreateSecret', { Name: 'bedrock/key', SecretBinary: Buffer.from([0, 1, 2, 250]).toString('base64') });
    pristine = readFileSync(paths.file);
    secrets = (await new SecretStoreFile(paths.file, paths.keyFile).load()).secrets;
  });
  afterAll(() => paths.remove());

  it('either loads exactly the secrets that were written or refuses with a SecretStoreError, whatever bytes changed', async () => {
    const damageArb = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('replace' as const),
        text: fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc.constant(''),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(damageArb, async (how) => {
        let bytes: Buffer = Buffer.from(pristine);
        if (how.kind === 'flip') for (const at of how.at) bytes[at % bytes.length] = bytes[at % bytes.length]! ^ (1 << how.bit);
        if (how.kind === 'truncate') bytes = bytes.subarray(0, how.at % bytes.length);
        if (how.kind === 'replace') bytes = Buffer.from(how.text, 'utf8');
        writeFileSync(paths.file, bytes);
        try {
          const loaded = await new SecretStoreFile(paths.file, paths.keyFile).load();
          expect(loaded.secrets).toEqual(secrets);
        } catch (err) {
          expect(err).toBeInstanceOf(SecretStoreError);
          expect((err as SecretStoreError).code).toMatch(/^(STORE_UNREADABLE|STORE_TAMPERED|KEY_MISMATCH)$/);
        }
      }),
      { numRuns: 600 },
    );
    writeFileSync(paths.file, pristine);
  });

  it('refuses a key file of any size but 32 bytes with KEY_INVALID', async () => {
    const key = readFileSync(paths.keyFile);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 80 }).filter((bytes) => bytes.length !== 32),
        async (bytes) => {
          writeFileSync(paths.keyFile, bytes);
          await expect(new SecretStoreFile(paths.file, paths.keyFile).load()).rejects.toMatchObject({ code: 'KEY_INVALID' });
        },
      ),
      { numRuns: 60 },
    );
    rmSync(paths.keyFile);
    writeFileSync(paths.keyFile, key, { mode: 0o600 });
  });
});
