// Property runs write and fsync hundreds of small files. Where the machine has a tmpfs at /dev/shm they go there, where
// an fsync costs microseconds instead of milliseconds; otherwise to the usual temp directory.
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function fastRoot(): Promise<string> {
  try {
    await access('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

export async function propertyTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(await fastRoot(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
