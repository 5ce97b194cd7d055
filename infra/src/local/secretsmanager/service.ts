// A local AWS Secrets Manager for the operations our handlers and admin API use, with the real service's
// response shapes and errors, storing values encrypted at rest (store.ts, crypto.ts). Transport-free: http.ts
// adapts it to the AWS JSON 1.1 protocol of @aws-sdk/client-secrets-manager.
//
// No error message, response other than GetSecretValue, or log line carries a secret value.
//
// Choices where the real service is loose or where we differ:
// - KmsKeyId is accepted and kept, but every value is encrypted with the store's own key.
// - ListSecrets filters match by prefix, case-sensitively; a value starting with "!" negates. `primary-region`
//   and `owning-service` match nothing (no replication, no managed secrets here).
// - Versions left without a staging label are kept up to 100 versions per secret, oldest dropped first.
// - No rotation, replication or resource policies.
import { randomInt, randomUUID } from 'node:crypto';
import path from 'node:path';
import { AwsServiceError } from '../aws-error.js';
import { DecryptError, SecretStoreError, type SecretCipher } from './crypto.js';
import {
  CreateSecretInput,
  DeleteSecretInput,
  DescribeSecretInput,
  GetSecretValueInput,
  ListSecretsInput,
  MAX_SECRET_BYTES,
  parseInput,
  PutSecretValueInput,
  RestoreSecretInput,
} from './schemas.js';
import { SecretStoreFile, valueAad, type StoredSecret, type StoredVersion } from './store.js';

export interface SecretsManagerServiceOptions {
  /** The encrypted store; created on the first write. */
  readonly file: string;
  /** 32 raw bytes; created (mode 0600) when neither it nor the store exists. Must live outside the store's directory. */
  readonly keyFile: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** @default Date.now */
  readonly now?: () => number;
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const MAX_VERSIONS = 100;
const DEFAULT_PAGE_SIZE = 100;
const DAY_MS = 86_400_000;
const ARN_SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:(.+)$/;

interface Loaded {
  readonly cipher: SecretCipher;
  secrets: Map<string, StoredSecret>;
}

interface SecretValue {
  readonly kind: 'string' | 'binary';
  readonly bytes: Buffer;
}

export class LocalSecretsManager {
  private readonly store: SecretStoreFile;
  private readonly region: string;
  private readonly accountId: string;
  private readonly now: () => number;
  private loaded: Promise<Loaded> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: SecretsManagerServiceOptions) {
    const storeDir = path.dirname(path.resolve(opts.file));
    const keyFile = path.resolve(opts.keyFile);
    if (keyFile === path.resolve(opts.file) || keyFile.startsWith(storeDir + path.sep)) {
      throw new Error(`keyFile ${keyFile} must live outside ${storeDir}, the directory of the store it protects`);
    }
    this.store = new SecretStoreFile(path.resolve(opts.file), keyFile);
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.now = opts.now ?? Date.now;
  }

  /** One operation at a time: each reads the store as the previous one left it. */
  handle(operation: string, input: unknown): Promise<unknown> {
    const result = this.queue.then(() => this.dispatch(operation, input));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async dispatch(operation: string, input: unknown): Promise<unknown> {
    switch (operation) {
      case 'CreateSecret':
        return this.createSecret(input);
      case 'PutSecretValue':
        return this.putSecretValue(input);
      case 'GetSecretValue':
        return this.getSecretValue(input);
      case 'DescribeSecret':
        return this.describeSecret(input);
      case 'ListSecrets':
        return this.listSecrets(input);
      case 'DeleteSecret':
        return this.deleteSecret(input);
      case 'RestoreSecret':
        return this.restoreSecret(input);
      default:
        throw new AwsServiceError('UnknownOperationException', `The local Secrets Manager does not implement ${operation}`);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Operations

  private async createSecret(input: unknown): Promise<unknown> {
    const request = parseInput(CreateSecretInput, input);
    const value = valueOf(request.SecretString, request.SecretBinary, false);
    const state = await this.state();
    const existing = state.secrets.get(request.Name);
    if (existing?.deletionDate !== undefined) {
      throw new AwsServiceError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    if (existing) throw new AwsServiceError('ResourceExistsException', `The operation failed because the secret ${request.Name} already exists.`);

    const now = this.now();
    const secret: StoredSecret = {
      name: request.Name,
      arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${request.Name}-${arnSuffix()}`,
      ...(request.Description === undefined ? {} : { description: request.Description }),
      ...(request.KmsKeyId === undefined ? {} : { kmsKeyId: request.KmsKeyId }),
      createdDate: now,
      lastChangedDate: now,
      tags: request.Tags ?? [],
      versions: [],
    };
    const versionId = request.ClientRequestToken ?? randomUUID();
    if (value) secret.versions.push(this.sealVersion(state.cipher, secret.name, versionId, value, [CURRENT], now));
    await this.commit(state, (secrets) => secrets.set(secret.name, secret));
    return { ARN: secret.arn, Name: secret.name, ...(value ? { VersionId: versionId } : {}), ReplicationStatus: [] };
  }

  private async putSecretValue(input: unknown): Promise<unknown> {
    const request = parseInput(PutSecretValueInput, input);
    const value = valueOf(request.SecretString, request.SecretBinary, true)!;
    const state = await this.state();
    const secret = this.find(state, request.SecretId);
    requireNotDeleted(secret);
    const versionId = request.ClientRequestToken ?? randomUUID();

    const same = secret.versions.find((version) => version.versionId === versionId);
    if (same) {
      // A retried request with the same token is a no-op; the token cannot name a different value.
      const stored = this.open(state.cipher, secret, same);
      if (stored.kind === value.kind && stored.bytes.equals(value.bytes)) return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: same.stages };
      throw new AwsServiceError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
    }

    const now = this.now();
    const stages = [...new Set(request.VersionStages ?? [CURRENT])];
    const updated = structuredClone(secret);
    const created = this.sealVersion(state.cipher, secret.name, versionId, value, stages, now);
    moveStages(updated.versions, created, stages);
    updated.versions.push(created);
    pruneVersions(updated.versions);
    updated.lastChangedDate = now;
    await this.commit(state, (secrets) => secrets.set(updated.name, updated));
    return { ARN: updated.arn, Name: updated.name, VersionId: versionId, VersionStages: created.stages };
  }

  private async getSecretValue(input: unknown): Promise<unknown> {
    const request = parseInput(GetSecretValueInput, input);
    const state = await this.state();
    const secret = this.find(state, request.SecretId);
    requireNotDeleted(secret);
    let version: StoredVersion | undefined;
    if (request.VersionId !== undefined) {
      version = secret.versions.find((candidate) => candidate.versionId === request.VersionId);
      if (!version || (request.VersionStage !== undefined && !version.stages.includes(request.VersionStage))) {
        throw new AwsServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${request.VersionId}`);
      }
    } else {
      const stage = request.VersionStage ?? CURRENT;
      version = secret.versions.find((candidate) => candidate.stages.includes(stage));
      if (!version) throw new AwsServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage}`);
    }
    const value = this.open(state.cipher, secret, version);
    await this.touch(state, secret);
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(value.kind === 'string' ? { SecretString: value.bytes.toString('utf8') } : { SecretBinary: value.bytes.toString('base64') }),
      VersionStages: version.stages,
      CreatedDate: version.createdDate / 1000,
    };
  }

  private async describeSecret(input: unknown): Promise<unknown> {
    const request = parseInput(DescribeSecretInput, input);
    const state = await this.state();
    return this.metadata(this.find(state, request.SecretId), 'VersionIdsToStages');
  }

  private async listSecrets(input: unknown): Promise<unknown> {
    const request = parseInput(ListSecretsInput, input);
    const state = await this.state();
    const direction = request.SortOrder === 'desc' ? -1 : 1;
    const matching = [...state.secrets.values()]
      .filter((secret) => request.IncludePlannedDeletion === true || secret.deletionDate === undefined)
      .filter((secret) => (request.Filters ?? []).every((filter) => filter.Values.some((value) => matchesFilter(secret, filter.Key, value))))
      .sort((a, b) => direction * (a.createdDate - b.createdDate || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
    const offset = request.NextToken === undefined ? 0 : decodeToken(request.NextToken);
    const size = request.MaxResults ?? DEFAULT_PAGE_SIZE;
    const page = matching.slice(offset, offset + size);
    return {
      SecretList: page.map((secret) => this.metadata(secret, 'SecretVersionsToStages')),
      ...(offset + size < matching.length ? { NextToken: Buffer.from(`o${offset + size}`).toString('base64url') } : {}),
    };
  }

  private async deleteSecret(input: unknown): Promise<unknown> {
    const request = parseInput(DeleteSecretInput, input);
    if (request.ForceDeleteWithoutRecovery === true && request.RecoveryWindowInDays !== undefined) {
      throw new AwsServiceError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const days = request.RecoveryWindowInDays ?? 30;
    if (days < 7 || days > 30) throw new AwsServiceError('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    const state = await this.state();
    const secret = this.find(state, request.SecretId);
    const now = this.now();
    if (request.ForceDeleteWithoutRecovery === true) {
      await this.commit(state, (secrets) => secrets.delete(secret.name));
      return { ARN: secret.arn, Name: secret.name, DeletionDate: now / 1000 };
    }
    if (secret.deletionDate !== undefined) {
      throw new AwsServiceError('InvalidRequestException', "You can't perform this operation on the secret because it was already scheduled for deletion.");
    }
    const deletionDate = now + days * DAY_MS;
    await this.commit(state, (secrets) => secrets.set(secret.name, { ...secret, deletedDate: now, deletionDate }));
    return { ARN: secret.arn, Name: secret.name, DeletionDate: deletionDate / 1000 };
  }

  private async restoreSecret(input: unknown): Promise<unknown> {
    const request = parseInput(RestoreSecretInput, input);
    const state = await this.state();
    const secret = this.find(state, request.SecretId);
    if (secret.deletionDate !== undefined) {
      const { deletedDate: _deleted, deletionDate: _deletion, ...restored } = secret;
      await this.commit(state, (secrets) => secrets.set(secret.name, restored));
    }
    return { ARN: secret.arn, Name: secret.name };
  }

  // ---------------------------------------------------------------------------------------------------
  // Store

  /**
   * The loaded store, with secrets past their recovery window gone. A store that cannot be opened answers every
   * call with the reason (and is tried again on the next call), never with an empty store that a write would
   * then overwrite the real one with.
   */
  private async state(): Promise<Loaded> {
    this.loaded ??= this.store.load().then(({ cipher, secrets }) => ({ cipher, secrets: new Map(secrets.map((secret) => [secret.name, secret])) }));
    let state: Loaded;
    try {
      state = await this.loaded;
    } catch (error) {
      this.loaded = undefined;
      throw storeFailure(error);
    }
    const now = this.now();
    for (const [name, secret] of state.secrets) if (secret.deletionDate !== undefined && secret.deletionDate <= now) state.secrets.delete(name);
    return state;
  }

  /** Applies `change` to a copy, writes it, and only then makes it the current state. */
  private async commit(state: Loaded, change: (secrets: Map<string, StoredSecret>) => void): Promise<void> {
    const next = new Map(state.secrets);
    change(next);
    try {
      await this.store.save(state.cipher, [...next.values()]);
    } catch (error) {
      throw new AwsServiceError('InternalServiceError', `The local Secrets Manager could not write its store: ${(error as NodeJS.ErrnoException).code ?? 'write failed'}`, 500);
    }
    state.secrets = next;
  }

  /** LastAccessedDate is kept to the day, as AWS does; a failed write of it does not fail the read. */
  private async touch(state: Loaded, secret: StoredSecret): Promise<void> {
    const today = Math.floor(this.now() / DAY_MS) * DAY_MS;
    if (secret.lastAccessedDate === today) return;
    try {
      await this.commit(state, (secrets) => secrets.set(secret.name, { ...secret, lastAccessedDate: today }));
    } catch {
      // the value was read; only its access date is not recorded
    }
  }

  private find(state: Loaded, secretId: string): StoredSecret {
    const byName = state.secrets.get(secretId);
    if (byName) return byName;
    const arn = SECRET_ARN.exec(secretId);
    if (arn) {
      for (const secret of state.secrets.values()) if (secret.arn === secretId) return secret;
      // A partial ARN: the secret's ARN without its random suffix.
      const named = state.secrets.get(arn[1]!);
      if (named && named.arn.startsWith(`${secretId}-`)) return named;
    }
    throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }

  private sealVersion(cipher: SecretCipher, secretName: string, versionId: string, value: SecretValue, stages: string[], createdDate: number): StoredVersion {
    return { versionId, stages, createdDate, kind: value.kind, value: cipher.seal(value.bytes, valueAad(secretName, versionId, value.kind)) };
  }

  private open(cipher: SecretCipher, secret: StoredSecret, version: StoredVersion): SecretValue {
    try {
      return { kind: version.kind, bytes: cipher.open(version.value, valueAad(secret.name, version.versionId, version.kind)) };
    } catch (error) {
      if (!(error instanceof DecryptError)) throw error;
      throw new AwsServiceError(
        'DecryptionFailure',
        "Secrets Manager can't decrypt the protected secret text using the provided KMS key. (The local store's key does not match this value, or the value was modified.)",
      );
    }
  }

  private metadata(secret: StoredSecret, stagesMember: 'VersionIdsToStages' | 'SecretVersionsToStages'): Record<string, unknown> {
    const stages = Object.fromEntries(secret.versions.filter((version) => version.stages.length > 0).map((version) => [version.versionId, version.stages]));
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description === undefined ? {} : { Description: secret.description }),
      ...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
      RotationEnabled: false,
      LastChangedDate: secret.lastChangedDate / 1000,
      ...(secret.lastAccessedDate === undefined ? {} : { LastAccessedDate: secret.lastAccessedDate / 1000 }),
      ...(secret.deletedDate === undefined ? {} : { DeletedDate: secret.deletedDate / 1000 }),
      ...(secret.tags.length === 0 ? {} : { Tags: secret.tags }),
      [stagesMember]: stages,
      CreatedDate: secret.createdDate / 1000,
    };
  }
}

function valueOf(secretString: string | undefined, secretBinary: string | undefined, required: boolean): SecretValue | undefined {
  if (secretString !== undefined && secretBinary !== undefined) {
    throw new AwsServiceError('InvalidParameterException', 'You can\'t specify both a binary secret value and a string secret value in the same secret.');
  }
  let value: SecretValue | undefined;
  if (secretString !== undefined) value = { kind: 'string', bytes: Buffer.from(secretString, 'utf8') };
  if (secretBinary !== undefined) value = { kind: 'binary', bytes: Buffer.from(secretBinary, 'base64') };
  if (!value) {
    if (required) throw new AwsServiceError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
    return undefined;
  }
  if (value.bytes.length === 0) throw new AwsServiceError('InvalidParameterException', 'The secret value must not be empty.');
  if (value.bytes.length > MAX_SECRET_BYTES) throw new AwsServiceError('InvalidParameterException', `The secret value exceeds the maximum of ${MAX_SECRET_BYTES} bytes.`);
  return value;
}

function requireNotDeleted(secret: StoredSecret): void {
  if (secret.deletionDate !== undefined) {
    throw new AwsServiceError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
  }
}

/**
 * Gives `created` its stages, taking each from whichever version held it. When AWSCURRENT moves, the version
 * that held it becomes AWSPREVIOUS.
 */
function moveStages(versions: StoredVersion[], created: StoredVersion, stages: readonly string[]): void {
  const previousCurrent = stages.includes(CURRENT) ? versions.find((version) => version.stages.includes(CURRENT)) : undefined;
  for (const version of versions) version.stages = version.stages.filter((stage) => !stages.includes(stage));
  if (previousCurrent && !stages.includes(PREVIOUS)) {
    for (const version of versions) version.stages = version.stages.filter((stage) => stage !== PREVIOUS);
    previousCurrent.stages.push(PREVIOUS);
  }
  created.stages = [...stages];
}

function pruneVersions(versions: StoredVersion[]): void {
  while (versions.length > MAX_VERSIONS) {
    const oldestUnlabelled = versions.findIndex((version) => version.stages.length === 0);
    if (oldestUnlabelled < 0) return;
    versions.splice(oldestUnlabelled, 1);
  }
}

function matchesFilter(secret: StoredSecret, key: string, rawValue: string): boolean {
  const negate = rawValue.startsWith('!');
  const value = negate ? rawValue.slice(1) : rawValue;
  const fields: string[] = [];
  if (key === 'name' || key === 'all') fields.push(secret.name);
  if (key === 'description' || key === 'all') fields.push(secret.description ?? '');
  if (key === 'tag-key' || key === 'all') fields.push(...secret.tags.map((tag) => tag.Key));
  if (key === 'tag-value' || key === 'all') fields.push(...secret.tags.map((tag) => tag.Value));
  const matched = fields.some((field) => field.startsWith(value));
  return negate ? !matched : matched;
}

function decodeToken(token: string): number {
  const decoded = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!decoded) throw new AwsServiceError('InvalidNextTokenException', 'The NextToken value is invalid.');
  return Number(decoded[1]);
}

function arnSuffix(): string {
  let suffix = '';
  for (let index = 0; index < 6; index += 1) suffix += ARN_SUFFIX_ALPHABET[randomInt(ARN_SUFFIX_ALPHABET.length)];
  return suffix;
}

function storeFailure(error: unknown): AwsServiceError {
  if (error instanceof SecretStoreError) {
    // A key that does not open the store is a decryption failure to the caller; the rest is the service failing.
    return error.code === 'KEY_MISMATCH' ? new AwsServiceError('DecryptionFailure', error.message) : new AwsServiceError('InternalServiceError', error.message, 500);
  }
  return new AwsServiceError('InternalServiceError', `The local Secrets Manager could not open its store: ${(error as NodeJS.ErrnoException).code ?? 'read failed'}`, 500);
}
