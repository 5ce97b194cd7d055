import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SecretCipher } from '../../../src/local/secretsmanager/crypto.js';
import { LocalSecretsManager } from '../../../src/local/secretsmanager/service.js';
import { valueAad } from '../../../src/local/secretsmanager/store.js';
import { DAY_MS, failure, newService, NOW, tempPaths, type Paths } from './helpers.js';

const TOKEN_V1 = 'fake-jira-first-jira-api-token-value';
const TOKEN_V2 = 'fake-jira-second-jira-api-token-value';
const NAME = 'stacklens/jira/api-token';

interface SecretValueResponse {
  ARN: string;
  Name: string;
  VersionId: string;
  SecretString?: string;
  SecretBinary?: string;
  VersionStages: string[];
  CreatedDate: number;
}

describe('LocalSecretsManager', () => {
  let paths: Paths;
  let svc: LocalSecretsManager;

  beforeEach(() => {
    paths = tempPaths();
    svc = newService(paths);
  });

  afterEach(() => paths.remove());

  const getValue = (input: Record<string, unknown>, service = svc) => service.handle('GetSecretValue', input) as Promise<SecretValueResponse>;

  describe('creating and reading', () => {
    it('creates a secret and reads its value by name, by ARN and by ARN without the random suffix', async () => {
      const created = (await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1, Description: 'Jira Cloud API token' })) as {
        ARN: string;
        Name: string;
        VersionId: string;
      };
      expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:stacklens\/jira\/api-token-[A-Za-z0-9]{6}$/);
      expect(created.Name).toBe(NAME);

      for (const secretId of [NAME, created.ARN, created.ARN.slice(0, -7)]) {
        const value = await getValue({ SecretId: secretId });
        expect(value).toEqual({ ARN: created.ARN, Name: NAME, VersionId: created.VersionId, SecretString: TOKEN_V1, VersionStages: ['AWSCURRENT'], CreatedDate: NOW / 1000 });
      }
    });

    it('round-trips a binary secret as base64', async () => {
      const bytes = Buffer.from([0, 1, 2, 254, 255]);
      await svc.handle('CreateSecret', { Name: 'binary', SecretBinary: bytes.toString('base64') });
      const value = await getValue({ SecretId: 'binary' });
      expect(Buffer.from(value.SecretBinary!, 'base64')).toEqual(bytes);
      expect(value.SecretString).toBeUndefined();
    });

    it('rejects a second secret of the same name with ResourceExistsException', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });
      const error = await failure(svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V2 }));
      expect(error.type).toBe('ResourceExistsException');
      expect((await getValue({ SecretId: NAME })).SecretString).toBe(TOKEN_V1);
    });

    it('answers ResourceNotFoundException for an unknown secret and for a secret created without a value', async () => {
      expect((await failure(getValue({ SecretId: 'missing' }))).type).toBe('ResourceNotFoundException');
      const created = (await svc.handle('CreateSecret', { Name: NAME })) as Record<string, unknown>;
      expect(created['VersionId']).toBeUndefined();
      const error = await failure(getValue({ SecretId: NAME }));
      expect(error.type).toBe('ResourceNotFoundException');
      expect(error.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
    });
  });

  describe('rotation', () => {
    it('makes a new PutSecretValue version AWSCURRENT and the one before it AWSPREVIOUS', async () => {
      const first = (await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 })) as { VersionId: string };
      const second = (await svc.handle('PutSecretValue', { SecretId: NAME, SecretString: TOKEN_V2 })) as { VersionId: string; VersionStages: string[] };
      expect(second.VersionStages).toEqual(['AWSCURRENT']);

      expect((await getValue({ SecretId: NAME })).SecretString).toBe(TOKEN_V2);
      expect((await getValue({ SecretId: NAME, VersionStage: 'AWSPREVIOUS' })).SecretString).toBe(TOKEN_V1);
      expect((await getValue({ SecretId: NAME, VersionId: first.VersionId })).SecretString).toBe(TOKEN_V1);
      const described = (await svc.handle('DescribeSecret', { SecretId: NAME })) as { VersionIdsToStages: Record<string, string[]> };
      expect(described.VersionIdsToStages).toEqual({ [first.VersionId]: ['AWSPREVIOUS'], [second.VersionId]: ['AWSCURRENT'] });

      // A third version leaves the first without a label.
      const third = (await svc.handle('PutSecretValue', { SecretId: NAME, SecretString: 'third' })) as { VersionId: string };
      const after = (await svc.handle('DescribeSecret', { SecretId: NAME })) as { VersionIdsToStages: Record<string, string[]> };
      expect(after.VersionIdsToStages).toEqual({ [second.VersionId]: ['AWSPREVIOUS'], [third.VersionId]: ['AWSCURRENT'] });
    });

    it('treats a repeated PutSecretValue with the same ClientRequestToken as a no-op, and another value under it as ResourceExistsException', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });
      const token = 'b0e2c7a1-2f4d-4d57-9a54-6c1f3f0e9a11';
      const first = await svc.handle('PutSecretValue', { SecretId: NAME, SecretString: TOKEN_V2, ClientRequestToken: token });
      const repeated = await svc.handle('PutSecretValue', { SecretId: NAME, SecretString: TOKEN_V2, ClientRequestToken: token });
      expect(repeated).toEqual(first);
      expect((await getValue({ SecretId: NAME, VersionStage: 'AWSPREVIOUS' })).SecretString).toBe(TOKEN_V1);

      const error = await failure(svc.handle('PutSecretValue', { SecretId: NAME, SecretString: 'something else', ClientRequestToken: token }));
      expect(error.type).toBe('ResourceExistsException');
    });
  });

  describe('persistence and encryption at rest', () => {
    it('serves the same secrets and versions from a second instance on the same files', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1, Description: 'Jira', Tags: [{ Key: 'team', Value: 'pos' }] });
      await svc.handle('PutSecretValue', { SecretId: NAME, SecretString: TOKEN_V2 });
      const before = await svc.handle('DescribeSecret', { SecretId: NAME });

      const reopened = newService(paths);
      expect((await getValue({ SecretId: NAME }, reopened)).SecretString).toBe(TOKEN_V2);
      expect((await getValue({ SecretId: NAME, VersionStage: 'AWSPREVIOUS' }, reopened)).SecretString).toBe(TOKEN_V1);
      expect(await reopened.handle('DescribeSecret', { SecretId: NAME })).toEqual({ ...(before as object), LastAccessedDate: NOW / 1000 - ((NOW / 1000) % 86_400) });
    });

    it('keeps only ciphertext in the store, with the store and the key file readable by the owner only', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });
      await svc.handle('PutSecretValue', { SecretId: NAME, SecretString: TOKEN_V2 });

      const bytes = readFileSync(paths.file);
      for (const plaintext of [TOKEN_V1, TOKEN_V2]) {
        expect(bytes.includes(Buffer.from(plaintext))).toBe(false);
        expect(bytes.includes(Buffer.from(Buffer.from(plaintext).toString('base64').slice(0, 24)))).toBe(false);
      }
      expect(statSync(paths.file).mode & 0o777).toBe(0o600);
      expect(statSync(paths.keyFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(paths.keyFile)).toHaveLength(32);
    });

    it('answers DecryptionFailure, without crashing or rewriting the store, when the key file holds another key', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });
      const stored = readFileSync(paths.file);
      writeFileSync(paths.keyFile, Buffer.alloc(32, 7));

      const reopened = newService(paths);
      const error = await failure(getValue({ SecretId: NAME }, reopened));
      expect(error.type).toBe('DecryptionFailure');
      expect(error.message).toContain('is not the key the secret store');
      expect((await failure(reopened.handle('CreateSecret', { Name: 'other', SecretString: 'x' }))).type).toBe('DecryptionFailure');
      expect(readFileSync(paths.file)).toEqual(stored);
    });

    it('detects a store whose metadata was edited outside the service', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });
      await svc.handle('PutSecretValue', { SecretId: NAME, SecretString: TOKEN_V2 });
      // Point AWSCURRENT back at the old token by swapping the stage labels.
      const text = readFileSync(paths.file, 'utf8').replace('"AWSPREVIOUS"', '"SWAP"').replace('"AWSCURRENT"', '"AWSPREVIOUS"').replace('"SWAP"', '"AWSCURRENT"');
      writeFileSync(paths.file, text);

      const error = await failure(getValue({ SecretId: NAME }, newService(paths)));
      expect(error.type).toBe('InternalServiceError');
      expect(error.message).toContain('failed its integrity check');
    });

    it('refuses a sealed value moved to another secret even when the store’s checksum is made to match', async () => {
      await svc.handle('CreateSecret', { Name: 'a', SecretString: 'value of a' });
      await svc.handle('CreateSecret', { Name: 'b', SecretString: 'value of b' });
      // An attacker holding the key could rewrite anything; this checks the binding of each value to its secret.
      const cipher = new SecretCipher(readFileSync(paths.keyFile));
      const store = JSON.parse(readFileSync(paths.file, 'utf8')) as { mac: string; secrets: Array<{ versions: Array<{ value: unknown; versionId: string }> }> };
      const [a, b] = store.secrets;
      [a!.versions[0]!.value, b!.versions[0]!.value] = [b!.versions[0]!.value, a!.versions[0]!.value];
      store.mac = cipher.mac(JSON.stringify(store.secrets));
      writeFileSync(paths.file, JSON.stringify(store));

      const error = await failure(getValue({ SecretId: 'a' }, newService(paths)));
      expect(error.type).toBe('DecryptionFailure');
      expect(error.message).not.toContain('value of');
      expect(valueAad('a', a!.versions[0]!.versionId, 'string')).not.toBe(valueAad('b', a!.versions[0]!.versionId, 'string'));
    });

    it('answers a clear error for a store that is not JSON, and recovers once the file is put back', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });
      const good = readFileSync(paths.file);
      writeFileSync(paths.file, good.subarray(0, good.length / 2));

      const reopened = newService(paths);
      const error = await failure(getValue({ SecretId: NAME }, reopened));
      expect(error.type).toBe('InternalServiceError');
      expect(error.message).toMatch(/is not a stacklens-secretsmanager\/1 file/);

      writeFileSync(paths.file, good);
      expect((await getValue({ SecretId: NAME }, reopened)).SecretString).toBe(TOKEN_V1);
    });

    it('will not make up a new key for a store whose key file is missing', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });
      const { rmSync } = await import('node:fs');
      rmSync(paths.keyFile);

      const error = await failure(getValue({ SecretId: NAME }, newService(paths)));
      expect(error.message).toContain('is missing, but the secret store');
      expect(() => statSync(paths.keyFile)).toThrow();
    });

    it('refuses a key file inside the directory of the store it protects', () => {
      expect(() => new LocalSecretsManager({ file: paths.file, keyFile: path.join(path.dirname(paths.file), 'key') })).toThrow(/must live outside/);
      expect(() => new LocalSecretsManager({ file: paths.file, keyFile: path.join(path.dirname(paths.file), 'keys', 'key') })).toThrow(/must live outside/);
    });
  });

  describe('never revealing values', () => {
    it('leaves the value out of DescribeSecret, ListSecrets and every error', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1, Description: 'Jira' });
      const token = 'c0e2c7a1-2f4d-4d57-9a54-6c1f3f0e9a11';
      await svc.handle('PutSecretValue', { SecretId: NAME, SecretString: TOKEN_V2, ClientRequestToken: token });

      const outputs: unknown[] = [await svc.handle('DescribeSecret', { SecretId: NAME }), await svc.handle('ListSecrets', {})];
      const errors = await Promise.all([
        failure(svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 })),
        failure(svc.handle('CreateSecret', { Name: 'bad name!', SecretString: TOKEN_V1 })),
        failure(svc.handle('CreateSecret', { Name: 'both', SecretString: TOKEN_V1, SecretBinary: 'AAAA' })),
        failure(svc.handle('CreateSecret', { Name: 'too-long', SecretString: TOKEN_V1.repeat(2_000) })),
        failure(svc.handle('PutSecretValue', { SecretId: NAME, SecretString: TOKEN_V1, ClientRequestToken: token })),
        failure(svc.handle('PutSecretValue', { SecretId: TOKEN_V1, SecretString: TOKEN_V2 })),
        failure(svc.handle('PutSecretValue', { SecretId: NAME, SecretString: 42 })),
      ]);
      outputs.push(...errors.map((error) => ({ type: error.type, message: error.message })));

      const text = JSON.stringify(outputs);
      expect(text).not.toContain('fake-jira-');
      expect(errors.map((error) => error.type)).toEqual([
        'ResourceExistsException',
        'InvalidParameterException',
        'InvalidParameterException',
        'InvalidParameterException',
        'ResourceExistsException',
        'ResourceNotFoundException',
        'InvalidParameterException',
      ]);
    });
  });

  describe('listing and deleting', () => {
    it('lists secrets filtered by name prefix and paginated', async () => {
      for (const name of ['stacklens/jira/token', 'stacklens/bedrock/key', 'other/thing']) await svc.handle('CreateSecret', { Name: name, SecretString: 'v' });

      const first = (await svc.handle('ListSecrets', { Filters: [{ Key: 'name', Values: ['stacklens/'] }], MaxResults: 1 })) as {
        SecretList: Array<{ Name: string; SecretVersionsToStages: Record<string, string[]> }>;
        NextToken?: string;
      };
      const second = (await svc.handle('ListSecrets', { Filters: [{ Key: 'name', Values: ['stacklens/'] }], MaxResults: 1, NextToken: first.NextToken })) as typeof first;
      expect([...first.SecretList, ...second.SecretList].map((secret) => secret.Name)).toEqual(['stacklens/bedrock/key', 'stacklens/jira/token']);
      expect(second.NextToken).toBeUndefined();
      expect(Object.values(first.SecretList[0]!.SecretVersionsToStages)).toEqual([['AWSCURRENT']]);

      const negated = (await svc.handle('ListSecrets', { Filters: [{ Key: 'name', Values: ['!stacklens/'] }] })) as typeof first;
      expect(negated.SecretList.map((secret) => secret.Name)).toEqual(['other/thing']);
    });

    it('schedules a deletion that blocks reads, can be restored, and ends after the recovery window', async () => {
      let now = NOW;
      const clocked = newService(paths, { now: () => now });
      await clocked.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });

      const deleted = (await clocked.handle('DeleteSecret', { SecretId: NAME, RecoveryWindowInDays: 7 })) as { DeletionDate: number };
      expect(deleted.DeletionDate).toBe((NOW + 7 * DAY_MS) / 1000);
      expect((await failure(getValue({ SecretId: NAME }, clocked))).type).toBe('InvalidRequestException');
      expect(((await clocked.handle('ListSecrets', {})) as { SecretList: unknown[] }).SecretList).toEqual([]);
      expect(((await clocked.handle('ListSecrets', { IncludePlannedDeletion: true })) as { SecretList: unknown[] }).SecretList).toHaveLength(1);
      expect((await failure(clocked.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V2 }))).type).toBe('InvalidRequestException');

      await clocked.handle('RestoreSecret', { SecretId: NAME });
      expect((await getValue({ SecretId: NAME }, clocked)).SecretString).toBe(TOKEN_V1);

      await clocked.handle('DeleteSecret', { SecretId: NAME, RecoveryWindowInDays: 7 });
      now += 7 * DAY_MS;
      expect((await failure(getValue({ SecretId: NAME }, clocked))).type).toBe('ResourceNotFoundException');
      await clocked.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V2 });
      expect((await getValue({ SecretId: NAME }, clocked)).SecretString).toBe(TOKEN_V2);
    });

    it('deletes at once with ForceDeleteWithoutRecovery, also for the next instance', async () => {
      await svc.handle('CreateSecret', { Name: NAME, SecretString: TOKEN_V1 });
      const error = await failure(svc.handle('DeleteSecret', { SecretId: NAME, ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7 }));
      expect(error.type).toBe('InvalidParameterException');

      await svc.handle('DeleteSecret', { SecretId: NAME, ForceDeleteWithoutRecovery: true });
      expect((await failure(svc.handle('DescribeSecret', { SecretId: NAME }))).type).toBe('ResourceNotFoundException');
      expect((await failure(newService(paths).handle('DescribeSecret', { SecretId: NAME }))).type).toBe('ResourceNotFoundException');
    });
  });
});
