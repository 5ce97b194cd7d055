import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = path.join(WEB_DIR, 'dist');
const VITE_BIN = path.resolve(WEB_DIR, '..', 'node_modules', 'vite', 'bin', 'vite.js');
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json'];

function newestMtime(target: string): number {
  let info;
  try {
    info = statSync(target);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Whether web/dist is missing or older than any source it is built from. */
export function distIsStale(): boolean {
  const built = newestMtime(path.join(DIST_DIR, 'index.html'));
  if (built === 0) return true;
  return SOURCES.some((source) => newestMtime(path.join(WEB_DIR, source)) > built);
}

/**
 * Builds the dashboard when web/dist is missing or stale. The gateway only serves web/dist if it exists when the
 * stack starts, so browser tests and benchmarks call this first.
 */
export function ensureWebDist(): { readonly dir: string; readonly built: boolean } {
  if (!distIsStale()) return { dir: DIST_DIR, built: false };
  // Jest sets NODE_ENV=test, which would make Vite bundle React's development build (60 KB more, and slower): the
  // dashboard that tests, benchmarks and `npm start` serve is always the production build.
  execFileSync(process.execPath, [VITE_BIN, 'build', '--logLevel', 'warn'], {
    cwd: WEB_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return { dir: DIST_DIR, built: true };
}
