import { CreateSecretCommand, PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/**
 * The Jira API token in Secrets Manager, read through Powertools' cache. A token saved through our API bumps
 * `tokenVersion` in the settings, and a changed version skips the cache, so it is used on the very next call; a token
 * put by DevOps straight into Secrets Manager is picked up when the cache expires (`maxAgeSeconds`) or on a 401.
 */
export class JiraTokenStore {
  private readonly provider: SecretsProvider;
  private seenVersion: number | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretName: string,
    private readonly maxAgeSeconds = 60,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async get(tokenVersion: number, options: { forceFetch?: boolean } = {}): Promise<string | undefined> {
    const forceFetch = options.forceFetch === true || tokenVersion !== this.seenVersion;
    try {
      const value = await this.provider.get(this.secretName, { maxAge: this.maxAgeSeconds, forceFetch });
      this.seenVersion = tokenVersion;
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    } catch (error) {
      // A secret that exists without a value yet (created empty by the stack) reads as "no token".
      if (causedBy(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  async put(token: string): Promise<void> {
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: this.secretName, SecretString: token }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await this.client.send(new CreateSecretCommand({ Name: this.secretName, SecretString: token, Description: 'StackLens: Jira Cloud API token' }));
    }
  }
}

function causedBy(error: unknown, name: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e.name === name) return true;
  return false;
}

export function createSecretsClient(region: string, endpoint: string | undefined): SecretsManagerClient {
  return new SecretsManagerClient({ region, ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}) });
}
