// Encryption at rest for the local Secrets Manager. One 32-byte master key in a file kept apart from the store;
// two keys derived from it with HKDF: one for AES-256-GCM over each secret value (random 12-byte IV, 16-byte tag,
// the secret's identity as additional data so a value cannot be moved to another secret or version), one for an
// HMAC over the whole store so edits to unencrypted metadata (names, stages) are detected too.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedValue {
  /** base64 */
  readonly iv: string;
  /** base64 */
  readonly tag: string;
  /** base64 */
  readonly data: string;
}

/** The store cannot be used: the key is wrong or missing, or the file was changed outside this service. */
export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';

  constructor(
    readonly code: 'KEY_MISMATCH' | 'KEY_INVALID' | 'KEY_MISSING' | 'STORE_TAMPERED' | 'STORE_UNREADABLE',
    message: string,
  ) {
    super(message);
  }
}

/** A sealed value that failed authentication: wrong key or modified bytes. */
export class DecryptError extends Error {
  override readonly name = 'DecryptError';
}

export class SecretCipher {
  private readonly encryptionKey: Buffer;
  private readonly macKey: Buffer;

  constructor(masterKey: Uint8Array) {
    if (masterKey.byteLength !== MASTER_KEY_BYTES) throw new RangeError(`the master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.byteLength}`);
    this.encryptionKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'stacklens-secretsmanager/v1/encryption', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'stacklens-secretsmanager/v1/integrity', 32));
  }

  seal(plaintext: Uint8Array, additionalData: string): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(additionalData, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  open(sealed: SealedValue, additionalData: string): Buffer {
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new DecryptError('the sealed value has a malformed IV or tag');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(additionalData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
    } catch {
      throw new DecryptError('the sealed value failed authentication');
    }
  }

  mac(text: string): string {
    return createHmac('sha256', this.macKey).update(text, 'utf8').digest('base64');
  }

  verifyMac(text: string, mac: string): boolean {
    const expected = createHmac('sha256', this.macKey).update(text, 'utf8').digest();
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/**
 * Reads the master key, or creates one (mode 0600, in a 0700 directory) when there is neither a key nor a store.
 * A missing key next to an existing store is an error: a new key could never open the old secrets.
 */
export async function loadOrCreateMasterKey(keyFile: string, storeFile: string): Promise<Buffer> {
  try {
    const key = await readFile(keyFile);
    if (key.byteLength !== MASTER_KEY_BYTES) {
      throw new SecretStoreError('KEY_INVALID', `The key file ${keyFile} must hold exactly ${MASTER_KEY_BYTES} bytes; it holds ${key.byteLength}`);
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (await exists(storeFile)) {
    throw new SecretStoreError('KEY_MISSING', `The key file ${keyFile} is missing, but the secret store ${storeFile} exists and can only be opened with the key it was written with`);
  }
  await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  const key = randomBytes(MASTER_KEY_BYTES);
  try {
    // 'wx': if another process created the key in the meantime, use theirs rather than overwrite it.
    await writeFile(keyFile, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateMasterKey(keyFile, storeFile);
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
