import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateSecretCommand,
  DecryptionFailure,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { LocalSecretsManager } from '../../../src/local/secretsmanager/service.js';
import { createSecretsTestServer, secretsClient, type SecretsTestServer } from './helpers.js';

const NAME = 'stacklens/jira/api-token';
const FIRST_TOKEN = 'ATATT3xFfGF0-first-token-0123456789';
const ROTATED_TOKEN = 'ATATT3xFfGF0-rotated-token-9876543210';

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, it succeeded');
}

describe('local Secrets Manager through @aws-sdk/client-secrets-manager', () => {
  let root: string;
  let file: string;
  let keyFile: string;
  let server: SecretsTestServer;
  let client: SecretsManagerClient;

  const serve = async (): Promise<void> => {
    server = await createSecretsTestServer(new LocalSecretsManager({ file, keyFile }));
    client = secretsClient(server.endpoint);
  };

  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'stacklens-sm-sdk-'));
    mkdirSync(path.join(root, 'data'));
    file = path.join(root, 'data', 'secretsmanager', 'store.json');
    keyFile = path.join(root, 'keys', 'secretsmanager.key');
    await serve();
  });

  afterEach(async () => {
    client.destroy();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates, rotates and reads a secret, with dates the SDK turns into Dates', async () => {
    const created = await client.send(new CreateSecretCommand({ Name: NAME, SecretString: FIRST_TOKEN, Description: 'Jira Cloud API token' }));
    expect(created.ARN).toMatch(/:secret:stacklens\/jira\/api-token-[A-Za-z0-9]{6}$/);

    await client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: ROTATED_TOKEN }));
    const current = await client.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(current.SecretString).toBe(ROTATED_TOKEN);
    expect(current.VersionStages).toEqual(['AWSCURRENT']);
    expect(current.CreatedDate).toBeInstanceOf(Date);
    const previous = await client.send(new GetSecretValueCommand({ SecretId: NAME, VersionStage: 'AWSPREVIOUS' }));
    expect(previous.SecretString).toBe(FIRST_TOKEN);

    const described = await client.send(new DescribeSecretCommand({ SecretId: NAME }));
    expect(described.Description).toBe('Jira Cloud API token');
    expect(described.CreatedDate).toBeInstanceOf(Date);
    expect(Object.values(described.VersionIdsToStages ?? {}).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
  });

  it('keeps secrets across a restart of the endpoint, encrypted on disk', async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: FIRST_TOKEN }));
    client.destroy();
    await server.close();
    await serve();

    expect((await client.send(new GetSecretValueCommand({ SecretId: NAME }))).SecretString).toBe(FIRST_TOKEN);
    expect(readFileSync(file).includes(Buffer.from(FIRST_TOKEN))).toBe(false);
  });

  it('round-trips binary secrets as bytes', async () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    await client.send(new CreateSecretCommand({ Name: 'binary', SecretBinary: bytes }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'binary' }))).SecretBinary).toEqual(bytes);
  });

  it('serves Powertools getSecret, the way handlers read the Jira token, and the rotated value on the next fetch', async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: FIRST_TOKEN }));
    const secrets = new SecretsProvider({ awsSdkV3Client: client });

    expect(await secrets.get(NAME, { maxAge: 60 })).toBe(FIRST_TOKEN);
    await client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: ROTATED_TOKEN }));
    expect(await secrets.get(NAME, { maxAge: 60 })).toBe(FIRST_TOKEN);
    expect(await secrets.get(NAME, { maxAge: 60, forceFetch: true })).toBe(ROTATED_TOKEN);
  });

  it('raises the SDK’s own exception classes', async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: FIRST_TOKEN }));
    expect(await rejectionOf(client.send(new CreateSecretCommand({ Name: NAME, SecretString: FIRST_TOKEN })))).toBeInstanceOf(ResourceExistsException);
    expect(await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: 'missing' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejectionOf(client.send(new PutSecretValueCommand({ SecretId: NAME })))).toBeInstanceOf(InvalidParameterException);

    await client.send(new CreateSecretCommand({ Name: 'empty' }));
    const noValue = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: 'empty' })));
    expect(noValue).toBeInstanceOf(ResourceNotFoundException);
    expect((noValue as Error).message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
  });

  it('answers DecryptionFailure when the store was written under another key', async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: FIRST_TOKEN }));
    client.destroy();
    await server.close();
    writeFileSync(keyFile, Buffer.alloc(32, 1));
    await serve();

    const error = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: NAME })));
    expect(error).toBeInstanceOf(DecryptionFailure);
    expect(JSON.stringify(server.responses)).not.toContain(FIRST_TOKEN);
  });

  it('sends the value over the wire only in GetSecretValue answers', async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: FIRST_TOKEN }));
    await client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: ROTATED_TOKEN }));
    await client.send(new DescribeSecretCommand({ SecretId: NAME }));
    await client.send(new ListSecretsCommand({}));
    await client.send(new GetSecretValueCommand({ SecretId: NAME }));
    await rejectionOf(client.send(new CreateSecretCommand({ Name: NAME, SecretString: ROTATED_TOKEN })));
    await rejectionOf(client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: ROTATED_TOKEN, SecretBinary: new Uint8Array([1]) })));
    await client.send(new DeleteSecretCommand({ SecretId: NAME, ForceDeleteWithoutRecovery: true }));

    const revealing = server.responses.filter((response) => response.body.includes('ATATT3xFfGF0')).map((response) => response.operation);
    expect(revealing).toEqual(['GetSecretValue']);
    expect(server.responses.map((response) => response.operation)).toEqual([
      'CreateSecret',
      'PutSecretValue',
      'DescribeSecret',
      'ListSecrets',
      'GetSecretValue',
      'CreateSecret',
      'PutSecretValue',
      'DeleteSecret',
    ]);
  });
});
