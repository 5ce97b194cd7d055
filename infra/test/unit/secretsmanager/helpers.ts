import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalSecretsManager, type SecretsManagerServiceOptions } from '../../../src/local/secretsmanager/service.js';

export { failure } from '../../helpers/aws-test-server.js';

export const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
export const DAY_MS = 86_400_000;

export interface Paths {
  readonly root: string;
  /** The store lives under data/, the key under keys/: apart, as in the runtime. */
  readonly file: string;
  readonly keyFile: string;
  remove(): void;
}

export function tempPaths(): Paths {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stacklens-sm-'));
  mkdirSync(path.join(root, 'data'));
  return {
    root,
    file: path.join(root, 'data', 'secrets.json'),
    keyFile: path.join(root, 'keys', 'secretsmanager.key'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function newService(paths: Paths, extra: Partial<SecretsManagerServiceOptions> = {}): LocalSecretsManager {
  return new LocalSecretsManager({ file: paths.file, keyFile: paths.keyFile, now: () => NOW, ...extra });
}
