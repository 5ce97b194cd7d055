// Property runs write and fsync hundreds of small files. Where the machine has a tmpfs at /dev/shm they go there, where
// an fsync costs microseconds instead of milliseconds; otherwise to the usual temp directory.
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function fastRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

export function propertyTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(fastRoot(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The layout the Secrets Manager tests use: the store under data/, its key apart under keys/. */
export function secretsPaths(): { root: string; file: string; keyFile: string; remove: () => void } {
  const { dir, remove } = propertyTempDir('stacklens-sm-prop-');
  mkdirSync(path.join(dir, 'data'));
  return { root: dir, file: path.join(dir, 'data', 'secrets.json'), keyFile: path.join(dir, 'keys', 'secretsmanager.key'), remove };
}
