// The file behind the local Secrets Manager. Secret values are only ever written sealed (see crypto.ts); names,
// descriptions and stage labels are plain but covered by an HMAC, and a sealed constant proves the key matches
// before anything else is read. Written atomically (temp file, fsync, rename, fsync of the directory), so a crash
// leaves either the old store or the new one.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DecryptError, loadOrCreateMasterKey, SecretCipher, SecretStoreError, type SealedValue } from './crypto.js';

const FORMAT = 'stacklens-secretsmanager/1';
const KEY_CHECK_PLAINTEXT = 'stacklens-secretsmanager key check';
const KEY_CHECK_AAD = 'stacklens-secretsmanager/key-check';

const Sealed = z.object({ iv: z.string(), tag: z.string(), data: z.string() });

const StoredVersion = z.object({
  versionId: z.string().min(1),
  stages: z.array(z.string()),
  createdDate: z.number(),
  kind: z.enum(['string', 'binary']),
  value: Sealed,
});

const StoredSecret = z.object({
  name: z.string().min(1),
  arn: z.string().min(1),
  description: z.string().optional(),
  kmsKeyId: z.string().optional(),
  createdDate: z.number(),
  lastChangedDate: z.number(),
  lastAccessedDate: z.number().optional(),
  /** When DeleteSecret was called; the secret is gone for good at `deletionDate`. */
  deletedDate: z.number().optional(),
  deletionDate: z.number().optional(),
  tags: z.array(z.object({ Key: z.string(), Value: z.string() })),
  versions: z.array(StoredVersion),
});

const StoreFile = z.object({
  format: z.literal(FORMAT),
  keyCheck: Sealed,
  mac: z.string(),
  secrets: z.array(z.unknown()),
});

export type StoredVersion = z.infer<typeof StoredVersion>;
export type StoredSecret = z.infer<typeof StoredSecret>;

/** The additional authenticated data of a secret value: which secret, which version, which kind of value. */
export function valueAad(secretName: string, versionId: string, kind: 'string' | 'binary'): string {
  return JSON.stringify(['secret-value', secretName, versionId, kind]);
}

export class SecretStoreFile {
  constructor(
    readonly file: string,
    readonly keyFile: string,
  ) {}

  /** The key and the secrets; throws SecretStoreError when the key does not fit or the file was changed. */
  async load(): Promise<{ cipher: SecretCipher; secrets: StoredSecret[] }> {
    const cipher = new SecretCipher(await loadOrCreateMasterKey(this.keyFile, this.file));
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { cipher, secrets: [] };
      throw error;
    }
    let parsed: z.infer<typeof StoreFile>;
    try {
      parsed = StoreFile.parse(JSON.parse(text));
    } catch {
      throw new SecretStoreError('STORE_UNREADABLE', `The secret store ${this.file} is not a ${FORMAT} file (damaged or edited by hand)`);
    }
    try {
      cipher.open(parsed.keyCheck as SealedValue, KEY_CHECK_AAD);
    } catch (error) {
      if (!(error instanceof DecryptError)) throw error;
      throw new SecretStoreError('KEY_MISMATCH', `The key in ${this.keyFile} is not the key the secret store ${this.file} was written with`);
    }
    // The MAC covers the secrets exactly as they were serialised; JSON.parse then stringify reproduces that text.
    if (!cipher.verifyMac(JSON.stringify(parsed.secrets), parsed.mac)) {
      throw new SecretStoreError('STORE_TAMPERED', `The secret store ${this.file} failed its integrity check: it was changed outside StackLens`);
    }
    const secrets = z.array(StoredSecret).safeParse(parsed.secrets);
    if (!secrets.success) throw new SecretStoreError('STORE_UNREADABLE', `The secret store ${this.file} holds secrets in an unknown shape`);
    return { cipher, secrets: secrets.data };
  }

  async save(cipher: SecretCipher, secrets: readonly StoredSecret[]): Promise<void> {
    const body = {
      format: FORMAT,
      keyCheck: cipher.seal(Buffer.from(KEY_CHECK_PLAINTEXT, 'utf8'), KEY_CHECK_AAD),
      mac: cipher.mac(JSON.stringify(secrets)),
      secrets,
    };
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(body));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}
