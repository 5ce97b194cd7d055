import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  CreateSecretCommand,
  DecryptionFailure,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidParameterException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { handleSecretsManagerRequest, MAX_SECRETS_MANAGER_REQUEST_BYTES, SECRETS_MANAGER_TARGET_PREFIX } from '../../../src/local/secretsmanager/http.js';
import { LocalSecretsManager } from '../../../src/local/secretsmanager/service.js';
import { type AwsJsonTestServer, localClientConfig, rejectionOf, startAwsJsonTestServer } from '../../helpers/aws-test-server.js';
import { registerSecret } from '../../helpers/sweep.js';

const NAME = 'stacklens/jira/api-token';
const FIRST_TOKEN = 'fake-jira-first-token-0123456789';
const ROTATED_TOKEN = 'fake-jira-rotated-token-9876543210';
for (const token of [FIRST_TOKEN, ROTATED_TOKEN]) registerSecret(token, 'Jira API token');

describe('local Secrets Manager through @aws-sdk/client-secrets-manager', () => {
  let root: string;
  let file: string;
  let keyFile: string;
  let server: AwsJsonTestServer;
  let client: SecretsManagerClient;

  const serve = async (svc = new LocalSecretsManager({ file, keyFile })): Promise<void> => {
    server = await startAwsJsonTestServer({
      targetPrefix: SECRETS_MANAGER_TARGET_PREFIX,
      maxRequestBytes: MAX_SECRETS_MANAGER_REQUEST_BYTES,
      handle: (op, body, res) => handleSecretsManagerRequest(svc, op, body, res),
    });
    client = new SecretsManagerClient(localClientConfig(server.endpoint));
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
    expect(JSON.stringify(server.exchanges)).not.toContain(FIRST_TOKEN);
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

    const revealing = server.exchanges.filter((exchange) => exchange.body.includes('fake-jira-')).map((exchange) => exchange.operation);
    expect(revealing).toEqual(['GetSecretValue']);
    expect(server.exchanges.map((exchange) => exchange.operation)).toEqual([
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

  it('answers an unexpected failure with 500 InternalServiceError and logs only the error’s kind, not its message', async () => {
    class FailingSecretsManager extends LocalSecretsManager {
      override handle(): Promise<unknown> {
        return Promise.reject(new TypeError(`cannot read ${FIRST_TOKEN}`));
      }
    }
    client.destroy();
    await server.close();
    await serve(new FailingSecretsManager({ file, keyFile }));
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const error = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: NAME })));
      expect(error).toBeInstanceOf(InternalServiceError);
      expect((error as InternalServiceError).$metadata.httpStatusCode).toBe(500);
      expect(logged.mock.calls).toEqual([['secretsmanager: GetSecretValue failed with TypeError']]);
    } finally {
      logged.mockRestore();
    }
  });
});
